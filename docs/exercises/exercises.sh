#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The exercises, in course order, each checked by running it (README.md here).
#
#   exercises.sh all          check them in order, stop at the first not done  (make exercises)
#   exercises.sh one ID       check one; its hint if it fails         (make exercise N=ID)
#   exercises.sh hint ID      show its hint
#   exercises.sh list         every exercise, and which are done
#   exercises.sh test ID starter|solution|FILE [-- COMMAND...]
#                             for the test suite: check the starter, the solution
#                             or FILE (or run COMMAND as the program); nothing kept
#
# ID is a folder's name or its number: 07.1 or 07.1-one-at-a-time.
# Your work: the first check of an exercise copies its starter to yours.c
# (yours.py, yours.txt) in its folder; edit that one. What is done is kept in
# .progress here, with a checksum of your file. Git ignores both.
#
# Exit status: 0 passed (or all done), 1 not yet, 2 usage, 3 skipped (needs
# python3, which is not installed).
set -u
# Every program here speaks English, whatever the student's locale (the
# demos, the library and the compiler speak Chinese under a Chinese one):
# the checks compare English lines. LANGUAGE comes first for gettext and
# the library; no LC_* variable may override LANG.
export LANGUAGE=en LANG=C.UTF-8
unset "${!LC_@}"
# (no process started where bash can do it: a fork costs milliseconds)
case $0 in */*) cd "${0%/*}" || exit 2 ;; esac
here=$PWD
cd ../.. || exit 2
EXERCISES=${EXERCISES:-$here}            # where the folders (and your files) are
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
WATCH=$BUILD/exercises/watch
BIN=$BUILD/bin
PROGRESS=$EXERCISES/.progress

die() { echo "exercises: $*" >&2; exit 2; }

[ -x "$WATCH" ] && [ -f "$BUILD/exercises/build.env" ] ||
    die "the checker is not built: run make exercises (or make exercise N=ID)"
# CC, CFLAGS, LDFLAGS, LDLIBS: the course's, as the Makefile has them.
. "$BUILD/exercises/build.env"

# The manifest: "ID LESSON KIND NEEDS TITLE..." a line, in course order;
# read once, into IDS (in order) and LESSON, KIND, NEEDS, TITLE by ID.
IDS=()
declare -A LESSON KIND NEEDS TITLE
while read -r id lesson kind needs title; do
    case $id in '#'* | '') continue ;; esac
    IDS+=("$id") LESSON[$id]=$lesson KIND[$id]=$kind NEEDS[$id]=$needs TITLE[$id]=$title
done <"$EXERCISES/manifest"
title() { echo "${TITLE[$1]}"; }

# resolve ID: the full name of the exercise ID names (07.1 or 07.1-...), or nothing.
resolve() {
    local id
    for id in "${IDS[@]}"; do
        if [ "$id" = "$1" ] || [[ $id == "$1"-* ]]; then echo "$id"; return; fi
    done
}

# The interpreter: $PYTHON if set (the test suite sets it once), else
# python3 itself, not a launcher script in front of it (pyenv's shims start
# a shell each time: slow, and every spawned child would pay it again).
python() {
    if [ -n "${PYTHON+set}" ]; then
        [ -x "$PYTHON" ] && echo "$PYTHON"
        return
    fi
    local py
    py=$(command -v python3) && "$py" -c 'import sys; print(sys.executable)' 2>/dev/null
}

ext() {
    case ${KIND[$1]} in
        c) echo c ;;
        python) echo py ;;
        *) echo txt ;;
    esac
}

# compile SRC OUT: builds SRC against lib/ with the course's flags; on
# failure, says so in one line (the first error) and returns 1.
compile() {
    local src=$1 out=$2 log=$2.log first n
    [ "$out" -nt "$src" ] && [ "$out" -nt "$BUILD/libmp.a" ] && return 0   # built already
    mkdir -p "${out%/*}"
    # shellcheck disable=SC2086  # the flags are words
    if $CC $CFLAGS -Ilib "$src" -o "$out" $LDFLAGS "$BUILD/libmp.a" $LDLIBS >"$log" 2>&1; then
        return 0
    fi
    first=$(grep -m1 -E ': (fatal )?error: ' "$log" || head -1 "$log")
    n=$(grep -cE ': (fatal )?error: ' "$log")
    echo "  ✗ ${src#"$PWD"/} does not compile: ${first#"$PWD"/}"
    [ "$n" -gt 1 ] && echo "      ($n errors; all of them in ${log#"$PWD"/})"
    return 1
}

# check ID FILE [COMMAND...]: runs ID's check on FILE (your file, the starter
# or the solution), or on COMMAND run as the program. Prints what it found;
# returns 0 passed, 1 failed, 3 skipped.
check() {
    local id=$1 file=$2 kind dir py status
    shift 2
    kind=${KIND[$id]}
    dir=$EXERCISES/$id
    py=""
    if [ "$kind" = python ] || [ "${NEEDS[$id]}" = python3 ]; then
        py=$(python) || py=""
        if [ -z "$py" ]; then
            echo "  - skipped: this exercise needs python3, which is not installed"
            return 3
        fi
    fi
    local program=()
    if [ $# -gt 0 ]; then
        program=("$@")
    elif [ "$kind" = c ]; then
        local name
        name=${file##*/}
        name=${name%.c}
        compile "$file" "$BUILD/exercises/$id/$name" || return 1
        program=("$BUILD/exercises/$id/$name")
    elif [ "$kind" = python ]; then
        program=("$py" "$file")
    elif [ -f "$dir/program.c" ]; then
        compile "$dir/program.c" "$BUILD/exercises/$id/program" || return 1
        program=("$BUILD/exercises/$id/program")
    fi
    (
        CHECK_TMP=$(mktemp -d) || exit 1
        EX=$id EXDIR=$dir ANSWERS=$file PYTHON=$py PROGRAM=(${program[@]+"${program[@]}"})
        export PYTHONDONTWRITEBYTECODE=1     # no __pycache__ beside your file
        unset PYTHONUNBUFFERED               # print buffers as it does by default
        # shellcheck source=check.bash
        . "$here/check.bash"
        trap _at_exit EXIT
        # shellcheck disable=SC1090
        . "$dir/check"
        finish
    )
    status=$?
    return $status
}

