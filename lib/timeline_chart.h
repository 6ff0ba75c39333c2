/* SPDX-License-Identifier: MIT */
/* The timeline's chart: what timeline_chart.c reads out of the span table,
 * and all that the ASCII chart (timeline_ascii.c) and the SVG picture
 * (timeline_svg.c) draw, so that the two always show the same rows, bars,
 * letters, legend and axis, on the same scale. */
#ifndef TIMELINE_CHART_H
#define TIMELINE_CHART_H

#include "mp.h"

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#define CHART_MAX_W 56      /* columns of bars: "role PID" (18), '|', 56, '|', and
                               the axis's unit after them (" µs") fit 80 */
#define CHART_MAX_JOBS 62   /* one letter or digit each */
#define CHART_MAX_TICKS 16  /* labels on the axis, at least 8 columns apart */

struct chart_row {          /* one process, in the order they first got busy */
    pid_t pid;
    char role[16];          /* the role of its first span */
};

struct chart_bar {          /* one span, its times counted from the chart's 0 */
    int row;
    int job;                /* index in jobs[], or -1: no job given, or too many */
    double start, end;
    bool open;              /* its process ended in the middle of it */
};

struct chart_job {
    char name[16];
    char mark;              /* its letter in the chart and the legend */
};

/* One entry of the legend, in the words both drawers show: "m = music";
 * "1" (a job named by its own letter); "# = any other job"; and, with the
 * mark '>', what a span cut short means. */
struct chart_entry {
    char mark;              /* a job's letter, '#' or '>' */
    int job;                /* its job, or -1 for '#' and '>' */
    char text[72];
};

struct chart_tick {         /* a label of the axis */
    double t;               /* seconds from the chart's 0 */
    char text[24];          /* t in the axis's unit: "0.4" */
};

/* Where the length of a column comes from. */
enum chart_why { CHART_TICKS, CHART_OPTION, CHART_FIT };

struct chart {
    const char *title;      /* the demo and its options: "serial --tick 0.1" */
    struct chart_row *rows;
    int nrows;
    struct chart_bar *bars;
    int nbars;
    struct chart_job jobs[CHART_MAX_JOBS];
    int njobs;
    struct chart_entry legend[CHART_MAX_JOBS + 2];
    int nlegend;
    unsigned dropped;       /* spans the full table could not keep */
    unsigned table_size;    /* how many it keeps */

    double col;             /* seconds one column stands for */
    int width;              /* columns of bars */
    char scale[128];        /* "1 column = 0.02 s, a fifth of a tick (...)" */
    const char *unit;       /* what the axis counts in: "s", "ms" or "µs" */
    struct chart_tick ticks[CHART_MAX_TICKS];  /* from 0, a step apart */
    int nticks;
    struct chart_tick last; /* at the chart's end, labelled with the unit after it */
};

/* Reads the span table into c, on the scale why says: a column of col
 * seconds (CHART_TICKS, CHART_OPTION) or fitted to the run (CHART_FIT;
 * col unused), drawn coarser if the run would not fit. MP_OK, or MP_ERROR
 * (the timeline not started, out of memory). */
enum mp_status chart_read(struct chart *c, enum chart_why why, double col, const char *title);
void chart_free(struct chart *c);

/* The chart on standard output (timeline_ascii.c). */
void chart_draw_ascii(const struct chart *c);

/* The chart as an SVG picture into f (timeline_svg.c). */
void chart_draw_svg(FILE *f, const struct chart *c);

#endif
