/* SPDX-License-Identifier: MIT */
/* timeline_ascii: the chart (timeline_chart.h) drawn as text on standard
 * output, at most 80 columns wide:
 *
 *     timeline: one row per process, a letter per job where it was busy
 *     p1 26715          |mmmmmmmmmmmmmmmmmmmmmmmmmm|
 *     p2 26720          |llllllllllllllllllllllllll|
 *                       +------------+-----------+-+
 *                       0            0.5        1.04 s
 *     jobs: m = music, l = lol
 *     scale: 1 column = 0.04 s, a fifth of a tick (charts of one tick compare)
 */
#include "mp.h"
#include "timeline_chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define LABEL_W 18          /* "role PID", then the bars from column 19 */

/* The column of the axis line (counted from 0) where time t is: the
 * opening '|' is 0, and the bars' columns follow it. */
static int axis_column(const struct chart *c, double t)
{
    return LABEL_W + (int)lround(t / c->col);
}

/* A row: "role PID", then a character per column, the letter of the job
 * that covered it (the later one where two meet); '>' ends a span cut
 * short. Even a span shorter than a column shows. */
static void print_row(const struct chart *c, int r)
{
    char columns[CHART_MAX_W + 1];
    memset(columns, ' ', (size_t)c->width);
    columns[c->width] = '\0';
    for (int i = 0; i < c->nbars; i++) {
        const struct chart_bar *b = &c->bars[i];
        if (b->row != r)
            continue;
        int first = (int)floor(b->start / c->col);
        int last = (int)ceil(b->end / c->col) - 1;
        if (first > c->width - 1)  /* a span that began at the very end */
            first = c->width - 1;
        if (last < first)
            last = first;
        if (last > c->width - 1)
            last = c->width - 1;
        for (int k = first; k <= last; k++)
            columns[k] = b->job >= 0 ? c->jobs[b->job].mark : '#';
        if (b->open)
            columns[last] = '>';
    }
    /* "role PID", the role cut short if need be so the PID fits */
    char pid[16], label[LABEL_W];
    int pidlen = snprintf(pid, sizeof pid, "%ld", (long)c->rows[r].pid);
    snprintf(label, sizeof label, "%.*s %s", LABEL_W - 2 - pidlen, c->rows[r].role, pid);
    mp_print("%-*s|%s|", LABEL_W, label, columns);
}

/* The axis: a ruler with '+' at each label, and under it the labels. The
 * last, with the unit, ends under the chart's closing '|'; a label that
 * would run into the one before it or into the last is left out. */
static void print_axis(const struct chart *c)
{
    char ruler[LABEL_W + CHART_MAX_W + 3], labels[96];
    int end = LABEL_W + c->width + 1;
    memset(ruler, ' ', LABEL_W);
    memset(ruler + LABEL_W, '-', (size_t)c->width + 2);
    ruler[end] = '+';
    ruler[end + 1] = '\0';
    memset(labels, ' ', sizeof labels);

    int last_at = end - (int)strlen(c->last.text) + 1;
    int used = snprintf(labels + last_at, sizeof labels - (size_t)last_at, "%s %s",
                        c->last.text, c->unit) + last_at;
    int free_from = 0;             /* the first column a label may take */
    for (int k = 0; k < c->nticks; k++) {
        int at = axis_column(c, c->ticks[k].t);
        int len = (int)strlen(c->ticks[k].text);
        ruler[at] = '+';
        if (at >= free_from && at + len + 1 < last_at) {
            memcpy(labels + at, c->ticks[k].text, (size_t)len);
            free_from = at + len + 1;
        }
    }
    labels[used] = '\0';
    mp_print("%s", ruler);
    mp_print("%s", labels);
}

/* The legend's jobs, "jobs: m = music, l = lol", wrapped at 80 columns
 * (the cut-short mark has a line of its own, after the scale). */
static void print_jobs(const struct chart *c)
{
    char line[81] = "jobs:";
    int used = 5, listed = 0;
    for (int i = 0; i < c->nlegend; i++) {
        const char *item = c->legend[i].text;
        if (c->legend[i].mark == '>')
            continue;
        if (used + (int)strlen(item) + 3 > 80) {
            mp_print("%s,", line);
            used = snprintf(line, sizeof line, "     ");
        }
        used += snprintf(line + used, sizeof line - (size_t)used, "%s %s",
                         used > 5 && listed > 0 ? "," : "", item);
        listed++;
    }
    if (listed > 0)
        mp_print("%s", line);
}

void chart_draw_ascii(const struct chart *c)
{
    if (c->nrows == 0) {
        mp_print("timeline: no busy spans were recorded");
    } else {
        mp_print("timeline: one row per process, a letter per job where it was busy");
        for (int r = 0; r < c->nrows; r++)
            print_row(c, r);
        print_axis(c);
        print_jobs(c);
        mp_print("scale: %s", c->scale);
        for (int i = 0; i < c->nlegend; i++)
            if (c->legend[i].mark == '>')
                mp_print("> : %s", c->legend[i].text);
    }
    if (c->dropped > 0)
        mp_print("timeline: %u spans did not fit in its table of %u and are not shown",
                 c->dropped, c->table_size);
}
