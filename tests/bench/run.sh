#!/usr/bin/env bash
# make bench: every C benchmark beside its Python twin, each run REPS times
# (default 5), C and Python one after the other every time, printed as one
# table: the median of each side, its spread (min-max), and the ratio of the
# two medians.
#
# A benchmark is a pair: tests/bench/NAME.c (built to $BENCHBIN/NAME) and
# tests/bench/NAME.py. Each prints one line per measure, tab-separated:
#     ROW <tab> FIGURE <tab> UNIT
# where UNIT ending in "/s" means more is better (a rate) and any other ("ms",
# "us") less is better (a time). ROW names must match between the C and the
# Python side.
# The ratio says how many times better forklore did: C/Python for a rate,
# Python/C for a time.
#
# The "busy" rows run the queue benchmark with its "busy" argument beside two
# busy loops (`while :; do :; done`) that this script starts just before and
# stops just after, each ending by itself after two minutes, and killed on
# any exit of this script. Where taskset is found and two CPUs are allowed,
# each loop is pinned to one of them and BENCH_CPUS names the two, so that
# the benchmarks can add rows with their own processes pinned beside them.
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
BENCHBIN=${BENCHBIN:-build/bench}
REPS=${REPS:-5}

have_python=true
command -v python3 >/dev/null || have_python=false

rows=$(mktemp)
busy_pids=()
stop_busy() {
    for pid in "${busy_pids[@]}"; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    busy_pids=()
}
trap 'stop_busy; rm -f "$rows"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The first two CPUs this script may run on, as "A B"; nothing if there are
# fewer, or no taskset to pin a loop with.
two_cpus() {
    local list part parts lo hi c cpus=()
    command -v taskset >/dev/null || return 0
    list=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status 2>/dev/null)
    IFS=, read -ra parts <<<"$list"
    for part in "${parts[@]}"; do
        lo=${part%-*} hi=${part#*-}
        [[ $lo =~ ^[0-9]+$ && $hi =~ ^[0-9]+$ ]] || return 0
        for ((c = lo; c <= hi && ${#cpus[@]} < 2; c++)); do cpus+=("$c"); done
    done
    [ "${#cpus[@]}" -eq 2 ] && echo "${cpus[0]} ${cpus[1]}"
    return 0
}
BENCH_CPUS=$(two_cpus)
export BENCH_CPUS
read -ra busy_cpus <<<"$BENCH_CPUS"
start_busy() {
    for i in 0 1; do
        # (its own traps off: killed before exec, it must not run ours.)
        # The loop bounds itself (bash's SECONDS, no process per turn), and
        # $! is the loop itself (taskset execs it): killed at any moment,
        # nothing is left.
        local pin=()
        [ -n "${busy_cpus[$i]:-}" ] && pin=(taskset -c "${busy_cpus[$i]}")
        (trap - EXIT INT TERM; exec "${pin[@]}" bash -c 'while [ "$SECONDS" -lt 120 ]; do :; done') &
        busy_pids+=($!)
    done
}

# One run of a benchmark: "NAME" or "NAME ARG"; both sides, C first.
run_pair() {
    local name=$1 arg=${2:-}
    [ -x "$BENCHBIN/$name" ] || return 0
    "$BENCHBIN/$name" $arg | sed 's/^/C\t/' >>"$rows" ||
        { echo "bench $name $arg failed" >&2; exit 1; }
    if $have_python && [ -f "tests/bench/$name.py" ]; then
        python3 "tests/bench/$name.py" $arg | sed 's/^/PY\t/' >>"$rows" ||
            { echo "bench $name.py $arg failed" >&2; exit 1; }
    fi
}

# The table's rows come in this order, then those of any other benchmark.
order="process start queue shared pool parallel"
names=$order
for bin in "$BENCHBIN"/*; do
    case " $order " in
    *" $(basename "$bin") "*) ;;
    *) names="$names $(basename "$bin")" ;;
    esac
done

for rep in $(seq "$REPS"); do
    echo "run $rep of $REPS ..." >&2
    for name in $names; do
        run_pair "$name"
        if [ "$name" = queue ]; then
            start_busy
            run_pair queue busy
            stop_busy
        fi
    done
done

echo "Each measure run $REPS times, C and Python one after the other each time:"
echo "median (min-max) of each side; ratio: of the medians, how many times better"
echo "forklore did. Rates per second (more is better), times in ms or us (less is better)."
$have_python || echo "python3 not found: the Python column is empty and no ratio is given"
awk -F'\t' -v have_python="$have_python" '
    function num(v, unit,   s) {    # 3 significant digits, k/M/G for rates
        if (unit !~ /\/s$/) return sprintf("%.3g", v)
        if (v >= 1e9) return sprintf("%.3gG", v / 1e9)
        if (v >= 1e6) return sprintf("%.3gM", v / 1e6)
        if (v >= 1e3) return sprintf("%.3gk", v / 1e3)
        return sprintf("%.3g", v)
    }
    function median(list, n,   i, j, t, a) {  # list: values joined by " "
        n = split(list, a, " ")
        for (i = 2; i <= n; i++)              # insertion sort: n is small
            for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
                t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
            }
        lo = a[1]; hi = a[n]
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function cell(list, unit,   m) {
        m = median(list)
        return sprintf("%s (%s-%s) %s", num(m, unit), num(lo, unit), num(hi, unit), unit)
    }
    $1 == "C"  { if (!($2 in c)) order[n++] = $2; c[$2] = c[$2] " " $3; unit[$2] = $4 }
    $1 == "PY" { py[$2] = py[$2] " " $3 }
    END {
        printf "%-36s %-28s %-28s %7s\n", "measure", "forklore (C)", "Python", "ratio"
        for (i = 0; i < n; i++) {
            r = order[i]; u = unit[r]
            cm = median(c[r]); ctext = cell(c[r], u)
            if (r in py) {
                pm = median(py[r]); ptext = cell(py[r], u)
                if (cm > 0 && pm > 0)
                    ratio = sprintf("%.1fx", (u ~ /\/s$/) ? cm / pm : pm / cm)
                else
                    ratio = "-"
                printf "%-36s %-28s %-28s %7s\n", r, ctext, ptext, ratio
            } else {
                missing = have_python == "true" ? "no Python figure" : "python3 not found"
                printf "%-36s %-28s %-28s %7s\n", r, ctext, missing, "-"
            }
        }
    }' "$rows"
