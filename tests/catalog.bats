#!/usr/bin/env bats
# The Chinese catalogs (demos/zh/NAME.po, lib/zh.po) against the sources
# they serve: every text a demo or its twin wraps in _() or N_() has its
# entry, with the same printf conversions; no entry is left over; the
# Makefile's C tables are made from them (tests/catalog.sh, demos/zh/po2c.awk).
load helpers

ROOT=$BATS_TEST_DIRNAME/..

# the demos that have a catalog: each must have its twin's texts too
catalogued() {
    for po in "$ROOT"/demos/zh/*.po; do basename "$po" .po; done
}

@test "catalog: every _() and N_() text of a demo and its twin has its entry, the same conversions" {
    n=0
    for d in $(catalogued); do
        run "$ROOT/tests/catalog.sh" --unused "$ROOT/demos/zh/$d.po" "$ROOT/lib/zh.po" -- \
            "$ROOT/demos/$d.c" "$ROOT/demos/python/$d.py"
        [ "$status" -eq 0 ] || { echo "$d:"; echo "$output"; false; }
        n=$((n + 1))
    done
    check "$n" -ge 11
}

@test "catalog: the library's own texts (options, util, the twins' common.py) have theirs" {
    run "$ROOT/tests/catalog.sh" "$ROOT/lib/zh.po" -- "$ROOT/lib/options.c" "$ROOT/lib/util.c" \
        "$ROOT/lib/lang.c" "$ROOT/demos/python/common.py"
    check "$status" -eq 0
}

@test "catalog: every demo that speaks Chinese has a catalog, linked into it" {
    # a demo whose source wraps its texts has its catalog: else they stay English
    for c in "$ROOT"/demos/*.c; do
        d=$(basename "$c" .c)
        grep -qE '(^|[^A-Za-z0-9_])N?_\("' "$c" || continue
        [ -f "$ROOT/demos/zh/$d.po" ] || { echo "demos/$d.c wraps texts, but demos/zh/$d.po is missing"; false; }
        [ -f "$ROOT/demos/python/$d.py" ] && ! grep -q 'from common import _' "$ROOT/demos/python/$d.py" &&
            { echo "demos/python/$d.py does not speak Chinese"; false; }
        # the C table is in the program: one of its Chinese lines is in the binary
        zh=$(sed -nE 's/^msgstr "(.+)"$/\1/p' "$ROOT/demos/zh/$d.po" | grep -v '\\' | tail -1)
        grep -qF "$zh" "$BIN/$d" || { echo "$d: \"$zh\" is not in $BIN/$d"; false; }
    done
}

@test "catalog: the checker finds a missing entry, a changed conversion, a left-over entry" {
    cd "$BATS_TEST_TMPDIR"
    printf '%s\n' 'msgid "a %d b %s"' 'msgstr "乙 %2$s 甲 %1$d"' '' \
        'msgid "c %s"' 'msgstr "丙 %d"' '' 'msgid "gone"' 'msgstr "走了"' >t.po
    printf '%s\n' 'f(_("a %d b %s"), 1, "x");' 'g(N_("c %s"), "y");' \
        'h(_("missing "' '   "one %ld"), 2L);' 'k(_(strerror(e)));' "p = _('b\\'s')" >t.c
    run "$ROOT/tests/catalog.sh" --unused t.po -- t.c
    check "$status" -eq 1
    check "$(count_lines '"a %d b %s"')" -eq 0                  # reordered: the same reading
    check "$(count_lines '^t.po: "c %s": the translation reads c: int, the English c: s$')" -eq 1
    check "$(count_lines '^t.c: "missing one %ld": no entry in the catalogs$')" -eq 1
    check "$(count_lines "^t.c: \"b's\": no entry")" -eq 1
    check "$(count_lines '^t.po: "gone": no source uses it')" -eq 1
    check "${#lines[@]}" -eq 5
}

@test "catalog: msgfmt --check-format agrees (where gettext's msgfmt is installed)" {
    command -v msgfmt >/dev/null || skip "msgfmt not installed (apt-get install gettext)"
    for po in "$ROOT"/demos/zh/*.po "$ROOT/lib/zh.po"; do
        run msgfmt --check-format -o /dev/null "$po"
        [ "$status" -eq 0 ] || { echo "$po:"; echo "$output"; false; }
    done
}

@test "catalog: po2c.awk makes a C table that compiles, and refuses what is not the plain subset" {
    cd "$BATS_TEST_TMPDIR"
    awk -v table=t -f "$ROOT/demos/zh/po2c.awk" "$ROOT/lib/zh.po" >t.c
    printf '%s\n' '#include <stdio.h>' '#include <string.h>' 'extern const char *const t[];' \
        'int main(void) { int n = 0; for (; t[n]; n += 2) if (!strcmp(t[n], "usage: %s")) puts(t[n + 1]); return 0; }' >m.c
    cc -std=c11 -Wall -Wextra -Werror m.c t.c -o m
    run ./m
    check "$output" = "用法: %s"
    printf '%s\n' 'msgid "one"' 'msgid_plural "ones"' 'msgstr[0] "一"' >p.po
    run awk -v table=t -f "$ROOT/demos/zh/po2c.awk" p.po
    check "$status" -eq 1
    [[ "$output" == *"p.po:2: not in the PO subset"* ]]
}
