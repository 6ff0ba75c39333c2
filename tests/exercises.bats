#!/usr/bin/env bats
# The exercises (docs/exercises/). For a sample of them, one or two from
# each lesson and of each kind (C, Python, predict): the check fails on the
# untouched starter and passes on the solution (under each start method,
# where the exercise is about them: the checks run them all). Every
# exercise with EXERCISES_SWEEP=1, as `make test-full` and `make exercises-sweep`
# run it (`make check`, on the sanitizer build, checks the sample: the
# exercises' programs are built with the course's flags either way). A prediction's check compares every question of its starter
# with what the program did, and fails wrong predictions (tried on a few).
# Programs that replay a solution's recorded output fail their checks (a
# few exercises' worth, C and Python), and so do solutions spoilt to leave
# a child running or unreaped, or done by one process; a check gives the
# same verdict under a Chinese locale. Then the checker's own rules, and
# the driver (make exercises, make exercise N=ID). The checks hold on a
# busy machine: the suite passes with two busy loops beside it.
load helpers

EXERCISES=$BATS_TEST_DIRNAME/../docs/exercises
SPOILT=$BATS_TEST_DIRNAME/exercises
export BUILD=${BUILD:-$(cd "$BIN/.." && pwd)}
WATCH=$BUILD/exercises/watch

# The sample every run checks: C, Python and predict, replayed, and tried
# with wrong predictions; the newest lessons'. (Besides: 06.1's starter and
# solution in the driver's tests below, 07.2's solution under a Chinese
# locale, 07.1's and 04.5's solutions spoilt.)
SAMPLE="07.1-one-at-a-time 08.3-orphans 09b.1-wait-for-the-work 12.1-lock-the-whole-update
 13.1-close-what-you-do-not-use 13.2-py-read-then-join"

# listed LIST ID: ID is one of LIST's words.
listed() { [[ " ${1//$'\n'/ } " == *" $2 "* ]]; }

# The manifest, read once (in bash: on this machine a process costs
# milliseconds, and a test file that starts thousands pays seconds):
# EVERY (its exercises, in order), KIND by id; IDS, those this run checks:
# ONLY=REGEX (by hand, while writing an exercise) those it matches,
# EXERCISES_SWEEP=1 all of them, else the sample.
EVERY=() IDS=()
declare -gA KIND
while read -r id _ k _; do
    case $id in '#'* | '') continue ;; esac
    EVERY+=("$id") KIND[$id]=$k
    if [ -n "${ONLY:-}" ]; then [[ $id =~ $ONLY ]] && IDS+=("$id")
    elif [ "${EXERCISES_SWEEP:-0}" = 1 ] || listed "$SAMPLE" "$id"; then IDS+=("$id"); fi
done <"$EXERCISES/manifest"
every() { printf '%s\n' "${EVERY[@]}"; }
kind() { echo "${KIND[$1]}"; }

# The exercises whose solutions' output is recorded and replayed (a
# program that prints the expected text without doing the work): C and
# Python, one run and several, under start methods, with a signal, a
# callback printed by the main itself, exit codes only.
REPLAYED=" 02.2-empty-is-not-done 04.4-py-drain-then-join 05.4-bytes-not-pointers
 07.1-one-at-a-time 07.3-exit-codes 09.3-py-pool-must-not-hang 09b.1-wait-for-the-work
 10.3-whose-callback 12.1-lock-the-whole-update 12.2-py-hand-it-the-value
 13.1-close-what-you-do-not-use 13.2-py-read-then-join "
# The prediction exercises tried with wrong answers: a count, a yes or no,
# a word from a snapshot, one with its own program.
WRONG=" 01.2-two-charts 06.2-ps-serial 08.3-orphans "

# check_pair ID: the starter, the solution (recorded, where it is replayed),
# then the replay or the wrong predictions; statuses in $R/ID.*.rc
check_pair() {
    set +e                  # (setup_file's errexit would end the job at the first failed check)
    local id=$1 r=$R/$1
    "$EXERCISES/exercises.sh" test "$id" starter >"$r.starter" 2>&1
    echo $? >"$r.starter.rc"
    if listed "$REPLAYED" "$id"; then
        mkdir -p "$r.rec"
        RECORD=$r.rec "$EXERCISES/exercises.sh" test "$id" solution >"$r.solution" 2>&1
        echo $? >"$r.solution.rc"
        "$EXERCISES/exercises.sh" test "$id" solution -- "$SPOILT/replay.sh" "$r.rec" >"$r.replay" 2>&1
        echo $? >"$r.replay.rc"
        return
    fi
    "$EXERCISES/exercises.sh" test "$id" solution >"$r.solution" 2>&1
    echo $? >"$r.solution.rc"
    if listed "$WRONG" "$id"; then
        # every answer of the solution replaced by a wrong one
        sed -E '/^[[:space:]]*(#|$)/!s/:[^:]*$/: wrong/' "$EXERCISES/$id/solution.txt" >"$r.wrong.txt"
        "$EXERCISES/exercises.sh" test "$id" "$r.wrong.txt" >"$r.wrong" 2>&1
        echo $? >"$r.wrong.rc"
    fi
}

# spoilt ID FILE NAME: FILE in place of the solution, status in $R/NAME.rc
spoilt() {
    set +e
    "$EXERCISES/exercises.sh" test "$1" "$SPOILT/$2" >"$R/$3" 2>&1
    echo $? >"$R/$3.rc"
}

# chinese ID: ID's solution checked by a student whose locale is Chinese
# (the demos then speak Chinese; the checks compare English lines).
chinese() {
    set +e
    LANGUAGE=zh_CN LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 LC_MESSAGES=zh_CN.UTF-8 \
        "$EXERCISES/exercises.sh" test "$1" solution >"$R/chinese" 2>&1
    echo $? >"$R/chinese.rc"
}

# Every check of this run at once, a few at a time (most of them sleep).
setup_file() {
    export R=$BATS_FILE_TMPDIR/results
    mkdir -p "$R"
    # python3 found once for every check (empty: not installed; they skip)
    PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PYTHON=""
    export PYTHON
    local id jobs=()
    spoilt 07.1 07.1-leaves-a-child.c leaves-child 3>&- &
    jobs+=($!)
    spoilt 07.1 07.1-leaves-a-zombie.c leaves-zombie 3>&- &
    jobs+=($!)
    spoilt 07.1 07.1-one-process.c one-process 3>&- &
    jobs+=($!)
    spoilt 04.5 04.5-leaves-a-child.py leaves-child-py 3>&- &
    jobs+=($!)
    chinese 07.2 3>&- &
    jobs+=($!)
    driver_all 3>&- &
    jobs+=($!)
    driver_one 3>&- &
    jobs+=($!)
    for id in "${IDS[@]}"; do
        # at most 6 checks at a time
        jobs -r >"$R/running"
        while [ "$(wc -l <"$R/running")" -ge 6 ]; do wait -n || true; jobs -r >"$R/running"; done
        check_pair "$id" 3>&- &
        jobs+=($!)
    done
    wait "${jobs[@]}" || true
}

# lesson NN: every exercise of lesson NN this run checks passed the three
# trials (those that need python3 skip where it is not installed: status
# 3); what failed, and why, on stdout.
lesson() {
    local id found=0 failed="" starter solution status
    for id in "${IDS[@]}"; do
        [ "${id%%.*}" = "$1" ] || continue
        found=1
        read -r starter <"$R/$id.starter.rc"
        read -r solution <"$R/$id.solution.rc"
        if [ "$starter" = 3 ] && [ -z "$PYTHON" ]; then
            echo "# $id skipped: no python3" >&3
            continue
        fi
        [ "$starter" = 1 ] ||
            { failed="$failed $id"; echo "--- $id: the check does not fail on the starter"; cat "$R/$id.starter"; }
        [ "$solution" = 0 ] ||
            { failed="$failed $id"; echo "--- $id: the check fails on the solution"; cat "$R/$id.solution"; }
        if [ -f "$R/$id.replay.rc" ]; then
            read -r status <"$R/$id.replay.rc"
            [ "$status" = 1 ] ||
                { failed="$failed $id"; echo "--- $id: the check passes a replay of the solution's output"; cat "$R/$id.replay"; }
        fi
        if [ -f "$R/$id.wrong.rc" ]; then
            # it fails them, showing what it expected beside what was predicted
            read -r status <"$R/$id.wrong.rc"
            [ "$status" = 1 ] && grep -q '^      expected: ' "$R/$id.wrong" &&
                grep -q '^      the program: you predicted "wrong"; ' "$R/$id.wrong" ||
                { failed="$failed $id"; echo "--- $id: wrong predictions"; cat "$R/$id.wrong"; }
        fi
        if [ "${KIND[$id]}" = predict ]; then
            # every question of the starter was compared with the run
            local questions compared
            questions=$(grep -cE '^[^#].*:[[:space:]]*\?[[:space:]]*$' "$EXERCISES/$id/starter.txt")
            compared=$(grep -c '^  ✓ prediction: ' "$R/$id.solution")
            [ "$questions" -ge 1 ] && [ "$compared" -eq "$questions" ] ||
                { failed="$failed $id"; echo "--- $id: $questions questions, $compared compared"; }
        fi
    done
    [ "$found" = 1 ] && [ -z "$failed" ]
}

