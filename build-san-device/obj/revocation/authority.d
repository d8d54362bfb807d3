build-san-device/obj/revocation/authority.o: revocation/authority.c \
 revocation/authority.h base/buf.h include/ocv.h include/ocv_reasons.h \
 revocation/bundle.h revocation/digest.h revocation/store.h base/claims.h \
 verifier/pkey.h base/util.h verifier/cose_sign1.h verifier/sigalg.h \
 verifier/sigcache.h
revocation/authority.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
revocation/bundle.h:
revocation/digest.h:
revocation/store.h:
base/claims.h:
verifier/pkey.h:
base/util.h:
verifier/cose_sign1.h:
verifier/sigalg.h:
verifier/sigcache.h:
