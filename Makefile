# forklore: Python's multiprocessing, taught in C.
#   make          build the library and every demo (build/libmp.a, build/bin/*)
#   make demo     the tour: every lesson in course order, tick 0.1 (TICK=1 make demo: real seconds)
#   make test     the quick suite (every lesson's demo); ends with one line "N passed, N failed"
#   make test-full  every test: also the library under each start method, the exercises,
#                 the pages, the Python twins, hostile peers, faults (as CI runs it)
#   make check    the full suite on an AddressSanitizer + UBSan build
#   make bench    C beside Python, 5 runs each: medians, spread, ratios (python3 for that column)
#   make pictures the lesson pages' SVG charts (docs/pictures/), from real runs
#   make compare DEMO=NAME [ARGS="..."]  a demo beside its Python twin (needs python3)
#   make fuzz     libFuzzer on the HTTP parsers, FUZZ_SECONDS (default 60) per target (clang)
#   make exercises        check the exercises in course order, stop at the first not done
#   make exercise N=ID    check one exercise (e.g. N=07.1); its hint if it fails
#   make exercises-sweep  every exercise's check on its starter and its solution (as make test-full does)
#   make clean

# Builds use every CPU, unless a -j is given (make -j1: one command at a time)
# or clean is among the goals (make clean all: the one, then the other).
ifeq ($(filter -j%,$(MAKEFLAGS))$(filter clean,$(MAKECMDGOALS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
endif

CC     ?= cc
BUILD  ?= build
OPT    ?= -O2 -g
SAN    ?=
CFLAGS  = $(OPT) $(SAN) -std=c11 -Wall -Wextra -Werror \
          -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
ifeq ($(shell uname -s),Darwin)
CFLAGS += -D_DARWIN_C_SOURCE
endif
LDFLAGS = $(SAN)
LDLIBS  = -pthread -lm

LIB_SRC   := $(wildcard lib/*.c)
LIB_OBJ   := $(LIB_SRC:lib/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/lib_zh.o
DEMOS     := $(basename $(notdir $(wildcard demos/*.c)))
BINS      := $(DEMOS:%=$(BUILD)/bin/%)
TEST_BINS := $(patsubst tests/c/%.c,$(BUILD)/tests/%,$(wildcard tests/c/*.c))
BENCH_BINS:= $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/*.c))

# The fuzz targets (tests/fuzz/fuzz_TARGET.c): each is built twice, as a
# libFuzzer program for `make fuzz`, and with a plain driver (replay.c) that
# `make test` runs over tests/fuzz/TARGET/: the seeds, and every input that
# ever made it crash or hang (libFuzzer saves those there as crash-*, timeout-*).
FUZZ_TARGETS := request response url unquote
REPLAY_BINS  := $(FUZZ_TARGETS:%=$(BUILD)/tests/replay_%)
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_COMMON   = -g -O1 -fno-sanitize-recover=all -std=c11 -D_POSIX_C_SOURCE=200809L \
                -D_DEFAULT_SOURCE -Ilib
FUZZ_FLAGS    = -fsanitize=fuzzer,address,undefined $(FUZZ_COMMON)
# The library, for the fuzz targets: instrumented, without libFuzzer's main.
# (A target links only what it calls: the HTTP parsers, and util for errors.)
FUZZ_LIB_OBJ := $(LIB_SRC:lib/%.c=$(BUILD)/fuzz/obj/%.o)

.PHONY: all demo test test-full check bench pictures compare fuzz exercises exercise exercise-builds exercises-sweep clean

all: $(BUILD)/libmp.a $(BINS) $(TEST_BINS) $(REPLAY_BINS)

$(BUILD)/obj/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libmp.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# The Chinese catalogs (lib/lang.c), plain PO files made C tables by
# demos/zh/po2c.awk: the library's, lib/zh.po, goes into libmp.a; a demo's,
# demos/zh/NAME.po, is linked into that demo when it exists.
$(BUILD)/gen/lib_zh.c: lib/zh.po demos/zh/po2c.awk
	@mkdir -p $(@D)
	awk -v table=mp_lib_catalog -f demos/zh/po2c.awk $< >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/zh/%.c: demos/zh/%.po demos/zh/po2c.awk
	@mkdir -p $(@D)
	awk -v table=mp_demo_catalog -f demos/zh/po2c.awk $< >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/lib_zh.o: $(BUILD)/gen/lib_zh.c
	$(CC) $(CFLAGS) -c $< -o $@

.PRECIOUS: $(BUILD)/gen/zh/%.c

.SECONDEXPANSION:
$(BUILD)/bin/%: demos/%.c $$(if $$(wildcard demos/zh/$$*.po),$(BUILD)/gen/zh/$$*.c) \
                $(BUILD)/libmp.a $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib $(filter %.c,$^) -o $@ $(LDFLAGS) $(BUILD)/libmp.a $(LDLIBS)

$(BUILD)/tests/%: tests/c/%.c $(BUILD)/libmp.a $(wildcard lib/*.h) tests/c/status.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib $< -o $@ $(LDFLAGS) $(BUILD)/libmp.a $(LDLIBS)

$(BUILD)/tests/replay_%: tests/fuzz/replay.c tests/fuzz/fuzz_%.c $(BUILD)/libmp.a $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib tests/fuzz/replay.c tests/fuzz/fuzz_$*.c -o $@ $(LDFLAGS) $(BUILD)/libmp.a $(LDLIBS)

$(BUILD)/fuzz/obj/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -fsanitize=fuzzer-no-link,address,undefined $(FUZZ_COMMON) -c $< -o $@

$(BUILD)/fuzz/libmp.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c $(BUILD)/fuzz/libmp.a $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< -o $@ $(BUILD)/fuzz/libmp.a $(LDLIBS)

# Each target for FUZZ_SECONDS: new inputs go to build/fuzz/corpus-TARGET (the
# checked-in seeds stay as they are); a crash or hang input is saved under
# tests/fuzz/TARGET/ (commit it: make test replays it from then on).
fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)/fuzz/corpus-$$t; \
	    echo "=== fuzz $$t for $(FUZZ_SECONDS) s ==="; \
	    $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=5 -print_final_stats=1 \
	        -dict=tests/fuzz/$$t.dict -artifact_prefix=tests/fuzz/$$t/ \
	        $(BUILD)/fuzz/corpus-$$t tests/fuzz/$$t 2>$(BUILD)/fuzz/$$t.log; \
	    status=$$?; \
	    grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))' \
	        $(BUILD)/fuzz/$$t.log; \
	    [ $$status -eq 0 ] || { tail -40 $(BUILD)/fuzz/$$t.log; exit 1; }; \
	done

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libmp.a lib/mp.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib $< -o $@ $(LDFLAGS) $(BUILD)/libmp.a $(LDLIBS)

# The exercises (docs/exercises/): the checker that runs a program and writes
# down what each of its processes did, the course's flags for the student's
# own files, and every starter and solution, built for the suite to check.
EX_DIR   := docs/exercises
EX_TOOLS := $(BUILD)/exercises/watch $(BUILD)/exercises/build.env
EX_BINS  := $(patsubst $(EX_DIR)/%.c,$(BUILD)/exercises/%, \
              $(wildcard $(EX_DIR)/*/starter.c $(EX_DIR)/*/solution.c $(EX_DIR)/*/program.c))

$(BUILD)/exercises/watch: $(EX_DIR)/watch.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -o $@ $(LDFLAGS)

$(BUILD)/exercises/build.env: Makefile
	@mkdir -p $(@D)
	@printf "CC='%s'\nCFLAGS='%s'\nLDFLAGS='%s'\nLDLIBS='%s'\n" \
	    "$(CC)" "$(CFLAGS)" "$(LDFLAGS)" "$(LDLIBS)" >$@

$(BUILD)/exercises/%: $(EX_DIR)/%.c $(BUILD)/libmp.a $(wildcard lib/*.h)
	@mkdir -p $(@D)
	@$(CC) $(CFLAGS) -Ilib $< -o $@ $(LDFLAGS) $(BUILD)/libmp.a $(LDLIBS)

# What the suite needs to check every exercise.
exercise-builds: $(EX_TOOLS) $(EX_BINS)

exercises: all $(EX_TOOLS)
	@BUILD=$(BUILD) $(EX_DIR)/exercises.sh all

exercise: all $(EX_TOOLS)
	@BUILD=$(BUILD) $(EX_DIR)/exercises.sh one "$(N)"

# Every exercise's check tried on its starter and its solution (the suite
# tries a sample): tests/exercises.bats with EXERCISES_SWEEP=1.
exercises-sweep: all exercise-builds
	@BIN=$(abspath $(BUILD)/bin) TESTBIN=$(abspath $(BUILD)/tests) EXERCISES_SWEEP=1 bats tests/exercises.bats

demo: all
	@BIN=$(abspath $(BUILD)/bin) tests/tour.sh

# make test runs the quick tier of tests/run.sh; make test-full every test,
# each exercise's check on its starter and its solution included; make check
# the full suite on the sanitizer build (which the exercises' own programs do
# not use: there a sample of the exercises).
test: all
	@BIN=$(abspath $(BUILD)/bin) TESTBIN=$(abspath $(BUILD)/tests) tests/run.sh

EXERCISES_SWEEP ?= 1
test-full: all exercise-builds
	@BIN=$(abspath $(BUILD)/bin) TESTBIN=$(abspath $(BUILD)/tests) \
	    EXERCISES_SWEEP=$(EXERCISES_SWEEP) tests/run.sh --full

check:
	$(MAKE) BUILD=build/sanitize OPT='-O1 -g -fno-omit-frame-pointer' \
	        SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' EXERCISES_SWEEP=0 test-full

bench: all $(BENCH_BINS)
	@BIN=$(abspath $(BUILD)/bin) BENCHBIN=$(abspath $(BUILD)/bench) tests/bench/run.sh

pictures: all
	@BIN=$(abspath $(BUILD)/bin) docs/pictures/make.sh

compare: all
	@BIN=$(abspath $(BUILD)/bin) tests/compare.sh $(DEMO) $(ARGS)

clean:
	rm -rf build
