build-san-device/obj/tools/cmd_policy.o: tools/cmd_policy.c base/buf.h \
 include/ocv.h include/ocv_reasons.h base/util.h tools/cli.h \
 policy/policy.h base/claims.h verifier/x509.h base/limits.h
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/util.h:
tools/cli.h:
policy/policy.h:
base/claims.h:
verifier/x509.h:
base/limits.h:
