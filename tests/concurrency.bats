#!/usr/bin/env bats
# concurrency (seed 1): waiting-bound and CPU-bound tasks, serial, one process
# per task on all CPUs, and one process per task pinned to one CPU.
load helpers
load chart

# speedup ROW COLUMN: from the table, the speed-up of ROW ("waiting-bound" or
# "CPU-bound") in COLUMN 1 (all CPUs) or 2 (one CPU), without its "x";
# "n/a" if that way was not available.
speedup() {
    printf '%s\n' "$output" | awk -v row="$1" -v col="$2" '
        $1 == row && $3 == "s" {
            n = 0
            for (i = 2; i <= NF; i++) if ($i ~ /^[0-9.]+x$/) { n++; if (n == col) { sub(/x$/, "", $i); print $i; exit } }
            print "n/a"; exit
        }'
}

# relations_hold: checks the lesson's claims on the run in $output, and says
# which one failed. The CPU-bound ones need free CPUs: see the test below.
relations_hold() {
    local cpus ideal w1 c1 call
    cpus=$(sed -nE 's/^CPUs this process may run on: ([0-9]+)$/\1/p' <<<"$output")
    ideal=$(( cpus < 4 ? cpus : 4 ))
    w1=$(speedup waiting-bound 2)
    c1=$(speedup CPU-bound 2)
    call=$(speedup CPU-bound 1)
    if [[ "$w1" == n/a ]]; then    # no pinning here: the all-CPU figure must do
        w1=$(speedup waiting-bound 1)
    fi
    echo "CPUs=$cpus waiting one-CPU=$w1 CPU-bound all=$call one=$c1"
    ratio_at_least "$w1" 1 1.8 || { echo "waiting-bound on one CPU: $w1x < 1.8x"; return 1; }
    if [[ "$c1" != n/a ]]; then
        ! ratio_at_least "$c1" 1 1.3 || { echo "CPU-bound pinned: $c1x >= 1.3x"; return 1; }
    fi
    ratio_at_least "$call" "$ideal" 0.8 ||
        { echo "CPU-bound on all CPUs: $call x < 0.8 x $ideal"; return 1; }
}

@test "waiting overlaps even on one CPU; CPU work speeds up only with more CPUs" {
    # The machine may be shared: another program using a CPU takes it from the
    # CPU-bound run. That can only make the speed-ups worse, so the claims get
    # up to three runs; a program that does not run in parallel fails all three.
    local tries
    for tries in 1 2 3; do
        run demo concurrency --tick 0.1
        check "$status" -eq 0
        relations_hold && break
        [[ $tries -lt 3 ]] || { echo "load: $(cat /proc/loadavg 2>/dev/null)"; echo "$output"; false; }
        sleep 1
    done
    if [[ "$(uname -s)" == Linux ]]; then
        check "$(count_lines '^  one process per task, all pinned to CPU [0-9]+:$')" -eq 2
    fi
}

@test "the conclusion is drawn from the measured numbers" {
    run demo concurrency --tick 0.05 --tasks 3
    check "$status" -eq 0
    cpus=$(sed -nE 's/^CPUs this process may run on: ([0-9]+)$/\1/p' <<<"$output")
    check "$(count_lines "^Conclusion \($cpus CPUs\): waiting tasks ")" -eq 1
    w=$(speedup waiting-bound 2)
    [[ "$w" == n/a ]] && w=$(speedup waiting-bound 1)
    # it quotes the waiting speed-up of the table (to one decimal, where the
    # table has two: within 0.05 of it)
    quoted=$(sed -nE 's/^Conclusion .*\(([0-9.]+)x: concurrency\).*/\1/p' <<<"$output")
    check -n "$quoted"
    between "$quoted" "$(awk -v w="$w" 'BEGIN { print w - 0.051 }')" "$(awk -v w="$w" 'BEGIN { print w + 0.051 }')" ||
        { echo "conclusion quotes $quoted, the table says $w"; false; }
    [[ "${lines[-4]}" == "waiting-bound "* ]]
    [[ "${lines[-3]}" == "CPU-bound "* ]]
    [[ "${lines[-1]}" == "  CPU work "* ]]    # the conclusion's second line
}

@test "every task prints its PID and its parent's: the main's for processes (seed 1.4)" {
    run demo concurrency --tick 0.02 --tasks 3
    check "$status" -eq 0
    main=$(sed -nE 's/^main: PID ([0-9]+), parent PID [0-9]+ .*/\1/p' <<<"$output")
    check -n "$main"
    task_lines=$(printf '%s\n' "$output" | grep -E '^    task [0-9]+: PID [0-9]+, parent PID [0-9]+$')
    check "$(wc -l <<<"$task_lines")" -eq 18          # 3 tasks x 3 ways x 2 kinds
    # serial: in the main itself
    check "$(grep -c "PID $main, parent" <<<"$task_lines")" -eq 6
    # processes: twelve new PIDs, each a child of the main
    check "$(grep -c "parent PID $main\$" <<<"$task_lines")" -eq 12
    check "$(grep "parent PID $main\$" <<<"$task_lines" | sed -E 's/.*: PID ([0-9]+),.*/\1/' | sort -u | wc -l)" -eq 12
}

@test "concurrency --timeline: the main's row and one row per task process" {
    run demo concurrency --tick 0.02 --tasks 2 --timeline
    check "$status" -eq 0
    check "$(chart_rows | wc -l)" -eq 9                 # main + 2 tasks x 4 runs
    [[ "$(row_labels | head -1)" == "main "* ]]
    check "$(row_labels | grep -c '^main ')" -eq 1
    for role in "wait all" "wait 1cpu" "cpu all" "cpu 1cpu"; do
        check "$(row_labels | grep -c "^$role [0-9]*$")" -eq 2
    done
    output=$(sed -n '/^timeline:/,$p' <<<"$output")
    check "$(widest)" -le 80
}

@test "concurrency refuses a bad --tasks with exit 2, naming the option and the text" {
    for bad in 0 65 abc 2.5 -1; do
        run --separate-stderr demo concurrency --tasks "$bad"
        check "$status" -eq 2
        check -z "$output"
        [[ "${stderr_lines[0]}" == "concurrency: --tasks: '$bad' is not a whole number from 1 to 64" ]] ||
            { echo "$bad: $stderr"; false; }
    done
}
