build-san-device/obj/verifier/cwt.o: verifier/cwt.c base/cbor_stream.h \
 base/buf.h include/ocv.h include/ocv_reasons.h base/limits.h base/util.h \
 verifier/cose_sign1.h base/claims.h verifier/pkey.h \
 verifier/token_formats.h verifier/token.h verifier/keyset.h \
 verifier/sigcache.h
base/cbor_stream.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/limits.h:
base/util.h:
verifier/cose_sign1.h:
base/claims.h:
verifier/pkey.h:
verifier/token_formats.h:
verifier/token.h:
verifier/keyset.h:
verifier/sigcache.h:
