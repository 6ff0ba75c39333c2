#!/usr/bin/env bash
# tests/catalog.sh CATALOG... -- SOURCE...: checks that the Chinese catalogs
# (plain PO files) serve the sources. Each text a source wraps in _("...") or
# N_("...") must have an entry in one of the catalogs (the first catalog is
# searched first, as lib/lang.c does), with the same printf conversions: the
# same arguments of the same types, perhaps in another order ("%2$s"); a
# translation may change a width or a flag, not what it reads. With
# --unused, every entry of the first catalog must be used by some source (an
# entry whose English changed in the source no longer serves: a typo, or
# left over). Exit 0 if all is well; else each problem on a line, exit 1.
# Python's %(name)s formats (argparse's words) are compared by their names.
# msgfmt --check-format, where installed, checks the same of each catalog;
# this needs nothing but awk.
set -u
unused=0
if [ "${1:-}" = --unused ]; then unused=1; shift; fi
catalogs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do catalogs+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
if [ ${#catalogs[@]} -eq 0 ] || [ $# -eq 0 ]; then
    echo "usage: tests/catalog.sh [--unused] CATALOG... -- SOURCE..." >&2
    exit 2
fi
for f in "${catalogs[@]}" "$@"; do
    [ -r "$f" ] || { echo "catalog.sh: $f: cannot read it" >&2; exit 2; }
done

LC_ALL=C awk -v ncatalogs=${#catalogs[@]} -v unused=$unused '
# The text of one string literal (C, Python or PO), its escapes undone.
function unescape(s,    out, i, c) {
    out = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\" && i < length(s)) {
            c = substr(s, ++i, 1)
            if (c == "n") c = "\n"
            else if (c == "t") c = "\t"
        }
        out = out c
    }
    return out
}
# What a format reads, in argument order: "1:int 2:s 3:long ..." (C), or the
# sorted names of Python %(name)s. Widths, precisions and flags are free.
function signature(s,    rest, conv, n, pos, sig, i, kind, spec, names, count, stars) {
    if (s ~ /%\([A-Za-z_]+\)/) {
        count = 0
        rest = s
        while (match(rest, /%\([A-Za-z_]+\)[-+ #0]*[0-9]*(\.[0-9]+)?[a-zA-Z]/)) {
            names[++count] = substr(rest, RSTART, RLENGTH)
            sub(/\)[-+ #0]*[0-9]*(\.[0-9]+)?/, ")", names[count])
            rest = substr(rest, RSTART + RLENGTH)
        }
        return "python:" sorted(names, count)
    }
    n = 0
    rest = s
    split("", sig)
    while (match(rest, /%([0-9]+\$)?[-+ #0]*([0-9]+|\*)?(\.([0-9]+|\*)?)?(hh|h|ll|l|L|z|j|t)?[diouxXeEfFgGaAcspn%]/)) {
        spec = substr(rest, RSTART, RLENGTH)
        rest = substr(rest, RSTART + RLENGTH)
        if (spec == "%%") continue
        pos = 0
        if (match(spec, /^%[0-9]+\$/)) pos = substr(spec, 2, RLENGTH - 2) + 0
        conv = substr(spec, length(spec), 1)
        kind = conv ~ /[di]/ ? "int" : conv ~ /[ouxX]/ ? "unsigned" : conv ~ /[eEfFgGaA]/ ? "double" : conv
        if (spec ~ /(hh|h|ll|l|L|z|j|t)[diouxXeEfFgGaAcspn]$/)
            kind = substr(spec, match(spec, /(hh|h|ll|l|L|z|j|t)[diouxXeEfFgGaAcspn]$/), RLENGTH - 1) " " kind
        stars = gsub(/\*/, "*", spec)        # a * width or precision reads an int
        for (i = 0; i < stars; i++)
            sig[++n] = "int"
        sig[pos ? pos : ++n] = kind
    }
    return "c:" ordered(sig)
}
function sorted(a, n,    i, j, t, out) {
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    out = ""
    for (i = 1; i <= n; i++) out = out " " a[i]
    return out
}
function ordered(sig,    keys, n, k, i, j, t, out) {
    n = 0
    for (k in sig) keys[++n] = k + 0
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && keys[j - 1] > keys[j]; j--) { t = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = t }
    out = ""
    for (i = 1; i <= n; i++) out = out " " sig[keys[i]]
    return out
}
function problem(what) {
    print what
    bad = 1
}
# The catalogs: one entry per msgid, in the file that has it first.
function add_entry() {
    if (field == "str" && id != "" && str != "") {
        if (!(id in msgstr)) { msgstr[id] = str; where[id] = entry_file; file_of[id] = catalog }
        if (signature(id) != signature(str))
            problem(entry_file ": \"" id "\": the translation reads " signature(str) \
                    ", the English " signature(id))
    }
    field = ""
}
FNR == 1 {
    if (field != "") add_entry()
    files++
    catalog = files <= ncatalogs ? files : 0
}
catalog && /^msgid "/ {
    add_entry()
    id = unescape(substr($0, 8, length($0) - 8)); field = "id"; entry_file = FILENAME
    next
}
catalog && /^msgstr "/  { str = unescape(substr($0, 9, length($0) - 9)); field = "str"; next }
catalog && /^"/ {
    if (field == "id") id = id unescape(substr($0, 2, length($0) - 2))
    else if (field == "str") str = str unescape(substr($0, 2, length($0) - 2))
    next
}
catalog { next }
# The sources, each read whole, then scanned in END.
{ source[FILENAME] = source[FILENAME] $0 "\n" }
END {
    if (field != "") add_entry()
    for (f in source) scan(f, source[f])
    if (unused)
        for (id in msgstr)
            if (file_of[id] == 1 && !(id in used))
                problem(where[id] ": \"" id "\": no source uses it (its English changed there?)")
    exit bad
}
# Every _("...") and N_("...") in text: the literal (adjacent literals
# joined, as C and Python join them); a _() of anything else is skipped.
function scan(f, text,    before, rest, q, lit, i, c, msg) {
    rest = text
    while (match(rest, /N?_\(/)) {
        before = RSTART > 1 ? substr(rest, RSTART - 1, 1) : ""
        rest = substr(rest, RSTART + RLENGTH)
        if (before ~ /[A-Za-z0-9_]/) continue
        msg = ""
        for (;;) {
            sub(/^[ \t\n]*/, "", rest)
            q = substr(rest, 1, 1)
            if (q != "\"" && q != sprintf("%c", 39)) break
            lit = ""
            for (i = 2; i <= length(rest); i++) {
                c = substr(rest, i, 1)
                if (c == "\\") { lit = lit c substr(rest, i + 1, 1); i++; continue }
                if (c == q) break
                lit = lit c
            }
            msg = msg unescape(lit)
            rest = substr(rest, i + 1)
        }
        if (msg == "") continue
        used[msg] = 1
        if (!(msg in msgstr))
            problem(f ": \"" msg "\": no entry in the catalogs")
        else if (signature(msg) != signature(msgstr[msg]))
            problem(f ": \"" msg "\": its entry reads " signature(msgstr[msg]) \
                    ", the source " signature(msg))
    }
}
' "${catalogs[@]}" "$@"
