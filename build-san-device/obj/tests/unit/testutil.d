build-san-device/obj/tests/unit/testutil.o: tests/unit/testutil.c \
 tests/unit/testutil.h base/buf.h include/ocv.h include/ocv_reasons.h
tests/unit/testutil.h:
base/buf.h:
include/ocv.h:
include/ocv_reasons.h:
