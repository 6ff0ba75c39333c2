#!/usr/bin/env bats
# tests/tour.sh, the `make demo` tour.
load helpers

@test "the tour cut short by a closed pipe (make demo | head) leaves no serve running" {
    # sed quits right after serve's "serving" line: the tour's next write
    # meets a pipe with no reader.
    run bash -c 'BIN="$1" TICK=0.001 timeout 60 "$2" 3>&- | sed "/^serving /q"' _ \
        "$BIN" "$BATS_TEST_DIRNAME/tour.sh"
    dir=$(sed -nE 's/^serving (.*) at http.*/\1/p' <<<"$output")
    check -n "$dir"
    for i in $(seq 40); do
        pgrep -f "serve --dir $dir" >/dev/null || break
        sleep 0.05
    done
    left=$(pgrep -f "serve --dir $dir" || true)
    [ -z "$left" ] || kill $left
    check -z "$left"
}
