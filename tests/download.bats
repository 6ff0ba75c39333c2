#!/usr/bin/env bats
# download (seed 2): worker processes share out URLs through one queue; run
# against serve (and tests/c/fake_server) on a free loopback port.
load helpers
load server_helpers
load chart

setup() { download_setup; }

@test "one URL and four workers: finishes (the seed's empty() loop hangs here)" {
    make_files a.png:100
    start_serve "$WWW"
    start=$(date +%s%N)
    run timeout 5 "$BIN/download" --workers 4 --dir "$OUT" "$URL/a.png" 3>&-
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$status" -eq 0
    check "$elapsed_ms" -lt 2000
    check "${#lines[@]}" -eq 2
    cmp "$WWW/a.png" "$OUT/a.png"
    check -z "$(left_running "--dir $OUT")"   # all four workers ended
    stop_serve
}

@test "no URL at all is a usage error (exit 2)" {
    run --separate-stderr demo download
    check "$status" -eq 2
    check "${stderr_lines[0]}" = "download: no URL given (- reads them from standard input)"
    [[ "${stderr_lines[1]}" == "usage: download "* ]]
    run --separate-stderr bash -c "printf '\n# nothing\n' | timeout 10 '$BIN/download' -"
    check "$status" -eq 2
}

@test "- reads the URLs from standard input" {
    make_files a.png:10 b.jpg:20
    start_serve "$WWW"
    printf '%s\n' "$URL/a.png" '' '# a comment' "  $URL/b.jpg  " >"$BATS_TEST_TMPDIR/urls"
    run demo download --dir "$OUT" - <"$BATS_TEST_TMPDIR/urls"
    check "$status" -eq 0
    cmp "$WWW/a.png" "$OUT/a.png"
    cmp "$WWW/b.jpg" "$OUT/b.jpg"
    stop_serve
}

# four_faster: 8 URLs that serve answers after 0.1 s each, by 1 worker and
# by 4; true if 4 took under 40% of 1's time. Retried: a busy machine may
# delay a worker's start.
four_faster() {
    local urls=() i one four
    for i in 1 2 3 4 5 6 7 8; do urls+=("$URL/f$i.png"); done
    run demo download --workers 1 --dir "$OUT" "${urls[@]}"
    check "$status" -eq 0 || return 1
    one=$(seconds_of '^main process finished')
    run demo download --workers 4 --dir "$OUT" "${urls[@]}"
    check "$status" -eq 0 || return 1
    four=$(seconds_of '^main process finished')
    check "$(worker_pids | wc -l)" -ge 2 || return 1
    ratio_at_least "$one" "$four" 2.5 || { echo "1 worker: $one s, 4 workers: $four s"; return 1; }
}

@test "with serve --delay 0.1 and 8 files, 4 workers take under 40% of 1 worker's time" {
    for i in 1 2 3 4 5 6 7 8; do
        make_files "f$i.png:1000"
    done
    start_serve "$WWW" --delay 0.1
    retry 3 four_faster
    stop_serve
}

# two_rows_side_by_side: download --timeline of 4 URLs by 2 workers: the
# summary, then a row per worker (labelled with its PID), each fetching two
# URLs of 0.1 s, both at once: more than half their columns shared.
# Retried: a busy machine may start a worker late.
two_rows_side_by_side() {
    local rows
    run demo download --workers 2 --timeline --dir "$OUT" \
        "$URL/a.png" "$URL/b.png" "$URL/c.png" "$URL/d.png"
    check "$status" -eq 0 || return 1
    check "$(count_lines '^worker [0-9]+: ')" -eq 4 || return 1
    [[ "${lines[4]}" == "main process finished: 4 saved, 0 failed, "*" s" ]] || return 1
    check "${lines[5]}" = "timeline: one row per process, a letter per job where it was busy" || return 1
    check "$(row_labels | sort)" = "$(worker_pids | sed 's/^/worker /')" || return 1
    check "$(chart_rows | wc -l)" -eq 2 || return 1
    mapfile -t rows < <(chart_rows)
    check "$(overlap "${rows[0]}" "${rows[1]}")" -ge 29 || return 1
    output=$(sed -n '/^timeline:/,$p' <<<"$output")
    check "$(widest)" -le 80
}

@test "download --timeline: after the summary, one row per worker, busy side by side" {
    make_files a.png:10 b.png:20 c.png:30 d.png:40
    start_serve "$WWW" --delay 0.1
    retry 3 two_rows_side_by_side
    stop_serve
}

@test "a 404 among good URLs: the good ones saved, the 404 reported, no file for it, exit 1" {
    make_files a.png:500 b.png:600
    start_serve "$WWW"
    run demo download --dir "$OUT" "$URL/a.png" "$URL/missing.png" "$URL/b.png"
    check "$status" -eq 1
    cmp "$WWW/a.png" "$OUT/a.png"
    cmp "$WWW/b.png" "$OUT/b.png"
    check "$(count_lines "^worker [0-9]+: $URL/missing.png failed: HTTP 404 Not Found$")" -eq 1
    [[ ! -e "$OUT/missing.png" ]]
    check "$(ls -A "$OUT" | wc -l)" -eq 2
    [[ "${lines[-1]}" == "main process finished: 2 saved, 1 failed, "* ]]
    stop_serve
}

@test "Ctrl-C during downloads: exit 130, no worker left, no partial file" {
    make_files a.png:1000 b.png:1000 c.png:1000
    start_serve "$WWW" --delay 0.6    # the downloads are all in progress at 0.3 s
    run timeout --preserve-status -s INT 0.3 "$BIN/download" --workers 3 --dir "$OUT" \
        "$URL/a.png" "$URL/b.png" "$URL/c.png" 3>&-
    check "$status" -eq 130
    check "$(ls -A "$OUT" | wc -l)" -eq 0
    check -z "$(left_running "--dir $OUT")"
    stop_serve
}

@test "download refuses bad options and a missing --dir" {
    run --separate-stderr demo download --workers 0 http://127.0.0.1/a
    check "$status" -eq 2
    [[ "${stderr_lines[0]}" == "download: --workers: '0' "* ]]
    run --separate-stderr demo download --timeout 0 http://127.0.0.1/a
    check "$status" -eq 2
    run --separate-stderr demo download "http://127.0.0.1/a b"
    check "$status" -eq 2
    run --separate-stderr demo download --dir "$BATS_TEST_TMPDIR/none" http://127.0.0.1/a
    check "$status" -eq 1
    check "${stderr_lines[0]}" = "download: --dir $BATS_TEST_TMPDIR/none: No such file or directory"
}
