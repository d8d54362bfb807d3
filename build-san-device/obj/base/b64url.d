build-san-device/obj/base/b64url.o: base/b64url.c base/b64url.h \
 base/buf.h include/ocv.h include/ocv_reasons.h
base/b64url.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
