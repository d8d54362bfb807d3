build-san-device/obj/tools/ocv.o: tools/ocv.c base/util.h include/ocv.h \
 include/ocv_reasons.h tools/cli.h
base/util.h:
include/ocv.h:
include/ocv_reasons.h:
tools/cli.h:
