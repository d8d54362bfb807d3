# ocv - offline credential verifier. See README.md.
#
#   make          libocv.a, libocv.so and the ocv binary (in $(BUILD)/)
#   make deps     install missing Debian packages (apt-get; root)
#   make test     the whole test suite (unit, vectors, end-to-end)
#   make demo     a small PKI and real decisions (KEEP=1 keeps its directory)
#   make sanitize the suite again under ASan + UBSan
#   make valgrind the unit tests under valgrind
#   make lint     banned functions and compiler-contract checks
#   make fuzz     libFuzzer on every parser (clang; fuzz-merge, fuzz-cov)
#   make bench    benchmarks (reported, never asserted)
#   make install  PREFIX=/usr/local DESTDIR=

CC ?= cc
# PROFILE=default: ECDSA/RSA verified by OpenSSL libcrypto (servers, sidecars).
# PROFILE=device:  mbedtls alone, no libcrypto linked (edge devices); builds
#                  in build-device/ unless BUILD says otherwise.
PROFILE ?= default
ifeq ($(PROFILE),device)
BUILD ?= build-device
else ifeq ($(PROFILE),default)
BUILD ?= build
else
$(error PROFILE must be default or device)
endif
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
ifeq ($(PROFILE),device)
CFLAGS += -DOCV_PROFILE_DEVICE
else
LIBS += -lcrypto
endif
TOOL_LIBS := -lmicrohttpd
TEST_LIBS := -lcmocka

ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
# FUZZ=1 (clang only): every library object carries libFuzzer's coverage
# instrumentation plus ASan + UBSan; the targets link -fsanitize=fuzzer.
ifeq ($(FUZZ),1)
CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
          -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
# COV=1 (clang only): source-based coverage for make fuzz-cov.
ifeq ($(COV),1)
CFLAGS += -fprofile-instr-generate -fcoverage-mapping
LDFLAGS += -fprofile-instr-generate
endif

