build-san-device/obj/tools/cmd_mint.o: tools/cmd_mint.c base/rng.h \
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
