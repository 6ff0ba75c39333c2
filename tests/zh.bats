#!/usr/bin/env bats
# The demos in Chinese. Under a Chinese locale (LANG=zh_CN.UTF-8, with no
# zh_CN locale generated: the demos need none) each demo prints the seed's
# own lines word for word where the seed prints them, and Chinese for the
# rest, its --help, usage errors and runtime errors included, with the same
# exit codes; English without one. (The twins: tests/twins.bats. The
# catalogs themselves: tests/catalog.bats.)
load helpers
load server_helpers

DEMOS="concurrency daemon list_copy parallel pipe_join pool_apply pool_map pool_map_async
       process_class serial shared_counter shared_queue start_methods serve download"

# zh_demo NAME ARGS...: the demo under a Chinese locale, under a timeout
zh_demo() {
    zh timeout 30 "$BIN/$1" "${@:2}" 3>&-
}

@test "zh: serial prints the seed's 五.1 lines word for word" {
    run zh_demo serial --tick 0.01
    check "$status" -eq 0
    check "$(count_lines '^子进程p1,PID: [0-9]+$')" -eq 1
    check "$(count_lines '^子进程p2,PID: [0-9]+$')" -eq 1
    check "$(count_lines '^play music \.\.\.$')" -eq 5         # the seed's line, in English
    check "$(count_lines '^play lol \.\.\.$')" -eq 5
    check "$(count_lines '^单进程使用时间是:[0-9]+\.[0-9]{2}$')" -eq 1
    check "${#lines[@]}" -eq 13
}

@test "zh: parallel and daemon print the seed's 五.2 and 五.3 lines word for word" {
    for args in parallel daemon "daemon --daemon"; do
        run zh_demo $args --tick 0.01
        check "$status" -eq 0
        check "$(count_lines '^多进程所用的时间[0-9]+\.[0-9]{2}$')" -eq 1
        # print("主进程pid: ", pid): the seed's space, then print's own
        check "$(count_lines '^主进程pid:  [0-9]+$')" -eq 1
    done
    run zh_demo parallel --tick 0.01
    check "$(count_lines '^子进程p1,PID: [0-9]+$')" -eq 1
    check "$(count_lines '^子进程p2,PID: [0-9]+$')" -eq 1
    [[ "${lines[-1]}" == "主进程pid:  "* ]]                    # joined: the main's lines last
    run zh_demo daemon --tick 0.01
    check "$(count_lines '^子进程p[12],PID: [0-9]+$')" -eq 2
    check "$(count_lines '^play (music|lol) \.\.\.$')" -eq 10
}

@test "zh: list_copy and shared_queue print the seed's 三 lines word for word" {
    run zh_demo list_copy
    check "$status" -eq 0
    # print("这个是work2中的参数q的id: ", id(q)), each child with its own name
    check "$(count_lines '^这个是work[12]中的参数q的id:  0x[0-9a-f]+ \(PID [0-9]+\)$')" -eq 2
    check "$(count_lines '^work1 从q中获得了 [abc] \(PID [0-9]+\)$')" -eq 3
    check "$(count_lines '^work2 从q中获得了 [abc] \(PID [0-9]+\)$')" -eq 3
    check "$(count_lines '^主进程运行完毕!$')" -eq 1
    run zh_demo shared_queue --tick 0.02
    check "$status" -eq 0
    check "$(count_lines '^这个是Process-[12]中的参数q的id:  0x[0-9a-f]+ \(PID [0-9]+\)$')" -eq 2
    check "$(count_lines '^Process-[12] 从q中获得了 [abc] \(PID [0-9]+\)$')" -eq 3
    check "${lines[-1]}" = "主进程运行完毕!"
}

@test "zh: process_class, pool_map, pool_map_async, pool_apply print the seed's 四 and 六 lines" {
    run zh_demo process_class
    check "$status" -eq 0
    check "$(count_lines '^hello, 来自 MyProcess-[12], PID: [0-9]+$')" -eq 2
    run zh_demo pool_map --tick 0.02
    check "$status" -eq 0
    check "${lines[0]}" = "[1, 4, 9, 16]"
    check "$(count_lines '^总共使用了[0-9]+\.[0-9]{2}$')" -eq 1
    run --separate-stderr zh_demo pool_map_async --tick 0.02
    check "$status" -eq 0
    [[ "${lines[0]}" =~ ^总共使用了[0-9]+\.[0-9]{2}$ ]] || { echo "${lines[0]}"; false; }
    check "${lines[1]}" = "主程序结束"
    # the library's warning at exit, in Chinese too
    check "$stderr" = "pool_map_async: 退出: 4 个没做完的进程池任务被丢弃, 工作进程已终止"
    run zh_demo pool_apply
    check "$status" -eq 0
    check "$(count_lines '^子程序正在运行, PID [0-9]+: test\(2, 3, z=1\)$')" -eq 2
    check "${lines[-1]}" = "主程序运行结束"
}

@test "zh: concurrency and start_methods speak Chinese (beyond the seed's lines), the table aligned" {
    run zh_demo concurrency --tick 0.02 --tasks 2
    check "$status" -eq 0
    check "$(count_lines '^主进程: PID [0-9]+, 父进程 PID [0-9]+ \(启动它的 shell\)$')" -eq 1
    check "$(count_lines '^    任务 [12]: PID [0-9]+, 父进程 PID [0-9]+$')" -eq 12
    check "$(count_lines '^结论\(2 个 CPU\)|^结论\([0-9]+ 个 CPU\): ')" -eq 1
    # the table's columns line up as in English: a label takes 13 columns,
    # though printf pads by bytes and a Chinese character is 3 bytes, 2 columns
    check "$(count_lines '^ {18}串行 {5}所有 CPU {10}一个 CPU$')" -eq 1
    check "$(count_lines '^等待型 {10}[0-9]\.[0-9]{2} s {5}[0-9]+\.[0-9]{2} s +[0-9.]+x ')" -eq 1
    check "$(count_lines '^  CPU 占用数 {4}[0-9]\.[0-9]{2} {5}')" -eq 2
    run zh_demo start_methods --tick 0.05 --starts 2
    check "$status" -eq 0
    check "$(count_lines '^  锁: ')" -eq 3
    check "$(count_lines '^  counter = 1: 主进程的修改看不到$')" -eq 2
}

@test "zh: shared_counter speaks Chinese, its three rounds aligned; --help, a usage error" {
    run zh_demo shared_counter --workers 2 --increments 2000
    check "$status" -eq 0
    check "${lines[0]}" = "2 个进程(fork)给同一个共享计数器加 1, 每个加 2000 次"
    # printf pads by bytes: each name has seven Chinese characters, so all
    # three take 29 columns, as the English names do
    check "$(count_lines '^不加锁, 直接累加 {14}应得 4000, 实得 [0-9]+, 丢失的更新 [0-9]+$')" -eq 1
    check "$(count_lines '^每次加 1 都在 get_lock\(\) 之内 应得 4000, 实得 4000, 丢失的更新 0$')" -eq 1
    check "$(count_lines '^本地加完, 再 get_lock\(\) 一次  应得 4000, 实得 4000, 丢失的更新 0$')" -eq 1
    check "$(count_lines '^一次更新就丢失了\(竞态条件\)。')" -eq 1
    check "$(count_lines '^  (不加锁|每次加 1|本地加完).* +[0-9.]+ ns')" -eq 3
    run zh_demo shared_counter --help
    check "$status" -eq 0
    check "$(count_lines '^  --workers N +参与计数的进程数\(默认 4, 最多 64\)$')" -eq 1
    run --separate-stderr zh_demo shared_counter --only some
    check "$status" -eq 2
    check "$(head -1 <<<"$stderr")" = "shared_counter: --only: 'some' 不是 unlocked、locked 或 local"
}

@test "zh: pipe_join speaks Chinese, the deadlock and its fix too; --help, a usage error" {
    run zh_demo pipe_join --tick 0.05
    check "$status" -eq 0
    check "$(count_lines '^主进程 \(PID [0-9]+\) 收到 "HELLO" \(5 字节\)$')" -eq 1
    check "$(count_lines '^Process-1 \(PID [0-9]+\): recv 读到文件末尾: 主进程已关闭它那一端$')" -eq 1
    # the child cannot end before main reads: the join times out whatever the load
    check "$(count_lines '^主进程: join 超时。Process-2 \(PID [0-9]+\) 处于状态 [A-Z],$')" -eq 1
    check "$(count_lines '^  而主进程在等它结束: 这就是死锁。$')" -eq 1
    check "$(count_lines '^主进程 \(PID [0-9]+\) 收到 100 条消息, 共 100000 字节, 然后是那条空消息$')" -eq 1
    check "$(count_lines '^主进程 \(PID [0-9]+\) join 了 Process-2: 退出代码 0$')" -eq 1
    run zh_demo pipe_join --help
    check "$status" -eq 0
    check "$(count_lines '^  --size BYTES +第 2 部分: 每条消息的字节数\(默认 1000\)$')" -eq 1
    run --separate-stderr zh_demo pipe_join --messages 0
    check "$status" -eq 2
    check "$(head -1 <<<"$stderr")" = "pipe_join: --messages: '0' 不是 1 到 100000 之间的整数"
}

@test "zh: every demo prints English without a Chinese locale, and Chinese with one" {
    for d in $DEMOS; do
        case $d in serve|download) continue ;; esac    # a server and its client: below
        args=""
        "$BIN/$d" --help | grep -q -- '--tick' && args="--tick 0.02"
        [ "$d" = concurrency ] && args="$args --tasks 1"
        [ "$d" = start_methods ] && args="$args --starts 1 --method fork"
        [ "$d" = shared_counter ] && args="$args --workers 2 --increments 2000"
        run demo "$d" $args
        check "$status" -eq 0
        check "$(chinese_lines)" -eq 0
        run zh_demo "$d" $args
        check "$status" -eq 0
        # every line but the seed's English ones ("play music ...",
        # "~~~~~~~~~~"), a list of numbers, the method's name and a blank
        english=$(grep -vE '^(play (music|lol) \.\.\.|~+|\[[0-9, ]*\]|fork:|)$' <<<"$output" |
                  LC_ALL=C grep -v $'[\xe4-\xe9][\x80-\xbf][\x80-\xbf]' || true)
        [ -z "$english" ] || { echo "$d, not in Chinese:"; echo "$english"; false; }
    done
}

@test "zh: every demo's --help in Chinese, within 80 columns; in English without" {
    for d in $DEMOS; do
        run zh_demo "$d" --help
        check "$status" -eq 0
        [[ "${lines[0]}" == "用法: $d "* ]] || { echo "$d: ${lines[0]}"; false; }
        check "$(count_lines '^选项:$')" -eq 1
        # every option's help (the library's, the timeline's, the demo's own)
        untranslated=$(grep -E '^  -' <<<"$output" | LC_ALL=C grep -v $'[\xe4-\xe9][\x80-\xbf]' |
                       grep -vE '^  [^ ]+( [A-Z]+)?$' || true)     # a long name: help below it
        [ -z "$untranslated" ] || { echo "$d: $untranslated"; false; }
        wide=$(wider_than 80)
        [ -z "$wide" ] || { echo "$d, over 80 columns:"; echo "$wide"; false; }
        run demo "$d" --help
        check "$status" -eq 0
        [[ "${lines[0]}" == "usage: $d "* ]]
        check "$(chinese_lines)" -eq 0
    done
}

@test "zh: a usage error in Chinese, exit 2, the usage after it within 80 columns" {
    for d in $DEMOS; do
        run --separate-stderr zh_demo "$d" --frobnicate
        check "$status" -eq 2
        check "${#lines[@]}" -eq 0
        output=$stderr; mapfile -t lines <<<"$stderr"
        check "${lines[0]}" = "$d: 未知的选项 '--frobnicate'"
        [[ "${lines[1]}" == "用法: $d "* ]]
        wide=$(wider_than 80)
        [ -z "$wide" ] || { echo "$d, over 80 columns:"; echo "$wide"; false; }
        run --separate-stderr demo "$d" --frobnicate
        check "$status" -eq 2
        check "$(head -1 <<<"$stderr")" = "$d: unknown option '--frobnicate'"
    done
    run --separate-stderr zh_demo parallel --tick 0
    check "$status" -eq 2
    check "$(head -1 <<<"$stderr")" = "parallel: --tick: '0' 不是 0.001 到 3600 之间的秒数"
    run --separate-stderr zh_demo pool_map --items 4 --crash 5
    check "$status" -eq 2
    check "$(head -1 <<<"$stderr")" = "pool_map: --crash: '5' 不是 1 到 4 中的一项"
    run --separate-stderr zh_demo start_methods --method clone
    check "$status" -eq 2
    check "$(head -1 <<<"$stderr")" = "start_methods: --method: 'clone' 不是 fork、spawn、forkserver 或 all"
    # the library's own usage error (the start method's), in Chinese too
    run --separate-stderr zh_demo list_copy --start-method clone
    check "$status" -eq 2
    check "$(head -1 <<<"$stderr")" = "list_copy: --start-method: 'clone' 不是 fork、spawn 或 forkserver"
}

@test "zh: serve and download speak Chinese: --help, their own usage errors, a download" {
    for d in serve download; do
        run zh_demo "$d" --help
        check "$status" -eq 0
        [[ "${lines[0]}" == "用法: $d "* ]] || { echo "$d: ${lines[0]}"; false; }
        check "$(count_lines '^  --dir DIR +(提供|把文件保存到) ')" -eq 1
    done
    run --separate-stderr zh_demo serve --bind localhost
    check "$status" -eq 2
    check "$(head -1 <<<"$stderr")" = "serve: --bind: 'localhost' 不是数字形式的 IP 地址"
    run --separate-stderr zh_demo download
    check "$status" -eq 2
    check "$(head -1 <<<"$stderr")" = "download: 没有给出 URL(- 表示从标准输入读取)"
    www=$BATS_TEST_TMPDIR/www
    mkdir -p "$www" "$BATS_TEST_TMPDIR/out"
    printf 'hello\n' >"$www/a.txt"
    # env, not zh: env becomes serve (exec), so SERVER_PID is serve's own
    start_server "$BATS_TEST_TMPDIR/serve.out" env LANGUAGE= LC_ALL= LC_MESSAGES= \
        LANG=zh_CN.UTF-8 "$BIN/serve" --dir "$www"
    check "$(head -1 "$BATS_TEST_TMPDIR/serve.out")" = "正在提供 $www 下的文件, 地址 http://127.0.0.1:$PORT/"
    run zh_demo download --dir "$BATS_TEST_TMPDIR/out" "http://127.0.0.1:$PORT/a.txt" \
        "http://127.0.0.1:$PORT/none.txt"
    check "$status" -eq 1
    check "$(count_lines '^工作进程 [0-9]+: 已保存 a\.txt\(6 字节\)$')" -eq 1
    check "$(count_lines "^工作进程 [0-9]+: http://127.0.0.1:$PORT/none.txt 下载失败: HTTP 404 Not Found$")" -eq 1
    # the seed's print("主进程运行结束"), then how it went
    [[ "${lines[-1]}" =~ ^主进程运行结束:\ 保存\ 1\ 个,\ 失败\ 1\ 个,\ 用时\ [0-9]+\.[0-9]{2}\ 秒$ ]] ||
        { echo "${lines[-1]}"; false; }
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID"                  # exits 0 (bats fails the test otherwise)
    output=$(cat "$BATS_TEST_TMPDIR/serve.out.log")
    check "$(count_lines '^serve: 子进程 [0-9]+: GET /a\.txt 200 6 字节$')" -eq 1
    check "${output##*$'\n'}" = "serve: 已停止"
}

@test "zh: a runtime error in Chinese, the OS's reason too, exit 1" {
    svg=$BATS_TEST_TMPDIR/no/such/dir/chart.svg
    run --separate-stderr zh_demo parallel --tick 0.01 --timeline-svg "$svg"
    check "$status" -eq 1
    check "$stderr" = "parallel: 时间线: --timeline-svg $svg: 没有那个文件或目录"
    run --separate-stderr demo parallel --tick 0.01 --timeline-svg "$svg"
    check "$status" -eq 1
    check "$stderr" = "parallel: timeline: --timeline-svg $svg: No such file or directory"
    # what failed, in the demo's words (the pool's account of the task, from
    # lib/pool_calls.c, is not in the catalog yet)
    run --separate-stderr zh_demo pool_map --tick 0.01 --items 2 --workers 2 --crash 1
    check "$status" -eq 1
    [[ "$(tail -1 <<<"$stderr")" == "pool_map: map 失败: "* ]] || { echo "$stderr"; false; }
}

@test "zh: the language is chosen as gettext programs choose it" {
    # LANGUAGE's first entry, else the first of LC_ALL, LC_MESSAGES, LANG
    # that is set and not empty; "zh..." means Chinese
    speaks() {
        run env -i PATH="$PATH" "$@" timeout 30 "$BIN/list_copy" 3>&-
        check "$status" -eq 0
        if [ "$(chinese_lines)" -gt 0 ]; then echo zh; else echo en; fi
    }
    check "$(speaks LANG=zh_CN.UTF-8)" = zh
    check "$(speaks LANG=zh_TW.UTF-8)" = zh
    check "$(speaks LANG=zh)" = zh
    check "$(speaks LANG=en_US.UTF-8)" = en
    check "$(speaks)" = en
    check "$(speaks LANGUAGE=zh_CN:en LANG=C)" = zh
    check "$(speaks LANGUAGE=en:zh_CN LANG=zh_CN.UTF-8)" = en
    check "$(speaks LANGUAGE= LC_ALL=zh_CN.UTF-8 LANG=en_US.UTF-8)" = zh
    check "$(speaks LC_ALL=C LC_MESSAGES=zh_CN.UTF-8 LANG=zh_CN.UTF-8)" = en
    check "$(speaks LC_ALL= LC_MESSAGES=zh_CN.UTF-8 LANG=C)" = zh
    check "$(speaks LC_MESSAGES= LANG=zh_CN.UTF-8)" = zh
}

@test "zh: a child started by spawn or forkserver speaks as its parent does" {
    for m in spawn forkserver; do
        run zh_demo parallel --tick 0.01 --start-method "$m"
        check "$status" -eq 0
        check "$(count_lines '^子进程p[12],PID: [0-9]+$')" -eq 2
        run zh_demo shared_queue --tick 0.02 --start-method "$m"
        check "$status" -eq 0
        check "$(count_lines '^Process-[12] 从q中获得了 [abc] \(PID [0-9]+\)$')" -eq 3
    done
}
