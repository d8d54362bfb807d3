build-san-device/obj/revocation/store.o: revocation/store.c \
 revocation/store.h base/buf.h include/ocv.h include/ocv_reasons.h \
 base/claims.h revocation/digest.h base/util.h
revocation/store.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/claims.h:
revocation/digest.h:
base/util.h:
