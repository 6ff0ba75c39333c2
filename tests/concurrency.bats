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

# busy ROW COLUMN: from the "  CPUs busy" line under ROW, how many CPUs the
# tasks kept busy in COLUMN 0 (serial), 1 (all CPUs) or 2 (one CPU).
busy() {
    printf '%s\n' "$output" | awk -v row="$1" -v col="$2" '
        $1 == row && $3 == "s" { found = 1; next }
        found && $1 == "CPUs" && $2 == "busy" { print $(3 + col); exit }'
}

# relations_hold: checks the lesson's claims on the run in $output, and says
# which one failed.
relations_hold() {
    local cpus w1 call one_busy
    cpus=$(sed -nE 's/^CPUs this process may run on: ([0-9]+)$/\1/p' <<<"$output")
    w1=$(speedup waiting-bound 2)
    call=$(speedup CPU-bound 1)
    one_busy=$(busy CPU-bound 2)
    if [[ "$w1" == n/a ]]; then    # no pinning here: the all-CPU figure must do
        w1=$(speedup waiting-bound 1)
    fi
    echo "CPUs=$cpus waiting one-CPU=${w1}x CPU-bound all=${call}x," \
         "CPUs busy: serial $(busy CPU-bound 0) all $(busy CPU-bound 1) one $one_busy"
    # sleepers overlap on one CPU, and keep no CPU busy
    ratio_at_least "$w1" 1 1.8 || { echo "waiting-bound on one CPU: ${w1}x < 1.8x"; return 1; }
    for col in 0 1 2; do
        [[ -z "$(busy waiting-bound $col)" ]] || ! ratio_at_least "$(busy waiting-bound $col)" 1 0.5 ||
            { echo "waiting-bound tasks kept $(busy waiting-bound $col) CPUs busy"; return 1; }
    done
    # pinned to one CPU, the processes together get at most that CPU's time,
    # however busy the machine (a little over 1.00 is rounding and clock grain)
    if [[ -n "$one_busy" ]]; then
        ! ratio_at_least "$one_busy" 1 1.05 || { echo "pinned CPU-bound kept $one_busy CPUs busy"; return 1; }
    fi
    # on all CPUs they run at the same instant and finish sooner than one
    # after the other: a program that ran them in turn stays near 1.0x
    if [[ "$cpus" -ge 2 ]]; then
        ratio_at_least "$call" 1 1.25 || { echo "CPU-bound on all CPUs: ${call}x < 1.25x"; return 1; }
    fi
}

@test "waiting overlaps even on one CPU; CPU work speeds up only with more CPUs" {
    # The machine may be shared: another program using a CPU takes it from the
    # CPU-bound runs, which can only make the all-CPU speed-up smaller, so the
    # claims get up to three runs; a program that does not run its processes
    # at the same time fails all three.
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
    # the table comes before it: each kind's row, then its CPUs busy
    table=$(sed -n '/^waiting-bound /,/^Conclusion /p' <<<"$output")
    check "$(grep -cE '^(waiting-bound|CPU-bound) +[0-9.]+ s ' <<<"$table")" -eq 2
    check "$(grep -cE '^  CPUs busy +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]{2}' <<<"$table")" -eq 2
    [[ "${lines[-1]}" == "  CPU work"[\ :]* ]]    # the conclusion's second line
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
