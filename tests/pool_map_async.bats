#!/usr/bin/env bats
# pool_map_async (seed 6.1): Pool(8).map_async without get.
load helpers

@test "pool_map_async without get ends at once: no square printed, one warning, no worker left" {
    start=$(date +%s%N)
    grouped 30 "$BIN/pool_map_async" --tick 1
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$status" -eq 0
    check "${#lines[@]}" -eq 2
    check "${lines[1]}" = "main program ends"
    total=$(seconds_of '^total:')
    between "$total" 0 0.5 || { echo "total $total s, expected well under the squares' 2 s"; false; }
    check "$stderr" = "pool_map_async: exit: 4 unfinished pool tasks dropped, workers terminated"
    check "$elapsed_ms" -lt 1000    # the squares would take 2 s
    group_gone "$group"
}

# two_ticks: get waits for the squares, about two ticks of 0.05 s; the upper
# bound, which a busy machine may stretch, only catches a hang: retried.
two_ticks() {
    run --separate-stderr demo pool_map_async --get --tick 0.05
    check "$status" -eq 0 || return 1
    total=$(seconds_of '^total:')
    between "$total" 0.1 0.3 || { echo "total $total s, expected about 0.1"; return 1; }
}

@test "pool_map_async --get waits for the four squares: [1, 4, 9, 16] after about two ticks" {
    run --separate-stderr demo pool_map_async --get --tick 0.05
    check "$status" -eq 0
    check "$stderr" = ""
    check "${#lines[@]}" -eq 7
    check "$(count_lines '^~{10}$')" -eq 4
    check "${lines[4]}" = "[1, 4, 9, 16]"
    check "${lines[6]}" = "main program ends"
    retry 3 two_ticks
}

@test "pool_map_async refuses an unknown option and a value for --get" {
    run --separate-stderr demo pool_map_async --gett
    check "$status" -eq 2
    check "${stderr_lines[0]}" = "pool_map_async: unknown option '--gett'"
    run --separate-stderr demo pool_map_async --get=yes
    check "$status" -eq 2
    check "${stderr_lines[0]}" = "pool_map_async: --get takes no value (got 'yes')"
}
