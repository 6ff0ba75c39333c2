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

# The tour speaks as the demos do (lib/lang.c): Chinese if LANGUAGE, else the
# first of LC_ALL, LC_MESSAGES and LANG that is set, starts with "zh".
language=${LANGUAGE:-${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}}

# say ENGLISH CHINESE: the one the reader reads.
say() {
    if [[ $language == zh* ]]; then printf '%s' "$2"; else printf '%s' "$1"; fi
}

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

lesson "$(say "seed 1: serial, concurrent, parallel; what a process is" \
              "种子 一: 串行、并发、并行; 什么是进程")" concurrency
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
    printf '\n=== %s ===\n$ %s\n' "$(say "seed 2: the server, one child per connection" \
                                          "种子 二: 服务器, 每个连接一个子进程")" \
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
    [ -n "$port" ] || { echo "tour: $(say "serve did not start" "serve 没有启动"): $(cat "$tmp/serve.log")" >&2; return 1; }
    cat "$tmp/serve.out"
    local status=0
    lesson "$(say "seed 2: two processes download from one queue" \
                  "种子 二: 两个进程从一个队列里取 URL 下载")" download --dir "$tmp/saved" \
        "http://127.0.0.1:$port/$png" "http://127.0.0.1:$port/$jpg" || status=$?
    kill -TERM "$serve_pid"
    wait "$serve_pid" || status=$?
    printf '%s\n' "$(say "(serve's access log)" "(serve 的访问日志)")"
    cat "$tmp/serve.log"
    rm -rf "$tmp"
    trap - EXIT
    return "$status"
}

seed2
lesson "$(say "seed 3.1: a list handed to two children is copied" \
              "种子 三.1: 交给两个子进程的列表被复制了")" list_copy
lesson "$(say "seed 3.2: a shared queue divides the work" "种子 三.2: 共享队列把工作分开")" shared_queue
lesson "$(say "seed 4: a Process subclass" "种子 四: Process 的子类")" process_class
# serial and parallel draw their charts, and then the two are shown again one
# above the other: on one tick they share one scale, so the 2x is seen.
charts=$(mktemp)
trap 'rm -f "$charts"' EXIT
lesson "$(say "seed 5.1: one process, two jobs" "种子 五.1: 一个进程, 两件工作")" \
    serial --timeline | tee "$charts"
lesson "$(say "seed 5.2: two processes, joined" "种子 五.2: 两个进程, join")" \
    parallel --timeline | tee -a "$charts"
printf '\n=== %s ===\n' "$(say "seeds 5.1 and 5.2 on one scale: the same two jobs, serial and parallel" \
                              "种子 五.1 和 五.2 用同一个比例: 同样两件工作, 串行与并行")"
grep -E '^[^ |].* [0-9]+ +\|.*\|$' "$charts"
grep -E -A1 '^ {18}\+-' "$charts" | head -2          # serial's axis: the longer one
grep -E '^scale: ' "$charts" | head -1
rm -f "$charts"
trap - EXIT
lesson "$(say "seed 5.3: no join, daemon = False" "种子 五.3: 不 join, daemon = False")" daemon
lesson "$(say "seed 5.3: no join, daemon = True" "种子 五.3: 不 join, daemon = True")" daemon --daemon
lesson "$(say "seed 6.1: Pool.map" "种子 六.1: Pool.map")" pool_map
lesson "$(say "seed 6.1: Pool.map_async, no get" "种子 六.1: Pool.map_async, 不 get")" pool_map_async
lesson "$(say "seed 6.1: Pool.map_async, get" "种子 六.1: Pool.map_async, 再 get")" pool_map_async --get
lesson "$(say "seed 6.2: Pool.apply and apply_async" "种子 六.2: Pool.apply 与 apply_async")" pool_apply
lesson "$(say "beyond the seed: start methods fork, spawn, forkserver" \
              "种子之外: 启动方法 fork、spawn、forkserver")" start_methods --starts 5
# Updates are lost only where the workers' counting overlaps: on a busy
# machine a short count fits in one time slice, so the unlocked round counts
# long (it is fast), the locked one (slow) counts less.
lesson "$(say "seed 2's question: a variable processes share, without a lock" \
              "种子 二 的问题: 进程共享的变量, 不加锁")" \
    shared_counter --only unlocked --increments 20000000
lesson "$(say "seed 2's question: the same, with get_lock()" \
              "种子 二 的问题: 同上, 加 get_lock()")" \
    shared_counter --only locked --increments 200000
lesson "$(say "beyond the seed: a pipe, and joining a child before reading it" \
              "种子之外: 管道, 以及在读取之前 join 子进程")" pipe_join
