#!/usr/bin/env bats
# The start methods (fork, spawn, forkserver), driven through
# tests/c/test_start.c: every guarantee of the process layer and the queue,
# under each method.
load helpers

t() { timeout 20 "$TESTBIN/test_start" "$@" 3>&-; }

@test "each method runs the target with its argument's bytes; exitcode, join, is_alive" {
    for m in $METHODS; do
        run t "$m" basic
        check "$status" -eq 0
        check "$(count_lines "^child: .* name=Process-1 arg=3 .* method=$m\$")" -eq 1
        check "$(count_lines "^child: .* name=Process-2 arg=5 .* method=$m\$")" -eq 1
        [[ "${lines[2]}" == *" exitcodes=3,5 alive=0,0" ]] || { echo "$m: ${lines[2]}"; false; }
        check "$(pids_after 'pid=' | sort -u | wc -l)" -eq 3    # main and two children
    done
}

@test "a global changed by main before start: seen under fork only" {
    run t fork basic
    check "$(count_lines 'global=2')" -eq 2
    for m in spawn forkserver; do
        run t "$m" basic
        check "$(count_lines 'global=1')" -eq 2
    done
}

@test "the parent: main under fork and spawn, the forkserver under forkserver, which is gone after exit" {
    for m in $METHODS; do
        run t "$m" basic
        main=$(field pid "${lines[2]}")
        parents=$(printf '%s\n' "$output" | sed -nE 's/^child: .* parent=([0-9]+) .*/\1/p' | sort -u)
        check "$(wc -l <<<"$parents")" -eq 1
        if [ "$m" = forkserver ]; then
            check "$parents" -ne "$main"
            all_gone "$parents"
        else
            check "$parents" -eq "$main"
        fi
    done
}

@test "join with a timeout, terminate (-15) and kill (-9) under each method" {
    for m in $METHODS; do
        run t "$m" signals
        check "$status" -eq 0
        check "$(count_lines '^join\(0.1\)=0 alive=1 exitcode_is_none=1$')" -eq 1
        check "$(count_lines '^terminated: ended=1 exitcode=-15 alive=0$')" -eq 1
        check "$(count_lines '^killed: exitcode=-9$')" -eq 1
    done
}

@test "terminate and kill after the child ended (not yet joined): no error, its exit code kept" {
    for m in $METHODS; do
        run t "$m" ended
        check "$status" -eq 0
        check "${lines[1]}" = "after its end: terminate=0 kill=0 exitcode=4"
    done
}

@test "an unregistered target cannot be sent to a new program (Python's pickling error)" {
    run t fork unregistered
    check "$output" = "started: exitcode=0"
    for m in spawn forkserver; do
        run t "$m" unregistered
        [[ "$output" == "refused: Can't pickle <function at 0x"*">: attribute lookup on __main__ failed"* ]]
    done
}

@test "a pointer argument cannot be sent to a new program" {
    for m in spawn forkserver; do
        run t "$m" pointer
        [[ "$output" == "refused: Process-1: Can't pickle a pointer:"* ]]
    done
}

@test "starting a process in a spawned child before mp_main_guard: the bootstrapping error" {
    TEST_START_EARLY=1 run t
    check "$status" -eq 0
    [[ "$output" == *"An attempt has been made to start a new process before the current process has finished its bootstrapping phase"* ]]
    check "$(count_lines '^early child exitcode=1$')" -eq 1
}

@test "at exit, daemonic children are terminated and the others joined, under each method" {
    for m in $METHODS; do
        run t "$m" exit-joins
        check "$status" -eq 0
        check "${lines[-1]}" = "non-daemonic child Process-2 done"
    done
}

@test "Ctrl-C ends main, its children and the forkserver, status 130, under each method" {
    for m in $METHODS; do
        run timeout --preserve-status -s INT 0.5 "$TESTBIN/test_start" "$m" wait 3>&-
        check "$status" -eq 130
        child=$(sed -nE 's/^sleeper: pid=([0-9]+) .*/\1/p' <<<"$output")
        parent=$(sed -nE 's/^sleeper: .* parent=([0-9]+)/\1/p' <<<"$output")
        [ -n "$child" ] || { echo "$m: no child seen: $output"; false; }
        all_gone "$child" "$parent"
    done
}

# killed_main METHOD: SIGKILLs a main whose daemonic child sleeps; prints
# the child's and its parent's PIDs.
killed_main() {
    local out=$BATS_TEST_TMPDIR/out-$1 main i
    : >"$out"
    "$TESTBIN/test_start" "$1" daemon-wait >>"$out" 3>&- &
    main=$!
    for i in $(seq 200); do
        grep -q '^sleeper:' "$out" && break
        sleep 0.02
    done
    kill -KILL "$main"
    wait "$main" || true
    sed -nE 's/^sleeper: pid=([0-9]+) parent=([0-9]+)/\1 \2/p' "$out"
}

@test "SIGKILL of main takes its daemonic child (and the forkserver) with it, under each method" {
    [[ "$(uname -s)" == Linux ]] || skip "PR_SET_PDEATHSIG is Linux only"
    for m in $METHODS; do
        pids=$(killed_main "$m")
        [ -n "$pids" ] || { echo "$m: no sleeper"; false; }
        all_gone $pids
    done
}

@test "a queue shared with children of each method: every item exactly once" {
    for m in $METHODS; do
        run t "$m" queue
        check "$status" -eq 0
        check "$output" = "items=3000 once=3000 twice=0 exitcodes=0,0,0"
    done
}

@test "a Process subclass: its class by name, its own fields as bytes, under each method" {
    for m in $METHODS; do
        run t "$m" subclass
        check "$status" -eq 0
        check "${lines[0]}" = "Counter-1: by threes counts 5, 8, 11"
        check "${lines[1]}" = "exitcode=3"
        if [ "$m" = fork ]; then
            check "${lines[2]}" = "unregistered: started"   # a copy needs no name
        else
            check "${lines[2]}" = "unregistered: Other-2: Can't pickle its own run: attribute lookup on __main__ failed (register the subclass with MP_CLASS)"
        fi
        check "${lines[3]}" = "too big: huge: a subclass's own fields take 0 to 256 bytes, not 257"
    done
}
