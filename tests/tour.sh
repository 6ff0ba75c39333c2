#!/usr/bin/env bash
# make demo: every lesson in course order (the README's lesson table), each
# under a heading, with a short tick so the whole tour takes a few seconds.
# BIN comes from the Makefile; TICK may be set to slow it down: TICK=1 make demo
set -eu
# `make demo | head` ends the tour half-way: a write into the closed pipe
# raises SIGPIPE. Exit then (rather than die of it), so that the EXIT trap
# seed2 sets still stops serve.
trap 'exit 141' PIPE
BIN=${BIN:-build/bin}
TICK=${TICK:-0.1}

# show_command WORD...: "$ WORD..." as typed, continued with " \" on the next
# line before it would pass 80 columns (a projector).
show_command() {
    local line='$' word
    for word in "$@"; do
        if [ $(( ${#line} + 1 + ${#word} )) -gt 77 ] && [ "$line" != '$' ]; then
            printf '%s \\\n' "$line"
            line=' '
        fi
        line="$line $word"
    done
    printf '%s\n' "$line"
}

lesson() {
    local heading=$1
    shift
    printf '\n=== %s ===\n' "$heading"
    show_command "$@"
    # --tick only where the lesson sleeps (its --help lists it)
    if "$BIN/$1" --help | grep -q -- '--tick'; then
        "$BIN/$1" --tick "$TICK" "${@:2}"
    else
        "$BIN/$1" "${@:2}"
    fi
}

lesson "seed 1: serial, concurrent, parallel; what a process is" concurrency
# seed 2 downloads two images. Here serve, on a free loopback port, serves a
# temporary directory holding two small files named like the seed's images,
# and is stopped (SIGTERM: it exits 0) after download has fetched them.
seed2() {
    local png=067d0e8627b667778ea8729e6e480a47_254_96.png
    local jpg=3f52ff39e52f182d1bfd9ce061e9c6a6_254_144.jpg port=""
    tmp=$(mktemp -d)
    mkdir "$tmp/www" "$tmp/saved"
    head -c $((254 * 96)) /dev/urandom >"$tmp/www/$png"
    head -c $((254 * 144)) /dev/urandom >"$tmp/www/$jpg"
    printf '\n=== %s ===\n$ %s\n' "seed 2: the server, one child per connection" \
        "serve --dir $tmp/www &"
    : >"$tmp/serve.out"        # there before serve starts: the loop below reads it
    "$BIN/serve" --dir "$tmp/www" >"$tmp/serve.out" 2>"$tmp/serve.log" &
    serve_pid=$!
    trap 'kill -TERM "$serve_pid" 2>/dev/null; rm -rf "$tmp"' EXIT   # whatever happens next
    for _ in $(seq 100); do
        port=$(sed -nE 's|.*:([0-9]+)/$|\1|p' "$tmp/serve.out")
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || { echo "tour: serve did not start: $(cat "$tmp/serve.log")" >&2; return 1; }
    cat "$tmp/serve.out"
    local status=0
    lesson "seed 2: two processes download from one queue" download --dir "$tmp/saved" \
        "http://127.0.0.1:$port/$png" "http://127.0.0.1:$port/$jpg" || status=$?
    kill -TERM "$serve_pid"
    wait "$serve_pid" || status=$?
    printf '(serve'"'"'s access log)\n'
    cat "$tmp/serve.log"
    rm -rf "$tmp"
    trap - EXIT
    return "$status"
}

seed2
lesson "seed 3.1: a list handed to two children is copied" list_copy
lesson "seed 3.2: a shared queue divides the work" shared_queue
lesson "seed 4: a Process subclass" process_class
# serial and parallel draw their charts, and then the two are shown again one
# above the other: on one tick they share one scale, so the 2x is seen.
charts=$(mktemp)
trap 'rm -f "$charts"' EXIT
lesson "seed 5.1: one process, two jobs" serial --timeline | tee "$charts"
lesson "seed 5.2: two processes, joined" parallel --timeline | tee -a "$charts"
printf '\n=== %s ===\n' "seeds 5.1 and 5.2 on one scale: the same two jobs, serial and parallel"
grep -E '^[^ |].* [0-9]+ +\|.*\|$' "$charts"
grep -E -A1 '^ {18}\+-' "$charts" | head -2          # serial's axis: the longer one
grep -E '^scale: ' "$charts" | head -1
rm -f "$charts"
trap - EXIT
lesson "seed 5.3: no join, daemon = False" daemon
lesson "seed 5.3: no join, daemon = True" daemon --daemon
lesson "seed 6.1: Pool.map" pool_map
lesson "seed 6.1: Pool.map_async, no get" pool_map_async
lesson "seed 6.1: Pool.map_async, get" pool_map_async --get
lesson "seed 6.2: Pool.apply and apply_async" pool_apply
lesson "beyond the seed: start methods fork, spawn, forkserver" start_methods --starts 5
# Updates are lost only where the workers' counting overlaps: on a busy
# machine a short count fits in one time slice, so the unlocked round counts
# long (it is fast), the locked one (slow) counts less.
lesson "seed 2's question: a variable processes share, without a lock" \
    shared_counter --only unlocked --increments 20000000
lesson "seed 2's question: the same, with get_lock()" \
    shared_counter --only locked --increments 200000
lesson "beyond the seed: a pipe, and joining a child before reading it" pipe_join