yours() { echo "$EXERCISES/$1/yours.$(ext "$1")"; }
sum() { cksum <"$1" | awk '{ print $1 "-" $2 }'; }

# ensure_yours ID: your file, made from the starter the first time.
ensure_yours() {
    local mine
    mine=$(yours "$1")
    if [ ! -f "$mine" ]; then
        cp "$EXERCISES/$1/starter.$(ext "$1")" "$mine" || exit 1
        echo "  (made ${mine#"$PWD"/} from the starter: that is the file to edit)"
    fi
}

is_done() {
    local mine
    mine=$(yours "$1")
    [ -f "$mine" ] && [ -f "$PROGRESS" ] && grep -qxF "$1 $(sum "$mine")" "$PROGRESS"
}

mark_done() {
    local mine
    mine=$(yours "$1")
    { [ -f "$PROGRESS" ] && grep -v "^$1 " "$PROGRESS"; echo "$1 $(sum "$mine")"; } >"$PROGRESS.new" &&
        mv "$PROGRESS.new" "$PROGRESS"
}

header() {
    echo "$1 ${TITLE[$1]}  (lesson ${LESSON[$1]}, ${KIND[$1]})"
    echo "  your file: $(yours "$1" | sed "s|^$PWD/||")"
}

cmd_one() {
    local id status
    id=$(resolve "$1")
    [ -n "$id" ] || die "no exercise '$1' (make exercises lists them in order; see docs/exercises/manifest)"
    header "$id"
    ensure_yours "$id"
    check "$id" "$(yours "$id")"
    status=$?
    case $status in
        0) mark_done "$id"; echo "  done: the check passes." ;;
        3) ;;
        *) echo
           echo "  hint (${EXERCISES#"$PWD"/}/$id/hint.md):"
           sed 's/^/    /' "$EXERCISES/$id/hint.md"
           echo "  (the answer, when you want it: docs/exercises/ANSWERS.md#$(anchor "$id"))" ;;
    esac
    return $status
}

# anchor ID: the answers page's heading for ID, as GitHub makes its anchor.
anchor() {
    echo "${1%%-*} ${TITLE[$1]}" | tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'
}

cmd_all() {
    local id total done=0 skipped=0 status
    total=${#IDS[@]}
    for id in "${IDS[@]}"; do
        if is_done "$id"; then
            done=$((done + 1))
            continue
        fi
        header "$id"
        ensure_yours "$id"
        check "$id" "$(yours "$id")"
        status=$?
        case $status in
            0) mark_done "$id"; done=$((done + 1)); echo "  done." ;;
            3) skipped=$((skipped + 1)) ;;
            *) echo
               echo "$done of $total done. Not yet: $id."
               echo "Edit $(yours "$id" | sed "s|^$PWD/||"), then run make exercises again."
               echo "Hint: make exercise N=${id%%-*} (checks this one alone and shows its hint)."
               return 1 ;;
        esac
    done
    echo
    echo "$done of $total done.${skipped:+}$([ "$skipped" -gt 0 ] && echo " $skipped skipped: they need python3.")"
    [ "$skipped" -eq 0 ]
}

cmd_list() {
    local id mark
    for id in "${IDS[@]}"; do
        mark=" "
        is_done "$id" && mark="✓"
        printf '%s %-28s %-3s %-8s %s\n' "$mark" "$id" "${LESSON[$id]}" "${KIND[$id]}" "${TITLE[$id]}"
    done
}

cmd_test() {
    local id=$1 which=$2 file
    shift 2
    id=$(resolve "$id")
    [ -n "$id" ] || die "no such exercise"
    case $which in
        starter | solution) file=$EXERCISES/$id/$which.$(ext "$id") ;;
        *) file=$which ;;
    esac
    [ "${1-}" = -- ] && shift
    check "$id" "$file" "$@"
}

case ${1-} in
    all) cmd_all ;;
    one) [ -n "${2-}" ] || die "which one? make exercise N=ID (make exercises lists them)"; cmd_one "$2" ;;
    hint) id=$(resolve "${2-}"); [ -n "$id" ] || die "no exercise '${2-}'"; cat "$EXERCISES/$id/hint.md" ;;
    list) cmd_list ;;
    test) [ $# -ge 3 ] || die "usage: exercises.sh test ID starter|solution|FILE [-- COMMAND...]"; shift; cmd_test "$@" ;;
    *) die "usage: exercises.sh all | one ID | hint ID | list | test ID starter|solution|FILE" ;;
esac
