#!/usr/bin/env bats
# The Python twins (demos/python/NAME.py): each prints the same lines as its
# C demo once numbers and addresses are replaced (tests/compare.sh), and
# where Python really behaves otherwise, the twin shows it and we assert it.
# python3 is optional: without it (or older than 3.8) every test is skipped.
load helpers

setup_file() {
    # The interpreter itself, found once: a launcher script (pyenv's shim, say)
    # costs a fraction of a second per start on a busy machine.
    PYTHON=$(python3 -c 'import sys; print(sys.executable if sys.version_info >= (3, 8) else "")' \
             2>/dev/null) || PYTHON=""
    export PYTHON
}

setup() {
    [ -n "$PYTHON" ] || skip "python3 (3.8 or later) not found: the Python twins are not tested"
}

PY=$BATS_TEST_DIRNAME/../demos/python

# compare NAME ARGS...: tests/compare.sh, which exits 0 on the same lines
compare() {
    BIN=$BIN PY=$PY PYTHON=$PYTHON timeout 120 "$BATS_TEST_DIRNAME/compare.sh" "$@" 3>&-
}

# compare_each "DEMO ARGS"...: compare on each; the first that differs fails.
compare_each() {
    local args
    for args in "$@"; do
        # shellcheck disable=SC2086   # ARGS are words
        run compare $args
        [ "$status" -eq 0 ] || { echo "$args:"; echo "$output"; return 1; }
    done
}

twin() {
    timeout 30 "$PYTHON" "$PY/$1.py" "${@:2}" 3>&-
}

@test "twins: serial prints the C demo's lines in the same order" {
    run compare serial --tick 0.01
    check "$status" -eq 0
    [[ "$output" == *"same lines, in the same order"* ]]
}

@test "twins: parallel, daemon, list_copy, process_class print the C demo's lines" {
    compare_each "parallel --tick 0.01" "daemon --tick 0.01" list_copy process_class \
                 "process_class --start-method spawn"
    # the twin names its subclass's processes as Python does, and so does C now
    run twin process_class
    check "$(count_lines '^hello from MyProcess-[12], PID: [0-9]+$')" -eq 2
}

@test "twins: shared_queue, with the seed's items and with many" {
    run compare shared_queue --tick 0.02
    check "$status" -eq 0
    run compare shared_queue --tick 0.01 --items 30 --workers 3
    check "$status" -eq 0
}

@test "twins: pool_map, pool_map_async (with and without get), pool_apply" {
    # (without get, a tick long enough that no task can end before the exit
    # terminates the workers, however slowly a busy machine starts the pool:
    # it costs nothing, nobody waits for the tasks)
    compare_each "pool_map --tick 0.02" "pool_map --tick 0.01 --items 9 --workers 2" \
                 "pool_map_async --tick 0.5" "pool_map_async --tick 0.02 --get" pool_apply
    # apply's worker line comes before the main goes on, in both
    run twin pool_apply
    [[ "${lines[1]}" == "child process running, PID "* ]]
    check "${lines[-1]}" = "main program ends"
}

@test "twins: parallel, daemon, list_copy, shared_queue, pool_map under --start-method spawn or forkserver" {
    # each demo under one of the two (every Python child a new interpreter:
    # the suite is timed); tests/methods.bats runs the C demos under both
    compare_each "parallel --tick 0.01 --start-method spawn" "list_copy --start-method spawn" \
                 "pool_map --tick 0.02 --start-method spawn" \
                 "daemon --tick 0.01 --start-method forkserver" \
                 "shared_queue --tick 0.01 --items 20 --workers 3 --start-method forkserver"
}

@test "twins: shared_counter and pipe_join print the C demo's lines, under fork and spawn" {
    compare_each "shared_counter --workers 2 --increments 2000" "pipe_join --tick 0.1" \
                 "pipe_join --tick 0.5 --messages 10" \
                 "shared_counter --workers 2 --increments 2000 --start-method spawn" \
                 "pipe_join --tick 0.2 --start-method spawn"
}

@test "twins: start_methods: the same differences between the methods, in C and Python" {
    run compare start_methods --tick 0.05 --starts 2
    check "$status" -eq 0
    [[ "$output" == *"same lines, in the same order"* ]]
}

