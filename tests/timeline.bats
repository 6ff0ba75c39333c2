#!/usr/bin/env bats
# The timeline layer (busy spans in shared memory, drawn as a chart), through
# tests/c/test_timeline.c, and --timeline on the demos that time their work.
load helpers
load chart

t() { timeout 20 "$TESTBIN/test_timeline" "$@" 3>&-; }

@test "without mp_timeline_init the timeline calls do nothing" {
    run t off
    check "$status" -eq 0
    check "$output" = "done"
}

@test "mp_timeline_init twice is refused, naming the rule" {
    run t twice
    check "$status" -eq 0
    check "$output" = "second init: error errno=EINVAL message=the timeline is already started"
}

@test "each process gets a row, marked where it was busy, labels fitting the column" {
    run t shape
    check "$status" -eq 0
    child=$(pids_after 'child PID')
    check "$(chart_rows | wc -l)" -eq 2
    mapfile -t rows < <(chart_rows)
    [[ "${rows[0]}" == "first "[0-9]*" |"* ]] || { echo "${rows[0]}"; false; }
    # a long role is cut short so that the whole PID still fits: the label
    # then fills its column (18) but for the one space before the '|'
    label=$(row_labels | sed -n 2p)
    [[ "$label" == "second-role"*" $child" ]] || { echo "label: $label"; false; }
    check "${#label}" -eq 17
    # fitted to the run, the bar is columns 20 to 75: the main was busy from
    # the start, then the child until the end, a good share each and not at
    # the same time (a cell where one ended and the other began may show both)
    first=$(busy_columns "${rows[0]}")
    second=$(busy_columns "${rows[1]}")
    check "$(head -1 <<<"$first")" -eq 20
    check "$(tail -1 <<<"$second")" -eq 75
    check "$(wc -l <<<"$first")" -ge 10
    check "$(wc -l <<<"$second")" -ge 10
    check "$(overlap "${rows[0]}" "${rows[1]}")" -le 1
    [[ "$output" == *"+--"*"--+"* ]]
    [[ "$(axis_line)" =~ ^\ {18}0\ .*[0-9]\ (s|ms)$ ]] || { echo "axis: $(axis_line)"; false; }
    check "$(count_lines '^scale: 1 column = [0-9.]+ ms \(fitted to the run\)$')" -eq 1
    check "$(widest)" -le 80
}

@test "a letter per job, in the order they ran, and a legend naming them" {
    run t jobs
    check "$status" -eq 0
    # music, lol, mango (m is taken: the first free letter), no job (#), music
    [[ "$(row_cells "$(chart_rows)")" =~ ^m+l+a+#+m+$ ]] || { echo "$(chart_rows)"; false; }
    check "$(count_lines '^jobs: m = music, l = lol, a = mango$')" -eq 1
}

# short_run: one run of a few microseconds, its axis in µs ending in a label.
short_run() {
    run t short
    check "$status" -eq 0 && check "$(widest)" -le 80 || return 1
    [[ "$(axis_line)" =~ ^\ {18}0\ .*[0-9]\ µs$ ]] || { echo "axis: $(axis_line)"; return 1; }
}

@test "a run of microseconds: the axis still ends with a label and its unit" {
    retry 3 short_run   # (a process descheduled between init and its span takes a millisecond)
}

@test "spans appended by eight processes at once are all kept" {
    run t fill 8 512     # 4096 spans: exactly a full table
    check "$status" -eq 0
    check "$(chart_rows | wc -l)" -eq 8
    check "$(row_labels | sort -u | wc -l)" -eq 8
    check "$(count_lines 'did not fit')" -eq 0
    check "$(widest)" -le 80
}

@test "a full table drops further spans, counts them exactly, and never crashes" {
    run t fill 8 600     # 4800 spans for 4096 slots
    check "$status" -eq 0
    check "$(count_lines '^timeline: 704 spans did not fit in its table of 4096 and are not shown$')" -eq 1
    check "$(chart_rows | wc -l)" -ge 1
    check "$(chart_rows | wc -l)" -le 8
}

@test "a process killed in the middle of a span shows it still open" {
    run t killed
    check "$status" -eq 0
    check "${lines[0]}" = "exitcode=-9"
    check "$(chart_rows | wc -l)" -eq 1
    [[ "$(chart_rows)" == "doomed "*"d>|" ]] || { echo "$(chart_rows)"; false; }
    check "$(count_lines '^> : still busy when drawn')" -eq 1
}

@test "a child neither inherits nor ends its parent's open span" {
    run t inherit
    check "$status" -eq 0
    mapfile -t rows < <(chart_rows)
    check "${#rows[@]}" -eq 2
    [[ "${rows[0]}" == "parent "*"p>|" ]] || { echo "${rows[0]}"; false; }
    [[ "${rows[1]}" == "child "*"c "*" |" ]] || { echo "${rows[1]}"; false; }
}

@test "a row the parent opens for its child: cut short if the child marks nothing" {
    run t for-child
    check "$status" -eq 0
    doomed=$(pids_after 'doomed' | head -1)
    own=$(pids_after 'own' | head -1)
    mapfile -t rows < <(chart_rows)
    check "${#rows[@]}" -eq 2
    [[ "${rows[0]}" =~ ^"doomed $doomed "\ +\|\ *d+">|"$ ]] || { echo "${rows[0]}"; false; }
    # the child's own span takes over where it begins: one job, no '>'
    [[ "${rows[1]}" =~ ^"own $own "\ +\|\ *o+\ *\|$ ]] || { echo "${rows[1]}"; false; }
}

@test "the SVG picture: well-formed, a row per process, a bar per span, a legend" {
    run t svg "$BATS_TEST_TMPDIR/t.svg"
    check "$status" -eq 0
    f=$BATS_TEST_TMPDIR/t.svg
    well_formed "$f"
    check "$(svg_count "$f" row)" -eq 4        # main, twice, second-role, doomed
    check "$(svg_count "$f" bar)" -eq 5        # 1 + 2 + 1 + 1
    check "$(svg_count "$f" cut)" -eq 2        # the killed one's arrow, and the legend's
    check "$(svg_count "$f" swatch)" -eq 4     # one per job
    # the same rows as the ASCII chart, labelled "role PID"
    for pid in $(row_labels | sed -E 's/.* //'); do
        check "$(grep -cE "class=\"row\"[^>]*>[a-z-]+ $pid</text>" "$f")" -eq 1
    done
    grep -qF '>a = &lt;&amp;&quot;&apos;&gt;</text>' "$f"     # XML's characters escaped
    grep -qE '>[0-9.]+ ms</text>' "$f"                       # the axis ends with its unit
    check "$(ls -A "$BATS_TEST_TMPDIR" | grep -c 't\.svg')" -eq 1   # no temporary file left
}

# --- the demos ---

# parallel_chart METHOD: parallel --timeline under METHOD: the seed's lines,
# then p1's and p2's rows, busy at the same time over most of the 25 columns
# of five ticks (one after the other, as in serial, they would share none).
# Retried: a busy machine may start a child late.
parallel_chart() {
    local rows
    run demo parallel --tick 0.05 --timeline --start-method "$1"
    check "$status" -eq 0 || return 1
    [[ "${lines[12]}" == "multi-process took 0."*" s" ]] || return 1
    [[ "${lines[13]}" == "main PID: "* ]] || return 1
    check "${lines[14]}" = "timeline: one row per process, a letter per job where it was busy" || return 1
    check "$(chart_rows | wc -l)" -eq 2 || return 1
    # rows come in the order the processes got busy: p1 or p2 may be first
    check "$(row_labels | sort | tr '\n' ,)" = "p1 $(pids_after 'child p1, PID:'),p2 $(pids_after 'child p2, PID:')," || return 1
    check "$(count_lines '^jobs: [ml] = (music|lol), [ml] = (music|lol)$')" -eq 1 || return 1
    check "$(widest)" -le 80 || return 1
    mapfile -t rows < <(chart_rows)
    check "$(overlap "${rows[0]}" "${rows[1]}")" -ge 20
}

@test "parallel --timeline: two rows, p1 and p2, busy at the same time, under every start method" {
    # under spawn and forkserver the children are new programs: they map
    # the span table from the descriptor they were handed
    for m in $METHODS; do
        retry 3 parallel_chart "$m"
    done
}

@test "serial --timeline: one row, the main, music then lol, end to end" {
    run demo serial --tick 0.05 --timeline
    check "$status" -eq 0
    [[ "${lines[12]}" == "one process took "* ]]
    check "$(chart_rows | wc -l)" -eq 1
    [[ "$(chart_rows)" == "main $(pids_after 'child p1, PID:') "* ]]
    [[ "$(row_cells "$(chart_rows)")" =~ ^m{20,30}l{20,30}\ *$ ]] || { echo "$(chart_rows)"; false; }
    check "$(count_lines '^jobs: m = music, l = lol$')" -eq 1
    check "$(widest)" -le 80
}

# length ROW: how many columns from the row's start to its last busy one.
length() {
    busy_columns "$1" | tail -1 | awk '{ print $1 - 19 }'
}

@test "one scale: at one tick, serial's chart is about twice as long as parallel's" {
    for try in 1 2 3; do
        run demo serial --tick 0.05 --timeline
        check "$status" -eq 0
        serial=$(length "$(chart_rows)")
        serial_scale=$(count_lines '^scale: 1 column = 0.01 s, a fifth of a tick')
        run demo parallel --tick 0.05 --timeline
        check "$status" -eq 0
        parallel=$(for row in "$(chart_rows)"; do length "$row"; done | sort -n | tail -1)
        check "$serial_scale" -eq 1
        check "$(count_lines '^scale: 1 column = 0.01 s, a fifth of a tick')" -eq 1
        # 10 ticks and 5: 50 columns and 25, give or take a busy machine (a
        # tick of 0.05 s: a sleep that ends a little late on a busy machine
        # does not push serial past the 56 columns, where it would be compressed)
        ratio=$(awk -v s="$serial" -v p="$parallel" 'BEGIN { print s / p }')
        between "$ratio" 1.7 2.3 && break
        echo "try $try: serial $serial columns, parallel $parallel: ratio $ratio"
    done
    between "$ratio" 1.7 2.3
    between "$serial" 48 56
}

@test "--timeline-scale sets the scale, and a run too long for it is compressed and says so" {
    run demo parallel --tick 0.02 --timeline --timeline-scale 0.01
    check "$status" -eq 0
    check "$(count_lines '^scale: 1 column = 0.01 s \(--timeline-scale\)$')" -eq 1
    mapfile -t rows < <(chart_rows)
    # 0.1 s in columns of 0.01 s: 10, more when a busy machine makes the
    # sleeps end late, far fewer than the 56 of a chart fitted to its run
    between "$(length "${rows[0]}")" 9 30
    run demo serial --tick 0.02 --timeline --timeline-scale 0.002
    check "$status" -eq 0
    # 0.2 s is 100 columns of 2 ms, more than 56: drawn 2x coarser (3x, if
    # a busy machine made the run last over 224 ms), and the scale says so
    scale=$(sed -nE 's/^scale: 1 column = ([0-9]+) ms \(--timeline-scale, compressed ([0-9]+)x to fit\)$/\1 \2/p' <<<"$output")
    read -r ms times <<<"$scale"
    [[ "$times" == [23] && "$ms" -eq $((2 * times)) ]] || { echo "scale line: $(grep '^scale' <<<"$output")"; false; }
    check "$(widest)" -le 80
    run --separate-stderr demo serial --timeline-scale 0
    check "$status" -eq 2
    check "${stderr_lines[0]}" = "serial: --timeline-scale: '0' is not a number of seconds from 1e-06 to 3600"
}

@test "a run longer than 56 columns of a fifth of a tick is compressed, and says how" {
    run demo pool_map --items 12 --workers 1 --chunksize 1 --tick 0.02 --timeline
    check "$status" -eq 0
    # 12 ticks is 60 columns: 2 fifths of a tick each (up to 112 columns'
    # worth, so a slow start of the pool on a busy machine changes nothing)
    check "$(count_lines '^scale: 1 column = 0.008 s, 2 fifths of a tick \(compressed 2x to fit\)$')" -eq 1
    [[ "$(row_cells "$(chart_rows)")" =~ ^\ *1+2+3+4+5+6+7+8+9+a+b+c+\ *$ ]] || { echo "$(chart_rows)"; false; }
    check "$(count_lines '^jobs: 1, 2, 3, 4, 5, 6, 7, 8, 9, a = 10, b = 11, c = 12$')" -eq 1
    check "$(widest)" -le 80
}

@test "daemon --timeline: the chart comes after the children ended, with both rows" {
    run demo daemon --tick 0.02 --timeline
    check "$status" -eq 0
    check "$(count_lines '^play (music|lol) \.\.\.$')" -eq 10
    chart_at=$(printf '%s\n' "$output" | grep -n '^timeline:' | cut -d: -f1)
    last_play=$(printf '%s\n' "$output" | grep -n '^play ' | tail -1 | cut -d: -f1)
    check "$chart_at" -gt "$last_play"
    check "$(chart_rows | wc -l)" -eq 2
    check "$(count_lines '^> :')" -eq 0        # both spans ended normally
    check "$(widest)" -le 80
}

@test "daemon --daemon --timeline: both children, cut short, every time" {
    for i in 1 2 3 4; do      # (it was 2 runs of 6 before the main marked the rows)
        run demo daemon --daemon --tick 0.05 --timeline
        check "$status" -eq 0
        check "$(count_lines '^play (music|lol) \.\.\.$')" -lt 10
        # a row for each child, even one terminated before it ran a line
        check "$(chart_rows | wc -l)" -eq 2
        check "$(chart_rows | grep -c '>')" -eq 2
        check "$(count_lines '^> : still busy when drawn')" -eq 1
        [[ "$(axis_line)" =~ [0-9]\ (s|ms)$ ]] || { echo "axis: $(axis_line)"; false; }
        check "$(widest)" -le 80
        all_gone $(sed -nE 's/^p[12] ([0-9]+) .*/\1/p' <<<"$(chart_rows)")
    done
}

@test "pool_apply --timeline: a run of a few milliseconds keeps its axis's last label and unit" {
    run demo pool_apply --timeline
    check "$status" -eq 0
    [[ "$(axis_line)" =~ ^\ {18}0\ .*[0-9]\ (ms|µs)$ ]] || { echo "axis: $(axis_line)"; false; }
    check "$(count_lines '^scale: .*\(fitted to the run\)$')" -eq 1
    check "$(count_lines '^jobs: t = test\(2, 3, z=1\)$')" -eq 1
}

@test "--timeline-svg on every demo with --timeline: a well-formed picture titled with the demo" {
    for cmd in "serial --tick 0.01" "parallel --tick 0.01" "daemon --tick 0.01" \
               "daemon --tick 0.01 --daemon" "concurrency --tick 0.01 --tasks 2" \
               "pool_map --tick 0.01" "pool_apply"; do
        f=$BATS_TEST_TMPDIR/${cmd// /_}.svg
        run demo $cmd --timeline-svg "$f"
        check "$status" -eq 0
        check "$(count_lines '^timeline:')" -eq 0           # the picture only, no ASCII chart
        well_formed "$f" || { echo "$cmd: not well-formed"; false; }
        grep -qF "<title>$cmd</title>" "$f" || { echo "$cmd: title"; grep title "$f"; false; }
        check "$(svg_count "$f" row)" -ge 1
        check "$(svg_count "$f" bar)" -ge "$(svg_count "$f" row)"
    done
}

@test "--timeline and --timeline-svg together: the picture has the chart's rows and bars" {
    f=$BATS_TEST_TMPDIR/p.svg
    run demo pool_map --workers 2 --items 4 --chunksize 1 --tick 0.02 --timeline --timeline-svg "$f"
    check "$status" -eq 0
    check "$(svg_count "$f" row)" -eq "$(chart_rows | wc -l)"
    check "$(svg_count "$f" bar)" -eq 4                     # one per item
    check "$(svg_count "$f" swatch)" -eq 4
}

@test "--timeline-svg into a directory that cannot be written: exit 1, one line, before the run" {
    run --separate-stderr demo serial --tick 0.01 --timeline-svg /nonexistent/dir/x.svg
    check "$status" -eq 1
    check -z "$output"
    check "${#stderr_lines[@]}" -eq 1
    check "$stderr" = "serial: timeline: --timeline-svg /nonexistent/dir/x.svg: No such file or directory"
}

@test "--timeline-svg that cannot be put in place at the end: exit 1, one line, no file left" {
    d=$BATS_TEST_TMPDIR/pics
    mkdir "$d"
    # x.svg becomes a directory once the run has begun (its first line is
    # out, so the check before the run has passed): the picture cannot go
    # there at the end
    demo serial --tick 0.05 --timeline-svg "$d/x.svg" >"$BATS_TEST_TMPDIR/out" \
        2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    for _ in $(seq 250); do
        [ -s "$BATS_TEST_TMPDIR/out" ] && break
        sleep 0.02
    done
    mkdir "$d/x.svg"
    status=0
    wait "$pid" || status=$?
    stderr=$(cat "$BATS_TEST_TMPDIR/err")
    check "$status" -eq 1
    check "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1
    check "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 13        # the whole run, then the failure
    [[ "$stderr" == "serial: timeline: $d/x.svg: "* ]] || { echo "$stderr"; false; }
    check "$(ls -A "$d")" = "x.svg"                          # no temporary file left
    check -z "$(ls -A "$d/x.svg")"
}

# --- where the picture goes: only a regular file (or nothing) is replaced ---

# as_root: mknod needs root (CI runs as root); skips the test otherwise.
as_root() {
    [ "$(id -u)" -eq 0 ] || skip "mknod needs root: the device-node cases are not tested"
}

@test "--timeline-svg to a character device: written straight through, the node stays" {
    as_root
    d=$BATS_TEST_TMPDIR/dev
    mkdir "$d"
    mknod "$d/null" c 1 3          # what /dev/null is, in the test's own folder
    run --separate-stderr demo serial --tick 0.01 --timeline-svg "$d/null"
    check "$status" -eq 0
    check -c "$d/null"
    # a device that takes nothing (what /dev/full is): the write's failure
    # is the run's, in one line, and the node stays a device
    mknod "$d/full" c 1 7
    run --separate-stderr demo serial --tick 0.01 --timeline-svg "$d/full"
    check "$status" -eq 1
    check "${#stderr_lines[@]}" -eq 1
    check "$stderr" = "serial: timeline: $d/full: No space left on device"
    check -c "$d/full"
    check "$(ls -A "$d" | tr '\n' ' ')" = "full null "       # no temporary file left
}

# fifo_read_once FIFO: the demo writes its picture into FIFO while cat reads
# it. cat must be waiting by the time the demo ends: a busy machine can
# start it late, so the caller retries.
fifo_read_once() {
    timeout 10 cat "$1" >"$BATS_TEST_TMPDIR/got" 3>&- &
    local reader=$!
    run --separate-stderr demo serial --tick 0.03 --timeline-svg "$1"
    wait "$reader" || { echo "the reader: status $?"; return 1; }
    [ "$status" -eq 0 ] || { echo "status $status: $stderr"; return 1; }
}

@test "--timeline-svg to a FIFO: the reader gets the picture, the FIFO stays" {
    f=$BATS_TEST_TMPDIR/fifo
    mkfifo "$f"
    retry 3 fifo_read_once "$f"
    check -p "$f"
    well_formed "$BATS_TEST_TMPDIR/got"
    grep -qF '<title>serial --tick 0.03</title>' "$BATS_TEST_TMPDIR/got"
}

@test "--timeline-svg to a FIFO nobody reads: refused at once in one line, the FIFO stays" {
    f=$BATS_TEST_TMPDIR/fifo
    mkfifo "$f"
    run --separate-stderr demo serial --tick 0.01 --timeline-svg "$f"
    check "$status" -eq 1                  # not 124: it did not wait for a reader
    check "${#stderr_lines[@]}" -eq 1
    check "$stderr" = "serial: timeline: $f: no process reads this FIFO"
    check -p "$f"
}

@test "--timeline-svg -: the picture on standard output, after the demo's lines" {
    mkdir "$BATS_TEST_TMPDIR/t"
    cd "$BATS_TEST_TMPDIR/t"
    run --separate-stderr demo serial --tick 0.01 --timeline-svg -
    check "$status" -eq 0
    check -z "$(ls -A)"                    # no file named "-"
    check "${lines[0]}" = "child p1, PID: $(pids_after 'child p1, PID:')"
    check "${lines[12]}" = "$(printf '%s\n' "$output" | grep '^one process took')"
    check "${lines[13]}" = '<?xml version="1.0" encoding="UTF-8"?>'
    check "${lines[-1]}" = "</svg>"
    printf '%s\n' "${lines[@]:13}" >"$BATS_TEST_TMPDIR/picture.svg"
    well_formed "$BATS_TEST_TMPDIR/picture.svg"
}

# to_out ARGS...: the demo with its standard output in $BATS_TEST_TMPDIR/t/out.txt.
to_out() {
    demo "$@" >"$BATS_TEST_TMPDIR/t/out.txt"
}

@test "--timeline-svg naming standard output's own file: written through it, not over it" {
    d=$BATS_TEST_TMPDIR/t      # (bats keeps files of its own in $BATS_TEST_TMPDIR)
    mkdir "$d"
    ln -s /proc/self/fd/1 "$d/stdout"      # what /dev/stdout is, in the test's own folder
    for path in "$d/stdout" "$d/out.txt"; do
        : >"$d/out.txt"
        run --separate-stderr to_out serial --tick 0.01 --timeline-svg "$path"
        check "$status" -eq 0
        # the demo's lines first, then the picture, in the one file
        mapfile -t out <"$d/out.txt"
        [[ "${out[0]}" == "child p1, PID: "* ]] || { echo "$path: ${out[0]}"; false; }
        [[ "${out[12]}" == "one process took "* ]] || { echo "$path: ${out[12]}"; false; }
        printf '%s\n' "${out[@]:13}" >"$d/picture.svg"
        well_formed "$d/picture.svg"
    done
    check -L "$d/stdout"
    check "$(ls -A "$d" | tr '\n' ' ')" = "out.txt picture.svg stdout "
}

@test "--timeline-svg through a symbolic link: the file it names is replaced, the link stays" {
    d=$BATS_TEST_TMPDIR/t
    mkdir "$d"
    mkdir "$d/pics"
    echo old >"$d/pics/real.svg"
    ln -s pics/real.svg "$d/link.svg"
    run --separate-stderr demo serial --tick 0.01 --timeline-svg "$d/link.svg"
    check "$status" -eq 0
    check -L "$d/link.svg"
    check "$(readlink "$d/link.svg")" = "pics/real.svg"
    well_formed "$d/pics/real.svg"
    check "$(ls -A "$d/pics")" = "real.svg"                  # no temporary file left
    check "$(ls -A "$d" | tr '\n' ' ')" = "link.svg pics "
}

# refused NAME WHY: --timeline-svg $BATS_TEST_TMPDIR/t/NAME fails before the
# run (the demo prints nothing), in one line, saying WHY.
refused() {
    local path=$BATS_TEST_TMPDIR/t/$1
    run --separate-stderr demo serial --tick 0.01 --timeline-svg "$path"
    check "$status" -eq 1
    check -z "$output"
    check "${#stderr_lines[@]}" -eq 1
    check "$stderr" = "serial: timeline: --timeline-svg $path: $2"
}

@test "--timeline-svg refuses a link to nothing, a socket, a directory: before the run, left as they were" {
    d=$BATS_TEST_TMPDIR/t
    mkdir "$d"
    ln -s nowhere "$d/dangling"
    refused dangling "a symbolic link to nothing cannot hold a picture"
    check -L "$d/dangling"
    check "$(readlink "$d/dangling")" = "nowhere"
    "$TESTBIN/test_timeline" socket "$d/sock"
    refused sock "a socket cannot hold a picture"
    check -S "$d/sock"
    mkdir "$d/dir"
    refused dir "a directory cannot hold a picture"
    check -d "$d/dir"
    check -z "$(ls -A "$d/dir")"
    check "$(ls -A "$d" | tr '\n' ' ')" = "dangling dir sock "
}

@test "--timeline-svg refuses a block device: before the run, the node stays" {
    as_root
    mkdir "$BATS_TEST_TMPDIR/t"
    mknod "$BATS_TEST_TMPDIR/t/block" b 7 0  # a loop device's node, in the test's own folder
    refused block "a block device cannot hold a picture"
    check -b "$BATS_TEST_TMPDIR/t/block"
}

# side_by_side METHOD: the four workers' rows overlap over most of the 5
# columns of a tick; retried, as a busy machine may start one late. At a
# tick of 0.3 s: a spawned worker of the sanitizer build takes tens of
# milliseconds to start, one or two columns of a 0.1 s tick when idle and
# up to four under the suite's own load; at 0.3 s, idle, none or one.
side_by_side() {
    local i j rows
    run demo pool_map --tick 0.3 --timeline --start-method "$1"
    mapfile -t rows < <(chart_rows)
    for i in 0 1 2; do
        for j in $(seq $((i + 1)) 3); do
            check "$(overlap "${rows[$i]}" "${rows[$j]}")" -ge 4 || return 1
        done
    done
}

@test "pool_map --timeline: after the seed's lines, four workers busy side by side for one tick, under every method" {
    for m in $METHODS; do
        run demo pool_map --tick 0.1 --timeline --start-method "$m"
        check "$status" -eq 0
        check "${lines[0]}" = "[1, 4, 9, 16]"
        [[ "${lines[2]}" == "total: "* ]]
        check "${lines[3]}" = "timeline: one row per process, a letter per job where it was busy"
        # one row per worker that took an item: 4 of the 9, each a different PID
        check "$(chart_rows | wc -l)" -eq 4
        check "$(row_labels | grep -cE '^worker [0-9]+$')" -eq 4
        check "$(row_labels | sort -u | wc -l)" -eq 4
        check "$(widest)" -le 80
        retry 3 side_by_side "$m"
    done
}
