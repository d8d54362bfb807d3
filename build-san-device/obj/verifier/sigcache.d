build-san-device/obj/verifier/sigcache.o: verifier/sigcache.c \
 verifier/sigcache.h base/claims.h include/ocv.h include/ocv_reasons.h
verifier/sigcache.h:
base/claims.h:
include/ocv.h:
include/ocv_reasons.h:
