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
#       WATCH-OPTIONS: --deadline S (default 30), --grace S, --snapshot REGEX DELAY,
#       --signal REGEX SIGNAL main|writer (see watch.c), and --leftovers-ok
#       (a process left behind is what this run is about: not a failure).
#     Each run is then held to three rules: it ended by itself before the
#     deadline (and was not asleep in every process for IDLE, 2, seconds), no line says "PID n" unless process n wrote it, and no
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
    local command=() options=() args=() deadline=${DEADLINE:-30}
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
    # RECORD (the test suite's): keep each run's output, to replay it later.
    [ -n "${RECORD:-}" ] && options+=(--record "$RECORD/$RUNS")
    if ! "$WATCH" --deadline "$deadline" --idle "${IDLE:-2}" ${options[@]+"${options[@]}"} -- \
        "${command[@]}" ${args[@]+"${args[@]}"} >"$RUN" 2>"$RUN.watch"; then
        fail "the checker could not run the program" "" "$(head -3 "$RUN.watch")"
        BROKEN=1
        return 1
    fi
    _load
    [ -n "${RECORD:-}" ] && echo "$END" >"$RECORD/$RUNS.status"
    _rules "$deadline"
}

# The three rules every run is held to.
_rules() {
    BROKEN=0
    if [ "$END" = timeout ] || [ "$END" = idle ]; then
        local when="within $1 s"
        [ "$END" = idle ] && when="(for ${IDLE:-2} s every process was asleep, printing nothing: waiting for ever?)"
        fail "it did not end by itself $when (run with: ${RUN_ARGS:-no options})" \
            "the program ends" "stopped then, where each process waited: $STUCK"
        BROKEN=1
        return 1
    fi
    [ -z "$LIE" ] || fail "every line that says \"PID n\" is printed by process n" \
        "each process prints its own PID" "$LIE"
    if [ -n "$LEFT" ] && [ "$LEFTOVERS_OK" = 0 ]; then
        fail "no process is left running or unreaped when the main ends" \
            "every child joined (waited for) before the main ends" "$LEFT"
    fi
    return 0
}

# ---- reading the transcript ----------------------------------------------
# Each run's transcript is read once, into arrays: a check asks many
# questions of it, and answering them in bash itself, without a new process
# for each, keeps a check fast.
#   L_TEXT[i] L_STREAM[i] L_BY[i] L_PARENT[i]   line i (from 1), who wrote it,
#                                                that one's parent then
#   PARENT[token]      each process's parent when watch first saw it ("?" if
#                      it had already ended; "watch" if watch had adopted it)
#   SNAP_STATE[token] SNAP_WCHAN[token]          the snapshot, if any
#   END ("exit N", "signal N" or "timeout"), END_MS, CPU_MS; LIE, LEFT, STUCK
#   (the rules' findings, in words)
declare -A PARENT SNAP_STATE SNAP_WCHAN

_load() {
    L_TEXT=() L_STREAM=() L_BY=() L_PARENT=() PARENT=() SNAP_STATE=() SNAP_WCHAN=()
    END="" END_MS=0 CPU_MS=0 LIE="" LEFT="" STUCK="" NLINES=0
    local kind a b c d e
    while IFS=$'\t' read -r kind a b c d e; do
        case $kind in
            line) NLINES=$((NLINES + 1))
                  L_STREAM[NLINES]=$b L_BY[NLINES]=$c L_PARENT[NLINES]=$d L_TEXT[NLINES]=$e ;;
            proc) PARENT[$a]=$b ;;
            lie) [ -n "$LIE" ] || LIE="\"$d\" was printed by $b, not by $c" ;;
            snap) SNAP_STATE[$b]=$d SNAP_WCHAN[$b]=$e ;;
            end) END_MS=$a END=$b CPU_MS=$c ;;
            stuck) local how="in state $c"
                   [ "$c" = S ] && how="sleeping${d:+ in $d}" && [ "$d" = - ] && how=sleeping
                   [ "$c" = R ] && how=running
                   STUCK="$STUCK${STUCK:+; }$a (parent $b) $how" ;;
            left) if [ "$c" = zombie ]; then LEFT="$LEFT${LEFT:+; }$a had ended, but nobody reaped it (a zombie)"
                  else LEFT="$LEFT${LEFT:+; }$a was still running after the main ended (killed)"; fi ;;
        esac
    done <"$RUN"
}

# _match RE [out|err]: MATCH=(the numbers of the lines matching RE).
_match() {
    local i s=${2:-out}
    MATCH=()
    for ((i = 1; i <= NLINES; i++)); do
        [ "${L_STREAM[i]}" = "$s" ] && [[ ${L_TEXT[i]} =~ $1 ]] && MATCH+=("$i")
    done
    return 0
}

# _writers RE [out|err]: WRITERS=(each process that wrote a matching line, once).
_writers() {
    local i seen=" "
    _match "$1" "${2:-out}"
    WRITERS=()
    for i in ${MATCH[@]+"${MATCH[@]}"}; do
        [[ $seen == *" ${L_BY[i]} "* ]] && continue
        seen="$seen${L_BY[i]} "
        WRITERS+=("${L_BY[i]}")
    done
    return 0
}

# For the checks' own questions (each prints its answer):
end_status() { echo "$END"; }
elapsed() { printf '%d.%03d\n' $((END_MS / 1000)) $((END_MS % 1000)); }
cpu_seconds() { printf '%d.%03d\n' $((CPU_MS / 1000)) $((CPU_MS % 1000)); }
# lines [RE] [out|err]: the text of each line (matching RE), in order.
lines() {
    local i
    _match "${1:-}" "${2:-out}"
    for i in ${MATCH[@]+"${MATCH[@]}"}; do printf '%s\n' "${L_TEXT[i]}"; done
}
count() { _match "$1" "${2:-out}"; echo "${#MATCH[@]}"; }
writers() { _writers "$1" "${2:-out}"; [ "${#WRITERS[@]}" -eq 0 ] || printf '%s\n' "${WRITERS[@]}"; }
parent_of() { echo "${PARENT[$1]:-}"; }
# snap TOKEN state|wchan: from the snapshot.
snap() { if [ "$2" = state ]; then echo "${SNAP_STATE[$1]:-}"; else echo "${SNAP_WCHAN[$1]:-}"; fi; }

# _is_child TOKEN: one of the program's processes other than the main: a
# child of the main, or of the forkserver the main started (a process whose
# parent is P1 and that printed nothing), or one that had ended before watch
# could look at its parent ("?": still the program's, as it wrote a line).
_is_child() {
    local p=${PARENT[$1]:-} i
    [ "$1" != P1 ] || return 1
    [ "$p" = P1 ] || [ "$p" = "?" ] && return 0
    [ -n "$p" ] && [ "${PARENT[$p]:-}" = P1 ] || return 1
    for ((i = 1; i <= NLINES; i++)); do [ "${L_BY[i]}" != "$p" ] || return 1; done
    return 0
}

# ---- expectations ---------------------------------------------------------
# Each says what it checks, with ✓ or ✗; skipped (silently) after a run that
# timed out, whose lines say nothing more.

# expect_exit N  |  expect_exit "signal N"
expect_exit() {
    [ "$BROKEN" = 1 ] && return 1
    local want=$1
    [[ $want == signal* ]] || want="exit $want"
    if [ "$END" = "$want" ]; then ok "the main's exit status: ${want#exit }"
    else fail "the main's exit status" "$want" "$END"; fi
}

# expect_count N RE [WHAT] [out|err]: exactly N lines match RE.
expect_count() {
    [ "$BROKEN" = 1 ] && return 1
    _match "$2" "${4:-out}"
    if [ "${#MATCH[@]}" -eq "$1" ]; then ok "$1 ${3:-lines matching \"$2\"}"
    else fail "$1 ${3:-lines matching \"$2\"}" "$1" "${#MATCH[@]}"; fi
}

# expect_between LOW HIGH RE [WHAT]: from LOW to HIGH lines match RE.
expect_between() {
    [ "$BROKEN" = 1 ] && return 1
    _match "$3"
    local got=${#MATCH[@]} what="$1 to $2 ${4:-lines matching \"$3\"}"
    if [ "$got" -ge "$1" ] && [ "$got" -le "$2" ]; then ok "$what ($got)"
    else fail "$what" "$1 to $2" "$got"; fi
}

# expect_none RE [WHAT] [out|err]: no line matches RE.
expect_none() {
    [ "$BROKEN" = 1 ] && return 1
    _match "$1" "${3:-out}"
    if [ "${#MATCH[@]}" -eq 0 ]; then ok "${2:-no line matches \"$1\"}"
    else fail "${2:-no line matches \"$1\"}" "no such line" "\"${L_TEXT[${MATCH[-1]}]}\""; fi
}

_processes() {
    case $1 in 0) echo "no process (no such line)" ;; 1) echo "one process" ;; *) echo "$1 distinct processes" ;; esac
}

# expect_writers N RE [WHAT]: the lines matching RE come from N distinct processes.
expect_writers() {
    [ "$BROKEN" = 1 ] && return 1
    _writers "$2"
    local got=${#WRITERS[@]} what="${3:-lines \"$2\"} printed by $(_processes "$1")"
    if [ "$got" -eq "$1" ]; then ok "$what"
    else fail "$what" "$(_processes "$1")" "$(_processes "$got")${WRITERS[*]:+: ${WRITERS[*]}}"; fi
}

# expect_by main|child RE [WHAT]: every line matching RE (at least one) is
# printed by the main, or by another of the program's processes (_is_child).
expect_by() {
    [ "$BROKEN" = 1 ] && return 1
    local what=${3:-lines \"$2\"} w bad="" whom="the main (P1)"
    [ "$1" = main ] || whom="the main's children, not the main"
    _writers "$2"
    if [ "${#WRITERS[@]}" -eq 0 ]; then fail "$what, printed by $whom" "at least one such line" "none"; return; fi
    for w in "${WRITERS[@]}"; do
        if [ "$1" = main ]; then [ "$w" = P1 ] || bad="$bad $w"
        else _is_child "$w" || bad="$bad $w (parent ${PARENT[$w]:-?})"; fi
    done
    if [ -z "$bad" ]; then ok "$what: printed by $whom"
    else fail "$what: printed by $whom" "$whom" "printed by$bad"; fi
}

# expect_before RE1 RE2 [WHAT]: every line matching RE1 comes before every
# line matching RE2 (and there are some of each).
expect_before() {
    [ "$BROKEN" = 1 ] && return 1
    local a b what=${3:-every \"$1\" line before every \"$2\" line}
    _match "$1"
    a=${MATCH[-1]:-}
    _match "$2"
    b=${MATCH[0]:-}
    if [ -z "$a" ]; then fail "$what" "lines matching \"$1\"" "none"
    elif [ -z "$b" ]; then fail "$what" "lines matching \"$2\"" "none"
    elif [ "$a" -lt "$b" ]; then ok "$what"
    else fail "$what" "every \"$1\" line before every \"$2\" line" \
        "line $b \"${L_TEXT[b]}\" came before line $a \"${L_TEXT[a]}\""; fi
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

# unanswered: true if no question of the file has an answer yet.
unanswered() {
    ! grep -vE '^[[:space:]]*(#|$)' "$ANSWERS" | grep -qvE ':[[:space:]]*\?[[:space:]]*$'
}

# predict_first: ends the check at once if nothing is predicted yet (the
# point is to predict before the program shows you), listing the questions.
predict_first() {
    unanswered || return 0
    fail "no prediction yet: write your answer after each question's colon in $(basename "$ANSWERS")"
    grep -vE '^[[:space:]]*(#|$)' "$ANSWERS" | sed -E 's/:[[:space:]]*\?[[:space:]]*$//; s/^/      - /'
    echo "  (the check then runs the program and compares what it did with your answers)"
    exit 1
}

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
        fail "prediction: $key: not answered yet" "your prediction after the colon in $(basename "$ANSWERS")" "$happened"
        return
    fi
    for alt in "$right" "$@"; do
        if [ "$mine" = "$(printf '%s' "$alt" | tr 'A-Z' 'a-z')" ]; then
            ok "prediction: $key: $mine ($happened)"
            return
        fi
    done
    fail "prediction: $key" "$right" "you predicted \"$mine\"; $happened"
}

# expect_answer_near KEY RIGHT TOLERANCE WHAT-HAPPENED: a number within TOLERANCE.
expect_answer_near() {
    local key=$1 right=$2 tol=$3 happened=$4 mine
    mine=$(answer "$key")
    if [ -z "$mine" ] || [ "$mine" = "?" ]; then
        fail "prediction: $key: not answered yet" "your prediction after the colon in $(basename "$ANSWERS")" "$happened"
    elif awk -v m="$mine" -v r="$right" -v t="$tol" 'BEGIN { exit !(m ~ /^-?[0-9.]+$/ && m - r <= t && r - m <= t) }'; then
        ok "prediction: $key: $mine ($happened)"
    else
        fail "prediction: $key" "$right" "you predicted \"$mine\"; $happened"
    fi
}

# expect_wchan KEY TOKEN: your answer to KEY is what TOKEN waited in, at the
# snapshot, in one word (wchan_kind). A kernel that hides wait channels
# (/proc/PID/wchan says 0) cannot tell: then the question is not held against you.
expect_wchan() {
    local state=${SNAP_STATE[$2]:-} wchan=${SNAP_WCHAN[$2]:-}
    if [ "$state" = S ] && [ "$wchan" = - ]; then
        ok "prediction: $1: this kernel does not say where a process waits (its wchan is hidden)"
        return
    fi
    expect_answer "$1" "$(wchan_kind "$wchan")" "it waited in $wchan"
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
    local total
    total=$(grep -c '^line' "$1")
    # At most 40 lines: the first 25 and the last 15 (an error's last words).
    awk -F'\t' -v total="$total" '
        $1 == "line" { n++ }
        $1 == "line" && (total <= 40 || n <= 25 || n > total - 15) {
            printf "    %3d %-5s %-6s %s%s\n", n, $4, $5, ($3 == "err" ? "(stderr) " : ""), $6 }
        $1 == "line" && total > 40 && n == 26 { printf "        ... %d more lines ...\n", total - 40 }
        $1 == "signal" { printf "        (the checker sent signal %s to %s)\n", $4, $3 }
        $1 == "end" { end = $3; t = $2 }
        $1 == "left" { left = left sprintf("    left behind: %s (parent now %s), %s\n", $2, $3, $4) }
        END {
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
