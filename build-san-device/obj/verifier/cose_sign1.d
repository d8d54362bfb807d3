build-san-device/obj/verifier/cose_sign1.o: verifier/cose_sign1.c \
 verifier/cose_sign1.h base/buf.h include/ocv.h include/ocv_reasons.h \
 base/claims.h verifier/pkey.h base/cbor_stream.h base/util.h \
 verifier/sigalg.h verifier/sigcache.h
verifier/cose_sign1.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/claims.h:
verifier/pkey.h:
base/cbor_stream.h:
base/util.h:
verifier/sigalg.h:
verifier/sigcache.h:
