#!/usr/bin/env bats
# process_class (seed 4): a Process "subclass" whose run() is overridden.
load helpers

@test "run executes once per object, in two distinct processes" {
    run demo process_class
    check "$status" -eq 0
    check "${#lines[@]}" -eq 2
    # named after the class, as Python names an instance of MyProcess(Process)
    check "$(count_lines '^hello from MyProcess-1, PID: [0-9]+$')" -eq 1
    check "$(count_lines '^hello from MyProcess-2, PID: [0-9]+$')" -eq 1
    check "$(pids_after 'PID:' | sort -u | wc -l)" -eq 2
    # and never in the main process itself
    for pid in $(pids_after 'PID:'); do check "$pid" -ne "$$"; done
}

@test "process_class output sent to a file has each line once" {
    demo process_class >"$BATS_TEST_TMPDIR/out"
    check "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 2
}
