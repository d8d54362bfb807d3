build-device/obj/tools/bench_token.o: tools/bench_token.c base/b64url.h \
 base/buf.h include/ocv.h include/ocv_reasons.h base/util.h tools/bench.h \
 tools/cli.h verifier/keyset.h base/claims.h verifier/pkey.h \
 verifier/sigalg.h verifier/sigcache.h
base/b64url.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/util.h:
tools/bench.h:
tools/cli.h:
verifier/keyset.h:
base/claims.h:
verifier/pkey.h:
verifier/sigalg.h:
verifier/sigcache.h:
