build-san-device/obj/verifier/sigalg.o: verifier/sigalg.c \
 verifier/sigalg.h base/buf.h include/ocv.h include/ocv_reasons.h \
 base/claims.h verifier/pkey.h verifier/sigcache.h base/util.h \
 verifier/x509.h base/limits.h
verifier/sigalg.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/claims.h:
verifier/pkey.h:
verifier/sigcache.h:
base/util.h:
verifier/x509.h:
base/limits.h:
