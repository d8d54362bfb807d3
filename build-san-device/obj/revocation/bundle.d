build-san-device/obj/revocation/bundle.o: revocation/bundle.c \
 revocation/bundle.h base/buf.h include/ocv.h include/ocv_reasons.h \
 revocation/digest.h revocation/store.h base/claims.h base/cbor_stream.h \
 base/util.h verifier/cose_sign1.h verifier/pkey.h
revocation/bundle.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
revocation/digest.h:
revocation/store.h:
base/claims.h:
base/cbor_stream.h:
base/util.h:
verifier/cose_sign1.h:
verifier/pkey.h:
