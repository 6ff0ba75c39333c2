#!/usr/bin/env bats
# Every demo in both languages: its lines, its --help and a usage error in
# Chinese under a Chinese locale, in English without, within 80 columns;
# serve and download, a runtime error, how the language is chosen, a child
# of spawn or forkserver. (The lessons' lines: tests/zh.bats.) In make
# test-full.
load helpers
load server_helpers

# every demo, by its name in $BIN
DEMOS=$(cd "$BIN" && echo *)

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
