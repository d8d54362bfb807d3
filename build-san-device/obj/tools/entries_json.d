build-san-device/obj/tools/entries_json.o: tools/entries_json.c \
 base/limits.h base/util.h include/ocv.h include/ocv_reasons.h \
 tools/cli.h tools/entries_json.h revocation/store.h base/buf.h \
 base/claims.h revocation/digest.h
base/limits.h:
base/util.h:
include/ocv.h:
include/ocv_reasons.h:
tools/cli.h:
tools/entries_json.h:
revocation/store.h:
base/buf.h:
base/claims.h:
revocation/digest.h:
