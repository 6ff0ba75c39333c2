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
# per test, "ok K name" or "not ok K name". Each K from 1 to N counts once, by
# its first result: a stray process (a forked copy of bats that a test failed
# to stop) may print result lines of its own, which must not change the count.
awk -v bats_status="$bats_status" '
    !plan && /^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; next }
    /^(not )?ok [0-9]+( |$)/ {
        ok = ($1 == "ok")
        k = ok ? $2 + 0 : $3 + 0
        if (!plan || k < 1 || k > plan) { stray++; next }
        if (k in result) {
            if (result[k] != (ok ? "ok" : "not ok"))
                notes[++nnotes] = "test " k " was reported twice (" result[k] ", then " $1 (ok ? "" : " ok") "); counted once, as its first result"
            else
                stray++
            next
        }
        if (!ok) {
            result[k] = "not ok"; failed++
            name = $0; sub(/^not ok [0-9]+ ?/, "", name); names[++nnames] = name
        } else if ($0 ~ / # skip( |$)/) {
            result[k] = "ok"; skipped++
        } else {
            result[k] = "ok"; passed++
        }
    }
    END {
        reported = passed + failed + skipped
        if (nnames) {
            print "failed:"
            for (i = 1; i <= nnames; i++) print "  " names[i]
        }
        for (i = 1; i <= nnotes; i++) print "note: " notes[i]
        if (stray) print "note: ignored " stray " result line(s) that repeat a test number or lie outside the plan"
        if (!plan) print "note: bats printed no plan (1..N): it did not run"
        if (bats_status != 0 && !failed) print "note: bats exited with status " bats_status
        line = (passed + 0) " passed, " (failed + 0) " failed"
        if (skipped) line = line ", " skipped " skipped"
        if (reported < plan) line = line ", " (plan - reported) " not reported (bats stopped early)"
        print line
        exit !(plan > 0 && reported == plan && !failed && passed > 0 && bats_status == 0)
    }' "$log"
