#!/usr/bin/env bats
# serve (seed 2's other end): a static-file HTTP/1.0 server, one child per connection.
load helpers
load server_helpers

setup() {
    WWW=$BATS_TEST_TMPDIR/www
    mkdir -p "$WWW/sub"
    printf 'hello\n' >"$WWW/a.txt"
    head -c 3000 /dev/urandom >"$WWW/sub/b.png"
    printf 'secret\n' >"$BATS_TEST_TMPDIR/outside.txt"
}

@test "serve prints where it listens, then answers GET and HEAD of a file" {
    start_serve "$WWW"
    check "$(head -1 "$BATS_TEST_TMPDIR/serve.out")" = "serving $WWW at http://127.0.0.1:$PORT/"
    run http_raw $'GET /a.txt HTTP/1.0\r\nHost: x\r\n\r\n'
    check "${lines[0]}" = "HTTP/1.0 200 OK"
    check "${lines[1]}" = "Content-Type: text/plain; charset=utf-8"
    check "${lines[2]}" = "Content-Length: 6"
    check "${lines[3]}" = "hello"
    run http_raw $'HEAD /sub/b.png HTTP/1.0\r\n\r\n'
    check "${lines[0]}" = "HTTP/1.0 200 OK"
    check "${lines[1]}" = "Content-Type: image/png"
    check "${lines[2]}" = "Content-Length: 3000"
    check "${#lines[@]}" -eq 3     # no body
    stop_serve
}

@test "serve refuses paths that leave its directory: .., %2e%2e, a symlink out" {
    ln -s "$BATS_TEST_TMPDIR/outside.txt" "$WWW/out"
    ln -s /etc/passwd "$WWW/passwd"
    ln -s a.txt "$WWW/in"
    start_serve "$WWW"
    for path in /../../etc/passwd /%2e%2e/%2e%2e/etc/passwd /sub/%2E%2E/%2e%2e/outside.txt \
                /out /passwd //etc/passwd /sub; do
        run http_raw "GET $path HTTP/1.0"$'\r\n\r\n'
        check "${lines[0]}" = "HTTP/1.0 404 Not Found"
        [[ "$output" != *root:* && "$output" != *secret* ]]
    done
    run http_raw $'GET /in HTTP/1.0\r\n\r\n'     # a symlink that stays inside is fine
    check "${lines[0]}" = "HTTP/1.0 200 OK"
    check "${lines[3]}" = "hello"
    stop_serve
}

@test "serve answers POST with 405, a 10 KB request line with 414, 17 KB of headers with 431, garbage with 400" {
    start_serve "$WWW"
    run http_raw $'POST /a.txt HTTP/1.0\r\nContent-Length: 0\r\n\r\n'
    check "${lines[0]}" = "HTTP/1.0 405 Method Not Allowed"
    check "${lines[1]}" = "Allow: GET, HEAD"
    run http_raw "GET /$(head -c 10240 /dev/zero | tr '\0' a) HTTP/1.0"$'\r\n\r\n'
    check "${lines[0]}" = "HTTP/1.0 414 URI Too Long"
    run http_raw "GET /a.txt HTTP/1.0"$'\r\n'"X-Big: $(head -c 17000 /dev/zero | tr '\0' b)"$'\r\n\r\n'
    check "${lines[0]}" = "HTTP/1.0 431 Request Header Fields Too Large"
    for bad in $'garbage\r\n\r\n' $'GET /a.txt\r\n\r\n' $'GET  /a.txt HTTP/1.0\r\n\r\n' \
               $'GET /a.txt HTTP/1.0\r\nno colon\r\n\r\n' $'GET /a%zz HTTP/1.0\r\n\r\n' \
               $'GET /a%00 HTTP/1.0\r\n\r\n' $'GET a.txt HTTP/1.0\r\n\r\n'; do
        run http_raw "$bad"
        check "${lines[0]}" = "HTTP/1.0 400 Bad Request"
    done
    stop_serve
}

@test "a client that sends nothing gets 408 after --timeout, and frees its child" {
    start_serve "$WWW" --timeout 0.3
    start=$(date +%s%N)
    run http_raw ''
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "${lines[0]}" = "HTTP/1.0 408 Request Timeout"
    check "$elapsed_ms" -ge 250
    check "$elapsed_ms" -lt 3000
    stop_serve
}

@test "serve logs one line per request: child PID, method, path, status, bytes" {
    start_serve "$WWW"
    http_raw $'GET /a.txt HTTP/1.0\r\n\r\n' >/dev/null
    http_raw $'GET /nope HTTP/1.0\r\n\r\n' >/dev/null
    http_raw $'HEAD /a.txt HTTP/1.0\r\n\r\n' >/dev/null
    stop_serve
    output=$(cat "$SERVE_LOG")
    check "$(count_lines '^serve: child [0-9]+: GET /a\.txt 200 6 bytes$')" -eq 1
    check "$(count_lines '^serve: child [0-9]+: GET /nope 404 14 bytes$')" -eq 1
    check "$(count_lines '^serve: child [0-9]+: HEAD /a\.txt 200 0 bytes$')" -eq 1
    check "$(pids_after 'serve: child' | sort -u | wc -l)" -eq 3   # a new child for each
    [[ "$(pids_after 'serve: child' | head -1)" != "$SERVE_PID" ]]
}

@test "SIGTERM stops accepting, lets the running answer finish, exits 0" {
    start_serve "$WWW" --delay 0.5
    http_raw $'GET /a.txt HTTP/1.0\r\n\r\n' >"$BATS_TEST_TMPDIR/answer" &
    client=$!
    sleep 0.2                          # the child is now in its delay
    start=$(date +%s%N)
    stop_serve                         # exits 0, nothing left running
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    wait "$client"
    check "$elapsed_ms" -ge 150        # it waited for the child
    run cat "$BATS_TEST_TMPDIR/answer"
    check "${lines[0]}" = "HTTP/1.0 200 OK"
    check "${lines[3]}" = "hello"
    run bash -c "exec 4<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
    check "$status" -ne 0              # no one listens any more
}

@test "Ctrl-C (SIGINT to the process group) lets the running answer finish, exits 0" {
    out=$BATS_TEST_TMPDIR/serve.out
    # timeout runs serve in a process group of its own and sends SIGINT to
    # the whole group after 0.4 s, as a terminal does on Ctrl-C
    timeout --preserve-status -s INT 0.4 "$BIN/serve" --dir "$WWW" --delay 0.6 \
        >"$out" 2>"$out.log" 3>&- &
    tpid=$!
    for i in $(seq 50); do
        PORT=$(sed -nE 's|.*:([0-9]+)/$|\1|p' "$out" 2>/dev/null)
        [ -n "$PORT" ] && break
        sleep 0.02
    done
    run http_raw $'GET /a.txt HTTP/1.0\r\n\r\n'
    check "${lines[0]}" = "HTTP/1.0 200 OK"
    wait "$tpid" && status=0 || status=$?
    check "$status" -eq 0
    output=$(cat "$out.log")
    check "$(count_lines 'GET /a\.txt 200 6 bytes')" -eq 1
    all_gone $(pids_after 'serve: child')
}

@test "a second stop signal does not wait: it ends the answers under way, exits 0" {
    start_serve "$WWW" --delay 5
    http_raw $'GET /a.txt HTTP/1.0\r\n\r\n' >"$BATS_TEST_TMPDIR/answer" &
    client=$!
    for i in $(seq 50); do     # until the child answering it has started
        pgrep -P "$SERVE_PID" >/dev/null && break
        sleep 0.02
    done
    child=$(pgrep -P "$SERVE_PID")
    check -n "$child"
    start=$(date +%s%N)
    kill -TERM "$SERVE_PID"
    kill -TERM "$SERVE_PID"    # the same request sent twice at once counts once
    sleep 0.7
    kill -0 "$SERVE_PID"       # the first stop waits for the answer...
    kill -TERM "$SERVE_PID"    # ...a second one, later, does not
    wait "$SERVE_PID" && status=0 || status=$?
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$status" -eq 0
    check "$elapsed_ms" -lt 2000
    wait "$client" || true
    all_gone "$child"
    grep -q 'Ctrl-C again' "$SERVE_LOG"
}

@test "serve refuses bad options: exit 2 naming the option; a missing --dir: exit 1" {
    run --separate-stderr demo serve --port 70000
    check "$status" -eq 2
    [[ "${stderr_lines[0]}" == "serve: --port: '70000' "* ]]
    run --separate-stderr demo serve --bind localhost
    check "$status" -eq 2
    check "${stderr_lines[0]}" = "serve: --bind: 'localhost' is not a numeric IP address"
    run --separate-stderr demo serve --delay -1
    check "$status" -eq 2
    run --separate-stderr demo serve --dir "$BATS_TEST_TMPDIR/nonexistent"
    check "$status" -eq 1
    [[ "${stderr_lines[0]}" == "serve: --dir $BATS_TEST_TMPDIR/nonexistent: No such file"* ]]
}

@test "serve with its standard output closed says so and exits 1" {
    # (Its listening socket used to take the free number 1: the "serving"
    # line went into the socket, and SIGPIPE ended serve without a word.)
    run bash -c 'timeout 10 "$1" --dir "$2" >&- 3>&-' _ "$BIN/serve" "$WWW"
    check "$status" -eq 1
    check "$output" = "serve: standard output: Bad file descriptor"
}

@test "a directory swapped for a symlink out (renameat2 loop): no answer carries the outside file" {
    # sw is a directory inside --dir; sw_link a symlink to one outside. While
    # http_attack swaps the two names as fast as it can, 500 GET /sw/secret.txt:
    # each is answered from inside (200) or not at all (404), never from outside.
    mkdir "$WWW/sw" "$BATS_TEST_TMPDIR/away"
    printf 'inside\n' >"$WWW/sw/secret.txt"
    printf 'OUTSIDE\n' >"$BATS_TEST_TMPDIR/away/secret.txt"
    ln -s "$BATS_TEST_TMPDIR/away" "$WWW/sw_link"
    start_serve "$WWW"
    run timeout 60 "$TESTBIN/http_attack" race "$PORT" "$WWW" 500
    check "$status" -eq 0
    [[ "$output" =~ ^200\ ([0-9]+),\ 404\ ([0-9]+),\ other\ 0,\ outside\ 0$ ]] || { echo "$output"; false; }
    check "${BASH_REMATCH[1]}" -gt 0     # the race really ran: both answers seen
    check "${BASH_REMATCH[2]}" -gt 0
    stop_serve
}

@test "64 clients dripping their request hold every child: a new client is answered at once, each dripper cut at --timeout" {
    start_serve "$WWW" --timeout 2
    "$TESTBIN/http_attack" drip "$PORT" 64 10 head >"$BATS_TEST_TMPDIR/drip" 3>&- &
    dripper=$!
    for i in $(seq 100); do      # until serve has forked a child for each (5 s at most)
        [ "$(pgrep -c -P "$SERVE_PID")" -ge 64 ] && break
        sleep 0.05
    done
    check "$(pgrep -c -P "$SERVE_PID")" -ge 64
    start=$(date +%s%N)
    run http_raw $'GET /a.txt HTTP/1.0\r\n\r\n'
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    # all 64 are busy: the parent itself says so at once (or, if a dripper
    # was already cut, a child answers)
    [[ "${lines[0]}" == "HTTP/1.0 503 Service Unavailable" || "${lines[0]}" == "HTTP/1.0 200 OK" ]] \
        || { echo "$output"; false; }
    check "$elapsed_ms" -lt 2000
    wait "$dripper"
    run cat "$BATS_TEST_TMPDIR/drip"
    [[ "$output" =~ ^closed\ 64\ of\ 64,\ longest\ ([0-9.]+)\ s$ ]] || { echo "$output"; false; }
    between "${BASH_REMATCH[1]}" 1.5 6     # --timeout 2, plus the goodbye (1 s), plus load
    run http_raw $'GET /a.txt HTTP/1.0\r\n\r\n'
    check "${lines[0]}" = "HTTP/1.0 200 OK"
    stop_serve
    output=$(cat "$SERVE_LOG")
    check "$(count_lines '^serve: busy:')" -le 2     # at most a line a second
}

@test "a client that keeps sending after its answer is cut within about a second" {
    start_serve "$WWW"
    run timeout 30 "$TESTBIN/http_attack" drip "$PORT" 8 10 after
    [[ "$output" =~ ^closed\ 8\ of\ 8,\ longest\ ([0-9.]+)\ s$ ]] || { echo "$output"; false; }
    between "${BASH_REMATCH[1]}" 0.5 4
    stop_serve
}

@test "accept failing (no free descriptor): one log line a second at most, SIGTERM still stops it" {
    # fds 0-2, --dir and the listener: a sixth descriptor cannot be had, so
    # every accept fails with EMFILE while the client waits in the queue
    # (the descriptors bats leaves open are closed first)
    start_server "$BATS_TEST_TMPDIR/serve.out" bash -c '
        for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
        ulimit -n 5 && exec "$0" --dir "$1"' "$BIN/serve" "$WWW"
    SERVE_PID=$SERVER_PID
    SERVE_LOG=$BATS_TEST_TMPDIR/serve.out.log
    exec 4<>"/dev/tcp/127.0.0.1/$PORT"
    for i in $(seq 100); do      # until serve has met the failure
        grep -q 'accept: Too many open files' "$SERVE_LOG" && break
        sleep 0.02
    done
    start=$(date +%s%N)
    while [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 2000 ]; do sleep 0.1; done
    output=$(cat "$SERVE_LOG")
    check "$(count_lines '^serve: accept: Too many open files \(pausing\)$')" -ge 1
    check "$(count_lines '^serve: accept: ')" -le 3           # 2 s: 3 lines at most
    check "$(stat -c %s "$SERVE_LOG")" -lt 1000
    start=$(date +%s%N)
    stop_serve
    check $(( ($(date +%s%N) - start) / 1000000 )) -lt 2000
    exec 4<&-
}

@test "the access log fits 80 columns, even for the seed's long file names and a long path" {
    long=3f52ff39e52f182d1bfd9ce061e9c6a6_254_144.jpg
    printf 'x' >"$WWW/$long"
    start_serve "$WWW"
    http_raw "GET /$long HTTP/1.0"$'\r\n\r\n' >/dev/null
    http_raw "GET /$(head -c 300 /dev/zero | tr '\0' a) HTTP/1.0"$'\r\n\r\n' >/dev/null
    stop_serve
    output=$(cat "$SERVE_LOG")
    # a path too long loses its middle, not its end
    check "$(count_lines "GET /3f52ff39.*_144\.jpg 200 1 bytes$")" -eq 1
    check "$(count_lines 'GET /aaaa+\.\.\.aaaa+ 404 14 bytes$')" -eq 1
    check "$(awk 'length > 80' "$SERVE_LOG" | wc -l)" -eq 0
}

@test "without openat2, the fallback opens one component at a time and follows no symlink, no .." {
    d=$BATS_TEST_TMPDIR
    ln -s a.txt "$WWW/in"
    ln -s ../outside.txt "$WWW/out"
    mkfifo "$WWW/fifo"
    printf 'b\n' >"$WWW/sub/b.txt"
    run timeout 10 "$TESTBIN/test_http" "$d"
    check "$status" -eq 0
    check "$output" = "a.txt: opened
sub/b.txt: opened
sub//./b.txt: opened
in: refused (Too many levels of symbolic links)
out: refused (Too many levels of symbolic links)
../outside.txt: refused (No such file or directory)
sub/../a.txt: refused (No such file or directory)
fifo: opened (not a regular file)
sub: opened (not a regular file)
: refused (No such file or directory)
nope: refused (No such file or directory)"
}
