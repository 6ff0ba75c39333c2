/* SPDX-License-Identifier: MIT */
/* The timeline's chart, as timeline.c reads it out of the span table: what
 * the ASCII chart (timeline.c) and the SVG picture (timeline_svg.c) both
 * draw, so that the two always show the same thing on the same scale. */
#ifndef TIMELINE_CHART_H
#define TIMELINE_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CHART_MAX_W 56      /* columns of bars: "role PID" (18), '|', 56, '|', and
                               the axis's unit after them (" µs") fit 80 */
#define CHART_MAX_JOBS 62   /* one letter or digit each */

struct chart_row {
    pid_t pid;
    const char *role;       /* the role of its first span */
    double first;           /* when it first got busy: rows are in this order */
};

struct chart_bar {          /* one span, its times counted from the chart's 0 */
    int row;
    int job;                /* index in jobs[], or -1: no job given, or too many */
    double start, end;
    bool open;              /* its process ended in the middle of it */
};

struct chart_job {
    const char *name;
    char mark;              /* its letter in the chart and the legend */
};

struct chart_unit {         /* what the axis counts in */
    const char *name;       /* "s", "ms" or "µs" */
    double size;            /* in seconds */
};

struct chart {
    struct chart_row *rows;
    int nrows;
    struct chart_bar *bars;
    int nbars;
    struct chart_job jobs[CHART_MAX_JOBS];
    int njobs;
    bool other_jobs;        /* some jobs got no letter of their own: '#' */
    bool any_open;
    unsigned dropped;       /* spans the full table could not keep */

    double col;             /* seconds one column stands for */
    int width;              /* columns of bars */
    int squeeze;            /* 1, or how many times coarser than asked, to fit */
    const char *scale_why;  /* "tick", "option" or "fit": where col came from */
    double step;            /* seconds between two labels of the axis */
    struct chart_unit unit;
};

/* Reads the span table into c. Returns 0, or -1 (out of memory). */
int chart_read(struct chart *c);
void chart_free(struct chart *c);

/* "1 column = 0.02 s, a fifth of a tick (charts of one tick compare)" */
void chart_scale_words(const struct chart *c, char *buf, size_t size);

/* t seconds in the axis's unit, with the decimals the axis needs: "0.4" */
void chart_time(const struct chart *c, double t, bool fine, char *buf, size_t size);

/* The demo and its options, for the picture's title: "serial --tick 0.1". */
const char *chart_title(void);

#endif
