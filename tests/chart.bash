# Reading the chart mp_timeline_print draws (`load chart` after `load helpers`).
# A row is "role PID", padding, then |cells| with '#' where busy.

# chart_rows: the chart's rows in $output, one per line.
chart_rows() {
    printf '%s\n' "$output" | grep -E '^[^ |].* [0-9]+ +\|.*\|$' || true
}

# row_labels: "role PID" of each row, in order.
row_labels() {
    chart_rows | sed -E 's/ +\|.*//'
}

# busy_columns ROW: the columns where ROW (one chart line) is marked busy.
busy_columns() {
    printf '%s\n' "$1" | awk '{ for (i = 1; i <= length($0); i++) if (substr($0, i, 1) ~ /[#>]/) print i }'
}

# overlap ROW1 ROW2: how many columns both rows mark busy.
overlap() {
    comm -12 <(busy_columns "$1" | sort) <(busy_columns "$2" | sort) | wc -l
}

# widest: the length of the longest line of $output.
widest() {
    printf '%s\n' "$output" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }'
}
