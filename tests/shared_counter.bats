#!/usr/bin/env bats
# shared_counter: one Value shared by N processes; updates lost without the
# lock, none with it, under each start method, beside two busy loops.
load helpers

# Two `while :; do :; done` loops, for this test only: each ends by itself
# after 60 s (bash's SECONDS), and teardown kills them.
busy_start() {
    busy=()
    for _ in 1 2; do
        (exec bash -c 'while [ "$SECONDS" -lt 60 ]; do :; done') 3>&- &
        busy+=($!)
    done
}

teardown() {
    for pid in ${busy[@]+"${busy[@]}"}; do kill "$pid" 2>/dev/null || true; done
}

# round_line NAME: the result line of that round, e.g. "without the lock".
round_line() { printf '%s\n' "$output" | grep -E "^$1 +expected " | head -1; }

# lost LINE: the updates lost it reports, after checking that they add up.
lost() {
    local expected got lost
    read -r expected got lost < <(sed -nE 's/.* expected ([0-9]+), got ([0-9]+), lost (-?[0-9]+)$/\1 \2 \3/p' <<<"$1")
    [ -n "$lost" ] && [ $((expected - got)) -eq "$lost" ] || { echo "bad line: $1" >&2; return 1; }
    echo "$lost"
}

# unlocked_loses METHOD: one run of the unlocked round; true if it lost some.
unlocked_loses() {
    run demo shared_counter --only unlocked --workers 4 --increments 20000000 --start-method "$1"
    [ "$status" -eq 0 ] || { echo "status $status: $output"; return 1; }
    line=$(round_line "without the lock")
    check "$(lost "$line")" -ge 0 || return 1
    [ "$(lost "$line")" -gt 0 ] || { echo "$1: none lost this time: $line"; return 1; }
}

@test "shared_counter without the lock loses updates, under each start method, beside two busy loops" {
    # A race: a run may lose none (the workers did not overlap, or were
    # never interrupted between load and store), so up to 8 runs each.
    busy_start
    for m in $METHODS; do
        lost_some=""
        for try in $(seq 8); do
            if unlocked_loses "$m"; then lost_some=$try; break; fi
        done
        [ -n "$lost_some" ] || { echo "$m: no update lost in 8 runs"; false; }
    done
}

@test "shared_counter with get_lock(), and locally then locked once, loses none, under each start method, beside two busy loops" {
    busy_start
    for m in $METHODS; do
        run demo shared_counter --workers 3 --increments 2000 --start-method "$m"
        check "$status" -eq 0
        check "${lines[0]}" = "3 processes ($m) each add 1 to one shared counter 2000 times"
        check "$(round_line 'with get_lock\(\)')" = "with get_lock()               expected 6000, got 6000, lost 0"
        check "$(round_line 'locally, then get_lock\(\) once')" = "locally, then get_lock() once expected 6000, got 6000, lost 0"
        lost "$(round_line 'without the lock')" >/dev/null
    done
}

@test "shared_counter says why, and prints the cost per increment of each round, with ratios" {
    run demo shared_counter --workers 2 --increments 20000
    check "$status" -eq 0
    check "${#lines[@]}" -eq 11
    check "${lines[4]}" = "Why: adding 1 is three steps: load the number, add 1, store it back."
    check "${lines[7]}" = "Cost per increment (the counting's wall time / 40000):"
    [[ "${lines[8]}" =~ ^"  without the lock "\ +[0-9]+\.[0-9]" ns"$ ]] || { echo "${lines[8]}"; false; }
    [[ "${lines[9]}" =~ ^"  with get_lock() "\ +[0-9]+\.[0-9]" ns  "[0-9]+\.[0-9]x$ ]] || { echo "${lines[9]}"; false; }
    [[ "${lines[10]}" =~ ^"  locally, then get_lock() once "\ +[0-9]+\.[0-9]" ns  "[0-9]+\.[0-9]x$ ]]
    # every line fits 80 columns
    check "$(printf '%s\n' "$output" | awk 'length > 80' | wc -l)" -eq 0
}

@test "shared_counter refuses bad options with exit 2 and one line; --help shows no --tick" {
    for args in "--workers 0" "--workers 65" "--increments 0" "--increments x" "--only all" \
                "--workers 64 --increments 100000000" "--start-method thread"; do
        run --separate-stderr demo shared_counter $args
        check "$status" -eq 2
        check -z "$output"
        [[ "${stderr_lines[0]}" == "shared_counter: "* ]] || { echo "$args: $stderr"; false; }
        [[ "${stderr_lines[1]}" == "usage: shared_counter "* ]] || { echo "$args: $stderr"; false; }
    done
    run demo shared_counter --help
    check "$status" -eq 0
    [[ "$output" != *"--tick"* ]]
    [[ "$output" == *"--only ROUND"* ]]
}

@test "Ctrl-C during shared_counter ends it and every worker, status 130" {
    # the locked round of 4 x 10,000,000 takes seconds
    grouped --preserve-status -s INT 0.5 "$BIN/shared_counter" --only locked --increments 10000000
    check "$status" -eq 130
    group_gone "$group"
}
