#!/usr/bin/env bats
# parallel (seed 5.2): the two jobs in two processes, started together, joined.
load helpers

@test "parallel runs the jobs in two distinct child processes" {
    run demo parallel --tick "$TICK"
    check "$status" -eq 0
    check "$(count_lines '^play music \.\.\.$')" -eq 5
    check "$(count_lines '^play lol \.\.\.$')" -eq 5
    p1=$(pids_after 'child p1, PID:')
    p2=$(pids_after 'child p2, PID:')
    main=$(pids_after 'main PID:')
    check -n "$p1" -a -n "$p2" -a -n "$main"
    check "$p1" -ne "$p2"
    check "$p1" -ne "$main"
    check "$p2" -ne "$main"
    # the main's lines come last: join waited for both children
    check "${#lines[@]}" -eq 14
    [[ "${lines[12]}" == "multi-process took "* ]]
    [[ "${lines[13]}" == "main PID: $main" ]]
}

# parallel_then_serial: parallel takes about 5 ticks, serial about 10; each
# sleep a busy machine wakes late adds to both, so the ratio (2 when idle)
# has a margin: one after the other would be 1.
parallel_then_serial() {
    run demo parallel --tick 0.05
    check "$status" -eq 0 || return 1
    par=$(seconds_of '^multi-process took')
    between "$par" 0.24 0.6 || { echo "parallel took $par s, expected about 0.25"; return 1; }
    run demo serial --tick 0.05
    ser=$(seconds_of '^one process took')
    ratio_at_least "$ser" "$par" 1.6 || { echo "serial $ser s / parallel $par s < 1.6"; return 1; }
}

@test "parallel takes about five ticks, serial about twice as long" {
    retry 3 parallel_then_serial
}

@test "parallel output sent to a pipe has no duplicated lines" {
    run bash -c "timeout 10 '$BIN/parallel' --tick 0.01 | cat"
    check "$status" -eq 0
    check "${#lines[@]}" -eq 14
    check "$(printf '%s\n' "$output" | grep -c 'PID')" -eq 3
}

@test "Ctrl-C (SIGINT to the process group) ends parallel and both children, status 130" {
    # timeout puts the demo in a process group of its own and, after 0.3 s,
    # sends SIGINT to the whole group, as a terminal does on Ctrl-C;
    # --preserve-status hands back the demo's own status.
    start=$(date +%s%N)
    run timeout --preserve-status -s INT 0.3 "$BIN/parallel" --tick 0.5 3>&-
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$status" -eq 130
    check "$elapsed_ms" -lt 1500   # long before the 2.5 s the run would take
    check "$(pids_after 'PID:' | wc -l)" -eq 2
    all_gone $(pids_after 'PID:')
}

@test "SIGTERM to the parent alone still ends both children" {
    out="$BATS_TEST_TMPDIR/out"
    # only the parent gets the signal: the library must end the children itself
    "$BIN/parallel" --tick 0.2 >"$out" 3>&- &
    main=$!
    sleep 0.1
    kill -TERM "$main"
    wait "$main" && status=0 || status=$?
    check "$status" -eq 143    # 128 + SIGTERM: it died of the signal it got
    output=$(cat "$out")
    check "$(pids_after 'child p[12], PID:' | wc -l)" -eq 2
    all_gone $(pids_after 'child p[12], PID:')
}
