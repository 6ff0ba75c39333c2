/* SPDX-License-Identifier: MIT */
/* timeline: the recorder. Every process marks its busy spans in one table
 * in shared memory; once the run is over, timeline_chart.c reads the table
 * into a chart, which timeline_ascii.c and timeline_svg.c draw, and
 * timeline_show.c (the options) says which.
 *
 * The table (timeline_spans.h) is a memfd, made by mp_timeline_init in
 * the main program *before* the children start, so every child writes
 * into the same table: a forked child through the mapping it inherits, a
 * new program (spawn, forkserver) by mapping the descriptor the library
 * hands it, at its first span (see attach). Each span is the role and job
 * given, the process's PID, and its start and end on the monotonic clock,
 * which is one clock for every process.
 *
 * A span takes its place with one atomic add on a shared counter
 * (<stdatomic.h>): no lock, so no process ever waits for another, whatever
 * they are doing. The table holds TIMELINE_MAX_SPANS spans; once it is
 * full, further spans are not recorded but counted, and the chart says how
 * many are missing (a map over more items than that draws the first ones).
 *
 * A process's row takes the role of its first span; a job is at most 15
 * characters (the chart draws it with its first letter, or the next free
 * one). Spans do not nest: a begin ends the process's open span first. A
 * forked child does not inherit its parent's open span: the open span's
 * index is copied, but its pid is the parent's, so the child leaves it be.
 *
 * A pool's workers are charted by the task function, which runs in the
 * worker: the pool marks nothing itself, since only the task knows what
 * its work is (and the pool comes before this layer in the library). */
#include "mp.h"
#include "mp_internal.h"
#include "timeline_spans.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The counter is shared by processes, not threads: that only works if the
 * atomic add is a real CPU instruction on the memory itself (lock-free),
 * not a lock hidden inside this one process's copy of the C library. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_uint must be lock-free to work across processes");

/* This process's view. fork copies both variables into the child, which is
 * why mp_timeline_end checks that the open span is really its own. */
static struct timeline_table *table;
static int open_span = -1;         /* index of this process's open span, or -1 */

const struct timeline_table *timeline_table(void)
{
    return table;
}

enum mp_status mp_timeline_init(void)
{
    mp_clear_error();
    if (table != NULL) {
        mp_set_error(EINVAL, "the timeline is already started");
        return MP_ERROR;
    }
    /* A memfd, zero-filled by the kernel: a forked child gets the mapping
     * with the rest of its parent's memory; a new program gets the
     * descriptor, exported as "timeline", and maps it (see attach). */
    int fd;
    void *mem = mp_shm_new(sizeof *table, &fd);
    if (mem == NULL) {
        mp_set_error(errno, "the timeline's table: %s", strerror(errno));
        return MP_ERROR;
    }
    if (mp_shm_export("timeline", fd) == -1) {
        int err = errno;
        (void)munmap(mem, sizeof *table);    /* our own mapping: cannot fail */
        close(fd);
        mp_set_error(err, "the timeline's table: %s", strerror(err));
        return MP_ERROR;
    }
    table = mem;
    atomic_init(&table->begun, 0);
    table->t0 = mp_now();
    open_span = -1;
    return MP_OK;
}

/* In a new program the library started: maps the table its parent made,
 * if there is one (a spawned child starts with table NULL, as its program
 * does). A descriptor that holds something else is left alone: no chart
 * rather than a wrong one. */
static void attach(void)
{
    static bool tried;              /* once: a failure would only repeat */
    int fd = mp_shm_find("timeline");
    size_t size;
    if (tried || fd == -1)
        return;
    tried = true;
    void *mem = mp_shm_attach(fd, &size);
    if (mem != NULL && size != sizeof *table)
        (void)munmap(mem, size);    /* our own mapping, its own size: cannot fail */
    else
        table = mem;
}

void mp_timeline_end(void)
{
    if (table == NULL || open_span < 0)
        return;
    struct timeline_span *s = &table->spans[open_span];
    if (s->pid == getpid())        /* not a span inherited from the parent */
        s->end = mp_now();
    open_span = -1;
}

/* Takes the next span of the table and fills it in: one atomic add, so
 * however many processes do this at the same moment, each gets a different
 * one. Returns its index, or -1 if the table is full (the span is only
 * counted). */
static int add_span(pid_t pid, bool for_child, const char *role, const char *job)
{
    unsigned i = atomic_fetch_add(&table->begun, 1);
    if (i >= TIMELINE_MAX_SPANS)
        return -1;
    struct timeline_span *s = &table->spans[i];
    s->start = mp_now();
    s->end = -1;
    s->for_child = for_child;
    snprintf(s->role, sizeof s->role, "%s", role != NULL ? role : "?");
    snprintf(s->job, sizeof s->job, "%s", job != NULL ? job : "");
    s->pid = pid;                  /* last: a span whose pid is 0 is not filled in yet */
    return (int)i;
}

void mp_timeline_begin(const char *role, const char *job)
{
    if (table == NULL)
        attach();
    if (table == NULL)
        return;
    mp_timeline_end();
    open_span = add_span(getpid(), false, role, job);
}

void mp_timeline_begin_for(pid_t pid, const char *role, const char *job)
{
    if (table != NULL && pid > 0)
        add_span(pid, true, role, job);
}

void mp_timeline_free(void)
{
    if (table == NULL)
        return;
    /* Cannot fail for a mapping this file made, with its own size. */
    munmap(table, sizeof *table);
    mp_shm_forget("timeline");
    table = NULL;
    open_span = -1;
}
