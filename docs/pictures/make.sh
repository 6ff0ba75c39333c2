#!/usr/bin/env bash
# make pictures: the SVG charts the lesson pages show, each drawn by
# --timeline-svg from a real run of the demo, as the page describes it.
# Run from anywhere after `make`; BIN names the folder of the demos.
set -eu
cd "$(dirname "$0")/../.."
BIN=$(cd "${BIN:-build/bin}" && pwd)
out=$PWD/docs/pictures

# picture NAME DEMO [OPTION...]: docs/pictures/NAME.svg from one run.
picture() {
    local name=$1
    shift
    echo "docs/pictures/$name.svg: $*"
    "$BIN/$1" --timeline-svg "$out/$name.svg" "${@:2}" >/dev/null
}

picture 01-concurrency concurrency --tick 0.1 --tasks 2
picture 06-serial serial --tick 0.1
picture 07-parallel parallel --tick 0.1
picture 08-daemon daemon --tick 0.1
picture 08-daemon-true daemon --tick 0.1 --daemon
picture 09-pool_map pool_map --tick 0.1
picture 09-pool_map-workers-4 pool_map --tick 0.1 --items 6 --workers 4
picture 10-pool_apply pool_apply

# Lesson 02: 8 files from `serve --delay 0.2`, 4 workers. The URLs go in on
# standard input ("-"), and the files into a temporary folder that is the
# current one, so that the picture's title stays short.
work=$(mktemp -d)
server=""
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
mkdir "$work/site" "$work/saved"
for i in 1 2 3 4 5 6 7 8; do
    head -c 1000 /dev/zero >"$work/site/$i.png"
done
"$BIN/serve" --dir "$work/site" --delay 0.2 >"$work/serve.out" 2>/dev/null &
server=$!
for _ in $(seq 100); do
    grep -q '^serving ' "$work/serve.out" && break
    sleep 0.05
done
url=$(sed -n 's/^serving .* at //p' "$work/serve.out")
[ -n "$url" ] || { echo "make.sh: serve did not start" >&2; exit 1; }
(cd "$work/saved" && printf "$url%s.png\n" 1 2 3 4 5 6 7 8 |
    picture 02-download download --workers 4 --timeline-scale 0.02 -)
