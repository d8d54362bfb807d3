build-san-device/obj/tools/mint_token.o: tools/mint_token.c base/b64url.h \
 base/buf.h include/ocv.h include/ocv_reasons.h base/cbor_stream.h \
 base/util.h tools/cli.h tools/mint.h verifier/pkey.h \
 verifier/cose_sign1.h base/claims.h verifier/keyset.h \
 verifier/sigcache.h verifier/sigalg.h
base/b64url.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/cbor_stream.h:
base/util.h:
tools/cli.h:
tools/mint.h:
verifier/pkey.h:
verifier/cose_sign1.h:
base/claims.h:
verifier/keyset.h:
verifier/sigcache.h:
verifier/sigalg.h:
