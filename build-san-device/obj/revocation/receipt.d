build-san-device/obj/revocation/receipt.o: revocation/receipt.c \
 revocation/receipt.h base/buf.h include/ocv.h include/ocv_reasons.h \
 revocation/digest.h revocation/store.h base/claims.h verifier/pkey.h \
 base/cbor_stream.h base/util.h verifier/cose_sign1.h verifier/sigalg.h \
 verifier/sigcache.h
revocation/receipt.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
revocation/digest.h:
revocation/store.h:
base/claims.h:
verifier/pkey.h:
base/cbor_stream.h:
base/util.h:
verifier/cose_sign1.h:
verifier/sigalg.h:
verifier/sigcache.h:
