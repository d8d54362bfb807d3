build-san-device/obj/verifier/jwt.o: verifier/jwt.c base/b64url.h \
 base/buf.h include/ocv.h include/ocv_reasons.h base/json.h base/limits.h \
 base/util.h verifier/sigalg.h base/claims.h verifier/pkey.h \
 verifier/sigcache.h verifier/token_formats.h verifier/token.h \
 verifier/keyset.h
base/b64url.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/json.h:
base/limits.h:
base/util.h:
verifier/sigalg.h:
base/claims.h:
verifier/pkey.h:
verifier/sigcache.h:
verifier/token_formats.h:
verifier/token.h:
verifier/keyset.h:
