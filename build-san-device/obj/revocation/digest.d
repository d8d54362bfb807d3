build-san-device/obj/revocation/digest.o: revocation/digest.c \
 revocation/digest.h include/ocv.h include/ocv_reasons.h base/util.h
revocation/digest.h:
include/ocv.h:
include/ocv_reasons.h:
base/util.h:
