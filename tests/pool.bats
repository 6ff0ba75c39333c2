#!/usr/bin/env bats
# The pool layer (mp_pool), driven through tests/c/test_pool.c.
load helpers

t() { timeout 20 "$TESTBIN/test_pool" "$@" 3>&-; }

# How a task's NULL dereference ends its worker: SIGSEGV, except on the
# sanitizer build (make check), where UBSan stops the worker first (status 1).
crash_cause() {
    if grep -q __ubsan_handle "$TESTBIN/test_pool"; then
        echo "exited with status 1"
    else
        echo "was killed by signal 11 \(SIGSEGV\)"
    fi
}

@test "map of 10,000 items returns every result in order, whatever the chunksize" {
    run t order
    check "$status" -eq 0
    check "${lines[0]}" = "chunksize 0 (used 625): status=0 in order=10000"
    check "${lines[1]}" = "chunksize 1 (used 1): status=0 in order=10000"
    check "${lines[2]}" = "chunksize 7 (used 7): status=0 in order=10000"
    check "${lines[3]}" = "chunksize 1000 (used 1000): status=0 in order=10000"
    check "${lines[4]}" = "chunksize 10000 (used 10000): status=0 in order=10000"
}

@test "the default chunksize is Python's: ceil(n / (4 * workers)), and 0 for no items" {
    run t chunksize
    check "$status" -eq 0
    check "$output" = "n=1000000 chunksize=125000
n=9 chunksize=2
n=8 chunksize=1
n=1 chunksize=1
n=0 chunksize=0
n=10 asked 3 chunksize=3"
}

@test "a task that dereferences NULL fails its item, naming the worker and the signal; the other 99 are right; the next map works; under each method" {
    for m in $METHODS; do
        run --separate-stderr t "$m" crash
        check "$status" -eq 0
        check "${lines[0]}" = "first map: error=1 took<2s=1"
        [[ "${lines[1]}" =~ ^"message: in[36]: worker "[0-9]+" "$(crash_cause)$ ]] || { echo "$m: ${lines[1]}"; false; }
        check "${lines[2]}" = "good results: 99, out[36]=0"
        check "${lines[3]}" = "second map: ok=1 good results: 100"
        check "${lines[4]}" = "join: ok=1"
    done
}

@test "a worker SIGKILLed in the middle of a task fails that item only, and nothing hangs" {
    run t kill
    check "$status" -eq 0
    check "${lines[0]}" = "get: error=1 took<5s=1"
    victim=$(sed -nE 's/^victim ([0-9]+) .*/\1/p' <<<"${lines[1]}")
    check "${lines[1]}" = "victim $victim message: in[4]: worker $victim was killed by signal 9 (SIGKILL)"
    check "${lines[2]}" = "good results: 19"
    check "${lines[3]}" = "next map: ok=1 good results: 20"
}

@test "a task that returns an error fails its item; every other item still runs" {
    run t task-error
    check "$status" -eq 0
    check "${lines[0]}" = "error=1 message: in[4]: the task returned 3 (2 of 10 items failed)"
    check "${lines[1]}" = "good results: 8, out[4]=0 out[6]=0"
}

@test "get with a timeout on a task still running returns MP_TIMEOUT on time" {
    run t timeout
    check "$status" -eq 0
    took=$(sed -nE 's/^timeout=1 took=([0-9.]+)$/\1/p' <<<"${lines[0]}")
    check -n "$took"
    between "$took" 0.099 0.3 || { echo "get(0.1) took $took s"; false; }
    check "${lines[1]}" = "ready=0 not ready yet=1 errno=EAGAIN"
    check "${lines[4]}" = "get's timeout: the result is not ready yet (Python: multiprocessing.TimeoutError)"
    check "${lines[2]}" = "after terminate: error=1 message: the pool was terminated before the call finished"
    check "${lines[3]}" = "terminate took<0.5s=1"
}

@test "join before close is an error; after close, join waits for the work and the workers; under each method" {
    for m in $METHODS; do
        run t "$m" join-running
        check "$status" -eq 0
        check "${lines[0]}" = "join: error=1 errno=EINVAL message=pool is still running: close or terminate it before join"
        check "${lines[1]}" = "map after close: error=1 (pool not running (closed or terminated))"
        check "${lines[2]}" = "join after close: ok=1 ready=1 out=1,4,9 workers left=0"
    done
}

