#!/usr/bin/env bash
# make demo: every lesson in course order (the README's lesson table), each
# under a heading, with a short tick so the whole tour takes a few seconds.
# BIN comes from the Makefile; TICK may be set to slow it down: TICK=1 make demo
set -eu
BIN=${BIN:-build/bin}
TICK=${TICK:-0.1}

lesson() {
    local heading=$1
    shift
    printf '\n=== %s ===\n$ %s\n' "$heading" "$*"
    "$BIN/$@" --tick "$TICK"
}

lesson "seed 3.1: a list handed to two children is copied" list_copy
lesson "seed 3.2: a shared queue divides the work" shared_queue
lesson "seed 4: a Process subclass" process_class
lesson "seed 5.1: one process, two jobs" serial
lesson "seed 5.2: two processes, joined" parallel
lesson "seed 5.3: no join, daemon = False" daemon
lesson "seed 5.3: no join, daemon = True" daemon --daemon
