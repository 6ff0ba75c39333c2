/* SPDX-License-Identifier: MIT */
/* timeline_chart: the span table read, once the run is over, into one
 * chart (timeline_chart.h) that both drawers draw: its rows, its bars, the
 * jobs and their letters, the legend, and the axis on one scale.
 *
 * The scale. So that two charts can be compared at a glance, a column
 * stands for a fixed time: by default a fifth of a tick (the seed's
 * ten-tick serial run then takes 50 columns, parallel's five ticks 25), or
 * what --timeline-scale says. A run too long for the CHART_MAX_W columns a
 * chart has is drawn 2, 3, ... times coarser, and the chart says so. Demos
 * whose work takes no ticks (a download, a task that only prints) fit the
 * chart to the run instead, unless --timeline-scale is given. */
#include "mp.h"
#include "mp_internal.h"
#include "timeline_chart.h"
#include "timeline_spans.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_start(const void *a, const void *b)
{
    const struct timeline_span *x = *(const struct timeline_span *const *)a;
    const struct timeline_span *y = *(const struct timeline_span *const *)b;
    return (x->start > y->start) - (x->start < y->start);
}

/* The filled-in spans among the first `kept` of t, in the order they
 * began; *n gets how many. */
static const struct timeline_span **sorted_spans(const struct timeline_table *t, unsigned kept,
                                                 int *n)
{
    const struct timeline_span **list = malloc((kept + 1) * sizeof *list);
    if (list == NULL)
        return NULL;
    *n = 0;
    for (unsigned i = 0; i < kept; i++)
        if (t->spans[i].pid != 0)  /* else begun, but its process died before filling it in */
            list[(*n)++] = &t->spans[i];
    qsort(list, (size_t)*n, sizeof *list, by_start);
    return list;
}

/* When pid's own first span began, or -1 if it marked none itself. */
static double own_first_start(const struct timeline_span **list, int n, pid_t pid)
{
    for (int i = 0; i < n; i++)
        if (list[i]->pid == pid && !list[i]->for_child)
            return list[i]->start;
    return -1;
}

/* The job's index in c->jobs, a new one if need be; -1: no job, or no
 * letter left (the bar is drawn '#'). A job's letter is its first, or else
 * the first letter no other job has. */
static int job_of(struct chart *c, const char *name, bool *other)
{
    static const char marks[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    if (*name == '\0')
        return -1;
    for (int j = 0; j < c->njobs; j++)
        if (strcmp(c->jobs[j].name, name) == 0)
            return j;
    if (c->njobs == CHART_MAX_JOBS) {
        *other = true;
        return -1;
    }
    char mark = isalnum((unsigned char)*name) ? *name : marks[0];
    for (int k = 0, j = 0; j < c->njobs; j++)
        if (c->jobs[j].mark == mark) {
            mark = marks[k++];
            j = -1;                /* check the new letter against every job again */
        }
    struct chart_job *job = &c->jobs[c->njobs];
    snprintf(job->name, sizeof job->name, "%s", name);
    job->mark = mark;
    return c->njobs++;
}

/* The row of the span's process, a new one (labelled with this span's
 * role) if need be: rows come in the order their processes got busy. */
static int row_of(struct chart *c, const struct timeline_span *s)
{
    for (int r = 0; r < c->nrows; r++)
        if (c->rows[r].pid == s->pid)
            return r;
    struct chart_row *row = &c->rows[c->nrows];
    row->pid = s->pid;
    snprintf(row->role, sizeof row->role, "%s", s->role);
    return c->nrows++;
}

/* One bar per span. A span still open ends now. A span a parent opened for
 * its child ends where the child's own first span begins (and is dropped if
 * the child was quicker than its parent); if the child marked nothing, it
 * was cut short before it could. Says whether some job got no letter, and
 * whether some bar was cut short. */
static void read_bars(struct chart *c, const struct timeline_span **list, int n, double t0,
                      bool *other, bool *any_open)
{
    double now = mp_now();
    for (int i = 0; i < n; i++) {
        const struct timeline_span *s = list[i];
        double end = s->end;
        if (s->for_child) {
            double own = own_first_start(list, n, s->pid);
            if (own >= 0 && own <= s->start)
                continue;
            end = own;
        }
        struct chart_bar *b = &c->bars[c->nbars++];
        b->row = row_of(c, s);
        b->job = job_of(c, s->job, other);
        b->open = end < 0;
        b->start = s->start - t0;
        b->end = (b->open ? now : end) - t0;
        *any_open |= b->open;
    }
}

/* The legend, the one rule both drawers follow: each job its letter and
 * name, a job named by its own letter listed as itself ("1, 2, 3", not
 * "1 = 1"); '#' for the jobs that got no letter; '>' if a span was cut
 * short. */
static void make_legend(struct chart *c, bool other, bool any_open)
{
    char text[sizeof c->legend[0].text];
    for (int j = 0; j < c->njobs; j++) {
        const struct chart_job *job = &c->jobs[j];
        struct chart_entry *e = &c->legend[c->nlegend++];
        e->mark = job->mark;
        e->job = j;
        if (job->name[0] == job->mark && job->name[1] == '\0')
            snprintf(text, sizeof text, "%c", job->mark);
        else
            snprintf(text, sizeof text, "%c = %s", job->mark, job->name);
        memcpy(e->text, text, sizeof text);
    }
    if (other)
        c->legend[c->nlegend++] = (struct chart_entry){ '#', -1, "# = any other job" };
    if (any_open)
        c->legend[c->nlegend++] = (struct chart_entry){
            '>', -1, "still busy when drawn (its process ended in the middle of it)" };
}

/* The nice step (1, 2 or 5 times a power of ten) of at least min seconds. */
static double nice_step(double min)
{
    double power = pow(10, floor(log10(min)));
    for (;;) {
        if (power >= min)
            return power;
        if (2 * power >= min)
            return 2 * power;
        if (5 * power >= min)
            return 5 * power;
        power *= 10;
    }
}

/* The scale in words: "1 column = 0.02 s, a fifth of a tick (...)". */
static void scale_words(struct chart *c, enum chart_why why, int squeeze, double unit_size)
{
    char col[24];
    snprintf(col, sizeof col, "%.3g %s", c->col / unit_size, c->unit);
    if (why == CHART_FIT)
        snprintf(c->scale, sizeof c->scale, "1 column = %s (fitted to the run)", col);
    else if (why == CHART_OPTION && squeeze == 1)
        snprintf(c->scale, sizeof c->scale, "1 column = %s (--timeline-scale)", col);
    else if (why == CHART_OPTION)
        snprintf(c->scale, sizeof c->scale,
                 "1 column = %s (--timeline-scale, compressed %dx to fit)", col, squeeze);
    else if (squeeze == 1)
        snprintf(c->scale, sizeof c->scale,
                 "1 column = %s, a fifth of a tick (charts of one tick compare)", col);
    else
        snprintf(c->scale, sizeof c->scale,
                 "1 column = %s, %d fifths of a tick (compressed %dx to fit)", col, squeeze,
                 squeeze);
}

/* Decimals that show x (in the axis's unit) to its first significant digit. */
static int decimals(double x)
{
    int d = x >= 1 ? 0 : (int)ceil(-log10(x) - 1e-9);
    return d > 6 ? 6 : d;
}

/* The axis's labels: one every step (at least 8 columns apart, so that
 * labels do not run into each other), in the unit the step asks for, and
 * the last at the chart's end, fine enough to tell the run's length. */
static void make_axis(struct chart *c, double step, double unit_size)
{
    int d = decimals(step / unit_size);
    for (int k = 0; k < CHART_MAX_TICKS && lround(k * step / c->col) < c->width; k++) {
        struct chart_tick *tick = &c->ticks[c->nticks++];
        tick->t = k * step;
        snprintf(tick->text, sizeof tick->text, "%.*f", k == 0 ? 0 : d, tick->t / unit_size);
    }
    int fine = decimals(c->col / unit_size) > d ? decimals(c->col / unit_size) : d;
    c->last.t = c->width * c->col;
    snprintf(c->last.text, sizeof c->last.text, "%.*f", fine, c->last.t / unit_size);
}

/* How long a column lasts, how many columns the chart needs, the axis and
 * the scale's words, for a run of total seconds. */
static void choose_scale(struct chart *c, enum chart_why why, double col, double total)
{
    if (why == CHART_FIT)
        col = total > 0 ? total / CHART_MAX_W : 1e-6;
    /* (the small margin: a run that ends a hair past a column's end does
     * not need that column) */
    int need = (int)ceil(total / col - 1e-6);
    int squeeze = need > CHART_MAX_W ? (need + CHART_MAX_W - 1) / CHART_MAX_W : 1;
    c->col = col * squeeze;
    c->width = (int)ceil(total / c->col - 1e-6);
    if (c->width < 10)             /* room for the axis's labels */
        c->width = 10;
    if (c->width > CHART_MAX_W)
        c->width = CHART_MAX_W;
    double step = nice_step(8 * c->col), unit_size = 1;
    c->unit = "s";
    if (step < 1e-4) {
        c->unit = "µs";
        unit_size = 1e-6;
    } else if (step < 0.1) {
        c->unit = "ms";
        unit_size = 1e-3;
    }
    make_axis(c, step, unit_size);
    scale_words(c, why, squeeze, unit_size);
}

enum mp_status chart_read(struct chart *c, enum chart_why why, double col, const char *title)
{
    memset(c, 0, sizeof *c);
    c->title = title;
    const struct timeline_table *t = timeline_table();
    if (t == NULL) {
        mp_set_error(EINVAL, "the timeline was not started");
        return MP_ERROR;
    }
    unsigned begun = atomic_load(&t->begun), kept = begun;
    if (kept > TIMELINE_MAX_SPANS)
        kept = TIMELINE_MAX_SPANS;
    c->dropped = begun - kept;
    c->table_size = TIMELINE_MAX_SPANS;
    int n = 0;
    const struct timeline_span **list = sorted_spans(t, kept, &n);
    c->rows = malloc(((size_t)n + 1) * sizeof *c->rows);      /* (+ 1: never malloc(0)) */
    c->bars = malloc(((size_t)n + 1) * sizeof *c->bars);
    if (list == NULL || c->rows == NULL || c->bars == NULL) {
        free(list);
        chart_free(c);
        mp_set_error(ENOMEM, "out of memory");
        return MP_ERROR;
    }
    bool other = false, any_open = false;
    read_bars(c, list, n, t->t0, &other, &any_open);
    free(list);
    make_legend(c, other, any_open);
    double total = 0;
    for (int i = 0; i < c->nbars; i++)
        if (c->bars[i].end > total)
            total = c->bars[i].end;
    choose_scale(c, why, col, total);
    return MP_OK;
}

void chart_free(struct chart *c)
{
    free(c->rows);
    free(c->bars);
    c->rows = NULL;
    c->bars = NULL;
}
