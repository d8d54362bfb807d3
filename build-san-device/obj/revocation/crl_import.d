build-san-device/obj/revocation/crl_import.o: revocation/crl_import.c \
 revocation/crl_import.h include/ocv.h include/ocv_reasons.h \
 revocation/store.h base/buf.h base/claims.h revocation/digest.h \
 verifier/x509.h base/limits.h base/util.h
revocation/crl_import.h:
include/ocv.h:
include/ocv_reasons.h:
revocation/store.h:
base/buf.h:
base/claims.h:
revocation/digest.h:
verifier/x509.h:
base/limits.h:
base/util.h:
