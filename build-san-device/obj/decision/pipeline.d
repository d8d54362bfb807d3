build-san-device/obj/decision/pipeline.o: decision/pipeline.c \
 base/claims.h include/ocv.h include/ocv_reasons.h base/limits.h \
 base/util.h decision/stages.h policy/policy.h revocation/store.h \
 base/buf.h revocation/digest.h verifier/keyset.h verifier/pkey.h \
 verifier/sigcache.h verifier/x509.h verifier/token.h
base/claims.h:
include/ocv.h:
include/ocv_reasons.h:
base/limits.h:
base/util.h:
decision/stages.h:
policy/policy.h:
revocation/store.h:
base/buf.h:
revocation/digest.h:
verifier/keyset.h:
verifier/pkey.h:
verifier/sigcache.h:
verifier/x509.h:
verifier/token.h:
