#!/usr/bin/env bash
# make compare DEMO=NAME [ARGS="..."]: runs build/bin/NAME and its Python twin
# demos/python/NAME.py with the same arguments, shows both outputs (stdout and
# stderr together), then says whether they hold the same lines once every 0x
# address and every run of digits is replaced (runs of spaces squeezed, as a
# number's width moves a table's padding; "1 item" and "2 items" alike, as
# the plural goes with the number), and how not.
# Exit 0: the same lines (in the same order or not); 1: they differ; 2: usage.
# serve and download need each other: with no ARGS, download fetches two files
# from a C serve, and serve is fetched from by the C download, then stopped.
set -u
BIN=${BIN:-build/bin}
PY=${PY:-demos/python}
if [ $# -lt 1 ] || [ ! -x "$BIN/$1" ] || [ ! -f "$PY/$1.py" ]; then
    echo "usage: make compare DEMO=NAME [ARGS=\"...\"]  (NAME: one of $(ls "$PY" | sed -n 's/\.py$//p' | grep -v common | tr '\n' ' '))" >&2
    exit 2
fi
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || { echo "compare: python3 not found: the twins need it" >&2; exit 1; }
name=$1
shift
tmp=$(mktemp -d)
serve_pid=""
cleanup() {
    [ -n "$serve_pid" ] && kill -TERM "$serve_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# start_serve PROGRAM...: starts a server on a free port in the background
# (its output to $tmp/serve.out), sets serve_pid and port.
start_serve() {
    "$@" --dir "$tmp/www" >"$tmp/serve.out" 2>&1 &
    serve_pid=$!
    port=""
    for _ in $(seq 200); do
        port=$(sed -nE 's|^serving .*:([0-9]+)/$|\1|p' "$tmp/serve.out")
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "compare: the server did not start" >&2
    exit 1
}

stop_serve() {
    # the children that answered must have ended first: else a server says,
    # truly, that it is waiting for one, and the two outputs differ by chance
    for _ in $(seq 100); do
        pgrep -P "$serve_pid" >/dev/null || break
        sleep 0.02
    done
    kill -TERM "$serve_pid"
    wait "$serve_pid"
    echo "(exit status $?)" >>"$tmp/serve.out"
    serve_pid=""
}

mkdir "$tmp/www"
head -c 24384 /dev/urandom >"$tmp/www/a.png"
head -c 36576 /dev/urandom >"$tmp/www/b.jpg"

# run_one c|python: the demo's output, then its exit status, in $tmp/$1.out
run_one() {
    local cmd
    if [ "$1" = c ]; then cmd=("$BIN/$name"); else cmd=("$PYTHON" "$PY/$name.py"); fi
    case "$name" in
    serve)
        start_serve "${cmd[@]}" "${@:2}"
        timeout 30 "$BIN/download" --dir "$tmp" "http://127.0.0.1:$port/a.png" \
            "http://127.0.0.1:$port/missing.png" >/dev/null 2>&1
        stop_serve
        cp "$tmp/serve.out" "$tmp/$1.out"
        return
        ;;
    download)
        if [ $# -eq 1 ]; then
            start_serve "$BIN/serve"
            mkdir -p "$tmp/saved-$1"
            set -- "$1" --dir "$tmp/saved-$1" "http://127.0.0.1:$port/a.png" \
                "http://127.0.0.1:$port/b.jpg"
        fi
        ;;
    esac
    timeout 60 "${cmd[@]}" "${@:2}" >"$tmp/$1.out" 2>&1 3>&-
    echo "(exit status $?)" >>"$tmp/$1.out"
    [ -n "$serve_pid" ] && stop_serve
}

run_one c "$@"
run_one python "$@"
printf '=== C: %s %s\n' "$BIN/$name" "$*"
cat "$tmp/c.out"
printf '=== Python: python3 %s %s\n' "$PY/$name.py" "$*"
cat "$tmp/python.out"

normal() {
    sed -E 's/0x[0-9a-fA-F]+/0x…/g; s/[0-9]+/N/g; s/ +/ /g; s/(N item)s\b/\1/g' "$1"
}
normal "$tmp/c.out" >"$tmp/c.norm"
normal "$tmp/python.out" >"$tmp/python.norm"
echo "==="
if cmp -s "$tmp/c.norm" "$tmp/python.norm"; then
    echo "same lines, in the same order (numbers and addresses aside)"
    exit 0
fi
sort "$tmp/c.norm" >"$tmp/c.sorted"
sort "$tmp/python.norm" >"$tmp/python.sorted"
if cmp -s "$tmp/c.sorted" "$tmp/python.sorted"; then
    echo "same lines, in another order (numbers and addresses aside): where the"
    echo "scheduler decides who prints first, two runs of one program differ too"
    exit 0
fi
echo "different lines (numbers and addresses aside):"
comm -23 "$tmp/c.sorted" "$tmp/python.sorted" | sed 's/^/  only in C:      /'
comm -13 "$tmp/c.sorted" "$tmp/python.sorted" | sed 's/^/  only in Python: /'
exit 1
