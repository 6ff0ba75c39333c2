#!/usr/bin/env bats
# daemon (seed 5.3): no join; the daemon flag decides what happens at exit.
load helpers

@test "without --daemon the children finish all their work after the main's last line" {
    start=$(date +%s%N)
    run demo daemon --tick 0.05
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$status" -eq 0
    check "$(count_lines '^play (music|lol) \.\.\.$')" -eq 10
    main_line=$(printf '%s\n' "$output" | grep -n '^main PID:' | cut -d: -f1)
    last_play=$(printf '%s\n' "$output" | grep -n '^play ' | tail -1 | cut -d: -f1)
    check "$last_play" -gt "$main_line"
    # the main reports less time than the children's 5 ticks (it did not
    # wait for them; a join would make it 0.25 s or more)...
    between "$(seconds_of '^multi-process took')" 0 0.2
    # ...yet the program ends only after the children's 5 ticks
    check "$elapsed_ms" -ge 240
}

@test "with --daemon the children are terminated when the main ends" {
    run demo daemon --daemon --tick 0.05
    check "$status" -eq 0
    check "$(count_lines '^play (music|lol) \.\.\.$')" -lt 10
    check "$(count_lines '^main PID:')" -eq 1
    pids=$(printf '%s\n' "$output" | sed -nE 's/^child p[12], PID: ([0-9]+)$/\1/p')
    sleep 1
    for pid in $pids; do gone "$pid" || { echo "child $pid still alive"; false; }; done
}

@test "daemon --daemon leaves no process behind even when the children printed nothing" {
    # the children may be terminated before they print their PID: look for
    # any process still in the demo's process group instead
    grouped 30 "$BIN/daemon" --daemon --tick 0.05
    check "$status" -eq 0
    group_gone "$group"
}
