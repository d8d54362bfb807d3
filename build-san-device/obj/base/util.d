build-san-device/obj/base/util.o: base/util.c base/util.h include/ocv.h \
 include/ocv_reasons.h
base/util.h:
include/ocv.h:
include/ocv_reasons.h:
