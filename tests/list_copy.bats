#!/usr/bin/env bats
# list_copy (seed 3.1): a list handed to two children is copied, so both pop all of it.
load helpers

@test "list_copy: each child pops a, b, c from its own copy: six got lines, two PIDs" {
    run demo list_copy
    check "$status" -eq 0
    check "$(count_lines '^work1 \(PID [0-9]+\) got [abc]$')" -eq 3
    check "$(count_lines '^work2 \(PID [0-9]+\) got [abc]$')" -eq 3
    check "$(count_lines ' got c$')" -eq 2
    # each child pops from the end: c, b, a
    check "$(printf '%s\n' "$output" | sed -nE 's/^work1 .* got (.)$/\1/p' | tr -d '\n')" = cba
    check "$(printf '%s\n' "$output" | sed -nE 's/^work2 .* got (.)$/\1/p' | tr -d '\n')" = cba
    main=$(pids_after '^main \(PID')
    w1=$(printf '%s\n' "$output" | sed -nE 's/^work1 \(PID ([0-9]+)\).*/\1/p' | sort -u)
    w2=$(printf '%s\n' "$output" | sed -nE 's/^work2 \(PID ([0-9]+)\).*/\1/p' | sort -u)
    check "$(wc -w <<<"$w1 $w2")" -eq 2
    check "$w1" -ne "$w2"
    check "$w1" -ne "$main"
    check "$w2" -ne "$main"
    check "$(count_lines '^main process done!$')" -eq 1
}

@test "list_copy: main and both children print the same address for q" {
    run demo list_copy
    check "$status" -eq 0
    check "$(count_lines ' is at 0x[0-9a-f]+$')" -eq 3
    check "$(printf '%s\n' "$output" | grep -oE '0x[0-9a-f]+$' | sort -u | wc -l)" -eq 1
}

@test "list_copy output sent to a pipe has no duplicated lines" {
    run bash -c "timeout 10 '$BIN/list_copy' | cat"
    check "$status" -eq 0
    check "${#lines[@]}" -eq 10
}
