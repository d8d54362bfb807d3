build-san-device/obj/tools/cmd_receipt.o: tools/cmd_receipt.c base/util.h \
 include/ocv.h include/ocv_reasons.h tools/cli.h decision/stages.h \
 base/claims.h policy/policy.h revocation/store.h base/buf.h \
 revocation/digest.h verifier/keyset.h verifier/pkey.h \
 verifier/sigcache.h verifier/x509.h base/limits.h revocation/receipt.h
base/util.h:
include/ocv.h:
include/ocv_reasons.h:
tools/cli.h:
decision/stages.h:
base/claims.h:
policy/policy.h:
revocation/store.h:
base/buf.h:
revocation/digest.h:
verifier/keyset.h:
verifier/pkey.h:
verifier/sigcache.h:
verifier/x509.h:
base/limits.h:
revocation/receipt.h:
