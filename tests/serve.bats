#!/usr/bin/env bats
# serve (seed 2's other end): a static-file HTTP/1.0 server, one child per connection.
load helpers
load server_helpers

setup() { serve_setup; }

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
