build-san-device/obj/policy/strmap.o: policy/strmap.c policy/strmap.h \
 base/util.h include/ocv.h include/ocv_reasons.h
policy/strmap.h:
base/util.h:
include/ocv.h:
include/ocv_reasons.h:
