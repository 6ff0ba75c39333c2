#!/usr/bin/env bats
# The start methods when what is around them misbehaves: a stray MP_*
# variable, a forkserver killed or stopped, a signal that lands in another
# thread, too few descriptors; consumers and pool workers SIGKILLed at
# random. In make test-full.
load helpers

t() { timeout 20 "$TESTBIN/test_faults" "$@" 3>&-; }

@test "a stray MP_FORKSERVER_FD or MP_SPAWNED_FD is refused in one line, exit 1, at once" {
    for var in MP_FORKSERVER_FD MP_SPAWNED_FD; do
        for v in x '' 0 2 99 -7 3:1 "3:$$" 3:1x; do
            d=parallel
            [ "$v" = 99 ] && d=serial       # a demo that never starts a process too
            {
                start=$(date +%s%N)
                run --separate-stderr env "$var=$v" timeout 5 "$BIN/$d" --tick 0.01 3>&-
                elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
                check "$status" -eq 1
                check "$stderr" = "$d: $var='$v': not a value the library set for this program (unset it)"
                check "$output" = ""
                check "$elapsed_ms" -lt 3000
            }
        done
    done
}

@test "a spawned child told to read from something else, or sent a flag no parent writes, refuses it" {
    run --separate-stderr t fork forged-fd
    check "$output" = "child: exit status 1"
    [[ "$stderr" =~ ^"test_faults: MP_SPAWNED_FD='"[0-9]+:[0-9]+"': not a value the library set for this program (unset it)"$ ]] ||
        { echo "$stderr"; false; }
    run --separate-stderr t fork forged-prep
    check "$output" = "child: exit status 1"
    check "$stderr" = "test_faults: spawn: the parent sent a process that is not one"
}

@test "the forkserver SIGKILLed: join waits for the child truly, then says its end is unknown; a daemonic child ends with it" {
    run --separate-stderr t forkserver lost-server
    check "$status" -eq 0
    [[ "${lines[2]}" =~ ^"join: error after>=0.3s=1 message: the forkserver died before it could say how PID "[0-9]+" ended"$ ]] ||
        { echo "${lines[2]}"; false; }
    check "${lines[3]}" = "exitcode=255 alive=0"
    check "${lines[4]}" = "daemonic join: error"
    [[ "${lines[5]}" =~ ^"next start: error: forkserver: the server (PID "[0-9]+") has died (killed by signal 9)"$ ]] ||
        { echo "${lines[5]}"; false; }
}

# server_of MAIN: the forkserver's PID, the main's only child, once it has one.
server_of() {
    local i
    for i in $(seq 100); do
        pgrep -P "$1" && return 0
        sleep 0.05
    done
    return 1
}

@test "a demo whose forkserver is SIGKILLed says so in one line, exits 1, and leaves nothing" {
    for d in "shared_queue --items 300 --workers 3 --tick 2" "parallel --tick 0.3"; do
        out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
        timeout 30 $BIN/$d --start-method forkserver >"$out" 2>"$err" 3>&- &
        to=$!
        main=$(server_of "$to")
        server=$(server_of "$main")
        sleep 0.3
        kill -KILL "$server"
        wait "$to" && status=0 || status=$?
        check "$status" -eq 1
        name=${d%% *}
        [[ "$(cat "$err")" =~ ^"$name: join Process-"[0-9]+": the forkserver died before it could say how PID "[0-9]+" ended"$ ]] ||
            { echo "$d: $(cat "$err")"; false; }
        ! grep -q 'main process done\|multi-process took' "$out" || { echo "$d went on"; false; }
        group_gone "$to"
    done
}

@test "its forkserver stopped, a demo still ends on SIGINT within seconds, and leaves nothing" {
    for target in main group; do
        out=$BATS_TEST_TMPDIR/out
        timeout 30 "$BIN/parallel" --tick 1 --start-method forkserver >"$out" 3>&- &
        to=$!
        main=$(server_of "$to")
        server=$(server_of "$main")
        sleep 0.3
        kill -STOP "$server"
        start=$(date +%s%N)
        if [ "$target" = main ]; then kill -INT "$main"; else kill -INT -- "-$to"; fi
        wait "$to" && status=0 || status=$?
        elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
        kill -KILL "$server" 2>/dev/null || true   # should there be one left
        check "$status" -eq 130
        check "$elapsed_ms" -lt 5000
        group_gone "$to"
    done
}

@test "SIGINT while a thread idles beside the library: no child is left, whichever thread takes it" {
    for m in $METHODS; do
        for i in 1; do
            out=$BATS_TEST_TMPDIR/storm
            # (through timeout: a command run with & ignores SIGINT)
            timeout 30 "$TESTBIN/test_faults" "$m" thread-storm >"$out" 3>&- &
            to=$!
            main=$(server_of "$to")
            sleep "0.$((RANDOM % 4 + 1))"
            kill -INT "$main"
            wait "$to" && status=0 || status=$?
            check "$status" -eq 130
            group_gone "$to"
        done
    done
}

@test "SIGINT while a start waits on a stopped forkserver: the program still ends within seconds" {
    out=$BATS_TEST_TMPDIR/storm
    timeout 30 "$TESTBIN/test_faults" forkserver thread-storm >"$out" 3>&- &
    to=$!
    main=$(server_of "$to")
    for i in $(seq 100); do grep -q '^child' "$out" && break; sleep 0.05; done
    server=$(sed -nE '1,/^child/s/^child [0-9]+ parent ([0-9]+)$/\1/p' "$out" | head -1)
    [ -n "$server" ] || { echo "no child started: $(cat "$out")"; false; }
    kill -STOP "$server"
    sleep 0.3                       # the main is now waiting on a request
    start=$(date +%s%N)
    kill -INT "$main"
    wait "$to" && status=0 || status=$?
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    kill -KILL "$server" 2>/dev/null || true   # should it be left
    check "$status" -eq 130
    check "$elapsed_ms" -lt 10000
    group_gone "$to"
}

@test "start_methods, SIGINT to its group at a random moment: status 130 or done, nothing left" {
    for m in $METHODS; do
        for i in 1 2; do
            grouped --preserve-status -s INT "0.$((RANDOM % 5 + 1))" \
                "$BIN/start_methods" --tick 0.05 --starts 400 --method "$m"
            [[ "$status" -eq 130 || "$status" -eq 0 ]] || { echo "$m: status $status"; false; }
            group_gone "$group"
        done
    done
}

@test "out of descriptors at the first start: the error names them, not memory" {
    run t fork emfile
    check "$status" -eq 0
    check "$output" = "start: error: cannot share the output flag with the children: Too many open files"
}

@test "a forkserver short of descriptors says so under the demo's name; the start fails in one line" {
    # The lowest limit at which the main gets as far as asking the server
    # (how many descriptors the test's shell leaves open varies).
    for n in $(seq 6 16); do
        run --separate-stderr bash -c "ulimit -n $n; exec '$BIN/parallel' --tick 0.01 --start-method forkserver" 3>&-
        [[ "$stderr" == *"did not all arrive"* ]] && break
    done
    check "$status" -eq 1
    check "${stderr_lines[0]}" = "parallel: forkserver: a request's descriptors did not all arrive (too many open files: ulimit -n?)"
    [[ "${stderr_lines[1]}" =~ ^"parallel: start Process-"[12]": forkserver: the server (PID "[0-9]+") started no process (out of processes or descriptors: it says which)"$ ]] ||
        { echo "$stderr"; false; }
    check "${#stderr_lines[@]}" -eq 2
}

@test "a consumer SIGKILLed on the way: the others take the rest, none twice" {
    for m in $METHODS; do
        run timeout 20 "$TESTBIN/test_start" "$m" queue-kill 3>&-
        check "$status" -eq 0
        once=$(field once "$output")
        check "$once" -ge 2999      # at most the one item the dead consumer held
        [[ "$output" == *" twice=0 exitcodes=-9,0,0" ]] || { echo "$m: $output"; false; }
    done
}

@test "workers SIGKILLed at random during many large maps: every output is right or its failed item's zero, none ran twice, under each method" {
    for m in $METHODS; do
        run timeout 20 "$TESTBIN/test_pool" "$m" kill-during-maps 3>&-
        check "$status" -eq 0
        check "${lines[0]}" = "kills>0=1 wrong=0 zeros=failed=1 ran twice=0 uncounted=0"
        check "${lines[2]}" = "next map: ok=1 good results: 100"
        check "${lines[3]}" = "close and join: ok=1, in time: 1"
        check "${lines[4]}" = "no worker left: 1"
    done
}
