# SPDX-License-Identifier: MIT
# What every exercise's check uses (sourced by exercises.sh before the check).
#
# A check runs the program through `watch` (watch.c), which writes down every
# line with the process that really wrote it, every process's parent, how the
# main ended, and any process left running or unreaped; then it compares that
# record with what the exercise asks for. PIDs are shown as tokens: P1 is the
# main (the process watch started), P2, P3... the other processes of the run
# in the order they turned up, X1... numbers that are no process of this run.
#
# Given by exercises.sh:
#   PROGRAM    (array) how to run your program: the binary, or python3 FILE
#   ANSWERS    your prediction file (predict exercises)
#   EXDIR      the exercise's folder;  WATCH, BIN (the demos), PYTHON, BUILD
#
# In a check:
#   run [WATCH-OPTIONS] -- ARGS...       your program with ARGS, under watch
#   run_demo NAME [WATCH-OPTIONS] -- ARGS...   build/bin/NAME instead
#   run_python FILE [WATCH-OPTIONS] -- ARGS... python3 FILE instead
#       WATCH-OPTIONS: --deadline S, --grace S, --snapshot REGEX DELAY,
#       --signal REGEX SIGNAL main|writer (see watch.c), and --leftovers-ok
#       (a process left behind is what this run is about: not a failure).
#     Each run is then held to three rules: it ended by itself before the
#     deadline, no line says "PID n" unless process n wrote it, and no
#     process was left running or unreaped when the main ended.
#   expect_* ...                         one expectation each (below)
#   finish                               the verdict: exit 0 or 1
#
# Regular expressions are grep -E's, matched against each line with its PIDs
# already turned into tokens ("child p1, PID: P2").

: "${TICK:=0.05}"
FAILED=0
RUN=""            # the transcript of the last run
RUNS=0
SHOWN=""          # the transcript to show the student: the first that failed
BROKEN=0          # the last run timed out: its lines say nothing more
LEFTOVERS_OK=0

ok() { printf '  \xe2\x9c\x93 %s\n' "$1"; }

# fail WHAT EXPECTED GOT: one failed expectation, expected beside what happened.
fail() {
    printf '  \xe2\x9c\x97 %s\n' "$1"
    [ -n "${2-}" ] && printf '      expected: %s\n' "$2"
    [ -n "${3-}" ] && printf '      the program: %s\n' "$3"
    FAILED=$((FAILED + 1))
    [ -z "$SHOWN" ] && [ -n "$RUN" ] && SHOWN=$RUN
    return 1
}

say() { printf '    %s\n' "$*"; }

# ---- running --------------------------------------------------------------

run() { _watch "${PROGRAM[@]}" -- "$@"; }
run_demo() { local name=$1; shift; _watch "$BIN/$name" -- "$@"; }
run_python() { local file=$1; shift; _watch "$PYTHON" "$file" -- "$@"; }

# _watch COMMAND... -- [WATCH-OPTIONS] -- ARGS...  (the two lists in that order)
_watch() {
    local command=() options=() args=() deadline=10
    while [ $# -gt 0 ] && [ "$1" != -- ]; do command+=("$1"); shift; done
    shift
    LEFTOVERS_OK=0
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        case $1 in
            --leftovers-ok) LEFTOVERS_OK=1; shift ;;
            --deadline) deadline=$2; shift 2 ;;
            --grace) options+=("$1" "$2"); shift 2 ;;
            --snapshot) options+=("$1" "$2" "$3"); shift 3 ;;
            --signal) options+=("$1" "$2" "$3" "$4"); shift 4 ;;
            *) echo "check: unknown watch option $1" >&2; exit 2 ;;
        esac
    done
    [ "${1-}" = -- ] && shift
    args=("$@")
    RUNS=$((RUNS + 1))
    RUN=$CHECK_TMP/run$RUNS
    RUN_ARGS="${args[*]}"
    "$WATCH" --deadline "$deadline" ${options[@]+"${options[@]}"} -- \
        "${command[@]}" ${args[@]+"${args[@]}"} >"$RUN" 2>"$RUN.watch"
    if [ $? -ne 0 ]; then
        fail "the checker could not run the program" "" "$(head -3 "$RUN.watch")"
        BROKEN=1
        return 1
    fi
    _rules "$deadline"
}

# The three rules every run is held to.
_rules() {
    BROKEN=0
    local lie left
    if [ "$(end_status)" = timeout ]; then
        fail "it did not end by itself within $1 s (run with: ${RUN_ARGS:-no options})" \
            "the program ends" "still running then, and killed: $(_stuck)"
        BROKEN=1
        return 1
    fi
    lie=$(awk -F'\t' '$1 == "lie" { print "\"" $5 "\" was printed by " $3 ", not by " $4; exit }' "$RUN")
    [ -z "$lie" ] || fail "every line that says \"PID n\" is printed by process n" \
        "each process prints its own PID" "$lie"
    left=$(awk -F'\t' '$1 == "left" {
        what = $4 == "zombie" ? "had ended, but nobody reaped it (a zombie)" : "was still running after the main ended (killed)"
        printf "%s%s %s", sep, $2, what; sep = "; " }' "$RUN")
    if [ -n "$left" ] && [ "$LEFTOVERS_OK" = 0 ]; then
        fail "no process is left running or unreaped when the main ends" \
            "every child joined (waited for) before the main ends" "$left"
    fi
    return 0
}

_stuck() {
    awk -F'\t' '$1 == "stuck" {
        where = $5 == "-" ? "" : " in " $5
        state = $4 == "S" ? "sleeping" $5 : $4 == "R" ? "running" : "state " $4
        if ($4 == "S") state = "sleeping" where
        printf "%s%s (parent %s) %s", sep, $2, $3, state; sep = "; " }' "$RUN"
}

# ---- reading the transcript ----------------------------------------------

# end_status: "exit N", "signal N" or "timeout". elapsed: seconds the main ran.
end_status() { awk -F'\t' '$1 == "end" { print $3 }' "$RUN"; }
elapsed() { awk -F'\t' '$1 == "end" { printf "%.3f\n", $2 / 1000 }' "$RUN"; }
cpu_seconds() { awk -F'\t' '$1 == "end" { printf "%.3f\n", $4 / 1000 }' "$RUN"; }

# lines [RE] [out|err]: the text of each line (matching RE), in order.
lines() {
    awk -F'\t' -v s="${2:-out}" '$1 == "line" && $3 == s { print $6 }' "$RUN" |
        if [ -n "${1-}" ]; then grep -E -- "$1"; else cat; fi
}
count() { lines "${1-}" "${2:-out}" | grep -c '' ; }

# records RE [out|err]: "NUMBER WRITER PARENT" of each matching line.
records() {
    awk -F'\t' -v s="${2:-out}" '$1 == "line" { n++ } $1 == "line" && $3 == s { print n "\t" $4 "\t" $5 "\t" $6 }' "$RUN" |
        awk -F'\t' -v re="$1" '$4 ~ re { print $1, $2, $3 }'
}
writers() { records "$1" "${2:-out}" | awk '{ print $2 }'; }
distinct_writers() { writers "$1" "${2:-out}" | sort -u | grep -c ''; }
# first_line RE / last_line RE: the line number (among all lines) of the first or last match.
first_line() { records "$1" | awk 'NR == 1 { print $1 }'; }
last_line() { records "$1" | awk '{ n = $1 } END { print n }'; }

# parent_of TOKEN: TOKEN's parent when watch first saw it ("?" if it had
# already ended, "watch" if its own parent had ended and watch adopted it).
parent_of() {
    awk -F'\t' -v t="$1" '$1 == "proc" && $2 == t { print $3; exit }' "$RUN"
}

# snap TOKEN FIELD: from the snapshot, TOKEN's parent, state or wchan.
snap() {
    awk -F'\t' -v t="$1" -v f="$2" '$1 == "snap" && $3 == t {
        print (f == "parent" ? $4 : f == "state" ? $5 : $6); exit }' "$RUN"
}

# is_child_of_main TOKEN: TOKEN's parent is the main, or the forkserver the
# main started (a process of the run whose parent is P1 and that printed nothing).
is_child_of_main() {
    local parent
    parent=$(parent_of "$1")
    [ "$parent" = P1 ] && return 0
    [ "$(parent_of "$parent")" = P1 ] && [ -z "$({ writers . out; writers . err; } | grep -x -- "$parent")" ]
}

# ---- expectations ---------------------------------------------------------
# Each says what it checks; skipped (silently) after a run that timed out.

# expect_exit N  |  expect_exit "signal N"
expect_exit() {
    [ "$BROKEN" = 1 ] && return 1
    local want=$1 got
    [[ $want == signal* ]] || want="exit $want"
    got=$(end_status)
    if [ "$got" = "$want" ]; then ok "the main's exit status: ${want#exit }"
    else fail "the main's exit status" "${want}" "$got"; fi
}

