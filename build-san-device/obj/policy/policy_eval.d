build-san-device/obj/policy/policy_eval.o: policy/policy_eval.c \
 base/util.h include/ocv.h include/ocv_reasons.h policy/policy_internal.h \
 policy/policy.h base/claims.h policy/strmap.h policy/spiffe.h
base/util.h:
include/ocv.h:
include/ocv_reasons.h:
policy/policy_internal.h:
policy/policy.h:
base/claims.h:
policy/strmap.h:
policy/spiffe.h:
