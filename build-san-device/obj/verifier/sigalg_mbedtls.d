build-san-device/obj/verifier/sigalg_mbedtls.o: verifier/sigalg_mbedtls.c \
 base/rng.h verifier/sigalg.h base/buf.h include/ocv.h \
 include/ocv_reasons.h base/claims.h verifier/pkey.h verifier/sigcache.h
base/rng.h:
verifier/sigalg.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/claims.h:
verifier/pkey.h:
verifier/sigcache.h:
