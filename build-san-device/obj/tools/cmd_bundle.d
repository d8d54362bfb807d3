build-san-device/obj/tools/cmd_bundle.o: tools/cmd_bundle.c base/util.h \
 include/ocv.h include/ocv_reasons.h tools/cli.h tools/entries_json.h \
 revocation/store.h base/buf.h base/claims.h revocation/digest.h \
 revocation/authority.h revocation/bundle.h verifier/pkey.h
base/util.h:
include/ocv.h:
include/ocv_reasons.h:
tools/cli.h:
tools/entries_json.h:
revocation/store.h:
base/buf.h:
base/claims.h:
revocation/digest.h:
revocation/authority.h:
revocation/bundle.h:
verifier/pkey.h:
