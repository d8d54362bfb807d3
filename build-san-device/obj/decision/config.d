build-san-device/obj/decision/config.o: decision/config.c base/claims.h \
 include/ocv.h include/ocv_reasons.h base/json_doc.h base/buf.h \
 base/util.h base/limits.h
base/claims.h:
include/ocv.h:
include/ocv_reasons.h:
base/json_doc.h:
base/buf.h:
base/util.h:
base/limits.h:
