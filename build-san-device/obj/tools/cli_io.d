build-san-device/obj/tools/cli_io.o: tools/cli_io.c tools/cli.h
tools/cli.h:
