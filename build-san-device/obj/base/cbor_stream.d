build-san-device/obj/base/cbor_stream.o: base/cbor_stream.c \
 base/cbor_stream.h base/buf.h include/ocv.h include/ocv_reasons.h
base/cbor_stream.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
