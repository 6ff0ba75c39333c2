/* SPDX-License-Identifier: MIT */
/* The timeline's span table, as every process writes it (timeline.c) and
 * as the chart reads it back once the run is over (timeline_chart.c). */
#ifndef TIMELINE_SPANS_H
#define TIMELINE_SPANS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#define TIMELINE_MAX_SPANS 4096

/* One busy span. Only the process that took it writes it. */
struct timeline_span {
    pid_t pid;          /* who was busy; 0 until the span is filled in */
    bool for_child;     /* opened by its parent (mp_timeline_begin_for) */
    char role[16];      /* the row's label, as given to mp_timeline_begin */
    char job[16];       /* what it worked on; "" if no job was given */
    double start;       /* mp_now() at begin */
    double end;         /* mp_now() at end; -1 while the span is open */
};

/* The table, in shared memory made before the children start: every
 * process sees the same bytes. Nothing here is guarded by a lock: `begun`
 * hands out the spans with an atomic add, so no two processes ever get the
 * same one, and each then writes only its own. `t0` is set once, before
 * any child starts. */
struct timeline_table {
    atomic_uint begun;     /* spans begun; those past TIMELINE_MAX_SPANS are dropped */
    double t0;             /* mp_now() at mp_timeline_init: time 0 of the chart */
    struct timeline_span spans[TIMELINE_MAX_SPANS];
};

/* This process's table, or NULL if the timeline was not started. */
const struct timeline_table *timeline_table(void);

#endif
