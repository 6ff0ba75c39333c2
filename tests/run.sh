#!/usr/bin/env bash
# Runs every tests/*.bats and closes with one line: "N passed, N failed"
# (", N skipped" where any), which adds up to `bats --count tests/*.bats`.
# BIN (the demos) and TESTBIN (the C test programs) come from the Makefile.
set -u
cd "$(dirname "$0")/.." || exit 1
command -v bats >/dev/null || { echo "bats not found: apt-get install bats (or dnf install bats)" >&2; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
bats --tap tests/*.bats | tee "$log"
bats_status=${PIPESTATUS[0]}

# The counts come from bats's own TAP: the plan "1..N", then one result line
# per test, "ok K name" or "not ok K name", each K from 1 to N counted once. A
# stray process (a forked copy of bats that a test failed to stop) may print
# result lines of its own: numbers outside the plan are ignored, and a test
# reported both ways counts as bats's exit status says (0 only if every test
# process succeeded, whatever a stray printed; otherwise, to be safe, failed).
awk -v bats_status="$bats_status" '
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
    }' "$log"
