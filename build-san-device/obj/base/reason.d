build-san-device/obj/base/reason.o: base/reason.c include/ocv.h \
 include/ocv_reasons.h
include/ocv.h:
include/ocv_reasons.h:
