build-san-device/obj/tools/cmd_revocation.o: tools/cmd_revocation.c \
 base/buf.h include/ocv.h include/ocv_reasons.h base/util.h tools/cli.h \
 decision/audit.h decision/stages.h base/claims.h policy/policy.h \
 revocation/store.h revocation/digest.h verifier/keyset.h verifier/pkey.h \
 verifier/sigcache.h verifier/x509.h base/limits.h revocation/bundle.h \
 revocation/crl_import.h revocation/receipt.h
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/util.h:
tools/cli.h:
decision/audit.h:
decision/stages.h:
base/claims.h:
policy/policy.h:
revocation/store.h:
revocation/digest.h:
verifier/keyset.h:
verifier/pkey.h:
verifier/sigcache.h:
verifier/x509.h:
base/limits.h:
revocation/bundle.h:
revocation/crl_import.h:
revocation/receipt.h:
