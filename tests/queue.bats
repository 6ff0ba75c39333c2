#!/usr/bin/env bats
# The queue layer (mp_queue), driven through tests/c/test_queue.c.
load helpers

t() { timeout 20 "$TESTBIN/test_queue" "$@" 3>&-; }

@test "4 producers x 50,000 items into 4 consumers: every item once, each producer's in order" {
    run t many
    check "$status" -eq 0
    check "$output" = "items=200000/200000 checksum=ok order=ok statuses=closed,closed,closed,closed"
}

@test "put_many and get_many, 4 producers x 50,000 items in batches of 1 to 64: every item once, in order" {
    run t many-batched
    check "$status" -eq 0
    check "$output" = "items=200000/200000 checksum=ok order=ok statuses=closed,closed,closed,closed"
}

@test "put_many puts what fits before its timeout; get_many takes what is there; both after close" {
    run t batch-edges
    check "$status" -eq 0
    check "${lines[0]}" = "put_many of 0: ok put=0"
    check "${lines[1]}" = "get_many of at most 0: error got=0 (get_many of 0 items)"
    [[ "${lines[2]}" == "put_many of 5 into room for 3: timeout put=3 took="* ]] || { echo "$output"; false; }
    check "${lines[3]}" = "get_many of at most 10: ok got=3: 1 2 3"
    check "${lines[4]}" = "again, timeout 0: timeout got=0"
    check "${lines[5]}" = "put_many after close: closed put=0"
    check "${lines[6]}" = "get_many after close: ok got=2"
    check "${lines[7]}" = "then: closed got=0"
}

@test "consumers can also stop at a poison pill, as Python's Pool workers do" {
    run t pill
    check "$status" -eq 0
    check "${lines[0]}" = "items=2000/2000 checksum=ok order=ok statuses=ok,ok,ok"
    check "${lines[1]}" = "left in queue: 0"
}

@test "get with a 0.1 s timeout on an empty queue times out after 0.1 s; timeout 0 does not wait" {
    run t get-timeout
    check "$status" -eq 0
    [[ "${lines[0]}" == "status=timeout took="* ]]
    took=$(sed -nE 's/.*took=([0-9.]+).*/\1/p' <<<"${lines[0]}")
    between "$took" 0.099 0.3 || { echo "get(0.1) took $took s"; false; }
    [[ "${lines[1]}" == "timeout 0: status=timeout took=0.00"* ]]
}

@test "put with a 0.1 s timeout on a full queue times out after 0.1 s" {
    run t put-timeout
    check "$status" -eq 0
    check "${lines[0]}" = "two puts: ok ok full=1 qsize=2"
    [[ "${lines[1]}" == "status=timeout took="* ]]
    took=$(sed -nE 's/.*took=([0-9.]+).*/\1/p' <<<"${lines[1]}")
    between "$took" 0.099 0.3 || { echo "put(0.1) took $took s"; false; }
}

@test "close wakes every process asleep in get or put, with the closed status" {
    run t close-wakes
    check "$status" -eq 0
    check "${lines[0]}" = "asleep before close: 5"
    [[ "${lines[1]}" == "woken=5 closed=5 took="* ]]
    took=$(sed -nE 's/.*took=([0-9.]+).*/\1/p' <<<"${lines[1]}")
    between "$took" 0 0.5 || { echo "waking them took $took s"; false; }
}

@test "after close: put is refused, get drains what is left, then says closed" {
    run t closed
    check "$status" -eq 0
    check "${lines[0]}" = "put after close: closed (put on a closed queue)"
    check "${lines[1]}" = "qsize after close: 2"
    check "${lines[2]}" = "drain: ok 1, ok 2"
    check "${lines[3]}" = "then: closed, with timeout 0: closed, empty=1"
}

@test "a consumer SIGKILLed holding the lock mid-get: the others get every item, within seconds" {
    run t kill-holding-lock
    check "$status" -eq 0
    check "${lines[0]}" = "victim exitcode=-9"
    check "${lines[1]}" = "items=20000/20000 checksum=ok order=ok statuses=closed,closed"
    took=$(sed -nE 's/^took=([0-9.]+)$/\1/p' <<<"${lines[2]}")
    between "$took" 0 3 || { echo "took $took s"; false; }
}

@test "a producer SIGKILLed holding the lock mid-put leaves no half item behind" {
    run t kill-mid-put
    check "$status" -eq 0
    check "${lines[0]}" = "victim exitcode=-9"
    check "${lines[1]}" = "items=20000/20000 checksum=ok order=ok statuses=closed,closed"
    took=$(sed -nE 's/^took=([0-9.]+)$/\1/p' <<<"${lines[2]}")
    between "$took" 0 3 || { echo "took $took s"; false; }
}

@test "a consumer SIGKILLed while asleep in get: the others get every item, within seconds" {
    run t kill-waiting
    check "$status" -eq 0
    check "${lines[0]}" = "asleep before kill: 1"
    check "${lines[1]}" = "victim exitcode=-9"
    check "${lines[2]}" = "items=20000/20000 checksum=ok order=ok statuses=closed,closed"
    took=$(sed -nE 's/^took=([0-9.]+)$/\1/p' <<<"${lines[3]}")
    between "$took" 0 3 || { echo "took $took s"; false; }
}

@test "producers and consumers SIGKILLed at random moments, 100 times: no item twice, none lost, all finish" {
    run t kill-random
    check "$status" -eq 0
    [[ "${lines[0]}" == "finished=4/4 taken twice=0 missing=ok took="* ]] || { echo "$output"; false; }
    took=$(sed -nE 's/.*took=([0-9.]+)$/\1/p' <<<"${lines[0]}")
    between "$took" 0 5 || { echo "finishing took $took s"; false; }
}

@test "the same with put_many and get_many of 16: no item twice, none lost beyond a batch per killed consumer" {
    run t kill-random-batched
    check "$status" -eq 0
    [[ "${lines[0]}" == "finished=4/4 taken twice=0 missing=ok took="* ]] || { echo "$output"; false; }
    took=$(sed -nE 's/.*took=([0-9.]+)$/\1/p' <<<"${lines[0]}")
    between "$took" 0 5 || { echo "finishing took $took s"; false; }
}

@test "a producer woken on the lock and SIGKILLed before it takes it: the one asleep behind it still puts" {
    run t lock-wake-lost
    check "$status" -eq 0
    check "${lines[0]}" = "holder exitcode=0, second sleeper put within 2 s: 1, exitcode=0"
}
