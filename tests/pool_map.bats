#!/usr/bin/env bats
# pool_map (seed 6.1): Pool(9).map(square, [1, 2, 3, 4]).
load helpers
load chart

# No process running this command line is left (the workers are forks of it).
no_process_left() {
    local i
    for i in $(seq 40); do
        pgrep -f -- "$1" >/dev/null || return 0
        sleep 0.05
    done
    echo "still running: $(pgrep -af -- "$1")"
    return 1
}

# one_tick: the four items, one per worker, take about one tick of 0.1 s
# (one after the other they would take four); retried, as a busy machine
# may delay the workers' start.
one_tick() {
    run demo pool_map --tick 0.1
    check "$status" -eq 0 || return 1
    total=$(seconds_of '^total:')
    between "$total" 0.1 0.2 || { echo "total $total s, expected 0.10 to 0.20"; return 1; }
}

@test "pool_map prints [1, 4, 9, 16] after about one tick, pool creation included" {
    run demo pool_map --tick 0.1
    check "$status" -eq 0
    check "${#lines[@]}" -eq 3
    check "${lines[0]}" = "[1, 4, 9, 16]"
    check "${lines[1]}" = "chunksize 1 (Python's default: ceil(items / (4 * workers)))"
    check "$(count_lines '^timeline:')" -eq 0      # no chart unless asked
    retry 3 one_tick
}

@test "pool_map --items 10000 prints every square, in order" {
    run demo pool_map --items 10000 --workers 40 --tick 0.001
    check "$status" -eq 0
    check "${lines[0]}" = "$(squares_list 10000)"
    check "${lines[1]}" = "chunksize 63 (Python's default: ceil(items / (4 * workers)))"
}

# twenty_in_chunks: 2 workers, chunks of 3,3,3,3,3,3,2 ticks: at least 10
# ticks one after another; the upper bound, which a busy machine may
# stretch, only catches a hang: retried.
twenty_in_chunks() {
    run demo pool_map --items 20 --workers 2 --tick 0.02
    check "$status" -eq 0 || return 1
    check "${lines[0]}" = "$(squares_list 20)" || return 1
    check "${lines[1]}" = "chunksize 3 (Python's default: ceil(items / (4 * workers)))" || return 1
    total=$(seconds_of '^total:')
    between "$total" 0.2 0.5 || { echo "total $total s, expected about 0.2"; return 1; }
}

@test "pool_map --items 20 --workers 2 uses chunksize 3 and takes about ten ticks" {
    retry 3 twenty_in_chunks
}

@test "pool_map --chunksize uses the size asked for, and says so" {
    run demo pool_map --items 10 --workers 2 --chunksize 5 --tick 0.01
    check "$status" -eq 0
    check "${lines[0]}" = "$(squares_list 10)"
    check "${lines[1]}" = "chunksize 5 (--chunksize)"
}

@test "pool_map --crash 37: exits 1 naming the item, the worker and the signal; the 99 other squares arrive" {
    run --separate-stderr demo pool_map --items 100 --crash 37 --tick 0.01
    check "$status" -eq 1
    check "${lines[0]}" = "$(squares_list 100 | sed 's/, 1369,/, 0,/')"
    if grep -q __ubsan_handle "$BIN/pool_map"; then
        cause="exited with status 1"    # make check: UBSan stops the worker first
    else
        cause="was killed by signal 11 \(SIGSEGV\)"
    fi
    [[ "$(tail -1 <<<"$stderr")" =~ ^"pool_map: map: in[36]: worker "[0-9]+" "$cause$ ]] ||
        { echo "stderr: $stderr"; false; }
}

@test "pool_map --workers 2 --items 4 --timeline: two rows, each busy two ticks" {
    run demo pool_map --workers 2 --items 4 --tick 0.1 --timeline
    check "$status" -eq 0
    check "${lines[0]}" = "[1, 4, 9, 16]"
    check "$(chart_rows | wc -l)" -eq 2
    check "$(row_labels | sort -u | wc -l)" -eq 2
    # the chart spans at least two ticks (the axis ends in its length), and
    # each row is busy over most of it: two items one after the other
    axis=$(seconds_of '^ {18}0 ')
    between "$axis" 0.2 2 || { echo "chart of $axis s, expected about 0.2"; false; }
    mapfile -t rows < <(chart_rows)
    check "$(busy_columns "${rows[0]}" | wc -l)" -ge 9     # 2 ticks: 10 columns
    check "$(busy_columns "${rows[1]}" | wc -l)" -ge 9
    check "$(widest)" -le 80
}

@test "pool_map output sent to a pipe has no duplicated lines" {
    run bash -c "timeout 10 '$BIN/pool_map' --tick 0.01 | cat"
    check "$status" -eq 0
    check "${#lines[@]}" -eq 3
    check "${lines[0]}" = "[1, 4, 9, 16]"
}

@test "Ctrl-C (SIGINT to the process group) ends pool_map and every worker, status 130" {
    start=$(date +%s%N)
    run timeout --preserve-status -s INT 0.3 "$BIN/pool_map" --workers 3 --tick 1.5 3>&-
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$status" -eq 130
    check "$elapsed_ms" -lt 1300    # before the squares' tick was over
    check "$output" = ""
    no_process_left "$BIN/pool_map --workers 3 --tick 1.5"
}

@test "pool_map refuses bad numbers, naming the option" {
    for bad in "--workers -1" "--workers 257" "--workers abc" "--items 0" "--items -3" \
               "--chunksize -1" "--crash 0" "--items 4 --crash 5"; do
        run --separate-stderr demo pool_map $bad
        check "$status" -eq 2
        option=${bad##*--}; option=--${option%% *}
        [[ "${stderr_lines[0]}" == "pool_map: $option"* ]] || { echo "$bad: ${stderr_lines[0]}"; false; }
        [[ "${stderr_lines[1]}" == "usage: pool_map "* ]]
    done
}
