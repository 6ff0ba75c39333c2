#!/usr/bin/env bash
# Lesson 02 in one command: serve two files named like the seed's images from a
# temporary folder, download them with `download`, then stop the server.
#
#   docs/try-download.sh [download options]     e.g. --workers 4
#   URLS=1 docs/try-download.sh --workers 4     only the first URL (the seed hangs here)
#
# Run it from the top of the repository after `make`. BIN names the folder of
# the demos (default build/bin).
set -eu
BIN=${BIN:-build/bin}
URLS=${URLS:-2}
work=$(mktemp -d)
server=""

cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true     # SIGTERM: serve finishes, then exits
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Two fake images, as big as the seed's would be at one byte a pixel.
png=067d0e8627b667778ea8729e6e480a47_254_96.png
jpg=3f52ff39e52f182d1bfd9ce061e9c6a6_254_144.jpg
mkdir "$work/site" "$work/saved"
head -c 24384 /dev/zero >"$work/site/$png"
head -c 36576 /dev/zero >"$work/site/$jpg"

# serve picks a free port and prints "serving DIR at http://127.0.0.1:PORT/"
# once it is listening, in English whatever the reader's language (this
# script reads that line; download below speaks the reader's); its access
# log (stderr) goes to a file.
LANGUAGE=en "$BIN/serve" --dir "$work/site" >"$work/serve.out" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do
    grep -qs '^serving ' "$work/serve.out" && break     # -s: it may not exist yet
    sleep 0.05
done
url=$(sed -n 's/^serving .* at //p' "$work/serve.out")
if [ -z "$url" ]; then
    echo "try-download.sh: serve did not start" >&2
    exit 1
fi

urls=("$url$png")
if [ "$URLS" -ge 2 ]; then
    urls+=("$url$jpg")
fi
"$BIN/download" --dir "$work/saved" "$@" "${urls[@]}"
