#!/usr/bin/env bash
# Keeps docs/ true to the demos. Driven by tests/docs.bats; also runs by hand:
#
#   tests/docs_check.sh coverage     every demo in $BIN has a lesson page
#   tests/docs_check.sh index        docs/README.md links every page in docs/
#   tests/docs_check.sh links        no relative link in docs/ points at nothing
#   tests/docs_check.sh pictures     every picture a page shows exists and is
#                                    a well-formed SVG
#   tests/docs_check.sh page FILE    FILE's commands run as it says, its samples match
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
# PIDs (a number after "PID", "worker" or "child"), times ("5.01 s", "12 ms"),
# ratios ("3.91x") and loopback ports.
normalise() {
    sed -E \
        -e 's/0x[0-9a-fA-F]+/<ADDR>/g' \
        -e 's/(PID|pid|worker|child)(:?) *[0-9]+/\1\2 <PID>/g' \
        -e 's/[0-9]+(\.[0-9]+)? (s|ms)\b/<TIME> \2/g' \
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

lesson_pages() {
    ls docs/[0-9][0-9]-*.md 2>/dev/null
}

cmd_coverage() {
    local bin name page found failed=0
    for bin in "$BIN"/*; do
        [ -x "$bin" ] || continue
        name=$(basename "$bin")
        found=""
        for page in $(lesson_pages); do
            case " $(demos_of "$page") " in *" $name "*) found=$page ;; esac
        done
        if [ -z "$found" ]; then
            echo "demo $name has no lesson page (no docs/NN-*.md says <!-- demo: $name -->)"
            failed=1
        fi
    done
    return $failed
}

cmd_index() {
    local page failed=0
    for page in docs/*.md; do
        [ "$page" = docs/README.md ] && continue
        if ! grep -qF "]($(basename "$page"))" docs/README.md; then
            echo "docs/README.md does not link $(basename "$page")"
            failed=1
        fi
    done
    return $failed
}

# slugs FILE: the anchors of FILE's headings, as GitHub makes them (lower
# case, punctuation dropped, spaces to hyphens; enough for ASCII headings).
slugs() {
    sed -nE 's/^#+ +//p' "$1" | tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'
}

# Every relative link [text](target) must name an existing file, and a link
# to a heading of a page must name one of its headings.
cmd_links() {
    local page target path failed=0
    for page in docs/*.md; do
        while IFS= read -r target; do
            case "$target" in
                http://* | https://* | mailto:*) continue ;;
                '#'*) target="$(basename "$page")$target" ;;   # a heading of this page
            esac
            path="docs/${target%%#*}"
            if [ -e "$path" ]; then
                if [[ "$target" == *'#'* && "$path" == *.md ]] &&
                   ! slugs "$path" | grep -qxF -- "${target#*#}"; then
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

# well_formed FILE: FILE is well-formed XML with an <svg> root. python3's
# parser where python3 is installed; else a plain check (the XML declaration
# first, </svg> last, and no '&' that does not start one of XML's entities).
well_formed() {
    if command -v python3 >/dev/null; then
        python3 -c 'import sys, xml.dom.minidom
if xml.dom.minidom.parse(sys.argv[1]).documentElement.tagName != "svg": sys.exit(1)' "$1" 2>/dev/null
        return
    fi
    [[ "$(head -1 "$1")" == '<?xml version="1.0" encoding="UTF-8"?>' ]] &&
        grep -q '^<svg ' "$1" && [[ "$(tail -1 "$1")" == '</svg>' ]] &&
        ! grep -qE '&([^lgaq]|l[^t]|g[^t])' "$1"
}

# Every picture a page shows, ![text](FILE), must exist, and an SVG must be
# well-formed (a browser draws nothing of a broken one).
cmd_pictures() {
    local page target path failed=0
    for page in docs/*.md; do
        while IFS= read -r target; do
            path="docs/$target"
            if [ ! -f "$path" ]; then
                echo "$page: shows $target, which does not exist (make pictures draws them)"
                failed=1
            elif [[ "$path" == *.svg ]] && ! well_formed "$path"; then
                echo "$page: shows $target, which is not a well-formed SVG"
                failed=1
            fi
        done < <(grep -oE '!\[[^]]*\]\([^) ]+\)' "$page" | sed -E 's/.*\((.*)\)$/\1/')
    done
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
    if [[ "$line" != *--tick* ]]; then
        local untimed
        untimed=$(for d in "$BIN"/*; do "$d" --help 2>/dev/null | grep -q -- --tick ||
                  basename "$d"; done | paste -sd'|')
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

# run_line LINE OUTFILE: runs it, sets $status.
run_line() {
    prepare "$1"
    timeout 30 bash -c "$cmd" </dev/null >"$2" 2>&1 3>&-
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
    for block in "$tmp"/*; do
        [ -e "$block" ] || continue
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
            run_line "$line" "$tmp/out"
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
            while IFS= read -r line || [ -n "$line" ]; do
                line=$(printf '%s' "$line" | sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//')
                [[ -z "$line" || "$line" == "..." || "$line" == "/* ... */" ]] && continue
                quoted=$((quoted + 1))
                # a page may quote a text without the _() or N_() that hands it
                # to the Chinese catalogs (lib/lang.c): the lesson's line in English
                if ! sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//; p
                             s/(^|[^A-Za-z0-9_])N?_\(("([^"\\]|\\.)*")\)/\1\2/g' "$src" |
                        grep -qxF -- "$line"; then
                    echo "$page: quotes a line that is no longer in $src: $line"
                    failed=1
                fi
            done <"$block"
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

case "${1-}" in
    coverage) cmd_coverage ;;
    index) cmd_index ;;
    links) cmd_links ;;
    pictures) cmd_pictures ;;
    page) [ $# -eq 2 ] || { echo "usage: $0 page FILE" >&2; exit 2; }; cmd_page "$2" ;;
    *) echo "usage: $0 coverage | index | links | pictures | page FILE" >&2; exit 2 ;;
esac
