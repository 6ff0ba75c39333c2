#!/usr/bin/env bats
# Each demo under spawn and forkserver (lesson 11): the same lines as under
# fork, the same guarantees (every child joined or ended, Ctrl-C ends all),
# where each child is a new program. (Under fork: each demo's own file.) In
# make test-full.
load helpers

@test "parallel --start-method spawn and forkserver: the same lines, three PIDs, Ctrl-C still ends all" {
    for m in spawn forkserver; do
        run demo parallel --tick "$TICK" --start-method "$m"
        check "$status" -eq 0
        check "$(count_lines '^play music \.\.\.$')" -eq 5
        check "$(count_lines '^play lol \.\.\.$')" -eq 5
        check "$(pids_after 'PID:' | sort -u | wc -l)" -eq 3
        # Ctrl-C to the whole group at 0.3 s: whatever has started by then
        # (a new program starts slowly on the sanitizer build), nothing of
        # the group is left
        grouped --preserve-status -s INT 0.3 "$BIN/parallel" --tick 0.5 --start-method "$m"
        check "$status" -eq 130
        group_gone "$group"
    done
}

@test "daemon --start-method spawn and forkserver: exit still joins the children, or terminates them with --daemon" {
    for m in spawn forkserver; do
        run demo daemon --tick 0.05 --start-method "$m"
        check "$status" -eq 0
        check "$(count_lines '^play (music|lol) \.\.\.$')" -eq 10
        main_line=$(printf '%s\n' "$output" | grep -n '^main PID:' | cut -d: -f1)
        last_play=$(printf '%s\n' "$output" | grep -n '^play ' | tail -1 | cut -d: -f1)
        check "$last_play" -gt "$main_line"
        # under forkserver the children are the server's: exit asks it for
        # their ends all the same, and the server goes with the program
        grouped 30 "$BIN/daemon" --daemon --tick 0.05 --start-method "$m"
        check "$status" -eq 0
        check "$(count_lines '^play (music|lol) \.\.\.$')" -lt 10
        group_gone "$group"
    done
}

@test "list_copy --start-method spawn, forkserver: each child pops its own copy, not at main's address" {
    for m in spawn forkserver; do
        run demo list_copy --start-method "$m"
        check "$status" -eq 0
        check "$(count_lines ' got [abc]$')" -eq 6
        main=$(printf '%s\n' "$output" | sed -nE 's/^main .* is at (0x[0-9a-f]+)$/\1/p')
        check "$(count_lines "q is at $main\$")" -eq 0
    done
}

@test "process_class --start-method spawn and forkserver: the object rebuilt in a new program, the same lines" {
    for m in spawn forkserver; do
        run demo process_class --start-method "$m"
        check "$status" -eq 0
        check "${#lines[@]}" -eq 2
        # the greeting is a field of the object: it came over as bytes
        check "$(count_lines '^hello from MyProcess-1, PID: [0-9]+$')" -eq 1
        check "$(count_lines '^hello from MyProcess-2, PID: [0-9]+$')" -eq 1
        check "$(pids_after 'PID:' | sort -u | wc -l)" -eq 2
        all_gone $(pids_after 'PID:')
    done
}

@test "shared_queue --start-method spawn, forkserver: the workers map the queue, each item once" {
    for m in spawn forkserver; do
        run demo shared_queue --tick 0.01 --items 40 --workers 3 --start-method "$m"
        check "$status" -eq 0
        check "$(count_lines ' got [0-9]+$')" -eq 40
        check "$(printf '%s\n' "$output" | sed -nE 's/.* got ([0-9]+)$/\1/p' | sort -u | wc -l)" -eq 40
        check "$(count_lines '^main process done!$')" -eq 1
    done
}

@test "pool_map --start-method spawn and forkserver: [1, 4, 9, 16], the same lines" {
    for m in spawn forkserver; do
        run demo pool_map --tick 0.05 --start-method "$m"
        check "$status" -eq 0
        check "${#lines[@]}" -eq 3
        check "${lines[0]}" = "[1, 4, 9, 16]"
        check "${lines[1]}" = "chunksize 1 (Python's default: ceil(items / (4 * workers)))"
        [[ "${lines[2]}" == "total: "*" s" ]]
        run demo pool_map --items 100 --workers 3 --tick 0.001 --start-method "$m"
        check "$status" -eq 0
        check "${lines[0]}" = "$(squares_list 100)"
    done
}

@test "pool_map --crash 37 under each method: the item says it crashes, so a new program's worker knows it too" {
    cause="was killed by signal 11 \(SIGSEGV\)"
    grep -q __ubsan_handle "$BIN/pool_map" && cause="exited with status 1"   # make check
    for m in $METHODS; do
        run --separate-stderr demo pool_map --items 100 --crash 37 --tick 0.01 --start-method "$m"
        check "$status" -eq 1
        check "${lines[0]}" = "$(squares_list 100 | sed 's/, 1369,/, 0,/')"
        [[ "$(tail -1 <<<"$stderr")" =~ ^"pool_map: map: in[36]: worker "[0-9]+" "$cause$ ]] ||
            { echo "$m: stderr: $stderr"; false; }
    done
}

# descendants PID: the PIDs of PID's children, their children, and so on.
descendants() {
    local kid
    for kid in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
        echo "$kid"
        descendants "$kid"
    done
}

# ctrl_c_pool_map METHOD: starts pool_map with 3 workers and a long tick,
# learns its processes from /proc once they are all there (3 workers, and
# the server under forkserver), sends SIGINT to the main; prints their PIDs
# on one line, then the main's exit status. (A background job starts with
# SIGINT ignored: env puts the default action back.)
ctrl_c_pool_map() {
    local main want=3 pids="" i rc=0
    [ "$1" = forkserver ] && want=4
    env --default-signal=INT "$BIN/pool_map" --workers 3 --tick 2 --start-method "$1" \
        >/dev/null 3>&- &
    main=$!
    for i in $(seq 250); do
        pids=$(descendants "$main")
        [ "$(wc -w <<<"$pids")" -ge "$want" ] && break
        sleep 0.02
    done
    kill -INT "$main"
    wait "$main" || rc=$?
    echo $pids
    echo "status $rc"
}

@test "Ctrl-C during pool_map under each method: status 130, every worker (and the forkserver) gone" {
    for m in $METHODS; do
        run ctrl_c_pool_map "$m"
        check "${lines[1]}" = "status 130"
        want=3; [ "$m" = forkserver ] && want=4
        check "$(wc -w <<<"${lines[0]}")" -eq "$want"
        all_gone ${lines[0]}
    done
}
