#!/usr/bin/env bats
# start_methods (lesson 11, beyond the seed): one child under fork, spawn and
# forkserver; what each sees, and what each costs.
load helpers

# block METHOD: the lines of $output from "METHOD:" to the next method's.
block() {
    printf '%s\n' "$output" | sed -n "/^$1:\$/,/start+join/p"
}

@test "start_methods: main's change to a global is seen under fork only" {
    run demo start_methods --tick 0.05 --starts 2
    check "$status" -eq 0
    [[ "$(block fork)" == *"counter = 2: main's change is seen"* ]]
    [[ "$(block spawn)" == *"counter = 1: main's change is not seen"* ]]
    [[ "$(block forkserver)" == *"counter = 1: main's change is not seen"* ]]
}

@test "start_methods: the list at main's address under fork, a copy elsewhere otherwise" {
    run demo start_methods --tick 0.05 --starts 2
    check "$status" -eq 0
    main=$(printf '%s\n' "$output" | sed -nE '1s/.* at (0x[0-9a-f]+)$/\1/p')
    [[ "$(block fork)" == *"at $main: main's, at main's address"* ]]
    for m in spawn forkserver; do
        b=$(block "$m")
        [[ "$b" == *": a copy, elsewhere"* && "$b" != *"at $main:"* ]] || { echo "$b"; false; }
    done
}

@test "start_methods: a lock held by a thread blocks the forked child (bounded), not the others" {
    run demo start_methods --tick 0.05 --starts 2
    check "$status" -eq 0
    [[ "$(block fork)" == *"lock: still held after 0.05 s: its holder was not copied"* ]]
    [[ "$(block spawn)" == *"lock: free, taken at once"* ]]
    [[ "$(block forkserver)" == *"lock: free, taken at once"* ]]
}

@test "start_methods: the parent is main under fork and spawn, the forkserver under forkserver" {
    run demo start_methods --tick 0.05 --starts 2
    main=$(printf '%s\n' "$output" | sed -nE '1s/^main PID ([0-9]+):.*/\1/p')
    parent_in() { block "$1" | sed -nE 's/.*parent PID ([0-9]+) .*/\1/p'; }
    check "$(parent_in fork)" -eq "$main"
    check "$(parent_in spawn)" -eq "$main"
    server=$(parent_in forkserver)
    check "$server" -ne "$main"
    [[ "$(block forkserver)" == *"(the forkserver)"* ]]
    all_gone "$server"          # the server ended with the program
}

@test "start_methods: a cost line per method, --method runs one, a bad one is refused" {
    run demo start_methods --tick 0.05 --starts 3
    check "$(count_lines '^  start\+join: [0-9]+\.[0-9]+ ms \(median of 3\)$')" -eq 3
    run demo start_methods --tick 0.05 --starts 2 --method spawn
    check "$status" -eq 0
    check "$(count_lines '^(fork|spawn|forkserver):$')" -eq 1
    check "${lines[1]}" = "main: a thread holds the lock"
    check "${lines[2]}" = "spawn:"
    run --separate-stderr demo start_methods --method clone
    check "$status" -eq 2
    check "${stderr_lines[0]}" = "start_methods: --method: 'clone' is not fork, spawn, forkserver or all"
}
