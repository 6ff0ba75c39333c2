#!/usr/bin/env bats
# The process layer (mp_process), driven through tests/c/test_process.c.
load helpers

t() { timeout 20 "$TESTBIN/test_process" "$@" 3>&-; }

# into_full COMMAND...: runs it with its standard output on /dev/full, where
# every write fails (ENOSPC).
into_full() { "$@" >/dev/full; }

@test "join with a timeout returns on time while the child still runs" {
    run t join-timeout
    check "$status" -eq 0
    [[ "$output" == "join=timeout took=0."* ]]
    took=$(sed -nE 's/.*took=([0-9.]+).*/\1/p' <<<"$output")
    between "$took" 0.19 0.35 || { echo "join(0.2) took $took s"; false; }
    [[ "$output" == *"alive=1 exitcode_is_none=1" ]]
}

@test "exitcode is -15 after terminate" {
    run t terminate
    check "$status" -eq 0
    check "$output" = "join=ok exitcode=-15 alive=0"
}

@test "exitcode is -9 after kill" {
    run t kill
    check "$status" -eq 0
    check "$output" = "join=ok exitcode=-9 alive=0"
}

@test "a child's exit status comes back as its exitcode" {
    run t exit-status
    check "$output" = "exitcode=3"
    run t exit-call
    check "$output" = "exitcode=4"
}

@test "a daemonic process cannot start a child, and is told the rule" {
    run t daemon-no-children
    check "$status" -eq 0
    check "${lines[0]}" = "refused: errno=EPERM message=daemonic processes are not allowed to have children"
    check "${lines[1]}" = "exitcode=0"
}

@test "killing the parent with SIGKILL takes its daemonic children with it" {
    [[ "$(uname -s)" == Linux ]] || skip "PR_SET_PDEATHSIG is Linux only"
    run t pdeathsig
    check "$status" -eq 0
    check "${lines[0]}" = "middle exitcode=-9"
    [[ "${lines[1]}" == "grandchild killed by signal 9 after "* ]]
}

@test "at exit, daemonic children are terminated and the others joined" {
    start=$(date +%s%N)
    run t exit-joins
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$status" -eq 0
    check "${lines[-1]}" = "non-daemonic child Process-2 done"
    check "$elapsed_ms" -ge 190     # waited for the non-daemonic child
    check "$elapsed_ms" -lt 5000    # did not wait for the daemonic one's 10 s
    all_gone "$(pids_after 'daemon PID')"
}

@test "processes are named like Python's" {
    run t names
    check "$status" -eq 0
    check "${lines[0]}" = "main: MainProcess, a: Process-1, b: Process-2"
    check "${lines[1]}" = "in child: Process-1"
    check "${lines[2]}" = "in child: Process-2"
}

@test "starting a process twice is an error" {
    run t start-twice
    check "$output" = "second start: error errno=EINVAL message=Process-1: cannot start a process twice"
}

@test "joining a process that was never started is an error, not a hang" {
    run t join-unstarted
    check "$output" = "join=error alive=0 message=Process-1: can only join a started process"
}

@test "SIGPIPE ending the main (its reader has gone) ends its children too" {
    # Into a file, not through run: run would wait for as long as a child
    # left behind holds its stdout (as `demo | head -1` would).
    status=0
    t sigpipe >"$BATS_TEST_TMPDIR/out" || status=$?
    output=$(cat "$BATS_TEST_TMPDIR/out")
    check "$status" -eq 141         # 128 + SIGPIPE: the shell's "killed by SIGPIPE"
    all_gone "$(pids_after 'child PID')"
}

# The scenario of the next test, run as PID 1's child inside a PID namespace
# of its own: there, ns_last_pid is the namespace's, and no other process
# takes PIDs, so the decoy gets a's PID at the first try.
exit_reaps_in_namespace() {
    local out=$1 main a decoy i
    : >"$out"            # there before the first read, however late the job starts
    "$TESTBIN/test_process" exit-reaps >>"$out" &
    main=$!
    for i in $(seq 200); do
        a=$(sed -nE 's/^a PID ([0-9]+)$/\1/p' "$out")
        [ -n "$a" ] && [ ! -e "/proc/$a" ] && break    # a has been reaped
        sleep 0.01
    done
    [ -n "$a" ] && [ ! -e "/proc/$a" ] || { echo "a was not reaped"; return 1; }
    echo $((a - 1)) >/proc/sys/kernel/ns_last_pid     # the kernel hands out a's PID next
    sleep 30 &
    decoy=$!
    [ "$decoy" = "$a" ] || { echo "decoy got PID $decoy, not $a"; return 1; }
    while [ "$(cat "/proc/$decoy/comm")" != sleep ]; do sleep 0.01; done
    kill -TERM "$main"   # (SIGINT: ignored by a job started with &)
    wait "$main"
    echo "main status=$?"
    kill -0 "$decoy" 2>/dev/null && echo "decoy alive=1" || echo "decoy alive=0"
    kill "$decoy" 2>/dev/null
    wait "$decoy"
    return 0
}

@test "a signal during the exit's joins reaches no process that took a joined child's PID" {
    [[ "$(uname -s)" == Linux ]] || skip "needs Linux PID namespaces"
    ns=(unshare --pid --fork --mount-proc)
    "${ns[@]}" true 2>/dev/null 3>&- || ns=(unshare --user --map-root-user --pid --fork --mount-proc)
    "${ns[@]}" sh -c 'echo 1 >/proc/sys/kernel/ns_last_pid' 2>/dev/null 3>&- ||
        skip "no PID namespace of its own allowed here (unshare --pid, ns_last_pid)"
    export TESTBIN
    export -f exit_reaps_in_namespace
    run timeout 20 "${ns[@]}" bash -c "exit_reaps_in_namespace $BATS_TEST_TMPDIR/out" 3>&-
    check "$status" -eq 0
    check "${lines[0]}" = "main status=143"   # 128 + SIGTERM
    check "${lines[1]}" = "decoy alive=1"     # the library did not signal a PID no longer its child's
}

@test "joining a sibling (not the caller's child) fails with ECHILD instead of claiming it ended" {
    run t join-sibling
    check "$status" -eq 0
    check "${lines[0]}" = "sibling join: error errno=ECHILD"
    check "${lines[1]}" = "sibling join(0.05): error errno=ECHILD"
    check "${lines[2]}" = "a exitcode=-9"
}

@test "at exit, a daemonic child that ignores SIGTERM gets SIGKILL after a second" {
    start=$(date +%s%N)
    run t exit-stubborn-daemon
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$status" -eq 0
    check "$elapsed_ms" -ge 900     # it had its second of grace
    check "$elapsed_ms" -lt 5000    # and not its 10 s of sleep
    all_gone "$(pids_after 'daemon PID')"
}

@test "output that fails in children only: one message, and the program's status is 1" {
    run --separate-stderr into_full t output-fails-in-child
    check "$status" -eq 1
    check "$stderr" = "forklore: standard output: No space left on device"
}

@test "process_class, parallel and daemon >/dev/full: status 1 and one message, whoever fails first" {
    # under spawn and forkserver the children are new programs: they map
    # the shared "output failed" flag from the descriptor they were handed
    for d in process_class "parallel --tick 0.01" "daemon --daemon --tick 0.01" \
             "daemon --tick 0.01" "parallel --tick 0.01 --start-method spawn" \
             "parallel --tick 0.01 --start-method forkserver"; do
        run --separate-stderr into_full demo $d
        check "$status" -eq 1
        check "$stderr" = "${d%% *}: standard output: No space left on device"
    done
}
