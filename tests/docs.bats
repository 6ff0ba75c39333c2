#!/usr/bin/env bats
# docs/ stays true: every demo has a page, the pages link up, and each page's
# commands and sample outputs still match what the demos do. The work is done
# by tests/docs_check.sh; docs/README.md explains the conventions it reads.
load helpers

# page FILE: check one page (its commands, samples and quoted lines).
page() {
    run "$BATS_TEST_DIRNAME/docs_check.sh" page "$1"
    check "$status" -eq 0
}

@test "every demo has a lesson page" {
    run "$BATS_TEST_DIRNAME/docs_check.sh" coverage
    check "$status" -eq 0
}

@test "docs/README.md links every page of docs/" {
    run "$BATS_TEST_DIRNAME/docs_check.sh" index
    check "$status" -eq 0
}

@test "no relative link in docs/ is dead" {
    run "$BATS_TEST_DIRNAME/docs_check.sh" links
    check "$status" -eq 0
}

@test "every picture a page shows exists and is a well-formed SVG" {
    run "$BATS_TEST_DIRNAME/docs_check.sh" pictures
    check "$status" -eq 0
}

@test "the lessons with a timeline show the picture of their run" {
    for page in 01-concurrency 02-download 06-serial 07-parallel 08-daemon 09-pool_map 10-pool_apply; do
        grep -qE "^!\[[^]]+\]\(pictures/$page[-a-z_0-9]*\.svg\)$" "$BATS_TEST_DIRNAME/../docs/$page.md" ||
            { echo "docs/$page.md shows no picture"; false; }
    done
}

@test "every page with commands is checked by a test in this file" {
    for f in "$BATS_TEST_DIRNAME"/../docs/*.md; do
        grep -qE '^```(sh run|text sample|c from )' "$f" || continue
        grep -qF "page docs/$(basename "$f")" "$BATS_TEST_FILENAME" ||
            { echo "docs/$(basename "$f") has no test in tests/docs.bats"; false; }
    done
}

@test "every page has its Chinese page, in step: the same sections, commands, code quotes, samples and pictures" {
    run "$BATS_TEST_DIRNAME/docs_check.sh" translations
    check "$status" -eq 0
}

@test "an English page changed alone is out of step with its Chinese page" {
    # copies of a page and its Chinese page, the English one given one more
    # command, then one code quote line less
    mkdir -p "$BATS_TEST_TMPDIR/docs/zh"
    en=$BATS_TEST_TMPDIR/docs/07-parallel.md zh=$BATS_TEST_TMPDIR/docs/zh/07-parallel.md
    cp "$BATS_TEST_DIRNAME/../docs/07-parallel.md" "$en"
    cp "$BATS_TEST_DIRNAME/../docs/zh/07-parallel.md" "$zh"
    run "$BATS_TEST_DIRNAME/docs_check.sh" step "$en" "$zh"
    check "$status" -eq 0
    sed -i '0,/^build\/bin\/parallel$/s//&\nbuild\/bin\/parallel --help/' "$en"
    run "$BATS_TEST_DIRNAME/docs_check.sh" step "$en" "$zh"
    check "$status" -eq 1
    check "${lines[0]}" = "$zh is not in step with $en: their sections, commands, code quotes, samples' commands or pictures differ"
    [[ "$output" == *"-command: build/bin/parallel --help"* ]]
    cp "$BATS_TEST_DIRNAME/../docs/07-parallel.md" "$en"
    sed -i '0,/mp_main_guard();/{/mp_main_guard();/d}' "$en"
    run "$BATS_TEST_DIRNAME/docs_check.sh" step "$en" "$zh"
    check "$status" -eq 1
    [[ "$output" == *"+      mp_main_guard();"* ]]
}

@test "the Chinese pages: their samples match what the demos print in Chinese" {
    for f in "$BATS_TEST_DIRNAME"/../docs/zh/*.md; do
        grep -qE '^ *```text sample' "$f" || continue
        page "docs/zh/$(basename "$f")"
    done
}

@test "lib/README.md: the core's files exist, their lengths are true, and they add up to at most 2,500 lines" {
    cd "$BATS_TEST_DIRNAME/../lib"
    rows=$(sed -nE 's/^\| \[([a-z_]+\.[ch])\]\([a-z_.]+\) \| ([0-9]+) \|.*/\1 \2/p' README.md)
    check "$(wc -l <<<"$rows")" -ge 5
    total=0
    while read -r file said; do
        [ -f "$file" ] || { echo "lib/README.md names $file, which does not exist"; false; }
        lines=$(wc -l <"$file")
        check "$file: $said" = "$file: $lines"
        total=$((total + lines))
    done <<<"$rows"
    check "$total" -le 2500
    grep -qF "That is $(sed -E ':a; s/([0-9])([0-9]{3})(,|$)/\1,\2\3/; ta' <<<"$total") lines in all" README.md ||
        { echo "lib/README.md does not say the core's total, $total lines"; false; }
}

@test "docs/00-c-for-python.md: the demo lines it quotes are still in the demos" {
    page docs/00-c-for-python.md
}

@test "docs/00-c-for-python.md teaches every C construct the demos of lessons 01 and 03 to 10 use" {
    # the beginner's lessons (06 to 08, then 05, 03, 04, 01) and the pool's
    run "$BATS_TEST_DIRNAME/docs_check.sh" c-constructs docs/00-c-for-python.md \
        demos/serial.c demos/parallel.c demos/daemon.c demos/process_class.c \
        demos/list_copy.c demos/shared_queue.c demos/concurrency.c \
        demos/pool_map.c demos/pool_map_async.c demos/pool_apply.c
    check "$status" -eq 0
}

@test "docs/README.md links the C page before lesson 06, and lesson 06 points to it" {
    c=$(grep -n '](00-c-for-python.md)' "$BATS_TEST_DIRNAME/../docs/README.md" | head -1 | cut -d: -f1)
    six=$(grep -n '^| \[06 ' "$BATS_TEST_DIRNAME/../docs/README.md" | cut -d: -f1)
    check -n "$c"
    check -n "$six"
    check "$c" -lt "$six"
    grep -qF '](00-c-for-python.md)' "$BATS_TEST_DIRNAME/../docs/06-serial.md"
}

@test "docs/01-concurrency.md: its commands and samples match the demo" {
    page docs/01-concurrency.md
}

@test "docs/02-download.md: its commands and samples match the demos" {
    page docs/02-download.md
}

@test "docs/03-list_copy.md: its commands and samples match the demo" {
    page docs/03-list_copy.md
}

@test "docs/04-shared_queue.md: its commands and samples match the demo" {
    page docs/04-shared_queue.md
}

@test "docs/12-shared_counter.md: its commands and samples match the demo" {
    page docs/12-shared_counter.md
}

@test "docs/13-pipe_join.md: its commands and samples match the demo" {
    page docs/13-pipe_join.md
}

@test "docs/05-process_class.md: its commands and samples match the demo" {
    page docs/05-process_class.md
}

@test "docs/06-serial.md: its commands and samples match the demo" {
    page docs/06-serial.md
}

@test "docs/07-parallel.md: its commands and samples match the demo" {
    page docs/07-parallel.md
}

@test "docs/08-daemon.md: its commands and samples match the demo" {
    page docs/08-daemon.md
}

@test "docs/09-pool_map.md: its commands and samples match the demo" {
    page docs/09-pool_map.md
}

@test "docs/09b-pool_map_async.md: its commands and samples match the demo" {
    page docs/09b-pool_map_async.md
}

@test "docs/10-pool_apply.md: its commands and samples match the demo" {
    page docs/10-pool_apply.md
}

@test "docs/11-start_methods.md: its commands and samples match the demo" {
    page docs/11-start_methods.md
}

@test "docs/seed-errata.md: its commands run and its samples match" {
    page docs/seed-errata.md
}

@test "docs/python-to-c.md: the lines it quotes are still in the sources" {
    page docs/python-to-c.md
}

# --- forklore beside Python, where the pages say how they differ ----------
# docs/python-to-c.md, lessons 07 and 09: the pool's workers are named as
# Python names them; forklore's ignore SIGINT and Pool(0) means one per CPU
# (Python's do not, and raise ValueError); a target's return value is the
# exit code in forklore, ignored by Python. One C program and one Python
# program print the same keys; each test compares what the page says.

# beside C|PY MODE METHOD: what the C (or Python) side prints, run once per
# file and kept in $BATS_FILE_TMPDIR. The C side is built against the
# library of $BIN (the sanitizer build's under make check).
beside() {
    local out="$BATS_FILE_TMPDIR/$1-$2-$3"
    if [ ! -e "$out" ]; then
        if [ "$1" = C ]; then
            timeout 60 "$BATS_FILE_TMPDIR/beside" "$2" "$3" >"$out" 2>&1 3>&-
        else
            timeout 60 python3 "$BATS_FILE_TMPDIR/beside.py" "$2" "$3" >"$out" 2>&1 3>&-
        fi
    fi
    cat "$out"
}

# kinds: the worker names of "name: ..." lines, each number made N, once each.
kinds() {
    sed -nE 's/^name: (.*)-[0-9]+$/\1-N/p' | sort -u
}

setup_file() {
    local lib san=() d
    # the demos that take no --tick, for docs_check.sh: asked once, not once a page
    DOCS_UNTIMED=$(for d in "$BIN"/*; do "$d" --help 2>/dev/null | grep -q -- --tick ||
                   basename "$d"; done | paste -sd'|')
    export DOCS_UNTIMED
    lib=$(dirname "$BIN")/libmp.a
    grep -q __asan_init "$lib" 2>/dev/null && san=(-fsanitize=address,undefined -fno-sanitize-recover=all)
    cat >"$BATS_FILE_TMPDIR/beside.c" <<'C_SIDE'
/* The pool's names and forklore's differences, beside Python's. */
#include "mp.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static int name_of(const void *in, void *out)
{
    (void)in;
    snprintf(out, 32, "%s", mp_current_process_name());
    return 0;
}

static int ignores_sigint(const void *in, void *out)
{
    (void)in;
    struct sigaction sa;
    *(int *)out = sigaction(SIGINT, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
    return 0;
}

static int square(const void *in, void *out)
{
    *(long *)out = *(const long *)in * *(const long *)in;
    return 0;
}

static int returns_3(void *arg)
{
    (void)arg;
    return 3;
}

static void map(mp_pool *pool, mp_task fn, size_t n, void *out, size_t out_size, size_t chunksize)
{
    static long in[1000];
    if (mp_pool_map(pool, fn, in, n, sizeof in[0], out, out_size, chunksize) != MP_OK)
        mp_die("map: %s", mp_last_error());
}

static void end(mp_pool *pool)
{
    mp_pool_close(pool);
    if (mp_pool_join(pool) != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_pool_free(pool);
}

int main(int argc, char **argv)
{
    MP_TASK(name_of);
    MP_TASK(ignores_sigint);
    MP_TASK(square);
    MP_TARGET(returns_3);
    mp_main_guard();

    if (argc != 3 || (strcmp(argv[1], "all") != 0 && strcmp(argv[1], "names") != 0) ||
        mp_set_start_method(argv[2]) != MP_OK) {
        fprintf(stderr, "usage: %s all|names METHOD\n", argv[0]);
        return 2;
    }
    bool all = strcmp(argv[1], "all") == 0;
    (void)signal(SIGINT, SIG_DFL);   /* whatever the shell left: the pool decides */

    mp_pool *pool = mp_pool_new(2);
    if (pool == NULL)
        mp_die("Pool(2): %s", mp_last_error());
    static char names[8][32];
    map(pool, name_of, 8, names, sizeof names[0], 1);
    for (int i = 0; i < 8; i++)
        mp_print("name: %s", names[i]);
    if (all) {
        static int ignores[8];
        int any = 0;
        map(pool, ignores_sigint, 8, ignores, sizeof ignores[0], 1);
        for (int i = 0; i < 8; i++)
            any |= ignores[i];
        mp_print("ignores SIGINT: %s", any ? "yes" : "no");
    }
    end(pool);
    if (!all)
        return 0;

    /* Pool(0): the chunksize of a 1000-item map tells how many workers. */
    if ((pool = mp_pool_new(0)) == NULL)
        mp_die("Pool(0): %s", mp_last_error());
    static long squares[1000];
    map(pool, square, 1000, squares, sizeof squares[0], 0);
    mp_print("Pool(0): accepted: chunksize %zu for 1000 items", mp_pool_chunksize(pool));
    end(pool);

    mp_process p;
    mp_process_init(&p, returns_3, NULL);
    if (mp_process_start(&p) != MP_OK || mp_process_join(&p, MP_FOREVER) != MP_OK)
        mp_die("process: %s", mp_last_error());
    mp_print("returned 3: exitcode %d", mp_process_exitcode(&p));
    return 0;
}
C_SIDE
    cat >"$BATS_FILE_TMPDIR/beside.py" <<'PY_SIDE'
import multiprocessing as mp, signal, sys

def name_of(_):
    return mp.current_process().name

def ignores_sigint(_):
    return signal.getsignal(signal.SIGINT) is signal.SIG_IGN

if __name__ == "__main__":
    what, method = sys.argv[1], sys.argv[2]
    signal.signal(signal.SIGINT, signal.default_int_handler)   # whatever the shell left
    mp.set_start_method(method)
    with mp.Pool(2) as pool:
        for name in pool.map(name_of, range(8), chunksize=1):
            print("name:", name)
        if what == "all":
            print("ignores SIGINT:", "yes" if any(pool.map(ignores_sigint, range(8), chunksize=1)) else "no")
    if what == "all":
        try:
            mp.Pool(0)
            print("Pool(0): accepted")
        except ValueError as e:
            print("Pool(0): ValueError:", e)
        p = mp.Process(target=int, args=("3",))
        p.start(); p.join()
        print("returned 3: exitcode", p.exitcode)
        p = mp.Process(target=sys.exit, args=(3,))
        p.start(); p.join()
        print("sys.exit(3): exitcode", p.exitcode)
PY_SIDE
    "${CC:-cc}" "${san[@]}" -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L \
        -D_DEFAULT_SOURCE -I"$BATS_TEST_DIRNAME/../lib" "$BATS_FILE_TMPDIR/beside.c" \
        -o "$BATS_FILE_TMPDIR/beside" "$lib" -pthread -lm
}

@test "the pool's workers are named as Python names them, under each start method" {
    for method in fork spawn forkserver; do
        case $method in
            fork) want=ForkPoolWorker-N ;;
            spawn) want=SpawnPoolWorker-N ;;
            forkserver) want=ForkServerPoolWorker-N ;;
        esac
        mode=names
        [ "$method" = fork ] && mode=all
        output=$(beside C $mode $method)
        check "$(kinds <<<"$output")" = "$want"
        check "$(grep -c '^name: ' <<<"$output")" -eq 8
        command -v python3 >/dev/null || continue
        output=$(beside PY $mode $method)
        check "$(kinds <<<"$output")" = "$want"
    done
    command -v python3 >/dev/null ||
        skip "python3 is not installed: forklore's names checked, Python's not"
}

