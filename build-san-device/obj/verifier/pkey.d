build-san-device/obj/verifier/pkey.o: verifier/pkey.c verifier/pkey.h \
 base/buf.h include/ocv.h include/ocv_reasons.h base/limits.h base/rng.h \
 base/util.h
verifier/pkey.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/limits.h:
base/rng.h:
base/util.h:
