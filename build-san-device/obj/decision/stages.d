build-san-device/obj/decision/stages.o: decision/stages.c \
 decision/stages.h base/claims.h include/ocv.h include/ocv_reasons.h \
 policy/policy.h revocation/store.h base/buf.h revocation/digest.h \
 verifier/keyset.h verifier/pkey.h verifier/sigcache.h verifier/x509.h \
 base/limits.h base/util.h
decision/stages.h:
base/claims.h:
include/ocv.h:
include/ocv_reasons.h:
policy/policy.h:
revocation/store.h:
base/buf.h:
revocation/digest.h:
verifier/keyset.h:
verifier/pkey.h:
verifier/sigcache.h:
verifier/x509.h:
base/limits.h:
base/util.h:
