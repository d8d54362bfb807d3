build-san-device/obj/tools/cmd_audit.o: tools/cmd_audit.c base/util.h \
 include/ocv.h include/ocv_reasons.h tools/cli.h decision/audit.h
base/util.h:
include/ocv.h:
include/ocv_reasons.h:
tools/cli.h:
decision/audit.h:
