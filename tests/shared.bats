#!/usr/bin/env bats
# The shared layer (Lock, Value, Array, Pipe), driven through
# tests/c/test_shared.c, under each start method.
load helpers

t() { timeout 20 "$TESTBIN/test_shared" "$@" 3>&-; }

# took LINE: the seconds after "took=" on LINE.
took() { sed -nE 's/.*took=([0-9.]+).*/\1/p' <<<"$1"; }

@test "Lock: a timed acquire times out naming the holder; release only by the holder; not re-entrant" {
    for m in $METHODS; do
        run t "$m" lock-timeout
        check "$status" -eq 0
        [[ "${lines[0]}" =~ ^"acquire(0.1) while held: timeout took="[0-9.]+" (the lock is still held by PID "[0-9]+")"$ ]] ||
            { echo "$m: ${lines[0]}"; false; }
        between "$(took "${lines[0]}")" 0.099 0.5 || { echo "$m: ${lines[0]}"; false; }
        [[ "${lines[1]}" == "acquire(0): timeout took=0.00"* ]] || { echo "$m: ${lines[1]}"; false; }
        [[ "${lines[2]}" =~ ^"release by another: error (the lock is held by PID "[0-9]+": only its holder can release it)"$ ]]
        check "${lines[3]}" = "release when free: error (semaphore or lock released too many times)"
        [[ "${lines[4]}" == "acquire: ok, again: error (this process holds the lock already: a Lock is not re-entrant"* ]]
        check "${lines[5]}" = "release: ok, holder_died=0"
    done
}

@test "Lock: a holder SIGKILLed holding it: the process asleep on it gets it within seconds, and is told" {
    for m in $METHODS; do
        run t "$m" kill-holder
        check "$status" -eq 0
        check "${lines[0]}" = "holder exitcode=-9"
        [[ "${lines[1]}" =~ ^"waiter: acquire ok took="[0-9.]+" holder_died=1 a=1,0"$ ]] ||
            { echo "$m: ${lines[1]}"; false; }
        between "$(took "${lines[1]}")" 0 3 || { echo "$m: ${lines[1]}"; false; }
        # told once: the next taker gets it the ordinary way
        check "${lines[2]}" = "next acquire: ok holder_died=0"
    done
}

@test "Lock: a holder SIGKILLed with nobody waiting: the next acquire gets it at once, and is told" {
    for m in fork spawn; do
        run t "$m" kill-holder-alone
        check "$status" -eq 0
        check "${lines[0]}" = "holder exitcode=-9"
        [[ "${lines[1]}" =~ ^"main: ok took="[0-9.]+" holder_died=1 a=1,0"$ ]] || { echo "${lines[1]}"; false; }
        between "$(took "${lines[1]}")" 0 1
        check "${lines[2]}" = "next acquire: ok holder_died=0"
    done
}

@test "Value, Array: Python's typecodes, zeroed; bad ones refused in Python's words; locked adds from 3 processes" {
    for m in $METHODS; do
        run t "$m" value
        check "$status" -eq 0
        check "${lines[0]}" = "typecodes: cbBhHiIlLqQfd"
        check "${lines[1]}" = "Value('z'): NULL (typecode 'z': this type has no size (typecodes: c b B h H i I l L q Q f d))"
        check "${lines[2]}" = "Array('d', 0): NULL (an Array of 0 items)"
        [[ "${lines[3]}" =~ ^"attach a lock's fd as a Value: NULL (descriptor "[0-9]+" holds no Value or Array)"$ ]]
        check "${lines[4]}" = "Array('d', 5) after 3 x 2000 locked adds: 6000 6000 6000 6000 6000"
    done
}

@test "Pipe: messages of 0 bytes to 1 MB go there and back whole, duplex and one-way; poll times out; end of file" {
    for m in $METHODS; do
        for kind in duplex oneway; do
            run t "$m" "pipe-$kind"
            check "$status" -eq 0
            if [ "$kind" = duplex ]; then check "${lines[0]}" = "ends: readable/writable 11 11"
            else check "${lines[0]}" = "ends: readable/writable 01 10"; fi
            [[ "${lines[1]}" == "round trips whole: 6 of 6; poll(0.1) with nothing sent: timeout took="* ]] ||
                { echo "$m $kind: ${lines[1]}"; false; }
            between "$(took "${lines[1]}")" 0.099 0.5
            check "${lines[2]}" = "echo exitcode=0 (0: it saw end of file)"
        done
    done
}

@test "Pipe: the wrong end, a closed end, a message too long: Python's words; a timed recv" {
    run t fork pipe-errors
    check "$status" -eq 0
    check "${lines[0]}" = "send on the read end: error (connection is read-only)"
    check "${lines[1]}" = "recv on the write end: error (connection is write-only)"
    [[ "${lines[2]}" == "recv(0.1) on an empty pipe: timeout took="* ]]
    between "$(took "${lines[2]}")" 0.099 0.5
    check "${lines[3]}" = "16 bytes into 10: error (bad message length) fd=-1"
    check "${lines[4]}" = "recv on a closed end: error (handle is closed)"
}

@test "Pipe: the writer SIGKILLed: the reader gets every whole message, then end of file, at once" {
    for m in $METHODS; do
        run t "$m" pipe-eof
        check "$status" -eq 0
        check "${lines[0]}" = "writer exitcode=-9"
        [[ "${lines[1]}" == "got 3 messages; then poll: closed, recv: closed took="*" (end of file: the other end is closed (Python: EOFError))" ]] ||
            { echo "$m: ${lines[1]}"; false; }
        between "$(took "${lines[1]}")" 0 0.5
    done
}

@test "Pipe: the writer SIGKILLed in the middle of a message: an error, and the connection closed" {
    for m in fork spawn; do
        run t "$m" pipe-cut
        check "$status" -eq 0
        check "${lines[0]}" = "writer exitcode=-9"
        check "${lines[1]}" = "killed mid-message: error (got end of file during message) fd=-1"
    done
}

@test "Pipe: a send with no reader left says closed, without SIGPIPE, pipe and socketpair alike" {
    run t fork pipe-reader-gone
    check "$status" -eq 0
    check "${lines[0]}" = "pipe: closed (Broken pipe: the other end is closed)"
    check "${lines[1]}" = "socketpair: closed (Broken pipe: the other end is closed)"
}
