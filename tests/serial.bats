#!/usr/bin/env bats
# serial (seed 5.1): both jobs in one process, one after the other.
load helpers

@test "serial prints both jobs in order, from one PID" {
    run demo serial --tick "$TICK"
    check "$status" -eq 0
    check "$(count_lines '^play music \.\.\.$')" -eq 5
    check "$(count_lines '^play lol \.\.\.$')" -eq 5
    # all music before any lol: one process, one job after the other
    last_music=$(printf '%s\n' "$output" | grep -n 'play music' | tail -1 | cut -d: -f1)
    first_lol=$(printf '%s\n' "$output" | grep -n 'play lol' | head -1 | cut -d: -f1)
    check "$last_music" -lt "$first_lol"
    check "$(pids_after 'PID:' | sort -u | wc -l)" -eq 1
}

# ten_ticks: at least ten ticks of sleep, one after the other; the upper
# bound only catches a hang, and a busy machine may stretch it: retried.
ten_ticks() {
    run demo serial --tick 0.05
    check "$status" -eq 0 || return 1
    t=$(seconds_of '^one process took')
    between "$t" 0.45 1.0 || { echo "took $t s, expected about 0.5"; return 1; }
}

@test "serial takes about ten ticks" {
    retry 3 ten_ticks
}

@test "serial output sent to a file has no duplicated lines" {
    demo serial --tick 0.01 >"$BATS_TEST_TMPDIR/out"
    check "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 13
}
