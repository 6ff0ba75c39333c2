#!/usr/bin/env bats
# The timeline layer (busy spans in shared memory, drawn as a chart), through
# tests/c/test_timeline.c, and --timeline on the demos that time their work.
load helpers
load chart

t() { timeout 20 "$TESTBIN/test_timeline" "$@" 3>&-; }

@test "without mp_timeline_init the timeline calls do nothing" {
    run t off
    check "$status" -eq 0
    check "$output" = "done"
}

@test "mp_timeline_init twice is refused, naming the rule" {
    run t twice
    check "$status" -eq 0
    check "$output" = "second init: rc=-1 errno=EINVAL message=the timeline is already started"
}

@test "each process gets a row, marked where it was busy, labels fitting the column" {
    run t shape
    check "$status" -eq 0
    child=$(pids_after 'child PID')
    check "$(chart_rows | wc -l)" -eq 2
    mapfile -t rows < <(chart_rows)
    [[ "${rows[0]}" == "first "[0-9]*" |"* ]] || { echo "${rows[0]}"; false; }
    # a long role is cut short so that the whole PID still fits: the label
    # then fills its column (18) but for the one space before the '|'
    label=$(row_labels | sed -n 2p)
    [[ "$label" == "second-role"*" $child" ]] || { echo "label: $label"; false; }
    check "${#label}" -eq 17
    # the bar is columns 20 to 77: the main was busy from the start, then the
    # child until the end, a good share each and not at the same time (a cell
    # where one ended and the other began may show both)
    first=$(busy_columns "${rows[0]}")
    second=$(busy_columns "${rows[1]}")
    check "$(head -1 <<<"$first")" -eq 20
    check "$(tail -1 <<<"$second")" -eq 77
    check "$(wc -l <<<"$first")" -ge 10
    check "$(wc -l <<<"$second")" -ge 10
    check "$(overlap "${rows[0]}" "${rows[1]}")" -le 1
    [[ "$output" == *"+--"*"--+"* ]]
    [[ "${lines[-1]}" == "                  0 "*" s" ]] || { echo "axis: ${lines[-1]}"; false; }
    check "$(widest)" -le 80
}

@test "spans appended by eight processes at once are all kept" {
    run t fill 8 512     # 4096 spans: exactly a full table
    check "$status" -eq 0
    check "$(chart_rows | wc -l)" -eq 8
    check "$(row_labels | sort -u | wc -l)" -eq 8
    check "$(count_lines 'did not fit')" -eq 0
    check "$(widest)" -le 80
}

@test "a full table drops further spans, counts them exactly, and never crashes" {
    run t fill 8 600     # 4800 spans for 4096 slots
    check "$status" -eq 0
    check "$(count_lines '^timeline: 704 spans did not fit in its table of 4096 and are not shown$')" -eq 1
    check "$(chart_rows | wc -l)" -ge 1
    check "$(chart_rows | wc -l)" -le 8
}

@test "a process killed in the middle of a span shows it still open" {
    run t killed
    check "$status" -eq 0
    check "${lines[0]}" = "exitcode=-9"
    check "$(chart_rows | wc -l)" -eq 1
    [[ "$(chart_rows)" == "doomed "*"#>|" ]] || { echo "$(chart_rows)"; false; }
    check "$(count_lines '^> : still busy when drawn')" -eq 1
}

@test "a child neither inherits nor ends its parent's open span" {
    run t inherit
    check "$status" -eq 0
    mapfile -t rows < <(chart_rows)
    check "${#rows[@]}" -eq 2
    [[ "${rows[0]}" == "parent "*"#>|" ]] || { echo "${rows[0]}"; false; }
    [[ "${rows[1]}" == "child "*"# "*" |" ]] || { echo "${rows[1]}"; false; }
}

# --- the demos ---

@test "parallel --timeline: two rows, p1 and p2, busy at the same time" {
    run demo parallel --tick 0.05 --timeline
    check "$status" -eq 0
    # the seed's output first, unchanged, then the chart
    [[ "${lines[12]}" == "multi-process took 0."*" s" ]]
    [[ "${lines[13]}" == "main PID: "* ]]
    check "${lines[14]}" = "timeline: one row per process, # where it was busy"
    check "$(chart_rows | wc -l)" -eq 2
    # rows come in the order the processes got busy: p1 or p2 may be first
    check "$(row_labels | sort | tr '\n' ,)" = "p1 $(pids_after 'child p1, PID:'),p2 $(pids_after 'child p2, PID:'),"
    mapfile -t rows < <(chart_rows)
    # side by side: busy at the same time over more than half the run (one
    # after the other, as in serial, they would share no column at all)
    check "$(overlap "${rows[0]}" "${rows[1]}")" -ge 29
    check "$(widest)" -le 80
}

@test "serial --timeline: one row, the main, busy from end to end" {
    run demo serial --tick 0.02 --timeline
    check "$status" -eq 0
    [[ "${lines[12]}" == "one process took "* ]]
    check "$(chart_rows | wc -l)" -eq 1
    [[ "$(chart_rows)" == "main $(pids_after 'child p1, PID:') "* ]]
    check "$(busy_columns "$(chart_rows)" | wc -l)" -eq 58
    check "$(widest)" -le 80
}

@test "daemon --timeline: the chart comes after the children ended, with both rows" {
    run demo daemon --tick 0.02 --timeline
    check "$status" -eq 0
    check "$(count_lines '^play (music|lol) \.\.\.$')" -eq 10
    chart_at=$(printf '%s\n' "$output" | grep -n '^timeline:' | cut -d: -f1)
    last_play=$(printf '%s\n' "$output" | grep -n '^play ' | tail -1 | cut -d: -f1)
    check "$chart_at" -gt "$last_play"
    check "$(chart_rows | wc -l)" -eq 2
    check "$(count_lines '^> :')" -eq 0        # both spans ended normally
    check "$(widest)" -le 80
}

@test "daemon --daemon --timeline: the chart shows what ran before the termination" {
    run demo daemon --daemon --tick 0.05 --timeline
    check "$status" -eq 0
    check "$(count_lines '^play (music|lol) \.\.\.$')" -lt 10
    # each child that got to start its span shows it cut off ('>')
    check "$(chart_rows | wc -l)" -le 2
    check "$(chart_rows | grep -vc '>|$')" -eq 0
    check "$(count_lines '^timeline: ')" -eq 1
    check "$(widest)" -le 80
    all_gone $(pids_after 'child p[12], PID:')
}
