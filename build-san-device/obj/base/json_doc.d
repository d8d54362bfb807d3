build-san-device/obj/base/json_doc.o: base/json_doc.c base/json_doc.h \
 base/buf.h include/ocv.h include/ocv_reasons.h base/util.h base/limits.h
base/json_doc.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/util.h:
base/limits.h:
