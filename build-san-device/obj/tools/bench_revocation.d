build-san-device/obj/tools/bench_revocation.o: tools/bench_revocation.c \
 base/util.h include/ocv.h include/ocv_reasons.h tools/bench.h \
 tools/cli.h revocation/bundle.h base/buf.h revocation/digest.h \
 revocation/store.h base/claims.h
base/util.h:
include/ocv.h:
include/ocv_reasons.h:
tools/bench.h:
tools/cli.h:
revocation/bundle.h:
base/buf.h:
revocation/digest.h:
revocation/store.h:
base/claims.h:
