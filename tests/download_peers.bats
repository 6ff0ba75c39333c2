#!/usr/bin/env bats
# download when things go wrong (the table of docs/02-download.md): servers
# that are not there, fall silent, drip, close mid-body or send malformed
# heads and answers (tests/c/fake_server plays them); redirects, good and
# bad; names and files that cannot be written; big files. (The lesson:
# tests/download.bats.) In make test-full.
load helpers
load server_helpers

setup() { download_setup; }

# fails_on REPLY NAME WHY: download of NAME from a fake server that answers
# with the bytes of the file REPLY: exit 1, one line "worker PID: URL failed:
# WHY" (WHY an extended regex), and no file left.
fails_on() {
    start_fake reply "$1" || return 1
    run demo download --dir "$OUT" "$FAKE_URL/$2"
    check "$status" -eq 1 || return 1
    check "$(count_lines "^worker [0-9]+: $FAKE_URL/$2 failed: $3")" -eq 1 || return 1
    check "$(ls -A "$OUT" | wc -l)" -eq 0 || return 1
    stop_fake
}

@test "a status without a reason (HTTP 418) is reported as it is, with no trailing space" {
    printf 'HTTP/1.0 418\r\n\r\n' >"$BATS_TEST_TMPDIR/reply"
    printf 'HTTP/1.0 418 I am a teapot\r\n\r\n' >"$BATS_TEST_TMPDIR/reply2"
    start_fake reply "$BATS_TEST_TMPDIR/reply"
    bare=$FAKE_URL
    start_fake reply "$BATS_TEST_TMPDIR/reply2"
    run --separate-stderr demo download --dir "$OUT" "$bare/x.png" "$FAKE_URL/y.png"
    check "$status" -eq 1
    check "$(count_lines "^worker [0-9]+: $bare/x.png failed: HTTP 418$")" -eq 1
    check "$(count_lines "^worker [0-9]+: $FAKE_URL/y.png failed: HTTP 418 I am a teapot$")" -eq 1
    output=$stderr
    check "$(count_lines "^download: $bare/x.png: HTTP 418$")" -eq 1
    stop_fake
}

@test "a server that accepts and never answers: that URL fails after --timeout, the others complete" {
    make_files a.png:500 b.png:700 c.png:900
    start_serve "$WWW"
    start_fake silent
    start=$(date +%s%N)
    run demo download --timeout 0.5 --dir "$OUT" "$FAKE_URL/slow.png" "$URL/a.png" "$URL/b.png" "$URL/c.png"
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$status" -eq 1
    check "$(count_lines "^worker [0-9]+: $FAKE_URL/slow.png failed: gave up after 0\.5 s \(--timeout\): no answer in time$")" -eq 1
    check "$elapsed_ms" -ge 450
    check "$elapsed_ms" -lt 3000
    for f in a.png b.png c.png; do cmp "$WWW/$f" "$OUT/$f"; done
    check "$(ls -A "$OUT" | wc -l)" -eq 3
    stop_fake
    stop_serve
}

@test "a server that drips its answer a byte at a time: given up at --timeout in all, no file left" {
    # the head arrives in time, then the body drips: 3000 bytes at 10 ms each
    { printf 'HTTP/1.0 200 OK\r\nContent-Length: 3000\r\n\r\n'; head -c 3000 /dev/zero; } \
        >"$BATS_TEST_TMPDIR/body"
    start_fake drip "$BATS_TEST_TMPDIR/body"
    body_url=$FAKE_URL/body.bin
    # the head itself drips: 3000 bytes of one header line
    { printf 'HTTP/1.0 200 OK\r\nX-Slow: '; head -c 3000 /dev/zero | tr '\0' s; } \
        >"$BATS_TEST_TMPDIR/head"
    start_fake drip "$BATS_TEST_TMPDIR/head"
    start=$(date +%s%N)
    run demo download --timeout 1 --dir "$OUT" "$body_url" "$FAKE_URL/head.bin"
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$status" -eq 1
    check "$(count_lines "^worker [0-9]+: $body_url failed: gave up after 1 s \(--timeout\), [0-9]+ bytes in$")" -eq 1
    check "$(count_lines "^worker [0-9]+: $FAKE_URL/head.bin failed: gave up after 1 s \(--timeout\): no answer in time$")" -eq 1
    check "$elapsed_ms" -ge 900
    check "$elapsed_ms" -lt 5000       # 1 s, plus a busy machine's margin
    check "$(ls -A "$OUT" | wc -l)" -eq 0
    stop_fake
}

@test "malformed heads: a NUL or an ESC byte anywhere in the head fails the URL" {
    for reply in $'HTTP/1.0 200 O\x1b[2JK\r\n\r\nbody' \
                 $'HTTP/1.0 200 OK\r\nX-A: \x1b]0;title\x07\r\n\r\nbody'; do
        printf '%s' "$reply" >"$BATS_TEST_TMPDIR/reply"
        fails_on "$BATS_TEST_TMPDIR/reply" x.bin "malformed response: "
    done
    # bash cannot hold a NUL in a variable: that reply is written by printf
    printf 'HTTP/1.0 200 OK\r\nX-A: a\0b\r\nContent-Length: 4\r\n\r\nbody' >"$BATS_TEST_TMPDIR/reply"
    fails_on "$BATS_TEST_TMPDIR/reply" nul.bin 'malformed response: header line 2$'
}

@test "bad redirects fail clearly: a Location too long, a URL too long, a space or a tab in it" {
    long=$(head -c 3000 /dev/zero | tr '\0' a)
    almost=$(head -c 2040 /dev/zero | tr '\0' a)
    for case in "$long|a Location longer than 2047 bytes" \
                "$almost|redirected to a URL too long" \
                "/a b.png|redirected: a space, a control character or a non-ASCII byte in the URL" \
                $'/a\tb.png|redirected: a space, a control character or a non-ASCII byte in the URL'; do
        printf 'HTTP/1.0 302 Found\r\nLocation: /%s\r\n\r\n' "${case%%|*}" >"$BATS_TEST_TMPDIR/moved"
        fails_on "$BATS_TEST_TMPDIR/moved" x.png "${case#*|}\$"
    done
}

@test "a server that closes mid-body: reported as truncated, no file left" {
    { printf 'HTTP/1.0 200 OK\r\nContent-Length: 100000\r\n\r\n'; head -c 1000 /dev/urandom; } \
        >"$BATS_TEST_TMPDIR/reply"
    fails_on "$BATS_TEST_TMPDIR/reply" cut.bin 'truncated: got 1000 of 100000 bytes \(connection closed\)$'
}

@test "malformed answers fail that URL: status line (or none), Content-Length, chunked" {
    for reply in $'HTTP/1.0 2x0 OK\r\n\r\nbody' $'ICY 200 OK\r\n\r\nbody' $'\r\n\r\nbody' \
                 $'HTTP/1.0 200 OK\r\nContent-Length: -4\r\n\r\nbody' \
                 $'HTTP/1.0 200 OK\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nbody' \
                 $'HTTP/1.0 200 OK\r\n folded\r\n\r\nbody' \
                 $'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n'; do
        n=$((${n-0} + 1))
        printf '%s' "$reply" >"$BATS_TEST_TMPDIR/reply$n"
        start_fake reply "$BATS_TEST_TMPDIR/reply$n"
        urls+=("$FAKE_URL/x$n.bin")
    done
    run demo download --workers 4 --dir "$OUT" "${urls[@]}"        # one run for all seven
    check "$status" -eq 1
    why='(malformed|bad Content-Length|Transfer-Encoding)'
    for url in "${urls[@]}"; do
        check "$(count_lines "^worker [0-9]+: $url failed: $why")" -eq 1
    done
    check "$(count_lines "failed: ")" -eq 7
    check "$(ls -A "$OUT" | wc -l)" -eq 0
    stop_fake
}

@test "six binary files, 1 byte to 20 MB, three workers: all saved, byte for byte" {
    make_files big.bin:20000000 one.bin:1 k.png:1024 m.jpg:1000000 odd.dat:77777 t.txt:12
    start_serve "$WWW"
    run demo download --workers 3 --dir "$OUT" \
        "$URL/big.bin" "$URL/one.bin" "$URL/k.png" "$URL/m.jpg" "$URL/odd.dat" "$URL/t.txt"
    check "$status" -eq 0
    for f in big.bin one.bin k.png m.jpg odd.dat t.txt; do
        cmp "$WWW/$f" "$OUT/$f"
        check "$(count_lines "^worker [0-9]+: saved $f \($(stat -c %s "$WWW/$f") bytes\)$")" -eq 1
    done
    check "$(worker_pids | wc -l)" -ge 2
    check "$(worker_pids | grep -c "^$$\$")" -eq 0
    [[ "${lines[-1]}" == "main process finished: 6 saved, 0 failed, "*" s" ]]
    check "$(ls -A "$OUT" | wc -l)" -eq 6        # no temporary file left
    stop_serve
}

@test "- with standard input closed or unreadable is a runtime error, not 'no URL'" {
    run bash -c 'timeout 10 "$1" - <&- 3>&-' _ "$BIN/download"
    check "$status" -eq 1
    check "$output" = "download: read URLs from standard input: Bad file descriptor"
    run bash -c 'timeout 10 "$1" - <"$2" 3>&-' _ "$BIN/download" "$BATS_TEST_TMPDIR"
    check "$status" -eq 1
    check "$output" = "download: read URLs from standard input: Is a directory"
}

@test "a file that cannot be written whole (a file size limit) fails with why, no file left" {
    make_files big.bin:8000
    start_serve "$WWW"
    # ulimit -f 4: at most 4 KB per file; write(2) then writes part of the body
    run bash -c 'ulimit -f 4; timeout 10 "$1" --dir "$2" "$3" 3>&-' _ "$BIN/download" "$OUT" \
        "$URL/big.bin"
    check "$status" -eq 1
    check "$(count_lines "^worker [0-9]+: $URL/big.bin failed: write to $OUT: only [0-9]+ of [0-9]+ bytes written \(disk full, or a file size limit\)$")" -eq 1
    check "$(ls -A "$OUT" | wc -l)" -eq 0
    stop_serve
}

@test "connection refused and a host that does not resolve: reported per URL, exit 1" {
    make_files a.png:500
    closed_port
    start_serve "$WWW"
    refused=http://127.0.0.1:$CLOSED/x.png
    unknown=http://no-such-host.invalid/y.png
    run demo download --dir "$OUT" "$refused" "$unknown" "$URL/a.png"
    check "$status" -eq 1
    check "$(count_lines "^worker [0-9]+: $refused failed: connect to 127.0.0.1 port $CLOSED: Connection refused$")" -eq 1
    check "$(count_lines "^worker [0-9]+: $unknown failed: cannot resolve host 'no-such-host.invalid': ")" -eq 1
    cmp "$WWW/a.png" "$OUT/a.png"
    check "$(ls -A "$OUT" | wc -l)" -eq 1
    stop_serve
}

@test "each failed URL is also one line on standard error: https, 404, refused, timeout" {
    make_files a.png:500
    closed_port
    start_serve "$WWW"
    start_fake silent
    run --separate-stderr demo download --timeout 0.5 --dir "$OUT" https://127.0.0.1/x.png \
        "$URL/missing.png" "http://127.0.0.1:$CLOSED/y.png" "$FAKE_URL/z.png" "$URL/a.png"
    check "$status" -eq 1
    check "${#stderr_lines[@]}" -eq 4
    output=$stderr
    check "$(count_lines "^download: https://127\.0\.0\.1/x\.png: https is not supported")" -eq 1
    check "$(count_lines "^download: $URL/missing\.png: HTTP 404 Not Found$")" -eq 1
    check "$(count_lines "^download: http://127\.0\.0\.1:$CLOSED/y\.png: connect to .*: Connection refused$")" -eq 1
    check "$(count_lines "^download: $FAKE_URL/z\.png: gave up after 0\.5 s \(--timeout\): no answer in time$")" -eq 1
    stop_fake
    stop_serve
}

@test "a file name of 256 bytes fails with the whole reason; every line fits 80 columns" {
    name=$(head -c 256 /dev/zero | tr '\0' n)
    run --separate-stderr demo download --dir "$OUT" "http://127.0.0.1:9/$name"
    check "$status" -eq 1
    check "$(count_lines "^worker [0-9]+: http://127.0.0.1:9/$name failed: file name longer than 255 bytes$")" -eq 1
    check "${stderr_lines[0]}" = "download: http://127.0.0.1:9/$name: file name longer than 255 bytes"
    # the seed's long names: every line of a good run fits a projector
    make_files 067d0e8627b667778ea8729e6e480a47_254_96.png:24384 \
               3f52ff39e52f182d1bfd9ce061e9c6a6_254_144.jpg:36576
    start_serve "$WWW"
    run demo download --dir "$OUT" "$URL/067d0e8627b667778ea8729e6e480a47_254_96.png" \
        "$URL/3f52ff39e52f182d1bfd9ce061e9c6a6_254_144.jpg"
    check "$status" -eq 0
    check "$(count_lines '^worker [0-9]+: saved 3f52ff39e52f182d1bfd9ce061e9c6a6_254_144\.jpg \(36576 bytes\)$')" -eq 1
    check "$(printf '%s\n' "$output" | awk 'length > 80' | wc -l)" -eq 0
    stop_serve
    check "$(awk 'length > 80' "$SERVE_LOG" | wc -l)" -eq 0
}

@test "redirects are followed (the name stays the URL's); more than 5 fail" {
    make_files real.png:4321
    start_serve "$WWW"
    printf 'HTTP/1.0 302 Found\r\nLocation: %s/real.png\r\n\r\n' "$URL" >"$BATS_TEST_TMPDIR/moved"
    start_fake reply "$BATS_TEST_TMPDIR/moved"
    run demo download --dir "$OUT" "$FAKE_URL/asked.png"
    check "$status" -eq 0
    cmp "$WWW/real.png" "$OUT/asked.png"
    printf 'HTTP/1.0 301 Moved\r\nLocation: /again\r\n\r\n' >"$BATS_TEST_TMPDIR/loop"
    start_fake reply "$BATS_TEST_TMPDIR/loop"
    run demo download --dir "$OUT" "$FAKE_URL/loop.png"
    check "$status" -eq 1
    check "$(count_lines "failed: too many redirects \(more than 5\)$")" -eq 1
    [[ ! -e "$OUT/loop.png" ]]
    stop_fake
    stop_serve
}

@test "last segments .., %2e%2e, %2F and empty cannot write outside --dir" {
    printf 'HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nevil' >"$BATS_TEST_TMPDIR/reply"
    start_fake reply "$BATS_TEST_TMPDIR/reply"     # answers 200 to anything
    mkdir "$OUT/sub"
    run demo download --dir "$OUT/sub" "$FAKE_URL/a/.." "$FAKE_URL/a/%2e%2e" \
        "$FAKE_URL/x%2F..%2F..%2Fpwned" "$FAKE_URL/%2E" "$FAKE_URL/%0A" "$FAKE_URL/dir/"
    check "$status" -eq 1
    check "$(count_lines "failed: refusing file name")" -eq 5
    # the empty name is saved as index.html, inside --dir
    check "$(count_lines "^worker [0-9]+: saved index.html \(4 bytes\)$")" -eq 1
    check "$(cat "$OUT/sub/index.html")" = evil
    # and it is the only file written anywhere (but the fake server's output)
    written=$(find "$BATS_TEST_TMPDIR" -newer "$BATS_TEST_TMPDIR/reply" -type f | grep -v '/fake.*\.out')
    check "$written" = "$OUT/sub/index.html"
    stop_fake
}

@test "https and other schemes are refused clearly" {
    run demo download --dir "$OUT" https://127.0.0.1/a.png ftp://127.0.0.1/b.png 127.0.0.1/c.png
    check "$status" -eq 1
    check "$(count_lines "https://127.0.0.1/a.png failed: https is not supported: it needs TLS")" -eq 1
    check "$(count_lines "ftp://127.0.0.1/b.png failed: unsupported scheme 'ftp': only http:// is$")" -eq 1
    check "$(count_lines "127.0.0.1/c.png failed: not a URL")" -eq 1
    [[ "${lines[-1]}" == "main process finished: 0 saved, 3 failed, "* ]]
}
