#!/usr/bin/env bash
# Runs every tests/*.bats and closes with one line: "N passed, N failed".
# BIN (the demos) and TESTBIN (the C test programs) come from the Makefile.
set -u
cd "$(dirname "$0")/.." || exit 1
command -v bats >/dev/null || { echo "bats not found: apt-get install bats (or brew install bats-core)" >&2; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
bats --tap tests/*.bats | tee "$log"
passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
skipped=$(grep -c '^ok .* # skip' "$log")
passed=$((passed - skipped))
if [ "$failed" -gt 0 ]; then
    echo "failed:"
    grep '^not ok ' "$log" | sed 's/^not ok [0-9]* /  /'
fi
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