@test "the manifest lists every exercise folder once, in course order, each with its files" {
    listed=$(every)
    check "$(echo "$listed" | grep -c '')" -ge 36
    check "$listed" = "$(echo "$listed" | sort)"
    check "$(cd "$EXERCISES" && ls -d [0-9][0-9]*.*/ | tr -d / | sort)" = "$listed"
    python=0
    answers=$(<"$EXERCISES/ANSWERS.md") readme=$(<"$EXERCISES/README.md")
    while read -r id lesson k needs title; do
        case $id in '#'* | '') continue ;; esac
        case $k in c) ext=c ;; python) ext=py; python=$((python + 1)) ;; predict) ext=txt ;;
            *) echo "$id: kind '$k'"; false ;; esac
        for f in "starter.$ext" "solution.$ext" check hint.md; do
            [ -s "$EXERCISES/$id/$f" ] || { echo "$id has no $f"; false; }
        done
        [[ $'\n'$answers$'\n' == *$'\n'"## ${id%%-*} $title"$'\n'* ]] ||
            { echo "ANSWERS.md has no section \"## ${id%%-*} $title\""; false; }
        [[ $readme == *"[$id]("* ]] || { echo "README.md does not list $id"; false; }
        [ "${id%%.*}" = "$lesson" ] || { echo "$id: lesson $lesson"; false; }
    done <"$EXERCISES/manifest"
    check "$python" -ge 8
    check "$(every | grep -c '^11\.')" -ge 1
}

@test "each exercise checked (all in make test-full, a sample in make check): its check fails on its starter (and on wrong predictions, or a replay) and passes on its solution" {
    local lessons=" " n failed=""
    for n in "${IDS[@]}"; do [[ $lessons == *" ${n%%.*} "* ]] || lessons="$lessons${n%%.*} "; done
    for n in $lessons; do lesson "$n" || failed="$failed $n"; done
    check ${#IDS[@]} -ge 1
    check -z "$failed"
}

@test "a solution that leaves a child running fails its check, naming it (C and Python)" {
    for name in leaves-child leaves-child-py; do
        output=$(cat "$R/$name")
        check "$(cat "$R/$name.rc")" -eq 1
        check "$(count_lines 'was still running after the main ended')" -ge 1
    done
}

@test "a solution that leaves a zombie fails its check" {
    output=$(cat "$R/leaves-zombie")
    check "$(cat "$R/leaves-zombie.rc")" -eq 1
    check "$(count_lines 'had ended, but nobody reaped it')" -ge 1
}

@test "one process printing what two children should fails the check" {
    output=$(cat "$R/one-process")
    check "$(cat "$R/one-process.rc")" -eq 1
    check "$(count_lines "printed by the main's children")" -ge 1
}

@test "a replay fails because its lines name PIDs their writer does not have" {
    [ -f "$R/07.1-one-at-a-time.replay" ] || skip "07.1 not checked in this run (ONLY=${ONLY:-})"
    output=$(cat "$R/07.1-one-at-a-time.replay")
    check "$(count_lines 'is printed by process n')" -ge 1
    check "$(count_lines 'was printed by P1, not by X[0-9]+')" -ge 1
}

@test "under a Chinese locale a check still compares English lines: the same verdict" {
    output=$(cat "$R/chinese")
    check "$(cat "$R/chinese.rc")" -eq 0
    check "$(count_lines '^  ✓ prediction: under forkserver, the parent: server ')" -eq 1
    check "$(count_lines '✗')" -eq 0
}

# ---- the checker itself -------------------------------------------------

# watched COMMAND...: watch's transcript of COMMAND in $output.
watched() {
    run timeout 20 "$WATCH" --deadline "${deadline:-5}" ${options[@]+"${options[@]}"} -- "$@" 3>&-
    check "$status" -eq 0
}

@test "watch: each line with the process that wrote it; partial lines put together per writer" {
    watched sh -c 'printf "a"; (printf "b\n"); printf "c\n"; echo "PID $$"'
    check "$(count_lines '^line	[0-9]+	out	P1	watch	ac$')" -eq 1
    check "$(count_lines '^line	[0-9]+	out	P2	(P1|\?)	b$')" -eq 1
    check "$(count_lines '^line	[0-9]+	out	P1	watch	PID P1$')" -eq 1
    check "$(count_lines '^end	[0-9]+	exit 0	')" -eq 1
    check "$(count_lines '^(lie|left)')" -eq 0
}

@test "watch: a line claiming another process's PID is a lie; 'parent PID' is not a claim" {
    watched sh -c 'echo "PID 1"; echo "child PID $$, parent PID $PPID"'
    check "$(count_lines '^lie	[0-9]+	P1	X1	PID X1$')" -eq 1
    check "$(count_lines '^line	.*child PID P1, parent PID watch$')" -eq 1
    check "$(count_lines '^lie')" -eq 1
}

@test "watch: an orphan left running is adopted, reported and killed; an unreaped child is a zombie" {
    options=(--grace 0.2)
    watched sh -c 'echo $$ >"$0"; sleep 30 & echo "sleeper PID $!" >"$0.sleeper"; sleep 0 & exec sleep 0.3' \
        "$BATS_TEST_TMPDIR/pids"
    check "$(count_lines '^left	P[0-9]+	watch	zombie	')" -eq 1
    check "$(count_lines '^left	P[0-9]+	watch	running	S	')" -eq 1
    all_gone "$(sed 's/.* //' "$BATS_TEST_TMPDIR/pids.sleeper")"
}

@test "watch: at the deadline every process is written down with what it waits in, then killed" {
    deadline=0.5
    start=$(date +%s%N)
    watched bash -c 'sleep 30 & echo "$!" >"$0"; wait' "$BATS_TEST_TMPDIR/pid"
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$elapsed_ms" -lt 4000
    check "$(count_lines '^end	[0-9]+	timeout')" -eq 1
    check "$(count_lines '^stuck	P1	watch	S	do_wait')" -eq 1
    check "$(count_lines '^stuck	P2	P1	S	')" -eq 1
    all_gone "$(cat "$BATS_TEST_TMPDIR/pid")"
}

@test "watch: --signal kills the writer of a line; a death by signal is reported as such" {
    options=(--signal '^ready' 9 main --grace 0.2)
    watched sh -c 'echo ready; sleep 5'
    check "$(count_lines '^signal	[0-9]+	P1	9$')" -eq 1
    check "$(count_lines '^end	[0-9]+	signal 9	')" -eq 1
}

@test "watch: Ctrl-C ends it with status 130, and the program with it" {
    "$WATCH" -- sh -c 'echo $$ >"$0"; exec sleep 30' "$BATS_TEST_TMPDIR/pid" >"$BATS_TEST_TMPDIR/out" 3>&- &
    watcher=$!
    for i in $(seq 40); do [ -s "$BATS_TEST_TMPDIR/pid" ] && break; sleep 0.05; done
    kill -INT "$watcher"
    wait "$watcher" && status=0 || status=$?
    check "$status" -eq 130
    all_gone "$(cat "$BATS_TEST_TMPDIR/pid")"
}

# ---- the driver -----------------------------------------------------------

# A copy of the exercises to work in (the real folder is the student's).
copy_to() {
    cp -r "$EXERCISES" "$1"
    rm -f "$1"/*/yours.* "$1/.progress"
}
copy() {
    copy_to "$BATS_TEST_TMPDIR/ex"
    export EXERCISES_COPY=$BATS_TEST_TMPDIR/ex
}
driver() { EXERCISES=$EXERCISES_COPY timeout 120 "$EXERCISES/exercises.sh" "$@" 3>&-; }

# step NAME ARGS...: the driver on a copy of the exercises ($EX), its
# output and status in $R/NAME and $R/NAME.rc; step_result NAME: those in
# $output, $lines and $status, as bats's run leaves them.
step() {
    local name=$1
    shift
    EXERCISES=$EX timeout 120 "$EXERCISES/exercises.sh" "$@" >"$R/$name" 2>&1 3>&-
    echo $? >"$R/$name.rc"
}
step_result() {
    output=$(<"$R/$1")
    read -r status <"$R/$1.rc"
    mapfile -t lines <"$R/$1"
}

# The driver's two ways, on copies of their own, run by setup_file beside
# the checks (their programs mostly sleep).
driver_all() {
    set +e
    EX=$BATS_FILE_TMPDIR/ex-all
    copy_to "$EX"
    # from lesson 06 on (01.1's check runs CPU-bound work: its CPU time is
    # better spent elsewhere; make exercises-sweep checks it)
    sed -i '/^01\.1-/,/^05\.4-/d' "$EX/manifest"
    step all-1 all
    [ -f "$EX/06.1-cpu-time/yours.txt" ]; echo $? >"$R/all-1.made"
    # the first one done: the next run goes on to the second
    cp "$EX/06.1-cpu-time/solution.txt" "$EX/06.1-cpu-time/yours.txt"
    step all-2 all
    grep -c '^06\.1-cpu-time ' "$EX/.progress" >"$R/all-2.progress"
    # the file changed since: checked again
    cp "$EX/06.1-cpu-time/starter.txt" "$EX/06.1-cpu-time/yours.txt"
    step all-3 all
}
driver_one() {
    set +e
    EX=$BATS_FILE_TMPDIR/ex-one
    copy_to "$EX"
    step one-1 one 06.1
    cp "$EXERCISES/06.1-cpu-time/solution.txt" "$EX/06.1-cpu-time/yours.txt"
    step one-2 one 06.1-cpu-time
    step one-3 one 99.9
}

@test "make exercises: stops at the first not done, the hint command; keeps progress" {
    step_result all-1
    check "$status" -eq 1
    check "$(<"$R/all-1.made")" -eq 0
    check "$(count_lines '^0 of [0-9]+ done\. Not yet: 06\.1-cpu-time\.$')" -eq 1
    check "$(count_lines 'no prediction yet')" -eq 1
    check "$(count_lines '^Hint: make exercise N=06\.1 ')" -eq 1
    step_result all-2
    check "$status" -eq 1
    check "$(count_lines '^1 of [0-9]+ done\. Not yet: 06\.2-ps-serial\.$')" -eq 1
    check "$(<"$R/all-2.progress")" -eq 1
    step_result all-3
    check "$(count_lines '^0 of [0-9]+ done\. Not yet: 06\.1-cpu-time\.$')" -eq 1
}

@test "make exercise N=ID: checks one, shows its hint when it fails, says done when it passes" {
    step_result one-1
    check "$status" -eq 1
    check "$(count_lines '^  hint ')" -eq 1
    check "$(count_lines 'asks the kernel to wake it later')" -eq 1
    step_result one-2
    check "$status" -eq 0
    check "$(count_lines '^  done: the check passes\.$')" -eq 1
    step_result one-3
    check "$status" -eq 2
    check "${#lines[@]}" -eq 1
}

@test "a starter that does not compile says so in one line" {
    copy
    mkdir -p "$EXERCISES_COPY/07.1-one-at-a-time"
    sed 's/mp_print("main PID/mp_prnt("main PID/' "$EXERCISES/07.1-one-at-a-time/starter.c" \
        >"$EXERCISES_COPY/07.1-one-at-a-time/yours.c"
    run driver one 07.1
    check "$status" -eq 1
    check "$(count_lines 'yours\.c does not compile: .*yours\.c:[0-9]+:[0-9]+: error: ')" -eq 1
    check "$(count_lines 'error: ')" -eq 1
}

@test "without python3, a Python exercise says so and counts as skipped" {
    copy
    PYTHON=/nonexistent/python3 run driver one 04.4
    check "$status" -eq 3
    check "$(count_lines 'skipped: this exercise needs python3')" -eq 1
    PYTHON=/nonexistent/python3 EXERCISES=$EXERCISES_COPY run timeout 60 "$EXERCISES/exercises.sh" test 03.3 solution
    check "$status" -eq 3
}

@test "every relative link of the exercises' pages leads to a file" {
    for page in "$EXERCISES"/*.md; do
        for target in $(grep -oE '\]\([^) ]+\)' "$page" | sed -E 's/^\]\((.*)\)$/\1/' | grep -vE '^(https?:|mailto:|#)'); do
            [ -e "$EXERCISES/${target%%#*}" ] || { echo "$(basename "$page"): dead link $target"; false; }
        done
    done
}
