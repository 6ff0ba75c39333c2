#!/usr/bin/env bats
# pool_apply (seed 6.2): apply blocks, apply_async does not, get fetches.
load helpers
load chart

@test "pool_apply: apply's task runs before the main goes on; get fetches apply_async's result" {
    run demo pool_apply
    check "$status" -eq 0
    check "${#lines[@]}" -eq 8
    main=$(pids_after 'main PID')
    check "${lines[0]}" = "main PID $main: Pool(2) started"
    # apply: the task's line, then the main's next line, naming the same worker
    [[ "${lines[1]}" =~ ^"child process running, PID "([0-9]+)": test(2, 3, z=1)"$ ]]
    first=${BASH_REMATCH[1]}
    check "$first" -ne "$main"
    check "${lines[2]}" = "main: apply returned after its task ran, in worker $first"
    # apply_async: returns at once; its task runs in a worker of the pool
    check "$(count_lines '^main: apply_async returned at once$')" -eq 1
    check "$(count_lines '^child process running, PID [0-9]+: test\(2, 3, z=1\)$')" -eq 2
    second=$(pids_after 'child process running, PID' | tail -1)
    check "$second" -ne "$main"
    check "${lines[6]}" = "main: get() on the apply_async result: its task ran in worker $second"
    check "${lines[7]}" = "main program ends"
}

@test "pool_apply --timeline: after the seed's lines, a row for each worker that ran a task" {
    run demo pool_apply --timeline
    check "$status" -eq 0
    check "$(count_lines '^child process running, PID')" -eq 2
    [[ "${lines[6]}" == "main: get() on the apply_async result: "* ]]
    check "${lines[7]}" = "main program ends"
    check "${lines[8]}" = "timeline: one row per process, a letter per job where it was busy"
    # the workers named on the "running" lines (one or two), and only them
    ran=$(pids_after 'child process running, PID' | sort -u | sed 's/^/worker /')
    check "$(row_labels | sort)" = "$ran"
    output=$(sed -n '/^timeline:/,$p' <<<"$output")
    check "$(widest)" -le 80
}

@test "pool_apply refuses an unexpected argument" {
    run --separate-stderr demo pool_apply now
    check "$status" -eq 2
    check "${stderr_lines[0]}" = "pool_apply: unexpected argument 'now'"
}