@test "twins: concurrency prints the same table; only the conclusion's verdict may differ" {
    normal() { grep -vE '^(Conclusion|  CPU work)' | sed -E 's/0x[0-9a-f]+/0x…/g; s/[0-9]+/N/g; s/ +/ /g'; }
    run demo concurrency --tick 0.02 --tasks 2
    check "$status" -eq 0
    c=$(normal <<<"$output")
    run twin concurrency --tick 0.02 --tasks 2
    check "$status" -eq 0
    check "$(normal <<<"$output")" = "$c"
    # the verdict is computed from each run's own times (a busy machine may
    # change it between runs), but it is there, on two lines
    check "$(count_lines '^Conclusion \([0-9]+ CPUs\): waiting tasks ')" -eq 1
    check "$(count_lines '^  CPU work[ :]')" -eq 1
}

@test "twins: serve and download, each beside its C demo" {
    run compare serve
    check "$status" -eq 0
    run compare download
    check "$status" -eq 0
}

# serve_start PROGRAM...: a server on a free port over $www; sets spid, port
serve_start() {
    : >"$BATS_TEST_TMPDIR/serve.out"     # there before the loop reads it
    "$@" --dir "$www" >"$BATS_TEST_TMPDIR/serve.out" 2>&1 3>&- &
    spid=$!
    for _ in $(seq 200); do
        port=$(sed -nE 's|^serving .*:([0-9]+)/$|\1|p' "$BATS_TEST_TMPDIR/serve.out")
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "server did not start"; cat "$BATS_TEST_TMPDIR/serve.out"; return 1
}

serve_stop() {
    kill -TERM "$spid"
    wait "$spid"
}

@test "twins: download.py fetches from the C serve, the C download from serve.py, byte for byte" {
    www=$BATS_TEST_TMPDIR/www
    mkdir -p "$www" "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
    head -c 100000 /dev/urandom >"$www/one.png"
    printf 'two\n' >"$www/two.txt"
    serve_start "$BIN/serve"
    run twin download --dir "$BATS_TEST_TMPDIR/a" "http://127.0.0.1:$port/one.png" \
        "http://127.0.0.1:$port/two.txt"
    serve_stop
    check "$status" -eq 0
    cmp "$www/one.png" "$BATS_TEST_TMPDIR/a/one.png"
    cmp "$www/two.txt" "$BATS_TEST_TMPDIR/a/two.txt"

    serve_start "$PYTHON" "$PY/serve.py"
    run demo download --dir "$BATS_TEST_TMPDIR/b" "http://127.0.0.1:$port/one.png" \
        "http://127.0.0.1:$port/two.txt" "http://127.0.0.1:$port/three"
    serve_stop
    check "$status" -eq 1            # the third is missing: 404
    cmp "$www/one.png" "$BATS_TEST_TMPDIR/b/one.png"
    cmp "$www/two.txt" "$BATS_TEST_TMPDIR/b/two.txt"
    check "$(count_lines 'three failed: HTTP 404 Not Found$')" -eq 1
    grep -qE '^serve: child [0-9]+: GET /three 404 14 bytes$' "$BATS_TEST_TMPDIR/serve.out"
}

@test "twins, a difference: Python's Pool waits for ever on a crashed worker; the twin stops" {
    run --separate-stderr demo pool_map --items 20 --workers 4 --crash 7 --tick 0.01
    check "$status" -eq 1
    cause="was killed by signal 11 (SIGSEGV)"
    grep -q __ubsan_handle "$BIN/pool_map" && cause="exited with status 1"   # make check
    [[ "$(tail -1 <<<"$stderr")" == "pool_map: map: in[6]: worker "*" $cause" ]] ||
        { echo "stderr: $stderr"; false; }
    [[ "${lines[0]}" == "[1, 4, 9, 16, 25, 36, 0, 64, "* ]]     # every other square came
    run --separate-stderr twin pool_map --items 20 --workers 4 --crash 7 --tick 0.01
    check "$status" -eq 1
    check "${#lines[@]}" -eq 0                                  # map never returned
    [[ "$stderr" == *"Python's Pool waits for ever (CPython issue 66587): stopping" ]]
}

@test "twins, a difference: the seed's download loop hangs with fewer URLs than workers" {
    www=$BATS_TEST_TMPDIR/www
    mkdir -p "$www"
    printf 'one\n' >"$www/one.txt"
    serve_start "$BIN/serve"
    # the C demo, and the twin by default: the main says "no more", both end
    run demo download --workers 3 --dir "$BATS_TEST_TMPDIR" "http://127.0.0.1:$port/one.txt"
    check "$status" -eq 0
    run twin download --workers 3 --dir "$BATS_TEST_TMPDIR" "http://127.0.0.1:$port/one.txt"
    check "$status" -eq 0
    check "$(count_lines '^main process finished: 1 saved, 0 failed')" -eq 1
    # the seed's `if q.empty(): break`: two workers wait for a URL that never
    # comes (for ever in the seed; --timeout in the twin, which says so)
    run twin download --seed-loop --timeout 0.3 --workers 3 --dir "$BATS_TEST_TMPDIR" \
        "http://127.0.0.1:$port/one.txt"
    serve_stop
    check "$status" -eq 1
    check "$(count_lines "^worker [0-9]+: no URL for 0.3 s: the seed's q.get\(\) would wait for ever$")" -eq 2
}

@test "twins, a difference: the seed's racy empty() loop is bounded, each item still got once" {
    # Python's put hands the item to a feeder thread, which writes it into
    # the queue's pipe a moment later: until then empty() says True. The
    # workers' half-tick sleep must cover that moment even on a busy
    # machine (at --tick 0.02 it once did not, and no worker got the item).
    for i in 1 2 3; do
        run twin shared_queue --racy --items 1 --workers 6 --tick 0.2
        check "$status" -eq 0
        check "$(count_lines '^Process-[0-9]+ \(PID [0-9]+\) got 1$')" -eq 1
        check "$(count_lines ': done, [0-9]+ items?$')" -eq 6
        # a worker that lost the race says so instead of waiting for ever
        check "$(count_lines ': lost the race: ')" -le 5
    done
}

@test "twins: every twin takes the C demo's options: --help 0, a bad option 2, --tick where it sleeps" {
    for f in "$PY"/*.py; do
        d=$(basename "$f" .py)
        [ "$d" = common ] && continue
        run twin "$d" --help
        check "$status" -eq 0
        [[ "${lines[0]}" == "usage: $d "* ]] || { echo "$d: ${lines[0]}"; false; }
        # --tick exactly where the C demo takes it
        c_tick=no; py_tick=no
        "$BIN/$d" --help | grep -q -- '--tick' && c_tick=yes
        grep -q -- '--tick' <<<"$output" && py_tick=yes
        check "$py_tick" = "$c_tick"
    done
    # argparse refuses bad input with exit 2, as mp_parse_args does
    run twin list_copy --frobnicate
    check "$status" -eq 2
    run twin download --workers 0 http://127.0.0.1:1/x
    check "$status" -eq 2
    run twin serial --tick 0
    check "$status" -eq 2
    run twin pool_map --items 4 --crash 5
    check "$status" -eq 2
}

# --- in Chinese: the twins read the C demos' catalogs (demos/zh/NAME.po) ---

CATALOGUED="concurrency daemon list_copy parallel pipe_join pool_apply pool_map pool_map_async
            process_class serial shared_counter shared_queue start_methods serve download"

zh_compare() {
    zh env BIN="$BIN" PY="$PY" PYTHON="$PYTHON" timeout 120 "$BATS_TEST_DIRNAME/compare.sh" "$@" 3>&-
}

zh_twin() {
    zh timeout 30 "$PYTHON" "$PY/$1.py" "${@:2}" 3>&-
}

zh_demo_c() {
    zh timeout 30 "$BIN/$1" "${@:2}" 3>&-
}

@test "twins in Chinese: each prints the C demo's Chinese lines (make compare, in Chinese)" {
    for args in "serial --tick 0.01" "parallel --tick 0.01" "daemon --tick 0.01" list_copy \
                process_class "shared_queue --tick 0.02" "pool_map --tick 0.02" \
                "pool_map_async --tick 0.02 --get" pool_apply \
                "start_methods --tick 0.05 --starts 2" "parallel --tick 0.01 --start-method spawn"; do
        run zh_compare $args
        [ "$status" -eq 0 ] || { echo "$args:"; echo "$output"; false; }
        # the lines compared are the Chinese ones
        check "$(chinese_lines)" -ge 4
    done
    # the lessons beyond the seed's lines: the same Chinese lines too
    for args in "shared_counter --workers 2 --increments 2000" "pipe_join --tick 0.1"; do
        run zh_compare $args
        [ "$status" -eq 0 ] || { echo "$args:"; echo "$output"; false; }
        check "$(chinese_lines)" -ge 20
    done
    # concurrency: the same table; only the conclusion's verdict may differ
    normal() { grep -vE '^(结论|  计算)' | sed -E 's/0x[0-9a-f]+/0x…/g; s/[0-9]+/N/g; s/ +/ /g'; }
    run zh_demo_c concurrency --tick 0.02 --tasks 2
    check "$status" -eq 0
    c=$(normal <<<"$output")
    run zh_twin concurrency --tick 0.02 --tasks 2
    check "$status" -eq 0
    check "$(normal <<<"$output")" = "$c"
    check "$(count_lines '^结论\([0-9]+ 个 CPU\): 等待型任务')" -eq 1
}

@test "twins in Chinese: --help and a usage error in Chinese (exit 0 and 2), within 80 columns" {
    for d in $CATALOGUED; do
        run zh_twin "$d" --help
        check "$status" -eq 0
        [[ "${lines[0]}" == "用法: $d "* ]] || { echo "$d: ${lines[0]}"; false; }
        check "$(count_lines '^选项:$')" -eq 1
        check "$(count_lines '^  -h, --help +显示本帮助并退出$')" -eq 1
        wide=$(wider_than 80)
        [ -z "$wide" ] || { echo "$d, over 80 columns:"; echo "$wide"; false; }
    done
    # argparse's own words come from common.py, the same for every twin: a
    # usage error in three of them (each a Python start: the suite is timed;
    # in English, every twin's --help and a bad option: the test above)
    for d in parallel pool_map shared_counter; do
        run --separate-stderr zh_twin "$d" --frobnicate
        check "$status" -eq 2
        output=$stderr
        [[ "$(head -1 <<<"$stderr")" == "用法: $d "* ]] || { echo "$stderr"; false; }
        check "$(tail -1 <<<"$stderr")" = "$d: 错误: 无法识别的参数: --frobnicate"
        check -z "$(wider_than 80)"
    done
    # the twins' own refusals, in the C demos' words
    run --separate-stderr zh_twin parallel --tick 0
    check "$status" -eq 2
    check "$(tail -1 <<<"$stderr")" = "parallel: 错误: 参数 --tick: '0' 不是 0.001 到 3600 之间的秒数"
    run --separate-stderr zh_twin pool_map --items 4 --crash 5
    check "$status" -eq 2
    check "$(tail -1 <<<"$stderr")" = "pool_map: 错误: --crash: '5' 不是 1 到 4 中的一项"
}

@test "twins in Chinese: the language chosen as the C demos choose it; UTF-8 with no locale" {
    speaks() {
        run env -i PATH="$PATH" "$@" timeout 30 "$PYTHON" "$PY/list_copy.py" 3>&-
        check "$status" -eq 0
        if [ "$(chinese_lines)" -gt 0 ]; then echo zh; else echo en; fi
    }
    check "$(speaks LANG=zh_CN.UTF-8)" = zh
    check "$(speaks LANGUAGE=zh_CN:en LANG=C)" = zh
    check "$(speaks LANGUAGE=en LANG=zh_CN.UTF-8)" = en
    check "$(speaks LC_ALL=C LC_MESSAGES=zh_CN.UTF-8 LANG=zh_CN.UTF-8)" = en
    check "$(speaks LC_ALL= LC_MESSAGES=zh_CN.UTF-8)" = zh
    check "$(speaks LANG=en_US.UTF-8)" = en
    # Chinese asked for, the locale plain C (ASCII to Python): still UTF-8,
    # byte for byte what the C demo writes
    run env -i PATH="$PATH" LANGUAGE=zh_CN LC_ALL=C timeout 30 "$PYTHON" "$PY/list_copy.py" 3>&-
    check "$status" -eq 0
    check "$(count_lines '^主进程运行完毕!$')" -eq 1
    check "$(count_lines '^work1 从q中获得了 c \(PID [0-9]+\)$')" -eq 1
}
