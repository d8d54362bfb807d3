build-san-device/obj/verifier/token.o: verifier/token.c verifier/token.h \
 base/buf.h include/ocv.h include/ocv_reasons.h base/claims.h \
 verifier/keyset.h verifier/pkey.h verifier/sigcache.h base/b64url.h \
 base/util.h verifier/sigalg.h verifier/token_formats.h verifier/token.h
verifier/token.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/claims.h:
verifier/keyset.h:
verifier/pkey.h:
verifier/sigcache.h:
base/b64url.h:
base/util.h:
verifier/sigalg.h:
verifier/token_formats.h:
verifier/token.h:
