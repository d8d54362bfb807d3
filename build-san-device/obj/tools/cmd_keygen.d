build-san-device/obj/tools/cmd_keygen.o: tools/cmd_keygen.c base/util.h \
 include/ocv.h include/ocv_reasons.h tools/cli.h verifier/keyset.h \
 base/claims.h verifier/pkey.h base/buf.h verifier/sigcache.h
base/util.h:
include/ocv.h:
include/ocv_reasons.h:
tools/cli.h:
verifier/keyset.h:
base/claims.h:
verifier/pkey.h:
base/buf.h:
verifier/sigcache.h:
