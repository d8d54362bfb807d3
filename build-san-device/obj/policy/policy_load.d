build-san-device/obj/policy/policy_load.o: policy/policy_load.c \
 base/json_doc.h base/buf.h include/ocv.h include/ocv_reasons.h \
 base/util.h policy/policy_internal.h policy/policy.h base/claims.h \
 policy/strmap.h policy/spiffe.h
base/json_doc.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
base/util.h:
policy/policy_internal.h:
policy/policy.h:
base/claims.h:
policy/strmap.h:
policy/spiffe.h:
