#!/usr/bin/env bash
# Keeps docs/ true to the demos. Driven by tests/docs.bats; also runs by hand:
#
#   tests/docs_check.sh coverage     every demo in $BIN has a lesson page
#   tests/docs_check.sh index        docs/README.md links every page in docs/
#   tests/docs_check.sh links        no relative link in docs/ points at nothing
#   tests/docs_check.sh pictures     every picture a page shows exists and is
#                                    a well-formed SVG
#   tests/docs_check.sh page FILE    FILE's commands run as it says, its samples match
#   tests/docs_check.sh c-constructs PAGE FILE...
#                                    PAGE teaches every C construct FILE... use
#   tests/docs_check.sh step EN ZH   the Chinese page ZH is in step with EN
#   tests/docs_check.sh translations every English page has its Chinese page,
#                                    in step, and no Chinese page is left over
#
# The Chinese pages: docs/zh/NAME.md beside docs/NAME.md, README.zh-CN.md
# beside README.md. `page` on a Chinese page runs no command (they are the
# English page's) and runs a sample only where its output differs from the
# English page's, under a Chinese locale.
#
# Exit status: 0 passed, 1 failed (saying why). A page or a command naming a
# demo that is not built fails; a command that needs python3 is only noted,
# not run, where python3 is missing.
#
# The conventions a page follows (docs/README.md explains them to readers):
#   <!-- demo: NAME... -->    the demos a lesson page is about (one such line)
#   ```sh run                 commands, one a line, run from the repository
#                             root; a line may end in "# exit N" (default 0)
#   ```text sample            "$ COMMAND" then what it prints (stdout and
#   ```text sample any-order  stderr), compared line by line, or as a set of
#                             lines when the order varies
#   ```c from FILE            lines quoted from FILE: each must still be in it
#                             ("..." lines mark what was left out)
# Commands run a demo as build/bin/NAME; the check runs $BIN/NAME instead (so
# `make check` checks the sanitizer build) and, when the line has no --tick,
# adds --tick $DOCS_TICK right after the demo's name, to keep it fast (only
# for a demo that takes --tick: one whose lesson never sleeps does not).
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=${BIN:-$PWD/build/bin}
export BIN                  # for scripts a page runs, e.g. docs/try-download.sh
DOCS_TICK=${DOCS_TICK:-0.02}
# The demos that take no --tick ("a|b|c"), if the caller knows them already
# (tests/docs.bats asks once for all its pages); else asked below, once.
[ -n "${DOCS_UNTIMED+set}" ] && untimed=$DOCS_UNTIMED

# On the sanitizer build (make check), UBSan stops a deliberate crash (a task
# that writes through NULL, as pool_map --crash does) before the kernel can
# send SIGSEGV: it prints a "runtime error" report and ends the process with
# status 1. There, both endings count as the same crash.
sanitized=()
if grep -q __ubsan_handle "$BIN"/* 2>/dev/null; then
    sanitized=(-e '/: runtime error: /d'
               -e 's/was killed by signal 11 \(SIGSEGV\)|exited with status 1/<CRASHED>/')
fi

# normalise: what varies from run to run, replaced by a placeholder: addresses,
# PIDs (a number after "PID", "worker", "child" or "进程"), times ("5.01 s",
# "12 ms", "0.02 秒", and the seed's unitless "所用的时间0.51"),
# ratios ("3.91x") and loopback ports.
normalise() {
    sed -E \
        -e 's/0x[0-9a-fA-F]+/<ADDR>/g' \
        -e 's/(PID|pid|worker|child|进程)(:?) *[0-9]+/\1\2 <PID>/g' \
        -e 's/[0-9]+(\.[0-9]+)? (s|ms)\b/<TIME> \2/g' \
        -e 's/[0-9]+(\.[0-9]+)? 秒/<TIME> 秒/g' \
        -e 's/(时间|时间是:|使用了)[0-9]+\.[0-9]+/\1<TIME>/g' \
        -e 's/[0-9]+\.[0-9]+x\b/<RATIO>x/g' \
        -e 's/(127\.0\.0\.1|localhost):[0-9]+/\1:<PORT>/g' \
        ${sanitized[@]+"${sanitized[@]}"} \
        -e 's/[[:space:]]+$//'
}

# demos_of FILE: the demo names on the page's "<!-- demo: ... -->" line.
demos_of() {
    sed -nE 's/^<!-- demo: (.*) -->$/\1/p' "$1" | head -1
}

# missing_demos FILE: those of FILE's demos that are not built.
missing_demos() {
    local d missing=""
    for d in $(demos_of "$1"); do
        [ -x "$BIN/$d" ] || missing="$missing $d"
    done
    echo "${missing# }"
}

# The lesson pages: docs/NN-NAME.md, and a second page of one lesson,
# docs/NNb-NAME.md.
lesson_pages() {
    ls docs/[0-9][0-9]-*.md docs/[0-9][0-9][a-z]-*.md 2>/dev/null
}

cmd_coverage() {
    local bin name failed=0 covered
    # every page's demo line at once (few processes: the suite is timed)
    covered=" $(sed -nE 's/^<!-- demo: (.*) -->$/\1/p' $(lesson_pages) | tr '\n' ' ') "
    for bin in "$BIN"/*; do
        [ -x "$bin" ] || continue
        name=$(basename "$bin")
        if [[ "$covered" != *" $name "* ]]; then
            echo "demo $name has no lesson page (no docs/NN-*.md says <!-- demo: $name -->)"
            failed=1
        fi
    done
    return $failed
}

# index_of DIR: every page of DIR (docs or docs/zh) must be linked from
# DIR/README.md.
index_of() {
    local page failed=0
    for page in "$1"/*.md; do
        [ "$page" = "$1/README.md" ] && continue
        if ! grep -qF "]($(basename "$page"))" "$1/README.md"; then
            echo "$1/README.md does not link $(basename "$page")"
            failed=1
        fi
    done
    return $failed
}

cmd_index() {
    local failed=0
    index_of docs || failed=1
    if [ -f docs/zh/README.md ]; then index_of docs/zh || failed=1; fi
    return $failed
}

# all_pages: every page of the course, English and Chinese.
all_pages() {
    ls README.md README.zh-CN.md docs/*.md docs/zh/*.md docs/exercises/*.md \
       docs/zh/exercises/*.md lib/README.md lib/README.zh-CN.md 2>/dev/null
}

# slugs FILE: the anchors of FILE's headings, as GitHub makes them: lower
# case, ASCII punctuation and the full-width punctuation of Chinese prose
# dropped, spaces to hyphens, every other character (Chinese) kept.
slugs() {
    sed -nE 's/^#+ +//p' "$1" | LC_ALL=C tr 'A-Z' 'a-z' |
        LC_ALL=C tr -d '!"#$%&'"'"'()*+,./:;<=>?@[\\]^`{|}~' |
        sed -E 's/，|。|：|；|？|！|（|）|、|《|》|“|”|‘|’|—|…//g; s/ /-/g'
}

# Every relative link [text](target) must name an existing file, from the
# page's own folder, and a link to a heading of a page must name one of its
# headings.
cmd_links() {
    local page target path dir failed=0
    local -A anchors=()                  # each page's headings, made once
    for page in $(all_pages); do
        dir=$(dirname "$page")
        while IFS= read -r target; do
            case "$target" in
                http://* | https://* | mailto:*) continue ;;
                '#'*) target="$(basename "$page")$target" ;;   # a heading of this page
            esac
            path="$dir/${target%%#*}"
            if [ -e "$path" ]; then
                [[ "$target" == *'#'* && "$path" == *.md ]] || continue
                [ -n "${anchors[$path]+set}" ] || anchors[$path]=$'\n'$(slugs "$path")$'\n'
                if [[ "${anchors[$path]}" != *$'\n'"${target#*#}"$'\n'* ]]; then
                    echo "$page: dead link ($target: no such heading)"
                    failed=1
                fi
                continue
            fi
            echo "$page: dead link ($target)"
            failed=1
        done < <(grep -oE '\]\([^) ]+\)' "$page" | sed -E 's/^\]\((.*)\)$/\1/')
    done
    return $failed
}

# not_well_formed FILE...: those of the files that are not well-formed XML
# with an <svg> root, one a line. python3's parser (one start for them
# all) where python3 is installed; else a plain check (the XML declaration
# first, </svg> last, and no '&' that does not start one of XML's entities).
not_well_formed() {
    if command -v python3 >/dev/null; then
        python3 -c 'import sys, xml.dom.minidom
for f in sys.argv[1:]:
    try:
        if xml.dom.minidom.parse(f).documentElement.tagName != "svg": print(f)
    except Exception:
        print(f)' "$@"
        return
    fi
    local f
    for f in "$@"; do
        [[ "$(head -1 "$f")" == '<?xml version="1.0" encoding="UTF-8"?>' ]] &&
            grep -q '^<svg ' "$f" && [[ "$(tail -1 "$f")" == '</svg>' ]] &&
            ! grep -qE '&([^lgaq]|l[^t]|g[^t])' "$f" || echo "$f"
    done
}

# Every picture a page shows, ![text](FILE), must exist, and an SVG must be
# well-formed (a browser draws nothing of a broken one).
cmd_pictures() {
    local page target path bad failed=0
    local -A shown=()            # each picture: the first page that shows it
    for page in $(all_pages); do
        while IFS= read -r target; do
            path=$(realpath -m --relative-to=. "$(dirname "$page")/$target")
            if [ ! -f "$path" ]; then
                echo "$page: shows $target, which does not exist (make pictures draws them)"
                failed=1
            elif [[ "$path" == *.svg && -z "${shown[$path]+set}" ]]; then
                shown[$path]=$page
            fi
        done < <(grep -oE '!\[[^]]*\]\([^) ]+\)' "$page" | sed -E 's/.*\((.*)\)$/\1/')
    done
    [ ${#shown[@]} -gt 0 ] || return $failed
    while IFS= read -r bad; do
        echo "${shown[$bad]}: shows $bad, which is not a well-formed SVG"
        failed=1
    done < <(not_well_formed "${!shown[@]}")
    return $failed
}

# prepare LINE: the command to run for a page's command line, in $cmd, and its
# expected exit status in $want.
prepare() {
    local line=$1
    want=0
    if [[ "$line" =~ ^(.*[^[:space:]])[[:space:]]+#[[:space:]]*exit[[:space:]]+([0-9]+)[[:space:]]*$ ]]; then
        line=${BASH_REMATCH[1]}
        want=${BASH_REMATCH[2]}
    fi
    if [[ "$line" != *--tick* && "$line" == *build/bin/* ]]; then
        # the demos that take no --tick, asked once per run of this script
        if [ -z "${untimed+set}" ]; then
            untimed=$(for d in "$BIN"/*; do "$d" --help 2>/dev/null | grep -q -- --tick ||
                      basename "$d"; done | paste -sd'|')
        fi
        line=$(printf '%s\n' "$line" | sed -E "s#build/bin/([a-z_]+)#build/bin/\\1 --tick $DOCS_TICK#g" |
               sed -E "s#build/bin/(${untimed:-none}) --tick $DOCS_TICK#build/bin/\\1#g")
    fi
    cmd=${line//build\/bin\//$BIN\/}
}

# unbuilt LINE: the first demo LINE runs that is not built, if any.
unbuilt() {
    local name
    for name in $(printf '%s\n' "$1" | grep -oE 'build/bin/[a-z_]+' | sed 's#build/bin/##'); do
        [ -x "$BIN/$name" ] || { echo "$name"; return 0; }
    done
    return 1
}

# unavailable LINE: why LINE cannot run here (no python3).
unavailable() {
    if printf '%s\n' "$1" | grep -qE '(^|[^a-z])python3( |$)' && ! command -v python3 >/dev/null; then
        echo "python3 is not installed"
        return 0
    fi
    return 1
}

# run_line LINE OUTFILE [VAR=VALUE...]: runs it, in that environment, sets
# $status.
run_line() {
    prepare "$1"
    env "${@:3}" timeout 30 bash -c "$cmd" </dev/null >"$2" 2>&1 3>&-
    status=$?
}

# blocks FILE DIR: writes each checked fenced block of FILE to DIR/NNN.KIND,
# where KIND is run, sample, sample-any-order, or quote (then DIR/NNN.from
# holds the quoted file's name).
blocks() {
    awk -v dir="$2" '
        # a fence: three backquotes, maybe indented (inside a list item)
        /^ *```/ && !inside {
            inside = 1; out = ""
            match($0, /^ */); indent = RLENGTH
            info = substr($0, indent + 4)
            if (info ~ /^sh run[[:space:]]*$/)                 kind = "run"
            else if (info ~ /^text sample[[:space:]]*$/)       kind = "sample"
            else if (info ~ /^text sample any-order[[:space:]]*$/) kind = "sample-any-order"
            else if (info ~ /^c from [^[:space:]]+[[:space:]]*$/) {
                kind = "quote"
                n++; from = sprintf("%s/%03d.from", dir, n)
                split(info, w, /[[:space:]]+/); print w[3] > from; close(from)
            } else kind = ""
            if (kind != "") { if (kind != "quote") n++; out = sprintf("%s/%03d.%s", dir, n, kind) }
            next
        }
        /^ *```/ && inside { inside = 0; if (out != "") { printf "" >> out; close(out) }; next }
        inside && out != "" {
            line = $0
            match(line, /^ */)
            print substr(line, (RLENGTH < indent ? RLENGTH : indent) + 1) > out
        }
    ' "$1"
}

cmd_page() {
    local page=$1 missing name tmp block line failed=0 runs=0 samples=0 quoted=0 skipped=""
    [ -f "$page" ] || { echo "no such page: $page"; return 1; }
    missing=$(missing_demos "$page")
    if [ -n "$missing" ]; then
        echo "$page: is about demo $missing, which is not built (no such demos/NAME.c?)"
        return 1
    fi
    tmp=$(mktemp -d)
    blocks "$page" "$tmp"
    if is_zh "$page"; then
        # a Chinese page: its commands and quotes are its English page's
        # (step checks that), checked there; its samples, where they differ
        # from the English ones, run here, under a Chinese locale
        mkdir "$tmp/en"
        blocks "$(en_of "$page")" "$tmp/en"
    fi
    for block in "$tmp"/*; do
        [ -f "$block" ] || continue
        if [ -d "$tmp/en" ]; then
            case "$block" in
            *.run) runs=$((runs + $(grep -cvE '^[[:space:]]*(#.*)?$' "$block"))); continue ;;
            *.quote | *.from) continue ;;
            esac
            if cmp -s "$block" "$tmp/en/$(basename "$block")"; then
                samples=$((samples + 1))
                continue
            fi
        fi
        case "$block" in
        *.run)
            while IFS= read -r line || [ -n "$line" ]; do
                [[ "$line" =~ ^[[:space:]]*(#.*)?$ ]] && continue
                if name=$(unbuilt "$line"); then
                    echo "$page: '$line' runs demo $name, which is not built"
                    failed=1
                    continue
                fi
                if why=$(unavailable "$line"); then
                    skipped="$skipped"$'\n'"  not run ($why): $line"
                    continue
                fi
                run_line "$line" "$tmp/out"
                runs=$((runs + 1))
                if [ "$status" -ne "$want" ]; then
                    echo "$page: '$line' exited $status, the page says $want"
                    sed 's/^/    | /' "$tmp/out" | head -20
                    failed=1
                fi
            done <"$block"
            ;;
        *.sample | *.sample-any-order)
            line=$(head -1 "$block")
            if [[ "$line" != '$ '* ]]; then
                echo "$page: a sample block must start with '\$ COMMAND' (got '$line')"
                failed=1
                continue
            fi
            line=${line#\$ }
            if name=$(unbuilt "$line"); then
                echo "$page: the sample of '$line' runs demo $name, which is not built"
                failed=1
                continue
            fi
            if why=$(unavailable "$line"); then
                skipped="$skipped"$'\n'"  sample not compared ($why): $line"
                continue
            fi
            if [ -d "$tmp/en" ]; then
                run_line "$line" "$tmp/out" LANGUAGE=zh_CN LANG=C.UTF-8
            else
                run_line "$line" "$tmp/out"
            fi
            samples=$((samples + 1))
            if [ "$status" -ne "$want" ]; then
                echo "$page: sample '$line' exited $status, the page says $want"
                failed=1
            fi
            tail -n +2 "$block" | normalise | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$tmp/want"
            normalise <"$tmp/out" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$tmp/got"
            if [[ "$block" == *any-order ]]; then
                sort -o "$tmp/want" "$tmp/want"
                sort -o "$tmp/got" "$tmp/got"
            fi
            if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
                echo "$page: the sample of '$line' no longer matches what it prints"
                echo "  (after normalising PIDs, times, addresses and ports$([[ "$block" == *any-order ]] && echo ', and sorting'))"
                sed -e '1s/.*/--- the page/' -e '2s/.*/+++ the demo/' "$tmp/diff"
                failed=1
            fi
            ;;
        *.quote)
            local src
            src=$(cat "${block%.quote}.from")
            if [ ! -f "$src" ]; then
                echo "$page: quotes $src, which does not exist"
                failed=1
                continue
            fi
            # each line of the block must be a line of src, both trimmed; a
            # page may quote a text without the _() or N_() that hands it to
            # the Chinese catalogs (lib/lang.c): the lesson's line in English.
            # (One sed and one awk a block: the suite is timed.)
            sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//; p
                    s/(^|[^A-Za-z0-9_])N?_\(("([^"\\]|\\.)*")\)/\1\2/g' "$src" >"$tmp/src"
            awk -v page="$page" -v src="$src" -v counts="$tmp/quoted" '
                FILENAME == ARGV[1] { have[$0] = 1; next }
                { sub(/^[[:space:]]+/, ""); sub(/[[:space:]]+$/, "") }
                $0 == "" || $0 == "..." || $0 == "/* ... */" { next }
                { n++ }
                !($0 in have) { print page ": quotes a line that is no longer in " src ": " $0; bad = 1 }
                END { print n + 0 > counts; exit bad }' "$tmp/src" "$block" || failed=1
            quoted=$((quoted + $(cat "$tmp/quoted")))
            ;;
        esac
    done
    rm -rf "$tmp"
    if [ -n "$(demos_of "$page")" ] && { [ "$runs" -eq 0 ] || [ "$samples" -eq 0 ]; }; then
        echo "$page: a lesson page needs at least one \`\`\`sh run block and one \`\`\`text sample block ($runs commands, $samples samples)"
        failed=1
    fi
    [ -n "$skipped" ] && echo "$page: some commands not run here:$skipped"
    [ "$failed" -eq 0 ] && echo "$page: checked $runs commands, $samples samples, $quoted quoted lines"
    return $failed
}

# --- the Chinese pages ----------------------------------------------------

# zh_of PAGE, en_of PAGE: a page's Chinese page, a Chinese page's English one.
zh_of() { case "$1" in README.md) echo README.zh-CN.md ;; *) echo "docs/zh/${1#docs/}" ;; esac; }
en_of() { case "$1" in README.zh-CN.md) echo README.md ;; *) echo "docs/${1#docs/zh/}" ;; esac; }
is_zh() { [[ "$1" == README.zh-CN.md || "$1" == docs/zh/* ]]; }

# skeleton FILE: what a page and its translation share, one item a line:
# its first line (the link to the other language) aside, its ## sections
# (counted, not read), the demo line, the pictures, each command of a ```sh
# or ```sh run block (a comment may be translated, so it is dropped; a
# closing "# exit N" is kept), each line of a ```c from block, and each
# sample's kind and "$ COMMAND" (its output is in the page's language).
skeleton() {
    awk '
        /^ *```/ && !inside {
            inside = 1; match($0, /^ */); info = substr($0, RLENGTH + 4)
            sub(/[[:space:]]+$/, "", info)
            kind = info ~ /^sh( run)?$/ ? "command" : info ~ /^c from / ? "quote" : \
                   info ~ /^text sample/ ? "sample" : ""
            if (kind == "quote" || kind == "sample") print "```" info
            first = 1
            next
        }
        /^ *```/ && inside { inside = 0; next }
        inside && kind == "command" {
            line = $0; sub(/^[[:space:]]+/, "", line)
            if (line ~ /^(#.*)?$/) next
            if (line !~ /[[:space:]]#[[:space:]]*exit[[:space:]]+[0-9]+[[:space:]]*$/)
                sub(/[[:space:]]+#[^"'\'']*$/, "", line)
            print "command: " line
            next
        }
        inside && kind == "quote" { print "  " $0; next }
        inside && kind == "sample" { if (first) print "  " $0; first = 0; next }
        inside { next }
        /^## / { print "## (a section)"; next }
        /^<!-- demo: / { print; next }
        {
            line = $0
            while (match(line, /!\[[^]]*\]\([^) ]+\)/)) {
                pic = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH)
                sub(/^.*\(/, "", pic); sub(/\)$/, "", pic); sub(/^.*\//, "", pic)
                print "picture: " pic
            }
        }' "$1"
}

# step EN ZH: ZH is EN's Chinese page: each opens with a link to the other,
# and they have the same skeleton.
cmd_step() {
    local en=$1 zh=$2 failed=0 want
    [ -f "$en" ] || { echo "no such page: $en"; return 1; }
    [ -f "$zh" ] || { echo "$en has no Chinese page ($zh)"; return 1; }
    want="[中文]($(realpath -m --relative-to="$(dirname "$en")" "$zh"))"
    [ "$(head -1 "$en")" = "$want" ] || { echo "$en: line 1 must be $want"; failed=1; }
    want="[English]($(realpath -m --relative-to="$(dirname "$zh")" "$en"))"
    [ "$(head -1 "$zh")" = "$want" ] || { echo "$zh: line 1 must be $want"; failed=1; }
    if ! diff -u <(skeleton "$en") <(skeleton "$zh") >"${TMPDIR:-/tmp}/step.$$"; then
        echo "$zh is not in step with $en: their sections, commands, code quotes, samples' commands or pictures differ"
        sed -e "1s|.*|--- $en|" -e "2s|.*|+++ $zh|" "${TMPDIR:-/tmp}/step.$$"
        failed=1
    fi
    rm -f "${TMPDIR:-/tmp}/step.$$"
    return $failed
}

# translations: every English page has its Chinese page, in step; every
# Chinese page has its English one.
cmd_translations() {
    local page failed=0 n=0
    for page in README.md docs/*.md docs/exercises/*.md; do
        cmd_step "$page" "$(zh_of "$page")" || failed=1
        n=$((n + 1))
    done
    for page in README.zh-CN.md docs/zh/*.md docs/zh/exercises/*.md; do
        [ -f "$page" ] || continue
        [ -f "$(en_of "$page")" ] || { echo "$page: no English page $(en_of "$page")"; failed=1; }
    done
    [ "$failed" -eq 0 ] && echo "$n pages, each with its Chinese page, in step"
    return $failed
}

# --- the C a page teaches -------------------------------------------------
# docs/00-c-for-python.md teaches the C the demos use. `c-constructs PAGE
# DEMO...` lists every construct of those demos' code (keywords, operators,
# casts, library calls, types, constants, preprocessor lines, headers, printf
# conversions, and a few forms named below) and fails, naming each one and
# a demo that uses it, unless the page names it in its prose, in an inline
# `code span` (the page's ```c quotes do not count: they show the lines, the
# prose must say what they mean). The demos' own names, and the library's
# (mp_..., MP_...: lib/mp.h documents those), are left out.

C_KEYWORDS='auto|break|case|char|const|continue|default|do|double|else|enum|extern|float|for|goto|if|inline|int|long|register|restrict|return|short|signed|sizeof|static|struct|switch|typedef|union|unsigned|void|volatile|while|bool|true|false|NULL|errno|stdout|stderr'

# strip_c FILE STRINGS: FILE's code without its comments, each string
# literal replaced by "" and each character literal by ' '; the string
# literals go to the file STRINGS, one a line.
strip_c() {
    awk -v strings="$2" '
        { text = text $0 "\n" }
        END {
            n = length(text); state = "code"; lit = ""
            for (i = 1; i <= n; i++) {
                c = substr(text, i, 1); d = substr(text, i + 1, 1)
                if (state == "code") {
                    if (c == "/" && d == "*") { state = "block"; i++; printf " " }
                    else if (c == "/" && d == "/") { state = "line"; i++ }
                    else if (c == "\"") { state = "string"; lit = "" }
                    else if (c == "\047") state = "char"
                    else printf "%s", c
                } else if (state == "block") {
                    if (c == "*" && d == "/") { state = "code"; i++ }
                    else if (c == "\n") printf "\n"
                } else if (state == "line") {
                    if (c == "\n") { state = "code"; printf "\n" }
                } else if (state == "string") {
                    if (c == "\\") { lit = lit c d; i++ }
                    else if (c == "\"") { state = "code"; printf "\"\""; print lit >strings }
                    else lit = lit c
                } else if (state == "char") {
                    if (c == "\\") i++
                    else if (c == "\047") { state = "code"; printf "\047 \047" }
                }
            }
        }' "$1"
}

# c_tokens: the constructs in C text on stdin, as "KIND TOKEN" lines.
c_tokens() {
    local text
    text=$(cat)
    grep -owE "$C_KEYWORDS" <<<"$text" | sed 's/^/keyword /'
    grep -oE '\b[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(' <<<"$text" | sed -E 's/[[:space:]]*\($//' |
        grep -vxE "$C_KEYWORDS" | sed 's/^/call /'
    grep -owE '[a-z][a-z0-9_]*_t' <<<"$text" | sed 's/^/type /'
    grep -oE '\bstruct [a-z_][a-z0-9_]*' <<<"$text" | sed 's/^struct /struct /'
    # a constant: an upper-case name (or __name__) that is not called like a macro
    grep -oE '\b([A-Z_][A-Z0-9_]{2,}|__[a-z]+__)\b[[:space:]]*\(?' <<<"$text" | grep -v '($' |
        tr -d ' \t' | grep -vxE "$C_KEYWORDS" | sed 's/^/constant /'
    grep -oE -- '->|\+\+|--|\+=|-=|\*=|/=|%=|\|=|&=|\^=|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[!~?%&*^|]' <<<"$text" |
        sed 's/^/operator /'
    grep -oE '\((const )?(unsigned )*(void|char|int|long|double|bool|size_t|uint64_t|pid_t|struct [a-z_]+)( ?\*)*\)[[:space:]]*[A-Za-z_(&*0-9]' <<<"$text" |
        sed -E 's/\)[[:space:]]*.$/)/; s/^/cast /'
    grep -oE '^[[:space:]]*#[[:space:]]*[a-z]+' <<<"$text" | tr -d ' \t' | sed 's/^/directive /'
}

# c_forms: the forms that are more than a token, in C code on stdin, as
# "form NAME" lines; c_form_spans: the same forms in a page's code spans.
C_FORMS=(
    'void-arg|\(void\)[a-z_]+;|\(void\)[a-z_]+'
    'status-in-while|while \(\([a-z_]+ = |while \(\('
    'option-table-end|\{ NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL \}|\{ NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL \}'
    'sizeof-object|sizeof \*[a-z_]|sizeof \*'
    'compound-literal|\(struct [a-z_]+\)\{|\(struct [a-z_]+\)\{'
    'brace-initializer|= \{|= \{'
    'pointer-to-pointer|\*\*[a-z_]|\*\*'
    'array|[a-z_][a-z0-9_]*\[[A-Za-z0-9_ ]*\]|[a-z_]\[[A-Za-z0-9_ ]*\]'
    'member|[a-z0-9_]\.[a-z_]|[a-z0-9_]\.[a-z_]'
    'unsigned-literal|[0-9]u\b|[0-9]u\b'
    'address-of|[(, ]&[a-z_]|&[a-z_]'
)
c_forms() {
    local text form name code
    text=$(cat)
    for form in "${C_FORMS[@]}"; do
        name=${form%%|*}; code=${form#*|}; code=${code%|*}
        grep -qE -- "$code" <<<"$text" && echo "form $name"
    done
    return 0
}
c_form_spans() {
    local text form name span
    text=$(cat)
    for form in "${C_FORMS[@]}"; do
        name=${form%%|*}; span=${form##*|}
        grep -qE -- "$span" <<<"$text" && echo "form $name"
    done
    return 0
}

# c_defined: the names the C files given define (functions, structs, enum
# constants, macros), one a line: their own, not C's.
c_defined() {
    local f
    for f in "$@"; do
        grep -oE '^[a-z].*\b[a-z_][a-z0-9_]*\(' "$f" | grep -oE '[a-z_][a-z0-9_]*\($' | tr -d '('
        grep -oE '\bstruct [a-z_][a-z0-9_]* \{' "$f" | awk '{ print $2 }'
        grep -oE '^#define [A-Za-z_][A-Za-z0-9_]*' "$f" | awk '{ print $2 }'
        grep -oE 'enum [a-z_]+ \{[^}]*\}' "$f" | sed -E 's/.*\{//; s/\}//' | tr ',' '\n' | tr -d ' '
    done
}

# conversions: the printf conversions in string literals on stdin, "%ld"
# style (flags, width and precision set aside), and one "width",
# "precision", "left-justified" line where any uses them.
conversions() {
    local specs
    specs=$(grep -oE '%[-+ #0]*[0-9*]*(\.[0-9*]+)?(hh|h|ll|l|z|j|t|L)?[diouxXfFeEgGcsp%]' || true)
    [ -n "$specs" ] || return 0
    sed -E 's/^%[-+ #0]*[0-9*]*(\.[0-9*]+)?/%/; s/^/conversion /' <<<"$specs"
    grep -qE '^%[-+ #0]*[1-9]' <<<"$specs" && echo "conversion width"
    grep -qE '^%[-+ #0]*[0-9*]*\.' <<<"$specs" && echo "conversion precision"
    grep -qE '^%[-+ #0]*-' <<<"$specs" && echo "conversion left-justified"
    return 0
}

# spans PAGE: the inline code spans of PAGE's prose, one a line (fenced
# blocks left out).
spans() {
    awk '/^ *```/ { fenced = !fenced; next }
         !fenced { line = $0
                   while (match(line, /`[^`]+`/)) { print substr(line, RSTART + 1, RLENGTH - 2)
                                                    line = substr(line, RSTART + RLENGTH) } }' "$1"
}

cmd_c_constructs() {
    local page=$1 f tmp failed=0
    shift
    [ -f "$page" ] || { echo "no such page: $page"; return 1; }
    tmp=$(mktemp -d)
    spans "$page" >"$tmp/spans"
    { c_tokens <"$tmp/spans"; c_form_spans <"$tmp/spans"
      # in prose a function is named with or without its (), a cast alone
      grep -owE '[A-Za-z_][A-Za-z0-9_]*' "$tmp/spans" | sed 's/^/call /'
      grep -xE '\((const )?(unsigned )*[a-z_0-9 ]+( ?\*)*\)' "$tmp/spans" | sed 's/^/cast /'
      grep -oE '^%[a-z]+$|^%%$' "$tmp/spans" | sed 's/^/conversion /'
      grep -qE '%[-0]?[1-9]' "$tmp/spans" && echo "conversion width"
      grep -qE '%[-0-9]*\.[0-9]' "$tmp/spans" && echo "conversion precision"
      grep -qE '%-' "$tmp/spans" && echo "conversion left-justified"
      grep -oE '<[a-z/]+\.h>|"[a-z_]+\.h"' "$tmp/spans" | sed 's/^/header /'
      grep -oE '^[a-z_]+\([1-9]\)$' "$tmp/spans" | sed 's/^/manual /'
    } | sort -u >"$tmp/taught"
    c_defined "$@" | sort -u >"$tmp/defined"
    # what the files use: all of them at once (few processes: the suite is
    # timed), then, for a construct not taught, the first file that uses it
    used() {
        local f
        : >"$tmp/code"; : >"$tmp/strings"
        for f in "$@"; do
            : >"$tmp/s"
            strip_c "$f" "$tmp/s" >>"$tmp/code"
            cat "$tmp/s" >>"$tmp/strings"
        done
        { c_tokens <"$tmp/code"; c_forms <"$tmp/code"; conversions <"$tmp/strings"
          cat "$@" | grep -oE '^#include[[:space:]]*(<[a-z/]+\.h>|"[a-z_]+\.h")' | sed -E 's/^#include[[:space:]]*/header /'
          cat "$@" | grep -oE '(^|[^.A-Za-z_])[a-z]+\(2\)' | head -1 | sed -E 's/^[^a-z]//; s/^/manual /'
        } | sort -u
    }
    for f in "$@"; do
        [ -f "$f" ] || { echo "no such file: $f"; failed=1; }
    done
    [ "$failed" -eq 0 ] || { rm -rf "$tmp"; return 1; }
    used "$@" >"$tmp/used"
    # The constructs used and not taught; the files' own names and the
    # library's are not C's to teach.
    awk -v page="$page" '
        FILENAME == ARGV[1] { taught[$0] = 1; if ($0 ~ /^manual /) manual = 1; next }
        FILENAME == ARGV[2] { defined[$0] = 1; next }
        { kind = $1; token = substr($0, length(kind) + 2) }
        kind ~ /^(call|constant|struct)$/ && (token ~ /^(mp_|MP_)/ || token in defined) { next }
        kind == "manual" { if (!manual) print; next }
        !($0 in taught) { print }
    ' "$tmp/taught" "$tmp/defined" "$tmp/used" >"$tmp/untaught"
    local construct
    while IFS= read -r construct; do
        for f in "$@"; do
            used "$f" | grep -qxF -- "$construct" && break
        done
        case "$construct" in
            manual\ *) echo "$page: does not say what a manual reference such as ${construct#manual } means (used in $f)" ;;
            *) echo "$page: does not teach the $construct (used in $f)" ;;
        esac
    done <"$tmp/untaught" >"$tmp/missing"
    if [ -s "$tmp/missing" ]; then
        cat "$tmp/missing"
        failed=1
    else
        echo "$page: teaches every construct of $# files ($(wc -l <"$tmp/taught") taught)"
    fi
    rm -rf "$tmp"
    return $failed
}

case "${1-}" in
    coverage) cmd_coverage ;;
    index) cmd_index ;;
    links) cmd_links ;;
    pictures) cmd_pictures ;;
    page) [ $# -eq 2 ] || { echo "usage: $0 page FILE" >&2; exit 2; }; cmd_page "$2" ;;
    c-constructs) [ $# -ge 3 ] || { echo "usage: $0 c-constructs PAGE FILE..." >&2; exit 2; }
        shift; cmd_c_constructs "$@" ;;
    step) [ $# -eq 3 ] || { echo "usage: $0 step EN ZH" >&2; exit 2; }; cmd_step "$2" "$3" ;;
    translations) cmd_translations ;;
    *) echo "usage: $0 coverage | index | links | pictures | page FILE | c-constructs PAGE FILE... | step EN ZH | translations" >&2; exit 2 ;;
esac
