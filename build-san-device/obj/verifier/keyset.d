build-san-device/obj/verifier/keyset.o: verifier/keyset.c \
 verifier/keyset.h base/claims.h include/ocv.h include/ocv_reasons.h \
 verifier/pkey.h base/buf.h verifier/sigcache.h base/b64url.h \
 base/cbor_stream.h base/json.h base/limits.h base/util.h \
 verifier/sigalg.h
verifier/keyset.h:
base/claims.h:
include/ocv.h:
include/ocv_reasons.h:
verifier/pkey.h:
base/buf.h:
verifier/sigcache.h:
base/b64url.h:
base/cbor_stream.h:
base/json.h:
base/limits.h:
base/util.h:
verifier/sigalg.h:
