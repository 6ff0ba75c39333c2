#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# replay.sh DIR [ARGS...]: plays back what a solution printed when its check
# ran it (check.bash's RECORD: DIR/N.out, N.err and N.status for its Nth
# run), one run per call, every line written by this one process, at once:
# the right text without doing the work. Every check must fail it.
dir=$1
n=$(($(cat "$dir/next" 2>/dev/null || echo 0) + 1))
echo "$n" >"$dir/next"
while IFS= read -r line; do printf '%s\n' "$line"; done <"$dir/$n.out"
while IFS= read -r line; do printf '%s\n' "$line" >&2; done <"$dir/$n.err"
status=$(cat "$dir/$n.status" 2>/dev/null || echo "exit 0")
case $status in
    "signal "*) kill -"${status#signal }" $$ ;;
    "exit "*) exit "${status#exit }" ;;
esac
