#!/usr/bin/env bats
# pipe_join: a conversation over a Pipe, then the deadlock of joining a child
# that filled its pipe, shown and bounded, and the fix.
load helpers

@test "pipe_join part 1: two words there and back in capitals, then end of file for the child" {
    run demo pipe_join --tick "$TICK"
    check "$status" -eq 0
    main=$(pids_after '^main \(PID')
    main=${main%%$'\n'*}
    check "${lines[0]}" = "main (PID $main): Pipe(): a socketpair, both ends send and receive"
    check "${lines[1]}" = "main (PID $main) sends \"hello\" (5 bytes)"
    [[ "${lines[2]}" =~ ^"Process-1 (PID "[0-9]+") got \"hello\" (5 bytes), sends it back in capitals"$ ]]
    check "${lines[3]}" = "main (PID $main) got \"HELLO\" (5 bytes)"
    check "${lines[6]}" = "main (PID $main) got \"PIPE\" (4 bytes)"
    check "${lines[7]}" = "main (PID $main) closes its end"
    [[ "${lines[8]}" =~ ^"Process-1 (PID "[0-9]+"): recv says end of file: main has closed its end"$ ]]
    check "${lines[9]}" = "main (PID $main) joined Process-1: exitcode 0"
    check "$(printf '%s\n' "$output" | awk 'length > 80' | wc -l)" -eq 0
}

# deadlock_shown METHOD: the join times out with the child asleep in write,
# 64 of 100 messages sent and the pipe full; then every message is read.
deadlock_shown() {
    run demo pipe_join --tick 0.1 --start-method "$1"
    [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
    [[ "$output" == *"main: join timed out. Process-2 (PID "*") is in state S,"* ]] ||
        { echo "$1: $output"; return 1; }
    [[ "$output" =~ "  asleep in "([a-z_]*pipe_write|0|\?)"; it has sent 64 of 100 messages," ]] ||
        { echo "$1: $output"; return 1; }
    [[ "$output" == *"  and 64256 bytes wait in the pipe: it waits for main to read,"* ]] || return 1
    [[ "$output" == *"The fix: read everything, up to the empty message, then join."* ]] || return 1
    [[ "$output" == *"got 100 messages, 100000 bytes, then the empty one"* ]] || return 1
    [[ "${lines[-1]}" == "main (PID "*") joined Process-2: exitcode 0" ]] || return 1
}

@test "pipe_join part 2: the join deadlock is shown, bounded by a tick, and fixed, under each start method" {
    for m in $METHODS; do
        retry 3 deadlock_shown "$m"
    done
}

@test "pipe_join --messages 10: all fit in the pipe, the child ends, main still reads them all" {
    # (a tick of 0.5 s: the child must write ten messages and end within it)
    run demo pipe_join --tick 0.5 --messages 10
    check "$status" -eq 0
    check "$(count_lines '^main: join returned: Process-2 ended after sending 10 of 10 messages:$')" -eq 1
    check "$(count_lines 'got 10 messages, 10000 bytes, then the empty one$')" -eq 1
    check "$(count_lines 'join timed out')" -eq 0
}

@test "pipe_join refuses bad options with exit 2 and one line" {
    for args in "--messages 0" "--messages x" "--size 0" "--size 1000001" "--tick 0"; do
        run --separate-stderr demo pipe_join $args
        check "$status" -eq 2
        check -z "$output"
        [[ "${stderr_lines[0]}" == "pipe_join: ${args%% *}: "* ]] || { echo "$args: $stderr"; false; }
        [[ "${stderr_lines[1]}" == "usage: pipe_join "* ]]
    done
}

@test "Ctrl-C during pipe_join's join ends it and the child asleep in write, status 130" {
    # at --tick 1 the join waits a second; the child is asleep in write by then
    grouped --preserve-status -s INT 0.5 "$BIN/pipe_join" --tick 1
    check "$status" -eq 130
    group_gone "$group"
}
