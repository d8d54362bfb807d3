# ocv - offline credential verifier. See README.md.
#
#   make          libocv.a, libocv.so and the ocv binary (in $(BUILD)/)
#   make deps     install missing Debian packages (apt-get; root)
#   make test     the whole test suite (unit, vectors, end-to-end)
#   make demo     a small PKI and real decisions
#   make sanitize the suite again under ASan + UBSan
#   make valgrind the unit tests under valgrind
#   make lint     banned functions and compiler-contract checks
#   make bench    benchmarks (reported, never asserted)
#   make install  PREFIX=/usr/local DESTDIR=

CC ?= cc
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0
SOVERSION := 0

WARN := -Wall -Wextra -Werror -Wswitch -Wshadow -Wpointer-arith -Wstrict-prototypes \
        -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -fPIC -fvisibility=hidden $(WARN) \
          -Iinclude -I. -pthread
LDFLAGS += -pthread
LIBS := -lmbedx509 -lmbedcrypto -lsodium -lcbor -ljansson -lsqlite3
TOOL_LIBS := -lmicrohttpd
TEST_LIBS := -lcmocka

ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

LAYERS := base verifier revocation policy decision
LIB_SRCS := $(foreach d,$(LAYERS),$(wildcard $(d)/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(BUILD)/obj/%.o)
# serve/: the sidecar layer beside tools/; only the ocv binary and the
# serve unit tests link it (and libmicrohttpd), never libocv.
SERVE_SRCS := $(wildcard serve/*.c)
SERVE_OBJS := $(SERVE_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(filter-out $(TEST_SRCS),$(wildcard tests/unit/*.c))
TEST_SUPPORT_OBJS := $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o)

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
REPLAY_BINS := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=$(BUILD)/fuzz/replay_%)
FUZZ_SECONDS ?= 60

STATIC_LIB := $(BUILD)/libocv.a
SHARED_LIB := $(BUILD)/libocv.so.$(VERSION)
OCV := $(BUILD)/ocv

.PHONY: all deps test tests-build demo sanitize valgrind lint bench fuzz install uninstall clean \
	format

all: $(STATIC_LIB) $(SHARED_LIB) $(OCV)

deps:
	@sh scripts/deps.sh

$(BUILD)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(STATIC_LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libocv.so.$(SOVERSION) $(LDFLAGS) -o $@ $^ $(LIBS)
	ln -sf libocv.so.$(VERSION) $(BUILD)/libocv.so.$(SOVERSION)
	ln -sf libocv.so.$(VERSION) $(BUILD)/libocv.so

$(OCV): $(TOOL_OBJS) $(SERVE_OBJS) $(STATIC_LIB)
	$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(SERVE_OBJS) $(STATIC_LIB) $(TOOL_LIBS) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(TEST_SUPPORT_OBJS) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(STATIC_LIB) \
		$(TEST_LIBS) $(LIBS)

# The serve unit tests (test_serve_*) link the serve layer (the more
# specific pattern wins).
$(BUILD)/tests/test_serve_%: tests/unit/test_serve_%.c $(TEST_SUPPORT_OBJS) $(SERVE_OBJS) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(SERVE_OBJS) \
		$(STATIC_LIB) $(TEST_LIBS) $(TOOL_LIBS) $(LIBS)

test: deps
	@$(MAKE) --no-print-directory all tests-build
	@OCV=$(abspath $(OCV)) BUILD=$(abspath $(BUILD)) sh tests/run.sh

tests-build: $(TEST_BINS) $(REPLAY_BINS)

# serve_request.o (pure parsing, no libmicrohttpd) for fuzz_serve_request.
$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(BUILD)/obj/serve/serve_request.o \
		$(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay_main.c $(BUILD)/obj/serve/serve_request.o \
		$(STATIC_LIB) $(LIBS)

# libFuzzer under clang: make fuzz FUZZ_SECONDS=300
fuzz: deps
	@$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz SAN=1 all
	@for src in $(FUZZ_SRCS); do \
		name=$$(basename $$src .c); \
		clang $(CFLAGS) -fsanitize=fuzzer,address,undefined -o build-fuzz/$$name $$src \
			build-fuzz/obj/serve/serve_request.o build-fuzz/libocv.a $(LIBS) -pthread || exit 1; \
		mkdir -p build-fuzz/corpus/$$name; \
		build-fuzz/$$name -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus/$$name \
			tests/fuzz/corpus/$${name#fuzz_} || exit 1; \
	done

sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build-san SAN=1 test

valgrind: deps
	@$(MAKE) --no-print-directory all tests-build
	@OCV=$(abspath $(OCV)) BUILD=$(abspath $(BUILD)) VALGRIND=1 sh tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@OCV=$(abspath $(OCV)) sh scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/policy_bench
	@OCV=$(abspath $(OCV)) POLICY_BENCH=$(abspath $(BUILD)/policy_bench) sh bench/run.sh

$(BUILD)/policy_bench: bench/policy_bench.c $(STATIC_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(STATIC_LIB) $(LIBS)

lint:
	@sh scripts/lint.sh

format:
	clang-format -i $(LIB_SRCS) $(TOOL_SRCS) $(SERVE_SRCS) $(wildcard */*.h include/*.h tests/unit/*.c)

$(BUILD)/ocv.pc: ocv.pc.in
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

install: all $(BUILD)/ocv.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(OCV) $(DESTDIR)$(PREFIX)/bin/ocv
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(PREFIX)/lib/libocv.a
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(PREFIX)/lib/libocv.so.$(VERSION)
	ln -sf libocv.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libocv.so.$(SOVERSION)
	ln -sf libocv.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libocv.so
	install -m 644 include/ocv.h include/ocv_reasons.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/ocv.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/ocv.pc
	install -m 644 docs/man/ocv.1 $(DESTDIR)$(PREFIX)/share/man/man1/ocv.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ocv $(DESTDIR)$(PREFIX)/lib/libocv.* \
		$(DESTDIR)$(PREFIX)/include/ocv.h $(DESTDIR)$(PREFIX)/include/ocv_reasons.h \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/ocv.pc $(DESTDIR)$(PREFIX)/share/man/man1/ocv.1

clean:
	rm -rf build build-san build-fuzz build-clang

-include $(LIB_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(SERVE_OBJS:.o=.d) $(TEST_SUPPORT_OBJS:.o=.d)
