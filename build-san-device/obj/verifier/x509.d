build-san-device/obj/verifier/x509.o: verifier/x509.c verifier/x509.h \
 base/claims.h include/ocv.h include/ocv_reasons.h base/limits.h \
 base/buf.h base/util.h verifier/pkey.h
verifier/x509.h:
base/claims.h:
include/ocv.h:
include/ocv_reasons.h:
base/limits.h:
base/buf.h:
base/util.h:
verifier/pkey.h:
