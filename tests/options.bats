#!/usr/bin/env bats
# The conventions every demo shares: --help, --tick, and how bad input is refused.
load helpers

demos() {
    local f
    for f in "$BIN"/*; do basename "$f"; done
}

# The demos whose lesson never sleeps: they take no --tick.
untimed="download list_copy pool_apply process_class serve shared_counter"
timed_demos() {
    local d
    for d in $(demos); do [[ " $untimed " == *" $d "* ]] || echo "$d"; done
}

@test "a demo that never sleeps neither lists nor accepts --tick" {
    for d in $untimed; do
        run --separate-stderr demo "$d" --help
        check "$status" -eq 0
        [[ "$output" != *"--tick"* ]] || { echo "$d lists --tick"; false; }
        run --separate-stderr demo "$d" --tick 0.1
        check "$status" -eq 2
        check "${stderr_lines[0]}" = "$d: unknown option '--tick'"
    done
}

@test "every demo that takes --start-method lists it and refuses another name, in one line (exit 2)" {
    takers=$(for d in $(demos); do
        demo "$d" --help | grep -q -- '--start-method NAME' && echo "$d"
    done | tr '\n' ' ')
    check "$takers" = "daemon list_copy parallel pipe_join pool_map process_class shared_counter shared_queue "
    for d in $takers; do
        run --separate-stderr demo "$d" --start-method vfork
        check "$status" -eq 2
        check "${stderr_lines[0]}" = "$d: --start-method: 'vfork' is not fork, spawn or forkserver"
        [[ "${stderr_lines[1]}" == "usage: $d "* ]] || { echo "$d: ${stderr_lines[1]}"; false; }
        check "$output" = ""
    done
}

@test "every demo prints its usage on --help and exits 0" {
    for d in $(demos); do
        run --separate-stderr demo "$d" --help
        check "$status" -eq 0
        [[ "${lines[0]}" =~ ^"usage: $d"( |$) ]] || { echo "$d: ${lines[0]}"; false; }
        check -z "$stderr"
    done
}

@test "every demo that sleeps lists --tick and refuses a bad one with exit 2" {
    for d in $(timed_demos); do
        run demo "$d" --help
        [[ "$output" == *"--tick SECONDS"* ]] || { echo "$d: no --tick in --help"; false; }
        for bad in abc -1 0 nan 1e999 "" 0x1; do
            run --separate-stderr demo "$d" --tick "$bad"
            check "$status" -eq 2
            check -z "$output"
            [[ "${stderr_lines[0]}" == "$d: --tick: '$bad' "* ]] || { echo "$d $bad: $stderr"; false; }
            [[ "${stderr_lines[1]}" == "usage: $d "* ]]
        done
    done
}

@test "every demo refuses an unknown option and a stray argument with exit 2" {
    for d in $(demos); do
        run --separate-stderr demo "$d" --frobnicate
        check "$status" -eq 2
        [[ "${stderr_lines[0]}" == "$d: unknown option '--frobnicate'" ]] || { echo "$stderr"; false; }
    done
    for d in $(timed_demos); do
        run --separate-stderr demo "$d" --tick
        check "$status" -eq 2
        [[ "${stderr_lines[0]}" == "$d: --tick needs a value"* ]] || { echo "$stderr"; false; }
    done
}

@test "a whole number is written in decimal digits, as Python's int() reads it: no 1e1, no 0x2" {
    for bad in 1e1 0x2 2.0 2x ""; do
        run --separate-stderr demo pool_map --workers "$bad"
        check "$status" -eq 2
        check "${stderr_lines[0]}" = "pool_map: --workers: '$bad' is not a whole number from 0 to 256"
    done
    run demo pool_map --tick 0.02 --workers +2
    check "$status" -eq 0
}

@test "--tick=VALUE works like --tick VALUE" {
    run demo serial --tick=0.01
    check "$status" -eq 0
    check "$(count_lines '^play ')" -eq 10
}

@test "a demo that takes no arguments refuses one" {
    run --separate-stderr demo parallel extra
    check "$status" -eq 2
    [[ "${stderr_lines[0]}" == "parallel: unexpected argument 'extra'" ]]
}

@test "Ctrl-C during any demo ends it with status 130 and leaves no process of it" {
    for d in $(demos); do
        case "$d" in
            serve|download) continue ;;   # tested with a server in their own files
        esac
        # SIGINT to the demo's whole process group after 0.15 s, as a
        # terminal's Ctrl-C; --tick 0.5 keeps every demo busy past that.
        tick=(--tick 0.5)
        [[ " $untimed " == *" $d "* ]] && tick=()
        grouped --preserve-status -s INT 0.15 "$BIN/$d" "${tick[@]}"
        case "$d" in
            # no seed sleeps to interrupt: done within 0.15 s on a quick
            # machine (0), caught on the way out on a slow one (130)
            list_copy|process_class|pool_apply|pool_map_async) expected="0 130" ;;
            *) expected=130 ;;
        esac
        [[ " $expected " == *" $status "* ]] || { echo "$d: status $status"; echo "$output"; false; }
        group_gone "$group" || { echo "$d left processes behind"; false; }
    done
}

@test "output that cannot be written is an error: one line naming standard output, exit 1" {
    [ -w /dev/full ] || skip "no /dev/full (Linux)"
    for d in serial parallel pool_map; do
        run bash -c '"$1" --tick 0.001 >/dev/full 3>&-' _ "$BIN/$d"
        check "$status" -eq 1
        check "${lines[0]}" = "$d: standard output: No space left on device"
    done
    run bash -c '"$1" --tick 0.001 >&- 3>&-' _ "$BIN/serial"    # stdout closed
    check "$status" -eq 1
    check "$output" = "serial: standard output: Bad file descriptor"
    run bash -c '"$1" --help >/dev/full' _ "$BIN/serial"
    check "$status" -eq 1
    check "$output" = "serial: standard output: No space left on device"
}

@test "every demo's --help and usage error fit 80 columns" {
    for d in $(demos); do
        run demo "$d" --help
        check "$status" -eq 0
        wide=$(awk 'length > 80' <<<"$output")
        [ -z "$wide" ] || { echo "$d --help, over 80 columns:"; echo "$wide"; false; }
        run demo "$d" --no-such-option
        check "$status" -eq 2
        wide=$(awk 'length > 80' <<<"$output")
        [ -z "$wide" ] || { echo "$d's usage error, over 80 columns:"; echo "$wide"; false; }
    done
}