# expect_count N RE [WHAT] [out|err]: exactly N lines match RE.
expect_count() {
    [ "$BROKEN" = 1 ] && return 1
    local n=$1 re=$2 what=${3:-lines matching \"$2\"} got
    got=$(count "$re" "${4:-out}")
    if [ "$got" -eq "$n" ]; then ok "$n $what"
    else fail "$n $what" "$n such lines" "$got"; fi
}

# expect_between LOW HIGH RE [WHAT]: from LOW to HIGH lines match RE.
expect_between() {
    [ "$BROKEN" = 1 ] && return 1
    local got what=${4:-lines matching \"$3\"}
    got=$(count "$3")
    if [ "$got" -ge "$1" ] && [ "$got" -le "$2" ]; then ok "$1 to $2 $what ($got)"
    else fail "$1 to $2 $what" "$1 to $2" "$got"; fi
}

# expect_none RE [WHAT] [out|err]: no line matches RE.
expect_none() {
    [ "$BROKEN" = 1 ] && return 1
    local first
    first=$(lines "$1" "${3:-out}" | head -1)
    if [ -z "$first" ]; then ok "${2:-no line matches \"$1\"}"
    else fail "${2:-no line matches \"$1\"}" "no such line" "\"$first\""; fi
}

# expect_writers N RE [WHAT]: the lines matching RE come from N distinct processes.
expect_writers() {
    [ "$BROKEN" = 1 ] && return 1
    local got
    got=$(distinct_writers "$2")
    local what="${3:-lines \"$2\"} printed by $(_processes "$1")"
    if [ "$got" -eq "$1" ]; then ok "$what"
    else fail "$what" "$(_processes "$1")" "$(_processes "$got"): $(writers "$2" | sort -u | tr '\n' ' ')"; fi
}

_processes() { if [ "$1" -eq 1 ]; then echo "one process"; else echo "$1 distinct processes"; fi; }

# expect_by main|child RE [WHAT]: every line matching RE (at least one) is
# printed by the main, or by another process of the program: a child of the
# main (the forkserver's, under forkserver), or one that had ended before
# watch could look at its parent (parent "?").
expect_by() {
    [ "$BROKEN" = 1 ] && return 1
    local who=$1 re=$2 what=${3:-lines \"$2\"} w bad="" all whom
    whom="the main (P1)"
    [ "$who" = main ] || whom="the main's children, not the main"
    all=$(writers "$re" | sort -u)
    if [ -z "$all" ]; then fail "$what, printed by $whom" "at least one such line" "none"; return; fi
    for w in $all; do
        if [ "$who" = main ]; then [ "$w" = P1 ] || bad="$bad $w"
        else [ "$w" != P1 ] && { is_child_of_main "$w" || [ "$(parent_of "$w")" = "?" ]; } ||
                bad="$bad $w (parent $(parent_of "$w"))"; fi
    done
    if [ -z "$bad" ]; then ok "$what: printed by $whom"
    else fail "$what: printed by $whom" "$whom" "printed by$bad"; fi
}

# line_text N: the text of line N (among all lines, as show numbers them).
line_text() { awk -F'\t' -v n="$1" '$1 == "line" && ++k == n { print $6; exit }' "$RUN"; }

# expect_before RE1 RE2 [WHAT]: every line matching RE1 comes before every
# line matching RE2 (and there are some of each).
expect_before() {
    [ "$BROKEN" = 1 ] && return 1
    local a b what=${3:-every \"$1\" line before every \"$2\" line}
    a=$(last_line "$1") b=$(first_line "$2")
    if [ -z "$a" ]; then fail "$what" "lines matching \"$1\"" "none"
    elif [ -z "$b" ]; then fail "$what" "lines matching \"$2\"" "none"
    elif [ "$a" -lt "$b" ]; then ok "$what"
    else fail "$what" "every \"$1\" line before every \"$2\" line" \
        "line $b \"$(line_text "$b")\" came before line $a \"$(line_text "$a")\""; fi
}

# expect_true WHAT EXPECTED GOT COMMAND...: COMMAND succeeds.
expect_true() {
    [ "$BROKEN" = 1 ] && return 1
    local what=$1 expected=$2 got=$3
    shift 3
    if "$@"; then ok "$what"; else fail "$what" "$expected" "$got"; fi
}

# ---- predictions ----------------------------------------------------------
# A prediction file has one question a line, "question: answer" (the answer
# is what follows the line's last colon); the starter leaves "?" there.

# answer KEY: your answer to the question that starts with KEY, in lower case.
answer() {
    grep -i -m1 -- "^$1" "$ANSWERS" 2>/dev/null | sed -E 's/^.*:[[:space:]]*//; s/[[:space:]]+$//' |
        tr 'A-Z' 'a-z'
}

# expect_answer KEY RIGHT WHAT-HAPPENED [ALSO-RIGHT...]: your answer is RIGHT
# (or one of the others), as the run showed.
expect_answer() {
    local key=$1 right=$2 happened=$3 mine alt
    shift 3
    mine=$(answer "$key")
    if [ -z "$mine" ] || [ "$mine" = "?" ]; then
        fail "$key: not answered yet" "your prediction after the colon in $(basename "$ANSWERS")" "$happened"
        return
    fi
    for alt in "$right" "$@"; do
        if [ "$mine" = "$(printf '%s' "$alt" | tr 'A-Z' 'a-z')" ]; then
            ok "$key: $mine ($happened)"
            return
        fi
    done
    fail "$key" "$right" "you predicted \"$mine\"; $happened"
}

# expect_answer_near KEY RIGHT TOLERANCE WHAT-HAPPENED: a number within TOLERANCE.
expect_answer_near() {
    local key=$1 right=$2 tol=$3 happened=$4 mine
    mine=$(answer "$key")
    if [ -z "$mine" ] || [ "$mine" = "?" ]; then
        fail "$key: not answered yet" "your prediction after the colon in $(basename "$ANSWERS")" "$happened"
    elif awk -v m="$mine" -v r="$right" -v t="$tol" 'BEGIN { exit !(m ~ /^-?[0-9.]+$/ && m - r <= t && r - m <= t) }'; then
        ok "$key: $mine ($happened)"
    else
        fail "$key" "$right" "you predicted \"$mine\"; $happened"
    fi
}

# wchan_kind WCHAN: what a kernel wait function is, in one word of the
# prediction files: sleep, wait, futex, poll, read, run.
wchan_kind() {
    case $1 in
        *nanosleep* | *hrtimer*) echo sleep ;;
        *do_wait* | *wait4* | *waitid* | *kernel_wait*) echo wait ;;
        *futex*) echo futex ;;
        *poll* | *select* | *epoll*) echo poll ;;
        *pipe_read* | *pipe_wait* | *unix_stream* | *sk_wait* | *read*) echo read ;;
        - | "") echo run ;;
        *) echo "$1" ;;
    esac
}

# ---- a server to download from --------------------------------------------

SERVE_PID=""
# serve_files N DELAY: N files f1.bin ... served by build/bin/serve, each
# answer DELAY s late; sets URLS (an array) and SAVE (a folder to save in).
serve_files() {
    local i port=""
    mkdir -p "$CHECK_TMP/site" "$CHECK_TMP/save"
    URLS=()
    for ((i = 1; i <= $1; i++)); do head -c 2000 /dev/zero >"$CHECK_TMP/site/f$i.bin"; done
    timeout 120 "$BIN/serve" --dir "$CHECK_TMP/site" --delay "$2" >"$CHECK_TMP/serve.out" 2>/dev/null &
    SERVE_PID=$!
    for i in $(seq 100); do
        port=$(sed -nE 's|.*http://127\.0\.0\.1:([0-9]+)/$|\1|p' "$CHECK_TMP/serve.out")
        [ -n "$port" ] && break
        sleep 0.05
    done
    for ((i = 1; i <= $1; i++)); do URLS+=("http://127.0.0.1:$port/f$i.bin"); done
    SAVE=$CHECK_TMP/save
}

# At the end of every check (exercises.sh calls it): stop the server.
_at_exit() {
    if [ -n "$SERVE_PID" ]; then
        kill "$SERVE_PID" 2>/dev/null
        wait "$SERVE_PID" 2>/dev/null
    fi
    rm -rf "$CHECK_TMP"
}

# ---- the verdict ----------------------------------------------------------

# show TRANSCRIPT: what the program printed, PIDs as tokens, and what was left.
show() {
    echo "  what the program printed, run with: ${RUN_ARGS:-no options}"
    echo "  (P1 is the main; by: the process that wrote the line; parent: its parent,"
    echo "  ? if it had ended before the checker could look):"
    echo "      #  by    parent line"
    awk -F'\t' '
        $1 == "line" && n < 40 { n++; printf "    %3d %-5s %-6s %s%s\n", n, $4, $5, ($3 == "err" ? "(stderr) " : ""), $6; next }
        $1 == "line" { more++ }
        $1 == "signal" { printf "        (the checker sent signal %s to %s)\n", $4, $3 }
        $1 == "end" { end = $3; t = $2 }
        $1 == "left" { left = left sprintf("    left behind: %s (parent now %s), %s\n", $2, $3, $4) }
        END {
            if (more) printf "    ... and %d more lines\n", more
            if (end == "timeout") printf "    the main did not end: killed after %.1f s\n", t / 1000
            else if (end != "") printf "    the main ended after %.2f s: %s\n", t / 1000, end
            printf "%s", left
        }' "$1"
}

finish() {
    if [ "$FAILED" -eq 0 ]; then
        return 0
    fi
    echo
    [ -n "$SHOWN" ] && show "$SHOWN"
    return 1
}
