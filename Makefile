# forklore: Python's multiprocessing, taught in C.
#   make          build the library and every demo (build/libmp.a, build/bin/*)
#   make demo     the tour: every lesson in course order, tick 0.1 (TICK=1 make demo: real seconds)
#   make test     the bats suite; ends with one line "N passed, N failed"
#   make check    the same suite on an AddressSanitizer + UBSan build
#   make bench    C beside Python, one table of ratios (needs python3 for that column)
#   make clean

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
LIB_OBJ   := $(LIB_SRC:lib/%.c=$(BUILD)/obj/%.o)
DEMOS     := $(basename $(notdir $(wildcard demos/*.c)))
BINS      := $(DEMOS:%=$(BUILD)/bin/%)
TEST_BINS := $(patsubst tests/c/%.c,$(BUILD)/tests/%,$(wildcard tests/c/*.c))
BENCH_BINS:= $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/*.c))

.PHONY: all demo test check bench clean

all: $(BUILD)/libmp.a $(BINS) $(TEST_BINS)

$(BUILD)/obj/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libmp.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: demos/%.c $(BUILD)/libmp.a lib/mp.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib $< -o $@ $(LDFLAGS) $(BUILD)/libmp.a $(LDLIBS)

$(BUILD)/tests/%: tests/c/%.c $(BUILD)/libmp.a lib/mp.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib $< -o $@ $(LDFLAGS) $(BUILD)/libmp.a $(LDLIBS)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libmp.a lib/mp.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib $< -o $@ $(LDFLAGS) $(BUILD)/libmp.a $(LDLIBS)

demo: all
	@BIN=$(abspath $(BUILD)/bin) tests/tour.sh

test: all
	@BIN=$(abspath $(BUILD)/bin) TESTBIN=$(abspath $(BUILD)/tests) tests/run.sh

check:
	$(MAKE) BUILD=build/sanitize OPT='-O1 -g -fno-omit-frame-pointer' \
	        SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' test

bench: all $(BENCH_BINS)
	@BIN=$(abspath $(BUILD)/bin) BENCHBIN=$(abspath $(BUILD)/bench) tests/bench/run.sh

clean:
	rm -rf build