LAYERS := base verifier revocation policy decision
LIB_SRCS := $(foreach d,$(LAYERS),$(wildcard $(d)/*.c))
ifeq ($(PROFILE),device)
LIB_SRCS := $(filter-out %_openssl.c,$(LIB_SRCS))
endif
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
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
REPLAY_BINS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)
# Objects outside libocv that a target needs (the CLI's ENTRIES.json reader),
# in an archive so a target links only what it uses.
FUZZ_EXTRA_LIB := $(BUILD)/fuzz/libfuzzextra.a
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(FUZZ_NAMES)

STATIC_LIB := $(BUILD)/libocv.a
SHARED_LIB := $(BUILD)/libocv.so.$(VERSION)
OCV := $(BUILD)/ocv

.PHONY: all deps test test-profile test-device check-device-links tests-build demo sanitize \
	valgrind lint bench fuzz fuzz-build fuzz-cov fuzz-merge install uninstall clean format

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

# make test: the suite in this profile, then (from the default profile) the
# whole suite again in the device profile, in $(BUILD)-device.
test: deps
	@$(MAKE) --no-print-directory test-profile
ifeq ($(PROFILE),default)
	@$(MAKE) --no-print-directory PROFILE=device BUILD=$(BUILD)-device test-profile
endif

test-profile:
	@$(MAKE) --no-print-directory all tests-build
ifeq ($(PROFILE),device)
	@$(MAKE) --no-print-directory check-device-links
endif
	@echo "== suite, profile $(PROFILE) ($(BUILD))"
	@OCV=$(abspath $(OCV)) BUILD=$(abspath $(BUILD)) sh tests/run.sh

test-device: deps
	@$(MAKE) --no-print-directory PROFILE=device test-profile

# The device binary and library carry no libcrypto: not linked, no symbol.
check-device-links: $(OCV) $(SHARED_LIB)
	@if ldd $(OCV) $(SHARED_LIB) | grep -q libcrypto; then \
		echo "device profile: libcrypto is linked"; exit 1; fi
	@if nm $(STATIC_LIB) 2>/dev/null | grep -Eq ' U (EVP_|d2i_PUBKEY|OPENSSL_)'; then \
		echo "device profile: libocv.a refers to OpenSSL"; exit 1; fi
	@echo "device profile: no libcrypto linked (ldd, nm)"

tests-build: $(TEST_BINS) $(REPLAY_BINS)

$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c tests/fuzz/fuzz_support.h \
		$(FUZZ_EXTRA_LIB) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itools $(LDFLAGS) -o $@ $< tests/fuzz/replay_main.c $(FUZZ_EXTRA_LIB) \
		$(STATIC_LIB) $(LIBS)

# entries_json.o (a CLI file format) and serve_request.o (pure parsing, no
# libmicrohttpd) for their fuzz targets.
$(FUZZ_EXTRA_LIB): $(BUILD)/obj/tools/entries_json.o $(BUILD)/obj/serve/serve_request.o
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# libFuzzer binaries; only meaningful with CC=clang FUZZ=1 (see fuzz-build).
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_support.h $(FUZZ_EXTRA_LIB) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itools -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(FUZZ_EXTRA_LIB) \
		$(STATIC_LIB) $(LIBS)

# The instrumented library and every target in build-fuzz/fuzz/.
fuzz-build: deps
	@$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz FUZZ=1 \
		$(FUZZ_NAMES:%=build-fuzz/fuzz/fuzz_%)

# libFuzzer, one target at a time under nice (docs/development.md):
#   make fuzz FUZZ_SECONDS=300 FUZZ_TARGETS="jwt cwt"
# New inputs land in build-fuzz/corpus/NAME, crashes in build-fuzz/crashes/NAME.
fuzz: fuzz-build
	@for name in $(FUZZ_TARGETS); do \
		sh tests/fuzz/run.sh $$name $(FUZZ_SECONDS) || exit 1; \
	done

# Folds what the runs found into the kept corpus (libFuzzer -merge=1).
fuzz-merge: fuzz-build
	@for name in $(FUZZ_TARGETS); do \
		sh tests/fuzz/run.sh -merge $$name || exit 1; \
	done

# Line coverage of each parser by its kept corpus (clang source-based
# coverage): build-cov/fuzz/replay_NAME over tests/fuzz/corpus/NAME, then
# an llvm-cov report of the files the target is about.
fuzz-cov: deps
	@$(MAKE) --no-print-directory CC=clang BUILD=build-cov COV=1 \
		$(FUZZ_NAMES:%=build-cov/fuzz/replay_%)
	@sh tests/fuzz/coverage.sh build-cov $(FUZZ_TARGETS)

sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build-san SAN=1 test

valgrind: deps
	@$(MAKE) --no-print-directory all tests-build
	@OCV=$(abspath $(OCV)) BUILD=$(abspath $(BUILD)) VALGRIND=1 sh tests/run.sh

# make demo: the build behind one line; KEEP=1 keeps the demo directory.
demo: deps
	@mkdir -p $(BUILD)
	@$(MAKE) --no-print-directory all >$(BUILD)/demo-build.log 2>&1 || \
		{ cat $(BUILD)/demo-build.log; exit 1; }
	@echo "built $(OCV) (output in $(BUILD)/demo-build.log)"
	@OCV=$(abspath $(OCV)) KEEP=$(KEEP) sh scripts/demo.sh

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
	install -d $(DESTDIR)$(PREFIX)/share/doc/ocv/cli $(DESTDIR)$(PREFIX)/share/doc/ocv/formats
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/ocv/
	install -m 644 docs/cli/*.md $(DESTDIR)$(PREFIX)/share/doc/ocv/cli/
	install -m 644 docs/formats/*.md $(DESTDIR)$(PREFIX)/share/doc/ocv/formats/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ocv $(DESTDIR)$(PREFIX)/lib/libocv.* \
		$(DESTDIR)$(PREFIX)/include/ocv.h $(DESTDIR)$(PREFIX)/include/ocv_reasons.h \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/ocv.pc $(DESTDIR)$(PREFIX)/share/man/man1/ocv.1
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/ocv

clean:
.PHONY: all deps test test-profile test-device check-device-links tests-build demo sanitize \
	valgrind lint bench fuzz fuzz-build fuzz-cov fuzz-merge install uninstall clean format

-include $(LIB_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(SERVE_OBJS:.o=.d) $(TEST_SUPPORT_OBJS:.o=.d)
