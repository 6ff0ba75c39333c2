#!/usr/bin/env bats
# The lessons in Chinese. Under a Chinese locale (LANG=zh_CN.UTF-8, with no
# zh_CN locale generated: the demos need none) each demo prints the seed's
# own lines word for word where the seed prints them, and Chinese for the
# rest. (Every demo's --help, usage and runtime errors, serve and download,
# how the language is chosen: tests/zh_every.bats. The twins:
# tests/twins.bats. The catalogs themselves: tests/catalog.bats.)
load helpers

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
