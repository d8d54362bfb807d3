build-san-device/obj/tools/mint_crl.o: tools/mint_crl.c base/rng.h \
 base/util.h include/ocv.h include/ocv_reasons.h tools/cli.h tools/mint.h \
 verifier/pkey.h base/buf.h
base/rng.h:
base/util.h:
include/ocv.h:
include/ocv_reasons.h:
tools/cli.h:
tools/mint.h:
verifier/pkey.h:
base/buf.h:
