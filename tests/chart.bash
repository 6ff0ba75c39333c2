# Reading the chart mp_timeline_print draws (`load chart` after `load helpers`).
# A row is "role PID", padding, then |cells| with a job's letter where busy.

# chart_rows: the chart's rows in $output, one per line.
chart_rows() {
    printf '%s\n' "$output" | grep -E '^[^ |].* [0-9]+ +\|.*\|$' || true
}

# row_labels: "role PID" of each row, in order.
row_labels() {
    chart_rows | sed -E 's/ +\|.*//'
}

# row_cells ROW: what ROW (one chart line) draws between its two '|'.
row_cells() {
    printf '%s\n' "$1" | sed -E 's/^[^|]*\|(.*)\|$/\1/'
}

# busy_columns ROW: the columns where ROW (one chart line) is marked busy
# (any mark: a job's letter, '#' or '>'), counted from 1 for the line's start.
busy_columns() {
    printf '%s\n' "$1" | awk '{ bar = index($0, "|")
        for (i = bar + 1; i < length($0); i++) if (substr($0, i, 1) != " ") print i }'
}

# overlap ROW1 ROW2: how many columns both rows mark busy.
overlap() {
    comm -12 <(busy_columns "$1" | sort) <(busy_columns "$2" | sort) | wc -l
}

# widest: the length of the longest line of $output, in characters (µ is one).
widest() {
    printf '%s\n' "$output" | sed 's/µ/u/g' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }'
}

# axis_line: the axis's labels (the line under the ruler).
axis_line() {
    printf '%s\n' "$output" | grep -A1 -E '^ {18}\+-' | tail -1
}

# well_formed FILE: FILE is well-formed XML (python3's parser where python3
# is installed; else a plain check: the XML declaration first, </svg> last,
# and no '&' that does not start one of XML's five entities).
well_formed() {
    if command -v python3 >/dev/null; then
        python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"
        return
    fi
    [[ "$(head -1 "$1")" == '<?xml version="1.0" encoding="UTF-8"?>' ]] &&
        [[ "$(tail -1 "$1")" == '</svg>' ]] &&
        ! grep -qE '&([^lgaq]|l[^t]|g[^t])' "$1"
}

# svg_count FILE CLASS: how many elements of class CLASS the picture has.
svg_count() {
    grep -o "class=\"$2\"" "$1" | wc -l
}
