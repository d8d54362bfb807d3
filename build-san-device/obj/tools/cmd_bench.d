build-san-device/obj/tools/cmd_bench.o: tools/cmd_bench.c base/buf.h \
 include/ocv.h include/ocv_reasons.h base/limits.h tools/bench.h \
 tools/cli.h verifier/pkey.h verifier/sigalg.h base/claims.h \
 verifier/sigcache.h
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/limits.h:
tools/bench.h:
tools/cli.h:
verifier/pkey.h:
verifier/sigalg.h:
base/claims.h:
verifier/sigcache.h:
