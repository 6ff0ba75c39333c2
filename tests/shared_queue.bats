#!/usr/bin/env bats
# shared_queue (seed 3.2): the items go through one shared queue, so the workers divide them.
load helpers

# got_items: the items of the "got" lines, one a line, sorted.
got_items() {
    printf '%s\n' "$output" | sed -nE 's/^Process-[0-9]+ \(PID [0-9]+\) got (.+)$/\1/p' | sort
}

@test "shared_queue: a, b and c are each got exactly once, by named workers with PIDs" {
    run demo shared_queue --tick "$TICK"
    check "$status" -eq 0
    check "$(count_lines ' got ')" -eq 3
    check "$(got_items | tr '\n' ' ')" = "a b c "
    check "$(count_lines '^Process-[12] \(PID [0-9]+\): q is at 0x[0-9a-f]+$')" -eq 2
    check "$(printf '%s\n' "$output" | grep -oE 'q is at 0x[0-9a-f]+' | sort -u | wc -l)" -eq 1
    check "$(pids_after 'Process-[12] \(PID' | sort -u | wc -l)" -eq 2
    check "${lines[0]}" = "main (PID $(pids_after '^main \(PID')): put a, b, c into q"
    check "${lines[-1]}" = "main process done!"
}

@test "shared_queue --items 1000 --workers 4: every item exactly once, and it ends" {
    run demo shared_queue --items 1000 --workers 4 --tick 0.01
    check "$status" -eq 0
    check "$(count_lines ' got ')" -eq 1000
    check "$(got_items | uniq | wc -l)" -eq 1000
    check "$(got_items | sort -n | sed -n '1p;$p' | tr '\n' ' ')" = "1 1000 "
    check "$(pids_after 'Process-[1-4] \(PID' | sort -u | wc -l)" -eq 4
    # the workers' own counts add up too
    total=$(printf '%s\n' "$output" | sed -nE 's/.*: done, ([0-9]+) items?$/\1/p' | awk '{ n += $1 } END { print n }')
    check "$total" -eq 1000
    check "${lines[-1]}" = "main process done!"
}

@test "shared_queue --racy: the seed's empty() loop cannot hang; a lost race is reported" {
    # --racy with one item and 8 workers: they all wake together and ask
    # empty(); now and then one loses the race and its get times out (a tick).
    for i in 1 2 3; do
        run demo shared_queue --racy --items 1 --workers 8 --tick "$TICK"
        check "$status" -eq 0
        check "$(count_lines ' got 1$')" -eq 1
        check "$(count_lines ': done, [01] items?$')" -eq 8
        races=$(count_lines 'lost the race: empty\(\) said there was an item, then get found none')
        check "$(count_lines 'lost the race')" -eq "$races"
    done
    run demo shared_queue --racy --items 200 --workers 3 --tick "$TICK"
    check "$status" -eq 0
    check "$(got_items | uniq | wc -l)" -eq 200
}

@test "shared_queue refuses bad --items and --workers with exit 2, naming the option" {
    for args in "--items 0" "--items -3" "--items abc" "--items 2.5" "--items 100001" \
                "--workers 0" "--workers 100000" "--workers two" "--workers -1"; do
        run --separate-stderr demo shared_queue $args
        check "$status" -eq 2
        check -z "$output"
        opt=${args%% *}
        [[ "${stderr_lines[0]}" == "shared_queue: $opt: '${args#* }' is not a whole number from "* ]] ||
            { echo "$args: $stderr"; false; }
        [[ "${stderr_lines[1]}" == "usage: shared_queue "* ]]
    done
}

@test "shared_queue --help names the maximum number of workers" {
    run demo shared_queue --help
    check "$status" -eq 0
    [[ "$output" == *"--workers N"*"at most 64"* ]]
}

@test "Ctrl-C during shared_queue ends it and every worker, status 130" {
    # the workers sleep half a tick (0.5 s here) before taking items
    grouped --preserve-status -s INT 0.2 "$BIN/shared_queue" --workers 4 --tick 1
    check "$status" -eq 130
    # the library reaps every child before main dies of the signal
    group_gone "$group"
}
