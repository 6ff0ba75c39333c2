#!/usr/bin/env bash
# Runs the test files and closes with one line: "N passed, N failed"
# (", N skipped" where any), which adds up to `bats --count` of those files.
# BIN (the demos) and TESTBIN (the C test programs) come from the Makefile.
#
# Two tiers. make test runs the quick one: each lesson's demo as the class
# sees it, the queue, processes and shared state, the Chinese lines, the
# fuzz replays (under a minute). make test-full (and make check, and CI)
# runs every file: FULL_ONLY adds each demo under spawn and forkserver, the
# library's contracts under every start method (pool, start, timeline), the
# exercises' checks, the pages, the Python twins, the catalogs, every demo
# against every odd option, hostile peers and faults.
#
#   tests/run.sh                       the quick tier
#   tests/run.sh --full                every file
#   tests/run.sh --merge N1 LOG1 N2 LOG2 ...  the groups' TAP as one (used below)
#   tests/run.sh --count STATUS        the closing line for the TAP on stdin
set -u
cd "$(dirname "$0")/.." || exit 1

# --merge N1 LOG1 N2 LOG2 ...: one TAP stream, "1..N1+N2+..." first (the
# counts bats gave before the run, so a group that stopped early shows as
# tests not reported), each LOG's results numbered after those before it. A
# result whose number lies outside its own group's plan (a stray process's)
# is passed on as number 0, outside every plan, so that --count ignores it
# rather than taking it for another group's test.
merge() {
    local plans=() logs=() total=0
    while [ $# -ge 2 ]; do
        [[ $1 =~ ^[0-9]+$ ]] || { echo "run.sh: --merge: '$1' is not a count of tests" >&2; return 2; }
        plans+=("$1"); logs+=("$2"); total=$((total + $1)); shift 2
    done
    [ $# -eq 0 ] || { echo "run.sh: --merge: a count without its log" >&2; return 2; }
    echo "1..$total"
    awk -v plans="${plans[*]}" '
        BEGIN { split(plans, n, " ") }
        FNR == 1 { offset += n[group]; group++ }
        /^1\.\.[0-9]+$/ { next }
        /^(not )?ok [0-9]+( |$)/ {
            f = ($1 == "ok") ? 2 : 3
            k = $f + 0
            $f = (k < 1 || k > n[group]) ? 0 : k + offset
        }
        { print }' "${logs[@]}"
}

# --count STATUS: the closing line, from bats's own TAP on stdin: the plan
# "1..N", then one result line per test, "ok K name" or "not ok K name", each
# K from 1 to N counted once. A stray process (a forked copy of bats that a
# test failed to stop) may print result lines of its own: numbers outside the
# plan are ignored, and a test reported both ways counts as bats's exit
# status says (0 only if every test process succeeded, whatever a stray
# printed; otherwise, to be safe, failed).
count() {
    awk -v bats_status="$1" '
    !plan && /^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
    /^(not )?ok [0-9]+( |$)/ {
        ok = ($1 == "ok")
        k = ok ? $2 + 0 : $3 + 0
        if (!plan || k < 1 || k > plan) { stray++; next }
        r = !ok ? "failed" : ($0 ~ / # skip( |$)/ ? "skipped" : "passed")
        if (k in result) {
            if (result[k] != r && (result[k] == "failed" || r == "failed")) twice[k] = 1
            else stray++
            next
        }
        result[k] = r
        name[k] = $0; sub(/^(not )?ok [0-9]+ ?/, "", name[k]); sub(/ # skip( .*)?$/, "", name[k])
    }
    END {
        for (k = 1; k <= plan; k++) {
            if (!(k in result)) continue
            if (k in twice) {
                result[k] = bats_status == 0 ? "passed" : "failed"
                notes[++nnotes] = "test " k " was reported both passed and failed (a stray process?); counted once, as " result[k]
            }
            count[result[k]]++
            if (result[k] == "failed") failures[++nfailures] = name[k]
        }
        passed = count["passed"] + 0; failed = count["failed"] + 0; skipped = count["skipped"] + 0
        reported = passed + failed + skipped
        if (nfailures) {
            print "failed:"
            for (i = 1; i <= nfailures; i++) print "  " failures[i]
        }
        for (i = 1; i <= nnotes; i++) print "note: " notes[i]
        if (stray) print "note: ignored " stray " result line(s) that repeat a test number or lie outside the plan"
        if (!plan) print "note: bats printed no plan (1..N): it did not run"
        if (bats_status != 0 && !failed) print "note: bats exited with status " bats_status
        line = passed " passed, " failed " failed"
        if (skipped) line = line ", " skipped " skipped"
        if (reported < plan) line = line ", " (plan - reported) " not reported (bats stopped early)"
        print line
        exit !(plan > 0 && reported == plan && !failed && passed > 0 && bats_status == 0)
    }'
}

full=0
case "${1:-}" in
--merge) shift; merge "$@"; exit ;;
--count) count "$2"; exit ;;
--full) full=1 ;;
"") ;;
*) echo "usage: tests/run.sh [--full]" >&2; exit 2 ;;
esac

command -v bats >/dev/null || { echo "bats not found: apt-get install bats (or dnf install bats)" >&2; exit 1; }
BIN=${BIN:-$PWD/build/bin}
TESTBIN=${TESTBIN:-$PWD/build/tests}

FULL_ONLY="pool start timeline methods exercises docs twins tour options zh_every catalog
           serve_peers download_peers start_faults"

# The files share out into NGROUPS groups of about equal time, run side by
# side (most tests wait on sleeps and timeouts; the CPUs are shared): the
# longest file first, each into the group with the least time so far. COST:
# the seconds a file takes alone on two idle CPUs (bats -T), rounded; a file
# not listed counts 5. docs and exercises stay in the first group: they find
# the build beside $BIN; the others run copies of the programs from another
# folder, so that a test that looks for leftover processes by their command
# line ("$BIN/daemon ...") never sees another group's.
NGROUPS=3
COST="docs:61 twins:40 start_faults:32 serve_peers:14 timeline:20 exercises:13 pool:9 zh_every:9
      download_peers:11 options:11 download:8 serve:6 pool_map:5 tour:7 start:6 concurrency:6 zh:5
      methods:8 catalog:3 process:4 parallel:3 shared:4 daemon:3 shared_queue:3 shared_counter:3 queue:3
      pipe_join:2 start_methods:2 serial:1 run_sh:1 list_copy:1 pool_map_async:1 process_class:1
      pool_apply:1 fuzz:1"
cost_of() {
    local c=" ${COST//$'\n'/ } "
    [[ $c == *" $1:"* ]] && { c=${c#*" $1:"}; echo "${c%% *}"; } || echo 5
}
load=() members=()
for ((g = 0; g < NGROUPS; g++)); do load[g]=0; members[g]=""; done
for f in $(for t in tests/*.bats; do
               name=$(basename "$t" .bats)
               [[ $full -eq 0 && " ${FULL_ONLY//$'\n'/ } " == *" $name "* ]] && continue
               echo "$(cost_of "$name") $t"
           done | sort -rn | cut -d' ' -f2); do
    case $(basename "$f" .bats) in
    docs | exercises) g=0 ;;
    *) g=0; for ((i = 1; i < NGROUPS; i++)); do [ "${load[i]}" -lt "${load[g]}" ] && g=$i; done ;;
    esac
    load[g]=$((load[g] + $(cost_of "$(basename "$f" .bats)")))
    members[g]+=" $f"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# python3 looked up once: where it is a version manager's shim (pyenv's is a
# shell script), every start costs a quarter of a second more, and the twins
# and pages start it hundreds of times.
if py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) && [ -x "$py" ]; then
    mkdir "$work/python" && ln -s "$py" "$work/python/python3" && PATH="$work/python:$PATH"
fi

pids=() runs=()
for ((g = 0; g < NGROUPS; g++)); do
    [ -n "${members[g]}" ] || continue
    bin=$BIN tests=$TESTBIN
    if [ "$g" -gt 0 ]; then
        bin=$work/$g/bin tests=$work/$g/tests
        mkdir -p "$bin" "$tests"
        if ! cp -p "$BIN"/* "$bin" || ! cp -p "$TESTBIN"/* "$tests"; then
            echo "run.sh: cannot copy the programs into $work/$g" >&2
            exit 1
        fi
    fi
    # shellcheck disable=SC2086   # the members are words: test files' paths
    BIN=$bin TESTBIN=$tests bats --tap ${members[g]} >"$work/$g.tap" &
    pids+=($!)
    runs+=("$g")
done
# each group's plan, counted by bats while the groups run
merged=()
for g in "${runs[@]}"; do
    # shellcheck disable=SC2086
    merged+=("$(bats --count ${members[g]})" "$work/$g.tap")
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
for g in "${runs[@]}"; do cat "$work/$g.tap"; done
merge "${merged[@]}" | count "$status"
