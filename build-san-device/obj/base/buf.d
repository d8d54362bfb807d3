build-san-device/obj/base/buf.o: base/buf.c base/buf.h include/ocv.h \
 include/ocv_reasons.h base/util.h
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/util.h:
