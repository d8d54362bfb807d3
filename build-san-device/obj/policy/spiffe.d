build-san-device/obj/policy/spiffe.o: policy/spiffe.c policy/spiffe.h \
 base/claims.h include/ocv.h include/ocv_reasons.h
policy/spiffe.h:
base/claims.h:
include/ocv.h:
include/ocv_reasons.h:
