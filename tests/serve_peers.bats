#!/usr/bin/env bats
# serve against odd, heavy and hostile peers (the table of
# docs/02-download.md): paths out of its directory, a racing symlink, bad
# requests, clients that drip, flood, keep their connection or never stop
# sending, no descriptor free, a listener above 1024, wrk and ab; a second
# stop signal, no standard output. (The lesson: tests/serve.bats.) In make
# test-full.
load helpers
load server_helpers

setup() { serve_setup; }

@test "a directory swapped for a symlink out (renameat2 loop): no answer carries the outside file" {
    # sw is a directory inside --dir; sw_link a symlink to one outside. While
    # http_attack swaps the two names as fast as it can, 150 GET /sw/secret.txt:
    # each is answered from inside (200) or not at all (404), never from outside.
    mkdir "$WWW/sw" "$BATS_TEST_TMPDIR/away"
    printf 'inside\n' >"$WWW/sw/secret.txt"
    printf 'OUTSIDE\n' >"$BATS_TEST_TMPDIR/away/secret.txt"
    ln -s "$BATS_TEST_TMPDIR/away" "$WWW/sw_link"
    start_serve "$WWW"
    run timeout 60 "$TESTBIN/http_attack" race "$PORT" "$WWW" 150
    check "$status" -eq 0
    [[ "$output" =~ ^200\ ([0-9]+),\ 404\ ([0-9]+),\ other\ 0,\ outside\ 0$ ]] || { echo "$output"; false; }
    check "${BASH_REMATCH[1]}" -gt 0     # the race really ran: both answers seen
    check "${BASH_REMATCH[2]}" -gt 0
    stop_serve
}

@test "64 clients dripping their request hold every child: a new client waits about a second, then 503; each dripper cut at --timeout" {
    start_serve "$WWW" --timeout 3
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
    # all 64 are busy: the client waits in the backlog, and the parent says
    # so once it has waited a second (or, if a dripper was cut meanwhile, a
    # child answers); never a 503 before its second is up
    if [ "${lines[0]}" = "HTTP/1.0 503 Service Unavailable" ]; then
        check "${lines[1]}" = "Retry-After: 1"
        between "$elapsed_ms" 900 3000
    else
        check "${lines[0]}" = "HTTP/1.0 200 OK"
    fi
    wait "$dripper"
    run cat "$BATS_TEST_TMPDIR/drip"
    [[ "$output" =~ ^closed\ 64\ of\ 64,\ longest\ ([0-9.]+)\ s$ ]] || { echo "$output"; false; }
    between "${BASH_REMATCH[1]}" 2.5 7     # --timeout 3, plus the goodbye (1 s), plus load
    run http_raw $'GET /a.txt HTTP/1.0\r\n\r\n'
    check "${lines[0]}" = "HTTP/1.0 200 OK"
    stop_serve
    output=$(cat "$SERVE_LOG")
    check "$(count_lines '^serve: busy:')" -le 2     # at most a line a second
}

@test "100 clients at once for 64 children: those beyond wait in the backlog and are answered, none refused" {
    # each answer takes 0.3 s (--delay): 36 clients find every child busy,
    # wait in the listen backlog, and get the next free one
    start_serve "$WWW" --delay 0.3
    run timeout 60 "$TESTBIN/http_attack" crowd "$PORT" 100 /a.txt
    check "$status" -eq 0
    [[ "$output" =~ ^200\ 100,\ 503\ 0,\ other\ 0,\ none\ 0,\ longest\ ([0-9.]+)\ s$ ]] \
        || { echo "$output"; false; }
    stop_serve
    output=$(cat "$SERVE_LOG")
    check "$(count_lines 'GET /a\.txt 200 6 bytes$')" -eq 100
    check "$(count_lines '^serve: busy:')" -eq 0
}

@test "a client that keeps sending after its answer is cut within about a second" {
    start_serve "$WWW"
    run timeout 30 "$TESTBIN/http_attack" drip "$PORT" 8 10 after
    [[ "$output" =~ ^closed\ 8\ of\ 8,\ longest\ ([0-9.]+)\ s$ ]] || { echo "$output"; false; }
    between "${BASH_REMATCH[1]}" 0.5 4
    stop_serve
}

# serve_with_limit N: serve under ulimit -n N, the descriptors bats leaves
# open closed first: fds 0-2, --dir, the listener and the spare make six.
serve_with_limit() {
    start_server "$BATS_TEST_TMPDIR/serve.out" bash -c '
        for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
        ulimit -n "$2" && exec "$0" --dir "$1"' "$BIN/serve" "$WWW" "$1"
}

@test "no descriptor free for a client (ulimit -n): it is refused with 503 at once, one log line a second, SIGTERM still stops it" {
    serve_with_limit 6           # every accept fails with EMFILE: the spare is all there is
    SERVE_PID=$SERVER_PID
    SERVE_LOG=$BATS_TEST_TMPDIR/serve.out.log
    start=$(date +%s%N)
    for i in $(seq 10); do       # each answered, not left waiting in the backlog
        run http_raw $'GET /a.txt HTTP/1.0\r\n\r\n'
        check "${lines[0]}" = "HTTP/1.0 503 Service Unavailable"
    done
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    output=$(cat "$SERVE_LOG")
    check "$(count_lines '^serve: accept: Too many open files: answering 503$')" -ge 1
    check "$(count_lines '^serve: accept: ')" -le $(( elapsed_ms / 1000 + 1 ))
    start=$(date +%s%N)
    stop_serve
    check $(( ($(date +%s%N) - start) / 1000000 )) -lt 2000
}

@test "serve without room even for its spare descriptor says so and exits 1" {
    run --separate-stderr timeout 10 bash -c '
        for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
        ulimit -n 5 && exec "$0" --dir "$1"' "$BIN/serve" "$WWW"
    check "$status" -eq 1
    # (the first line: under ASan, LeakSanitizer finds no descriptor either)
    check "${stderr_lines[0]}" = "serve: keep a spare descriptor: Too many open files"
}

@test "serve with its listening socket above descriptor 1024 (poll, not select) answers and stops on SIGTERM" {
    [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1600 ] || skip "ulimit -Hn is below 1600"
    # descriptors 3 to 1500 taken before serve starts: its listener lands at 1502
    start_server "$BATS_TEST_TMPDIR/serve.out" bash -c '
        ulimit -n 1600 || exit 1
        for ((fd = 3; fd <= 1500; fd++)); do eval "exec $fd</dev/null"; done
        exec "$0" --dir "$1"' "$BIN/serve" "$WWW"
    SERVE_PID=$SERVER_PID
    SERVE_LOG=$BATS_TEST_TMPDIR/serve.out.log
    listener=$(find /proc/$SERVE_PID/fd -lname 'socket:*' -printf '%f\n' | sort -n | tail -1)
    check "$listener" -gt 1024
    run http_raw $'GET /a.txt HTTP/1.0\r\n\r\n'
    check "${lines[0]}" = "HTTP/1.0 200 OK"
    check "${lines[3]}" = "hello"
    start=$(date +%s%N)
    stop_serve                   # exits 0 within 10 s, or the test fails
    check $(( ($(date +%s%N) - start) / 1000000 )) -lt 2000
}

# no_failure: no refusal and no failure in the report of ab or wrk ($output)
no_failure() {
    [[ "$output" != *Non-2xx* && "$output" != *"Socket errors"* ]] || { echo "$output"; false; }
    [[ "$output" != *"Failed requests:"* || "$output" == *"Failed requests:        0"* ]] \
        || { echo "$output"; false; }
}

@test "under load (ab: 50 at once, a connection each; wrk: 64 kept open): all 200, the right bytes, nothing left, memory flat" {
    command -v ab >/dev/null && command -v wrk >/dev/null \
        || skip "needs ab and wrk (Debian: apache2-utils, wrk; .ci/run installs them)"
    head -c 1048576 /dev/urandom >"$WWW/big.bin"
    for i in $(seq 8); do ln -s big.bin "$WWW/big$i.bin"; done
    start_serve "$WWW"
    fds_before=$(ls "/proc/$SERVE_PID/fd" | sort -n | tr '\n' ' ')
    rss_before=$(awk '/^VmRSS/ { print $2 }' "/proc/$SERVE_PID/status")

    run timeout 60 ab -q -n 200 -c 50 "$URL/a.txt"
    check "$status" -eq 0
    no_failure
    [[ "$output" == *"Complete requests:      200"* ]] || { echo "$output"; false; }
    [[ "$output" == *"HTML transferred:       1200 bytes"* ]] || { echo "$output"; false; }
    run timeout 60 ab -q -n 30 -c 20 "$URL/big.bin"
    check "$status" -eq 0
    no_failure
    [[ "$output" == *"HTML transferred:       31457280 bytes"* ]] || { echo "$output"; false; }
    for file in a.txt big.bin; do
        run timeout 60 wrk -t1 -c64 -d1s "$URL/$file"
        check "$status" -eq 0
        no_failure
        [[ "$output" =~ ([0-9]+)\ requests\ in ]] && check "${BASH_REMATCH[1]}" -gt 64
    done
    # the bytes themselves: 16 downloads at once, each compared with the file
    run demo download --workers 8 --dir "$BATS_TEST_TMPDIR" \
        $(for i in $(seq 8); do echo "$URL/big$i.bin" "$URL/sub/b.png?$i"; done)
    check "$status" -eq 0
    for i in $(seq 8); do cmp "$WWW/big.bin" "$BATS_TEST_TMPDIR/big$i.bin"; done
    cmp "$WWW/sub/b.png" "$BATS_TEST_TMPDIR/b.png"

    children_gone "$SERVE_PID"                   # kept-alive ones close within a second
    check "$(ls "/proc/$SERVE_PID/fd" | sort -n | tr '\n' ' ')" = "$fds_before"
    rss_after=$(awk '/^VmRSS/ { print $2 }' "/proc/$SERVE_PID/status")
    check "$rss_after" -le $(( rss_before + rss_before / 4 + 256 ))
    stop_serve
    output=$(cat "$SERVE_LOG")
    check "$(count_lines '^serve: busy:')" -eq 0
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

@test "serve with its standard output closed says so and exits 1" {
    # (Its listening socket used to take the free number 1: the "serving"
    # line went into the socket, and SIGPIPE ended serve without a word.)
    run bash -c 'timeout 10 "$1" --dir "$2" >&- 3>&-' _ "$BIN/serve" "$WWW"
    check "$status" -eq 1
    check "$output" = "serve: standard output: Bad file descriptor"
}

# answer_on FD [head]: one answer read from descriptor FD (head lines, then
# a body of Content-Length bytes unless "head" says it is a HEAD's answer),
# without reading past it; \r removed.
answer_on() {
    local line length=0
    while IFS= read -r -t 5 -u "$1" line && [ "$line" != $'\r' ]; do
        line=${line%$'\r'}
        echo "$line"
        [[ "$line" =~ ^Content-Length:\ ([0-9]+)$ ]] && length=${BASH_REMATCH[1]}
    done
    [ "$length" -eq 0 ] || [ "${2-}" = head ] \
        || { IFS= read -r -t 5 -N "$length" -u "$1" line; printf '%s' "$line"; }
}

@test "a client that asks keeps its connection: one child answers its requests, then closes it once idle for --timeout" {
    start_serve "$WWW" --timeout 1
    exec 4<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n' >&4      # 1.1: kept by default
    run answer_on 4
    check "${lines[0]}" = "HTTP/1.0 200 OK"
    check "${lines[3]}" = "Connection: keep-alive"
    check "${lines[4]}" = "hello"
    printf 'HEAD /sub/b.png HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' >&4
    run answer_on 4 head
    check "${lines[0]}" = "HTTP/1.0 200 OK"
    check "${lines[3]}" = "Connection: keep-alive"
    start=$(date +%s%N)
    run timeout 10 cat <&4       # nothing more sent: serve closes it (cat ends, 0)
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    exec 4<&-
    check "$status" -eq 0
    check "$output" = ""
    check "$elapsed_ms" -ge 800
    # a request that says close, and HTTP/1.0 by default, end the connection
    run http_raw $'GET /a.txt HTTP/1.1\r\nConnection: close\r\n\r\n'
    check "${lines[3]}" = "hello"
    run http_raw $'GET /a.txt HTTP/1.0\r\n\r\n'
    check "${lines[3]}" = "hello"
    stop_serve
    output=$(cat "$SERVE_LOG")
    check "$(count_lines '^serve: child [0-9]+: ')" -eq 4
    check "$(pids_after 'serve: child' | head -2 | sort -u | wc -l)" -eq 1   # one child, two requests
    check "$(pids_after 'serve: child' | sort -u | wc -l)" -eq 3
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
