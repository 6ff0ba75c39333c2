/* SPDX-License-Identifier: MIT */
/* timeline: busy spans written by every process into shared memory, drawn
 * as an ASCII chart once the run is over. */
#include "mp.h"
#include "mp_internal.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The slot counter is shared by processes, not threads: that only works if
 * the atomic add is a real CPU instruction on the memory itself (lock-free),
 * not a lock hidden inside this one process's copy of the C library. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_uint must be lock-free to work across processes");

/* One busy span. Only the process that claimed the slot writes it. */
struct span {
    pid_t pid;          /* who was busy; 0 until the slot is filled in */
    char role[16];      /* the label given to mp_timeline_begin */
    double start;       /* mp_now() at begin */
    double end;         /* mp_now() at end; -1 while the span is open */
};

/* The table, mapped MAP_SHARED before fork: every process sees the same
 * memory. Nothing here is guarded by a lock. `claimed` hands out slots with
 * an atomic add, so two processes can never get the same slot; each then
 * writes only its own slot. `t0` is set once, before any fork. */
struct table {
    atomic_uint claimed;   /* slots handed out; past MP_TIMELINE_MAX_SPANS = dropped */
    double t0;             /* mp_now() at mp_timeline_init: time 0 of the chart */
    struct span spans[MP_TIMELINE_MAX_SPANS];
};

/* This process's view. fork copies both variables into the child, which is
 * why mp_timeline_end checks that the open span is really its own. */
static struct table *table;
static int open_slot = -1;

int mp_timeline_init(void)
{
    mp_clear_error();
    if (table != NULL) {
        mp_set_error(EINVAL, "the timeline is already started");
        return -1;
    }
    /* Anonymous memory (no file behind it), shared with every child forked
     * from now on, zero-filled by the kernel. */
    void *mem = mmap(NULL, sizeof *table, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return -1;
    table = mem;
    atomic_init(&table->claimed, 0);
    table->t0 = mp_now();
    open_slot = -1;
    return 0;
}

void mp_timeline_end(void)
{
    if (table == NULL || open_slot < 0)
        return;
    struct span *s = &table->spans[open_slot];
    if (s->pid == getpid())        /* not a span inherited from the parent */
        s->end = mp_now();
    open_slot = -1;
}

void mp_timeline_begin(const char *role)
{
    if (table == NULL)
        return;
    mp_timeline_end();
    /* Take the next slot: one atomic add, so however many processes do this
     * at the same moment, each gets a different number. */
    unsigned slot = atomic_fetch_add(&table->claimed, 1);
    if (slot >= MP_TIMELINE_MAX_SPANS)
        return;                    /* full: counted in `claimed`, not drawn */
    struct span *s = &table->spans[slot];
    s->start = mp_now();
    s->end = -1;
    snprintf(s->role, sizeof s->role, "%s", role != NULL ? role : "?");
    s->pid = getpid();
    open_slot = (int)slot;
}

void mp_timeline_free(void)
{
    if (table == NULL)
        return;
    munmap(table, sizeof *table);
    table = NULL;
    open_slot = -1;
}

/* --- the chart ------------------------------------------------------------ */

/* A row: the label column, '|', BAR_W cells, '|'  = 18 + 1 + 58 + 1 = 78
 * columns; the axis below ends with " s" at column 80. */
#define LABEL_W 18
#define BAR_W   58

struct row {
    pid_t pid;
    const char *role;   /* the role of its first span */
    double first;       /* when it first got busy: rows are drawn in this order */
};

static int by_first(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

/* Marks the cells a span covers: cell i stands for the time from t0 + i*dt
 * to t0 + (i+1)*dt, and is busy if the span covers any of it, so even a
 * span shorter than a cell shows. */
static void mark(char *cells, double start, double end, double t0, double dt)
{
    int first = (int)floor((start - t0) / dt);
    int last = (int)ceil((end - t0) / dt) - 1;
    if (last < first)
        last = first;
    if (first < 0)
        first = 0;
    if (last > BAR_W - 1)
        last = BAR_W - 1;
    for (int i = first; i <= last; i++)
        cells[i] = '#';
}

/* The axis: a ruler with '+' at five ticks, from the opening '|' (column
 * LABEL_W) to the closing one (column LABEL_W + BAR_W + 1), and under each
 * tick its time in seconds. */
static void print_axis(double total)
{
    /* enough decimals to tell the ticks apart: two digits of a quarter */
    int decimals = (int)ceil(-log10(total / 4)) + 1;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    char ruler[LABEL_W + BAR_W + 3];
    char labels[81];                /* 80 columns and the '\0' */
    int used = 0;                   /* columns of labels filled so far */
    memset(ruler, ' ', LABEL_W);
    memset(ruler + LABEL_W, '-', BAR_W + 2);
    ruler[LABEL_W + BAR_W + 2] = '\0';
    memset(labels, ' ', sizeof labels);
    for (int k = 0; k <= 4; k++) {
        int col = LABEL_W + (int)lround(k * (BAR_W + 1) / 4.0);
        ruler[col] = '+';
        char text[32];
        int len = k == 0 ? snprintf(text, sizeof text, "0")
                         : snprintf(text, sizeof text, "%.*f%s", decimals, total * k / 4,
                                    k == 4 ? " s" : "");
        if (k == 4)
            col = col + 3 - len;    /* the last number ends under its tick */
        if (col > used && col + len <= 80) {
            memcpy(labels + col, text, (size_t)len);
            used = col + len;
        }
    }
    labels[used] = '\0';
    mp_print("%s", ruler);
    mp_print("%s", labels);
}

void mp_timeline_print(void)
{
    if (table == NULL)
        return;
    unsigned claimed = atomic_load(&table->claimed);
    unsigned nspans = claimed < MP_TIMELINE_MAX_SPANS ? claimed : MP_TIMELINE_MAX_SPANS;

    /* One row per PID, and where the chart ends: the last span's end, or
     * now if a span is still open. */
    struct row *rows = malloc((nspans > 0 ? nspans : 1) * sizeof *rows);
    if (rows == NULL) {
        mp_warn("timeline: out of memory");
        return;
    }
    int nrows = 0;
    double last = table->t0;
    bool any_open = false;
    for (unsigned i = 0; i < nspans; i++) {
        const struct span *s = &table->spans[i];
        if (s->pid == 0)
            continue;              /* claimed, but its process died before filling it in */
        if (s->end < 0)
            any_open = true;
        else if (s->end > last)
            last = s->end;
        int r = 0;
        while (r < nrows && rows[r].pid != s->pid)
            r++;
        if (r == nrows) {
            rows[r].pid = s->pid;
            rows[r].role = s->role;
            rows[r].first = s->start;
            nrows++;
        } else if (s->start < rows[r].first) {
            rows[r].role = s->role;
            rows[r].first = s->start;
        }
    }
    if (any_open)
        last = mp_now();
    qsort(rows, (size_t)nrows, sizeof *rows, by_first);

    if (nrows == 0) {
        mp_print("timeline: no busy spans were recorded");
    } else {
        double total = last - table->t0;
        if (total <= 0)
            total = 1e-6;
        double dt = total / BAR_W;
        mp_print("timeline: one row per process, # where it was busy");
        for (int r = 0; r < nrows; r++) {
            char cells[BAR_W + 1];
            memset(cells, ' ', BAR_W);
            cells[BAR_W] = '\0';
            bool open = false;
            for (unsigned i = 0; i < nspans; i++) {
                const struct span *s = &table->spans[i];
                if (s->pid != rows[r].pid)
                    continue;
                if (s->end < 0) {
                    mark(cells, s->start, last, table->t0, dt);
                    open = true;
                } else {
                    mark(cells, s->start, s->end, table->t0, dt);
                }
            }
            if (open)
                cells[BAR_W - 1] = '>';
            /* "role PID", the role cut short if need be so the PID fits */
            char pid[16], label[LABEL_W];
            int pidlen = snprintf(pid, sizeof pid, "%ld", (long)rows[r].pid);
            snprintf(label, sizeof label, "%.*s %s", LABEL_W - 2 - pidlen, rows[r].role, pid);
            mp_print("%-*s|%s|", LABEL_W, label, cells);
        }
        print_axis(total);
        if (any_open)
            mp_print("> : still busy when drawn (its process ended in the middle of it)");
    }
    if (claimed > MP_TIMELINE_MAX_SPANS)
        mp_print("timeline: %u spans did not fit in its table of %d and are not shown",
                 claimed - MP_TIMELINE_MAX_SPANS, MP_TIMELINE_MAX_SPANS);
    free(rows);
}
