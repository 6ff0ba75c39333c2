#!/usr/bin/env bash
# Runs every tests/*.bats and closes with one line: "N passed, N failed"
# (", N skipped" where any), which adds up to `bats --count tests/*.bats`.
# BIN (the demos) and TESTBIN (the C test programs) come from the Makefile.
#
# Most tests wait (sleeps, timeouts, a server's answer), so the files run as
# two groups side by side, which halves the time on two CPUs. The second group
# runs copies of the programs from another folder: a test that looks for
# leftover processes by their command line ("$BIN/daemon ...") then never
# sees the other group's.
#
#   tests/run.sh                       the whole suite
#   tests/run.sh --merge N1 N2 LOG1 LOG2  two groups' TAP as one (used below)
#   tests/run.sh --count STATUS        the closing line for the TAP on stdin
set -u
cd "$(dirname "$0")/.." || exit 1

# --merge N1 N2 LOG1 LOG2: one TAP stream, "1..N1+N2" first (the counts bats
# gave before the run, so a group that stopped early shows as tests not
# reported), LOG2's results numbered after LOG1's. A result whose number lies outside its own group's
# plan (a stray process's) is passed on as number 0, outside every plan, so
# that --count ignores it rather than taking it for the other group's test.
merge() {
    echo "1..$(($1 + $2))"
    awk -v n1="$1" -v n2="$2" '
        FNR == 1 { group++ }
        /^1\.\.[0-9]+$/ { next }
        /^(not )?ok [0-9]+( |$)/ {
            f = ($1 == "ok") ? 2 : 3
            k = $f + 0
            if (k < 1 || k > (group == 1 ? n1 : n2)) k = 0
            else if (group == 2) k += n1
            $f = k
        }
        { print }' "$3" "$4"
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

case "${1:-}" in
--merge) merge "$2" "$3" "$4" "$5"; exit ;;
--count) count "$2"; exit ;;
esac

command -v bats >/dev/null || { echo "bats not found: apt-get install bats (or dnf install bats)" >&2; exit 1; }
BIN=${BIN:-$PWD/build/bin}
TESTBIN=${TESTBIN:-$PWD/build/tests}

# The two groups, of about equal time; every tests/*.bats is in one of them.
second="serve twins start queue options parallel pool_map list_copy pool_apply process run_sh shared_queue zh download
        timeline tour"
group1=() group2=()
for f in tests/*.bats; do
    name=$(basename "$f" .bats)
    if [[ " ${second//$'\n'/ } " == *" $name "* ]]; then group2+=("$f"); else group1+=("$f"); fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/tests"
if ! cp -p "$BIN"/* "$work/bin" || ! cp -p "$TESTBIN"/* "$work/tests"; then
    echo "run.sh: cannot copy the programs into $work" >&2
    exit 1
fi

# python3 looked up once: where it is a version manager's shim (pyenv's is a
# shell script), every start costs a quarter of a second more, and the twins
# and pages start it hundreds of times.
if py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) && [ -x "$py" ]; then
    mkdir "$work/python" && ln -s "$py" "$work/python/python3" && PATH="$work/python:$PATH"
fi

n1=$(bats --count "${group1[@]}")
n2=$(bats --count "${group2[@]}")
BIN=$BIN TESTBIN=$TESTBIN bats --tap "${group1[@]}" >"$work/1.tap" &
first=$!
BIN=$work/bin TESTBIN=$work/tests bats --tap "${group2[@]}" >"$work/2.tap"
status2=$?
wait "$first"
status1=$?
cat "$work/1.tap" "$work/2.tap"
merge "$n1" "$n2" "$work/1.tap" "$work/2.tap" | count $((status1 || status2))