@test "forklore's pool workers ignore SIGINT, Python's do not (a forklore difference)" {
    output=$(beside C all fork)
    check "$(grep -c '^ignores SIGINT: yes$' <<<"$output")" -eq 1
    command -v python3 >/dev/null || skip "python3 is not installed: Python's side not checked"
    output=$(beside PY all fork)
    check "$(grep -c '^ignores SIGINT: no$' <<<"$output")" -eq 1
}

@test "Pool(0) is one worker per CPU in forklore, ValueError in Python (a forklore difference)" {
    cpus=$(getconf _NPROCESSORS_ONLN)
    [ "$cpus" -le 256 ] || cpus=256
    output=$(beside C all fork)
    # Python's default chunksize: ceil(1000 / (4 * workers))
    want=$(( (1000 + 4 * cpus - 1) / (4 * cpus) ))
    check "$(grep -c "^Pool(0): accepted: chunksize $want for 1000 items\$" <<<"$output")" -eq 1
    command -v python3 >/dev/null || skip "python3 is not installed: Python's side not checked"
    output=$(beside PY all fork)
    check "$(grep -c '^Pool(0): ValueError: ' <<<"$output")" -eq 1
}

@test "a target that returns 3: exit code 3 in forklore, 0 in Python, where sys.exit(3) gives 3" {
    output=$(beside C all fork)
    check "$(grep -c '^returned 3: exitcode 3$' <<<"$output")" -eq 1
    command -v python3 >/dev/null || skip "python3 is not installed: Python's side not checked"
    output=$(beside PY all fork)
    check "$(grep -c '^returned 3: exitcode 0$' <<<"$output")" -eq 1
    check "$(grep -c '^sys.exit(3): exitcode 3$' <<<"$output")" -eq 1
}
