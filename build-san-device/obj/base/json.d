build-san-device/obj/base/json.o: base/json.c base/json.h include/ocv.h \
 include/ocv_reasons.h base/util.h
base/json.h:
include/ocv.h:
include/ocv_reasons.h:
base/util.h:
