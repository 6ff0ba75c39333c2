#!/usr/bin/env bash
# make bench: every C benchmark beside its Python twin, run one after the other
# in this one invocation, printed as one table of ratios.
#
# A benchmark is a pair: tests/bench/NAME.c (built to $BENCHBIN/NAME) and
# tests/bench/NAME.py. Each prints one line per measure, tab-separated:
#     ROW <tab> FIGURE <tab> UNIT
# where UNIT ending in "/s" means more is better (a rate) and "ms" means less
# is better (a time). ROW names must match between the C and the Python side.
# The ratio says how many times better forklore did: C/Python for a rate,
# Python/C for a time.
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
BENCHBIN=${BENCHBIN:-build/bench}

have_python=true
command -v python3 >/dev/null || have_python=false

rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

# The table's rows come in this order, then those of any other benchmark.
order="process queue pool parallel"
names=$order
for bin in "$BENCHBIN"/*; do
    case " $order " in
    *" $(basename "$bin") "*) ;;
    *) names="$names $(basename "$bin")" ;;
    esac
done

for name in $names; do
    bin=$BENCHBIN/$name
    [ -x "$bin" ] || continue
    echo "running $name ..." >&2
    "$bin" | sed 's/^/C\t/' >>"$rows" || { echo "bench $name failed" >&2; exit 1; }
    if $have_python && [ -f "tests/bench/$name.py" ]; then
        python3 "tests/bench/$name.py" | sed 's/^/PY\t/' >>"$rows" ||
            { echo "bench $name.py failed" >&2; exit 1; }
    fi
done

$have_python || echo "python3 not found: the Python column is empty and no ratio is given"
awk -F'\t' -v have_python="$have_python" '
    function commas(s) {            # 34299882 -> 34,299,882, in any locale
        while (s ~ /[0-9][0-9][0-9][0-9]/)
            sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
        return s
    }
    function fmt(v, unit) {
        if (unit ~ /\/s$/) return commas(sprintf("%.0f", v)) " " unit
        return sprintf("%.2f %s", v, unit)
    }
    $1 == "C"  { if (!($2 in c)) order[n++] = $2; c[$2] = $3; unit[$2] = $4 }
    $1 == "PY" { py[$2] = $3 }
    END {
        printf "%-26s %22s %22s %9s\n", "measure", "forklore (C)", "Python", "ratio"
        for (i = 0; i < n; i++) {
            r = order[i]; u = unit[r]
            if (r in py && py[r] > 0 && c[r] > 0) {
                ratio = (u ~ /\/s$/) ? c[r] / py[r] : py[r] / c[r]
                printf "%-26s %22s %22s %8.1fx\n", r, fmt(c[r], u), fmt(py[r], u), ratio
            } else {
                missing = have_python == "true" ? "no Python figure" : "python3 not found"
                printf "%-26s %22s %22s %9s\n", r, fmt(c[r], u), missing, "-"
            }
        }
    }' "$rows"
