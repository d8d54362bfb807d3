build-san-device/obj/base/claims.o: base/claims.c base/claims.h \
 include/ocv.h include/ocv_reasons.h
base/claims.h:
include/ocv.h:
include/ocv_reasons.h:
