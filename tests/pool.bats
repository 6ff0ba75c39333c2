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

@test "a task that dereferences NULL fails its item, naming the worker and the signal; the other 99 are right; the next map works" {
    run --separate-stderr t crash
    check "$status" -eq 0
    check "${lines[0]}" = "first map: error=1 took<2s=1"
    [[ "${lines[1]}" =~ ^"message: in[36]: worker "[0-9]+" "$(crash_cause)$ ]] || { echo "got: ${lines[1]}"; false; }
    check "${lines[2]}" = "good results: 99, out[36]=0"
    check "${lines[3]}" = "second map: ok=1 good results: 100"
    check "${lines[4]}" = "join: 0"
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

@test "workers SIGKILLed at random during many large maps: every output is right or its failed item's zero, none ran twice" {
    run t kill-during-maps
    check "$status" -eq 0
    check "${lines[0]}" = "kills>0=1 wrong=0 zeros=failed=1 ran twice=0"
    check "${lines[2]}" = "next map: ok=1 good results: 100"
    check "${lines[3]}" = "close and join: 0, in time: 1"
    check "${lines[4]}" = "no child left: 1"
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
    check "${lines[1]}" = "ready=0 successful=-1 errno=EAGAIN"
    check "${lines[4]}" = "get's timeout: the result is not ready yet (Python: multiprocessing.TimeoutError)"
    check "${lines[2]}" = "after terminate: error=1 message: the pool was terminated before the call finished"
    check "${lines[3]}" = "terminate took<0.5s=1"
}

@test "join before close is an error; after close, join waits for the work and the workers" {
    run t join-running
    check "$status" -eq 0
    check "${lines[0]}" = "join: rc=-1 errno=EINVAL message=pool is still running: close or terminate it before join"
    check "${lines[1]}" = "map after close: error=1 (pool not running (closed or terminated))"
    check "${lines[2]}" = "join after close: rc=0 ready=1 out=1,4,9 no children=1"
}

@test "terminate ends every worker at once, in the middle of its task" {
    run t terminate
    check "$status" -eq 0
    check "$output" = "before: no children=0
after: no children=1 took<1s=1
get: error=1"
}

@test "at exit, unfinished tasks are dropped with one warning line and no worker remains" {
    start=$(date +%s%N)
    run --separate-stderr t exit
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$status" -eq 0
    check "${lines[-1]}" = "main returns"
    check "$stderr" = "test_pool: exit: 6 unfinished pool tasks dropped, workers terminated"
    check "$elapsed_ms" -lt 5000     # the tasks would sleep 30 s
    pids=$(pids_after 'worker PID' | sort -u)
    check "$(wc -l <<<"$pids")" -ge 1
    all_gone $pids
}

@test "callbacks run in the caller, inside get or ready, never before" {
    run t callbacks
    check "$status" -eq 0
    check "$output" = "after apply_async: callbacks run=0
callback (apply)
get: ok=1 y=49
after get: callbacks run=1 successful=1
error_callback (map): in[2]: the task returned 3 (3 of 10 items failed)
after ready: callbacks run=2 successful=0"
}

@test "a result freed before it is ready never writes to its out array nor calls back" {
    run t abandon
    check "$status" -eq 0
    check "$output" = "join: 0 callbacks run=0"
}

@test "a bad number of workers or an item too big is refused, naming the limit" {
    run t bad-arguments
    check "$status" -eq 0
    check "${lines[0]}" = "-1: NULL errno=EINVAL: a pool has 1 to 256 workers (0: one per CPU), not -1"
    check "${lines[1]}" = "257: NULL: a pool has 1 to 256 workers (0: one per CPU), not 257"
    check "${lines[2]}" = "big item: 3: pool: an input plus an output item must fit in 16368 bytes, not 20000 + 8"
    check "${lines[3]}" = "wrapping sizes: 3: pool: an input plus an output item must fit in 16368 bytes, not 18446744073709551615 + 2"
}
