build-san-device/obj/decision/audit.o: decision/audit.c decision/audit.h \
 include/ocv.h include/ocv_reasons.h base/util.h
decision/audit.h:
include/ocv.h:
include/ocv_reasons.h:
base/util.h:
