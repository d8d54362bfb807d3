build-san-device/obj/tools/bench_token.o: tools/bench_token.c \
 base/b64url.h base/buf.h include/ocv.h include/ocv_reasons.h \
 base/cbor_stream.h base/util.h tools/bench.h tools/cli.h \
 verifier/cose_sign1.h base/claims.h verifier/pkey.h verifier/keyset.h \
 verifier/sigcache.h verifier/sigalg.h
base/b64url.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/cbor_stream.h:
base/util.h:
tools/bench.h:
tools/cli.h:
verifier/cose_sign1.h:
base/claims.h:
verifier/pkey.h:
verifier/keyset.h:
verifier/sigcache.h:
verifier/sigalg.h:
