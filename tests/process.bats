#!/usr/bin/env bats
# The process layer (mp_process), driven through tests/c/test_process.c.
load helpers

t() { timeout 20 "$TESTBIN/test_process" "$@" 3>&-; }

@test "join with a timeout returns on time while the child still runs" {
    run t join-timeout
    check "$status" -eq 0
    [[ "$output" == "ended=0 took=0."* ]]
    took=$(sed -nE 's/.*took=([0-9.]+).*/\1/p' <<<"$output")
    between "$took" 0.19 0.35 || { echo "join(0.2) took $took s"; false; }
    [[ "$output" == *"alive=1 exitcode_is_none=1" ]]
}

@test "exitcode is -15 after terminate" {
    run t terminate
    check "$status" -eq 0
    check "$output" = "ended=1 exitcode=-15 alive=0"
}

@test "exitcode is -9 after kill" {
    run t kill
    check "$status" -eq 0
    check "$output" = "ended=1 exitcode=-9 alive=0"
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
    check "$output" = "second start: rc=-1 errno=EINVAL message=Process-1: cannot start a process twice"
}

@test "joining a process that was never started is an error, not a hang" {
    run t join-unstarted
    check "$output" = "ended=0 alive=0 message=Process-1: can only join a started process"
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

@test "a signal during the exit's joins reaches no process that took a joined child's PID" {
    [ -w /proc/sys/kernel/ns_last_pid ] || skip "needs Linux and root (ns_last_pid)"
    "$TESTBIN/test_process" exit-reaps >"$BATS_TEST_TMPDIR/out" 3>&- &
    main=$!
    for i in $(seq 100); do
        output=$(cat "$BATS_TEST_TMPDIR/out")
        a=$(pids_after 'a PID')
        [ -n "$a" ] && [ ! -e "/proc/$a" ] && break    # a has been reaped
        sleep 0.01
    done
    # Give a's PID to a new process: the kernel hands out ns_last_pid + 1
    # next (other processes on the machine may get in first: try again).
    for i in $(seq 100); do
        echo $((a - 1)) >/proc/sys/kernel/ns_last_pid
        sleep 30 3>&- &
        decoy=$!
        [ "$decoy" = "$a" ] && break
        kill "$decoy"
    done
    [ "$decoy" = "$a" ] || { kill -TERM "$main"; skip "could not get PID $a back"; }
    while [ "$(cat "/proc/$decoy/comm")" != sleep ]; do   # not still a copy of bats
        sleep 0.01
    done
    kill -TERM "$main"   # (SIGINT: ignored by a job started with &)
    wait "$main" || true
    alive=0
    kill -0 "$decoy" 2>/dev/null && alive=1
    kill "$decoy" 2>/dev/null || true
    check "$alive" -eq 1        # the library did not signal a PID no longer its child's
    all_gone "$(pids_after 'b PID')"
}
