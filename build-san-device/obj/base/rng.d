build-san-device/obj/base/rng.o: base/rng.c base/rng.h
base/rng.h:
