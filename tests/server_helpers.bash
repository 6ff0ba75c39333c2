# Starting and stopping a server (`serve`, or tests/c/fake_server) from a
# test, on a free loopback port, and the files they serve. Loaded by
# serve*.bats and download*.bats.

SERVER_PIDS=()

# start_server OUT COMMAND...: starts COMMAND in the background, its stdout in
# OUT and its stderr in OUT.log; waits for its first line, which ends with
# "http://127.0.0.1:PORT/", and sets PORT and SERVER_PID.
start_server() {
    local out=$1 i
    shift
    : >"$out"                 # there before the loop below reads it
    "$@" >"$out" 2>"$out.log" 3>&- &
    SERVER_PID=$!
    SERVER_PIDS+=("$SERVER_PID")
    for i in $(seq 100); do
        PORT=$(sed -nE '1s|.*http://127\.0\.0\.1:([0-9]+)/$|\1|p' "$out")
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    echo "server did not start: $(cat "$out" "$out.log")"
    return 1
}

# start_serve DIR [OPTION...]: serve DIR; sets PORT, SERVE_PID, SERVE_LOG, URL.
start_serve() {
    start_server "$BATS_TEST_TMPDIR/serve.out" "$BIN/serve" --dir "$@" || return 1
    SERVE_PID=$SERVER_PID
    SERVE_LOG=$BATS_TEST_TMPDIR/serve.out.log
    URL=http://127.0.0.1:$PORT
}

# stop_serve: SIGTERM, then checks that serve exited 0 within 10 s (else it
# is killed, and the test fails), that neither it nor any child it had then
# is still running, and that no child reported a sanitizer error (make check).
# (Its children, not the PIDs in its log: after thousands of connections a
# logged PID may be another process's by now.)
stop_serve() {
    local status=0 i children
    children=$(pgrep -P "$SERVE_PID" || true)
    kill -TERM "$SERVE_PID"
    for i in $(seq 200); do
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$SERVE_PID" 2>/dev/null; then
        kill -KILL "$SERVE_PID"
        echo "serve did not stop within 10 s of SIGTERM"
    fi
    wait "$SERVE_PID" || status=$?
    [ "$status" -eq 0 ] || { echo "serve exited with $status"; cat "$SERVE_LOG"; return 1; }
    all_gone "$SERVE_PID" $children
    ! grep -E 'Sanitizer|runtime error' "$SERVE_LOG"
}

# children_gone PID: waits (5 s at most) until PID has no child left.
children_gone() {
    local i
    for i in $(seq 100); do
        pgrep -P "$1" >/dev/null || return 0
        sleep 0.05
    done
    echo "children of $1 still running: $(pgrep -P "$1" | tr '\n' ' ')"
    return 1
}

# start_fake MODE [FILE]: tests/c/fake_server; sets PORT, FAKE_PID, FAKE_URL.
start_fake() {
    start_server "$BATS_TEST_TMPDIR/fake$RANDOM.out" "$TESTBIN/fake_server" "$@" || return 1
    FAKE_PID=$SERVER_PID
    FAKE_URL=http://127.0.0.1:$PORT
}

# closed_port: sets CLOSED to a loopback port nobody listens on: a fake
# server's, found free, then freed again.
closed_port() {
    start_fake silent || return 1
    CLOSED=$PORT
    stop_fake
}

# http_raw REQUEST: sends REQUEST as it is to serve, prints the answer with
# the \r of each line removed.
http_raw() {
    exec 4<>"/dev/tcp/127.0.0.1/$PORT" || return 1
    printf '%s' "$1" >&4
    timeout 5 cat <&4 | tr -d '\r'
    exec 4<&-
}

# stop_fake: ends every fake_server the test started.
stop_fake() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        if [ "$pid" != "${SERVE_PID-}" ]; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
}

# left_running TEXT: the PIDs of processes whose command line holds TEXT
# (a demo's workers share its command line: fork copies it).
left_running() {
    pgrep -f -- "$1" || true
}

# Whatever a failed test left running is ended.
teardown() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    true
}

# serve_setup: $WWW holds a.txt and sub/b.png; outside.txt lies beyond it.
serve_setup() {
    WWW=$BATS_TEST_TMPDIR/www
    mkdir -p "$WWW/sub"
    printf 'hello\n' >"$WWW/a.txt"
    head -c 3000 /dev/urandom >"$WWW/sub/b.png"
    printf 'secret\n' >"$BATS_TEST_TMPDIR/outside.txt"
}

# download_setup: $WWW to serve (empty), $OUT to download into.
download_setup() {
    WWW=$BATS_TEST_TMPDIR/www
    OUT=$BATS_TEST_TMPDIR/out
    mkdir -p "$WWW" "$OUT"
}

# worker_pids: the distinct worker PIDs in download's $output
worker_pids() {
    pids_after '^worker' | sort -u
}

# make_files NAME:SIZE...: random binary files in $WWW
make_files() {
    local spec
    for spec in "$@"; do
        head -c "${spec#*:}" /dev/urandom >"$WWW/${spec%%:*}"
    done
}