@test "terminate ends every worker at once, in the middle of its task, under each method" {
    for m in $METHODS; do
        run t "$m" terminate
        check "$status" -eq 0
        check "$output" = "before: workers=3
after: workers left=0 took<1s=1
get: error=1"
    done
}

@test "at exit, unfinished tasks are dropped with one warning line; no worker and no forkserver remain; under each method" {
    for m in $METHODS; do
        start=$(date +%s%N)
        run --separate-stderr t "$m" exit
        elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
        check "$status" -eq 0
        check "${lines[-1]}" = "main returns"
        check "$stderr" = "test_pool: exit: 6 unfinished pool tasks dropped, workers terminated"
        check "$elapsed_ms" -lt 5000     # the tasks would sleep 30 s
        pids=$(pids_after 'worker PID' | sort -u)
        check "$(wc -l <<<"$pids")" -ge 1
        server=$(pids_after 'forkserver PID')
        if [ "$m" = forkserver ]; then check -n "$server"; else check -z "$server"; fi
        all_gone $pids $server
    done
}

@test "a result freed before it is ready never writes to its out array nor calls back" {
    run t abandon
    check "$status" -eq 0
    check "$output" = "join: ok=1 callbacks run=0"
}

@test "a bad number of workers or an item too big is refused, naming the limit" {
    run t bad-arguments
    check "$status" -eq 0
    check "${lines[0]}" = "-1: NULL errno=EINVAL: a pool has 1 to 256 workers (0: one per CPU), not -1"
    check "${lines[1]}" = "257: NULL: a pool has 1 to 256 workers (0: one per CPU), not 257"
    check "${lines[2]}" = "big item: 3: pool: an input plus an output item must fit in 16368 bytes, not 20000 + 8"
    check "${lines[3]}" = "wrapping sizes: 3: pool: an input plus an output item must fit in 16368 bytes, not 18446744073709551615 + 2"
}

# --- under each start method ----------------------------------------------

@test "under each start method: map returns every result in order, run by several workers, none the main" {
    for m in $METHODS; do
        run t "$m" order
        check "$status" -eq 0
        check "$(count_lines '^chunksize [0-9]+ \(used [0-9]+\): status=0 in order=10000$')" -eq 5
        run t "$m" pids
        check "$status" -eq 0
        main=$(sed -nE 's/^map: ok=1 main PID ([0-9]+)$/\1/p' <<<"${lines[0]}")
        check -n "$main"
        workers=$(pids_after 'worker PID' | sort -u)
        check "$(pids_after 'worker PID' | wc -l)" -eq 12
        check "$(wc -l <<<"$workers")" -ge 2 || { echo "$m: one worker ran all"; false; }
        ! grep -qx "$main" <<<"$workers" || { echo "$m: the main ran a task"; false; }
    done
}

@test "under each start method: a worker SIGKILLed fails its item only, and is replaced" {
    for m in $METHODS; do
        run t "$m" killed
        check "$status" -eq 0
        victim=$(sed -nE 's/^victim ([0-9]+)$/\1/p' <<<"${lines[0]}")
        check -n "$victim"
        check "${lines[1]}" = "map: error=1 message: in[4]: worker $victim was killed by signal 9 (SIGKILL)"
        check "${lines[2]}" = "good results: 19, out[4]=0"
        check "${lines[3]}" = "next map: ok=1"
        workers=$(pids_after 'worker PID' | sort -u)
        check "$(wc -l <<<"$workers")" -eq 2 || { echo "$m: not two workers after the kill"; false; }
        ! grep -qx "$victim" <<<"$workers"
    done
}

@test "under each start method: callbacks run in the caller, inside get or ready, never before" {
    for m in $METHODS; do
        run t "$m" callbacks
        check "$status" -eq 0
        check "$output" = "after apply_async: callbacks run=0
callback (apply)
get: ok=1 y=49
after get: callbacks run=1 successful=1
error_callback (map): in[2]: the task returned 3 (3 of 10 items failed)
after ready: callbacks run=2 successful=0"
    done
}

# ctrl_c METHOD [SIGNAL]: runs a map that sleeps in three workers, sends
# SIGINT (or SIGNAL) to the main once each worker has printed its PID;
# prints the output, then the exit status. (A background job starts with
# SIGINT ignored: env puts the default action back.)
ctrl_c() {
    local out=$BATS_TEST_TMPDIR/ctrl-c-$1 main i rc=0
    : >"$out"
    # (stderr too: a worker left behind must not hold the test's pipe open)
    env --default-signal=INT "$TESTBIN/test_pool" "$1" ctrl-c >>"$out" 2>&1 3>&- &
    main=$!
    for i in $(seq 250); do
        [ "$(grep -c '^sleeping in worker PID' "$out")" -ge 3 ] && break
        sleep 0.02
    done
    kill "-${2:-INT}" "$main"
    wait "$main" || rc=$?
    cat "$out"
    echo "status $rc"
}

# signal_during_map SIGNAL STATUS: under each method, SIGNAL to the main
# during a map ends it with STATUS, and leaves no worker and no forkserver.
signal_during_map() {
    local m workers server
    for m in $METHODS; do
        run ctrl_c "$m" "$1"
        check "${lines[-1]}" = "status $2"
        workers=$(pids_after 'sleeping in worker PID')
        check "$(wc -l <<<"$workers")" -eq 3
        server=$(pids_after 'forkserver PID')
        if [ "$m" = forkserver ]; then check -n "$server"; fi
        all_gone $workers $server
    done
}

@test "under each start method: Ctrl-C during a map ends the main (130), every worker and the forkserver" {
    signal_during_map INT 130
}

@test "under each start method: SIGKILL of the main takes every worker and the forkserver with it" {
    # nothing runs in the main after SIGKILL: the kernel's PDEATHSIG ends
    # the workers (their parent is the server under forkserver, which the
    # main's death ends first)
    signal_during_map KILL 137
}

@test "a pool keeps its start method: a worker replaced after the program set fork is still the forkserver's child" {
    run --separate-stderr t forkserver keeps-method
    check "$status" -eq 0
    # main's one child is the server; the server's are the two workers
    check "${lines[0]}" = "after a crash and a map: ok=1, children: main 1, server 2"
}

@test "a task not registered with MP_TASK: runs under fork, refused in Python's words under spawn and forkserver" {
    run t fork unregistered
    check "$output" = "map: status=0 out=1,4,9
apply_async: a result"
    for m in spawn forkserver; do
        run t "$m" unregistered
        check "$status" -eq 0
        [[ "${lines[0]}" =~ ^"map: status=3 out=0,0,0 message: Can't pickle <function at 0x"[0-9a-f]+">: attribute lookup on __main__ failed (register it with MP_TASK)"$ ]] ||
            { echo "$m: ${lines[0]}"; false; }
        check "${lines[1]}" = "apply_async: NULL"
    done
}

@test "a task registered only after mp_main_guard: a new program's worker fails its items, naming it" {
    run t fork late-task
    check "${lines[0]}" = "map: status=0 out=1,4,9"
    for m in spawn forkserver; do
        run t "$m" late-task
        check "$status" -eq 0
        check "${lines[0]}" = "map: status=3 out=0,0,0 message: in[0]: Can't get attribute 'late_square' on <module '__main__'> (the worker has no task of that name: MP_TASK must come before mp_main_guard) (3 of 3 items failed)"
        check "${lines[1]}" = "next map: status=0 out=1,4,9"
    done
}

@test "a pool under spawn or forkserver in a program that registered no task: refused in one line" {
    TEST_POOL_NO_TASKS=1 run t fork no-task
    check "$output" = "pool: made errno=other: "
    for m in spawn forkserver; do
        TEST_POOL_NO_TASKS=1 run t "$m" no-task
        check "$status" -eq 0
        check "$output" = "pool: NULL errno=EINVAL: a pool's workers under $m are new programs: register its tasks with MP_TASK before mp_main_guard"
    done
}

@test "MP_TASK refuses a name too long and a name taken by another function" {
    run t names
    check "$status" -eq 0
    check "$output" = "long: error=1 ENAMETOOLONG: MP_TASK: the name 'a_name_that_is_longer_than_31_chars' is longer than 31 characters
taken: error=1 EEXIST: MP_TASK: another task is registered as 'square'
again: ok=1"
}
