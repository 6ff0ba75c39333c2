# Shared by every tests/*.bats (`load helpers`). Plain bats, no add-ons.
bats_require_minimum_version 1.5.0

BIN=${BIN:-$BATS_TEST_DIRNAME/../build/bin}
TESTBIN=${TESTBIN:-$BATS_TEST_DIRNAME/../build/tests}
TICK=0.02
METHODS="fork spawn forkserver"    # the start methods, for a test to loop over

# The suite reads the demos in English, whatever the caller's locale: the
# demos speak Chinese when LANGUAGE (first), LC_ALL, LC_MESSAGES or LANG
# says "zh" (lib/lang.c). A test that wants Chinese asks for it: zh.
export LANGUAGE=en

# zh COMMAND...: COMMAND as a student runs it in Chinese: LANG=zh_CN.UTF-8,
# the variables that come before LANG empty. (No zh_CN locale is generated
# on this machine, nor needed.)
zh() {
    env LANGUAGE= LC_ALL= LC_MESSAGES= LANG=zh_CN.UTF-8 "$@"
}

# wider_than COLUMNS: the lines of $output a terminal draws wider than
# COLUMNS columns: a character of UTF-8 takes one, a Chinese (East Asian
# wide) one two. Byte by byte, whatever awk and the locale are.
wider_than() {
    printf '%s\n' "$output" | LC_ALL=C awk -v max="$1" '
        BEGIN { for (i = 1; i < 256; i++) byte[sprintf("%c", i)] = i }
        {
            cols = 0
            for (i = 1; i <= length($0); i++) {
                b = byte[substr($0, i, 1)]
                if (b >= 128 && b < 192) continue          # inside a character
                if (b >= 224 && b < 240) {                 # U+0800 .. U+FFFF
                    c = (b - 224) * 4096 + (byte[substr($0, i + 1, 1)] - 128) * 64 \
                        + byte[substr($0, i + 2, 1)] - 128
                    wide = (c >= 4352 && c <= 4447) || (c >= 11904 && c <= 42191) ||
                           (c >= 44032 && c <= 55203) || (c >= 63744 && c <= 64255) ||
                           (c >= 65072 && c <= 65103) || (c >= 65280 && c <= 65376) ||
                           (c >= 65504 && c <= 65510)
                    cols += wide ? 2 : 1
                } else
                    cols += b >= 240 ? 2 : 1               # beyond U+FFFF: wide
            }
            if (cols > max) print
        }'
}

# chinese_lines: how many lines of $output hold a Chinese character (the
# CJK ideographs, U+4E00 .. U+9FFF, whose UTF-8 starts with E4 to E9).
chinese_lines() {
    printf '%s\n' "$output" | LC_ALL=C grep -c $'[\xe4-\xe9][\x80-\xbf][\x80-\xbf]' || true
}

# Every demo runs under a timeout, so a hang fails the test instead of the suite.
demo() {
    timeout 30 "$BIN/$1" "${@:2}" 3>&-
}

# zh_demo NAME ARGS...: the demo under a Chinese locale, under a timeout
zh_demo() {
    zh timeout 30 "$BIN/$1" "${@:2}" 3>&-
}

# The squares of 1..N, printed as Python prints a list.
squares_list() {
    seq "$1" | awk '{ printf "%s%d", (NR > 1 ? ", " : "["), $1 * $1 } END { print "]" }'
}

# field NAME LINE: the number after "NAME=" on LINE.
field() { sed -nE "s/.*[ :]$1=(-?[0-9]+).*/\1/p" <<<"$2"; }

# check: a condition that prints what it expected and what it got when it fails.
#   check "$status" -eq 0
check() {
    if ! test "$@"; then
        echo "check failed: $*"
        echo "--- output was:"
        echo "${output-}"
        return 1
    fi
}

# count_lines REGEX: how many lines of $output match (grep -E).
count_lines() {
    printf '%s\n' "$output" | grep -cE -- "$1" || true
}

# pids_after LABEL: the numbers that follow "LABEL" on the lines of $output.
pids_after() {
    printf '%s\n' "$output" | sed -nE "s/.*$1 *([0-9]+).*/\1/p"
}

# gone PID: true once no process PID is running (a zombie counts as gone).
gone() {
    local state
    kill -0 "$1" 2>/dev/null || return 0
    state=$(sed -nE 's/^[0-9]+ \(.*\) (.).*/\1/p' "/proc/$1/stat" 2>/dev/null)
    [ "$state" = Z ]
}

# all_gone PID...: waits up to 2 s for every PID to be gone.
all_gone() {
    local pid i
    for pid in "$@"; do
        for i in $(seq 40); do
            gone "$pid" && break
            sleep 0.05
        done
        gone "$pid" || { echo "process $pid is still running"; return 1; }
    done
}

# seconds_of LINE_REGEX: the "N.NN s" figure on the first line of $output matching.
seconds_of() {
    printf '%s\n' "$output" | grep -E -- "$1" | head -1 | sed -nE 's/.* ([0-9]+\.[0-9]+) s.*/\1/p'
}

# ratio_at_least A B R: true if A / B >= R (real numbers).
ratio_at_least() {
    awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { exit !(b > 0 && a / b >= r) }'
}

# between X LOW HIGH: true if LOW <= X <= HIGH (real numbers).
between() {
    awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'
}

# retry TRIES COMMAND...: runs COMMAND (often a function of the test file)
# until it succeeds, at most TRIES times, a second apart: for a timing claim
# that other programs on a busy machine can spoil. COMMAND says why it failed
# (its failures must `return 1`: set -e does not stop a function run here).
retry() {
    local tries=$1 i
    shift
    for ((i = 1; i <= tries; i++)); do
        "$@" && return 0
        [[ $i -lt $tries ]] && sleep 1
    done
    echo "failed $tries times; load: $(cat /proc/loadavg 2>/dev/null)"
    return 1
}

# grouped TIMEOUT-ARGUMENTS...: runs `timeout TIMEOUT-ARGUMENTS...` (e.g.
# `grouped --preserve-status -s INT 0.2 "$BIN/shared_queue"`) and waits for
# it. timeout makes itself the leader of a new process group, and every
# process the demo starts stays in that group: $group names it, for
# group_gone. Sets $status, $output and $stderr, as `run --separate-stderr`
# does. (Not started through bash's `run`, which would hide timeout's PID.)
grouped() {
    timeout "$@" >"$BATS_TEST_TMPDIR/grouped.out" 2>"$BATS_TEST_TMPDIR/grouped.err" 3>&- &
    group=$!
    wait "$group" && status=0 || status=$?
    output=$(cat "$BATS_TEST_TMPDIR/grouped.out")
    stderr=$(cat "$BATS_TEST_TMPDIR/grouped.err")
    lines=()
    if [ -n "$output" ]; then mapfile -t lines <<<"$output"; fi
}

# group_gone PGID: waits up to 2 s for every process of the group to be gone
# (by the group's number, so no other test's processes can count, even
# when the kernel has given an ended process's PID to a new one). A zombie
# counts as gone: it has ended, and only waits for whoever reaps orphans.
group_gone() {
    local i
    for i in $(seq 40); do
        pgrep -g "$1" -r RSDtTWPI >/dev/null || return 0
        sleep 0.05
    done
    echo "still running in group $1: $(pgrep -a -g "$1" -r RSDtTWPI | tr '\n' ' ')"
    return 1
}
