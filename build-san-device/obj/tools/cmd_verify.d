build-san-device/obj/tools/cmd_verify.o: tools/cmd_verify.c base/buf.h \
 include/ocv.h include/ocv_reasons.h base/limits.h base/util.h \
 tools/cli.h decision/stages.h base/claims.h policy/policy.h \
 revocation/store.h revocation/digest.h verifier/keyset.h verifier/pkey.h \
 verifier/sigcache.h verifier/x509.h
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/limits.h:
base/util.h:
tools/cli.h:
decision/stages.h:
base/claims.h:
policy/policy.h:
revocation/store.h:
revocation/digest.h:
verifier/keyset.h:
verifier/pkey.h:
verifier/sigcache.h:
verifier/x509.h:
