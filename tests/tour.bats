#!/usr/bin/env bats
# tests/tour.sh, the `make demo` tour.
load helpers

@test "the tour cut short by a closed pipe (make demo | head) leaves no serve running" {
    # sed quits right after serve's "serving" line: the tour's next write
    # meets a pipe with no reader.
    run bash -c 'BIN="$1" TICK=0.001 timeout 60 "$2" 3>&- | sed "/^serving /q"' _ \
        "$BIN" "$BATS_TEST_DIRNAME/tour.sh"
    dir=$(sed -nE 's/^serving (.*) at http.*/\1/p' <<<"$output")
    check -n "$dir"
    for i in $(seq 40); do
        pgrep -f "serve --dir $dir" >/dev/null || break
        sleep 0.05
    done
    left=$(pgrep -f "serve --dir $dir" || true)
    [ -z "$left" ] || kill $left
    check -z "$left"
}

@test "the tour shows serial's and parallel's charts together, on one scale: serial's twice as long" {
    # (a tick of 0.05 s: sleeps ending late on a busy machine must not push
    # serial's ten ticks past the 56 columns, where it would be compressed)
    run bash -c 'BIN="$1" TICK=0.05 timeout 60 "$2" 3>&- 2>&1' _ "$BIN" "$BATS_TEST_DIRNAME/tour.sh"
    check "$status" -eq 0
    # every line the class sees fits a projector's 80 columns
    wide=$(awk 'length > 80' <<<"$output")
    [ -z "$wide" ] || { echo "over 80 columns:"; echo "$wide"; false; }
    output=$(sed -n '/^=== seeds 5.1 and 5.2 on one scale/,/^$/p' <<<"$output")
    load chart
    mapfile -t rows < <(chart_rows)
    check "${#rows[@]}" -eq 3
    [[ "${rows[0]}" == "main "* ]] || { echo "${rows[0]}"; false; }
    serial=$(busy_columns "${rows[0]}" | wc -l)
    parallel=$(busy_columns "${rows[1]}" | wc -l)
    # 10 ticks and 5, a fifth of a tick a column: 50 and 25, on a busy machine a little more
    between "$(awk -v s="$serial" -v p="$parallel" 'BEGIN { print s / p }')" 1.6 2.4 ||
        { echo "serial $serial columns, parallel $parallel"; printf "%s\n" "${rows[@]}"; false; }
    check "$(count_lines '^scale: 1 column = 0.01 s, a fifth of a tick')" -eq 1
}

@test "the tour in Chinese (LANG=zh_CN.UTF-8): Chinese headings, the seed's lines, 80 columns" {
    run zh bash -c 'BIN="$1" TICK=0.02 timeout 60 "$2" 3>&- 2>&1' _ "$BIN" "$BATS_TEST_DIRNAME/tour.sh"
    check "$status" -eq 0
    # a Chinese character takes two columns: the projector's 80 still hold
    wide=$(wider_than 80)
    [ -z "$wide" ] || { echo "over 80 columns:"; echo "$wide"; false; }
    check "$(count_lines '^=== ')" -eq 19
    check "$(count_lines '^=== 种子')" -eq 19                      # every heading in Chinese
    check "$(count_lines '^=== 种子 一: 串行、并发、并行; 什么是进程 ===$')" -eq 1
    n=$(count_lines '^子进程p1,PID: [0-9]+$')   # serial, parallel, daemon; daemon --daemon's may be ended first
    check "$n" -ge 3 && check "$n" -le 4
    check "$(count_lines '^单进程使用时间是:[0-9.]+$')" -eq 1
    check "$(count_lines '^多进程所用的时间[0-9.]+$')" -eq 3
    check "$(count_lines '^主进程pid:  [0-9]+$')" -eq 3
    check "$(count_lines '^主进程运行完毕!$')" -eq 2               # list_copy, shared_queue
    check "$(count_lines '^work1 从q中获得了 ')" -eq 3
    check "$(count_lines '^总共使用了[0-9.]+$')" -eq 3              # map, map_async twice
    check "$(count_lines '^主程序结束$')" -eq 2
    check "$(count_lines '^子程序正在运行, ')" -eq 2
    check "$(count_lines '^主程序运行结束$')" -eq 1
}
