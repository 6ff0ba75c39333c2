/* SPDX-License-Identifier: MIT */
/* timeline: busy spans written by every process into shared memory, read
 * back once the run is over into one chart, on one scale, and drawn in
 * ASCII here (the SVG picture is timeline_svg.c). */
#include "mp.h"
#include "mp_internal.h"
#include "timeline_chart.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The slot counter is shared by processes, not threads: that only works if
 * the atomic add is a real CPU instruction on the memory itself (lock-free),
 * not a lock hidden inside this one process's copy of the C library. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_uint must be lock-free to work across processes");

/* One busy span. Only the process that claimed the slot writes it. */
struct span {
    pid_t pid;          /* who was busy; 0 until the slot is filled in */
    bool for_child;     /* opened by its parent (mp_timeline_begin_for) */
    char role[16];      /* the row's label, as given to mp_timeline_begin */
    char job[16];       /* what it worked on; "" if no job was given */
    double start;       /* mp_now() at begin */
    double end;         /* mp_now() at end; -1 while the span is open */
};

/* The table, in shared memory made before the children start: every
 * process sees the same bytes. Nothing here is guarded by a lock. `claimed`
 * hands out slots with an atomic add, so two processes can never get the
 * same slot; each then writes only its own slot. `t0` is set once, before
 * any child starts. */
struct table {
    atomic_uint claimed;   /* slots handed out; past MP_TIMELINE_MAX_SPANS = dropped */
    double t0;             /* mp_now() at mp_timeline_init: time 0 of the chart */
    struct span spans[MP_TIMELINE_MAX_SPANS];
};

/* This process's view. fork copies both variables into the child, which is
 * why mp_timeline_end checks that the open span is really its own. */
static struct table *table;
static int open_slot = -1;

enum mp_status mp_timeline_init(void)
{
    mp_clear_error();
    if (table != NULL) {
        mp_set_error(EINVAL, "the timeline is already started");
        return MP_ERROR;
    }
    /* A memfd, zero-filled by the kernel: a forked child gets the mapping
     * with the rest of its parent's memory; a new program (spawn,
     * forkserver) gets the descriptor, exported as "timeline", and maps
     * it at its first span (see attach). */
    int fd;
    void *mem = mp_shm_new(sizeof *table, &fd);
    if (mem == NULL)
        return MP_ERROR;
    if (mp_shm_export("timeline", fd) == -1) {
        int err = errno;
        (void)munmap(mem, sizeof *table);    /* our own mapping: cannot fail */
        close(fd);
        errno = err;
        return MP_ERROR;
    }
    table = mem;
    atomic_init(&table->claimed, 0);
    table->t0 = mp_now();
    open_slot = -1;
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
    if (table == NULL || open_slot < 0)
        return;
    struct span *s = &table->spans[open_slot];
    if (s->pid == getpid())        /* not a span inherited from the parent */
        s->end = mp_now();
    open_slot = -1;
}

/* Takes the next slot and fills it in: one atomic add, so however many
 * processes do this at the same moment, each gets a different number.
 * Returns the slot, or -1 if the table is full (the span is only counted). */
static int claim(pid_t pid, bool for_child, const char *role, const char *job)
{
    unsigned slot = atomic_fetch_add(&table->claimed, 1);
    if (slot >= MP_TIMELINE_MAX_SPANS)
        return -1;
    struct span *s = &table->spans[slot];
    s->start = mp_now();
    s->end = -1;
    s->for_child = for_child;
    snprintf(s->role, sizeof s->role, "%s", role != NULL ? role : "?");
    snprintf(s->job, sizeof s->job, "%s", job != NULL ? job : "");
    s->pid = pid;                  /* last: a slot whose pid is 0 is not filled in yet */
    return (int)slot;
}

void mp_timeline_begin(const char *role, const char *job)
{
    if (table == NULL)
        attach();
    if (table == NULL)
        return;
    mp_timeline_end();
    open_slot = claim(getpid(), false, role, job);
}

void mp_timeline_begin_for(pid_t pid, const char *role, const char *job)
{
    if (table != NULL && pid > 0)
        claim(pid, true, role, job);
}

void mp_timeline_free(void)
{
    if (table == NULL)
        return;
    /* Cannot fail for a mapping this file made, with its own size. */
    munmap(table, sizeof *table);
    mp_shm_forget("timeline");
    table = NULL;
    open_slot = -1;
}

/* --- the options -------------------------------------------------------- */

struct mp_timeline_options mp_timeline_options;
static enum mp_timeline_scale default_scale = MP_TIMELINE_TICKS;
static char title[120];

/* The directory of path must let us create the temporary file and rename
 * it: checked before the run, so a typo costs no ten-second run. */
static int check_writable(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    struct stat st;
    if (*path == '\0' || (slash != NULL && slash[1] == '\0') ||
        (stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
        mp_set_error(EISDIR, "--timeline-svg %s: not a file name", path);
        return -1;
    }
    if (access(dir, W_OK | X_OK) == -1) {
        mp_set_error(errno, "--timeline-svg %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The title: the program and its options, less the picture's own. */
static void remember_title(int argc, char **argv)
{
    size_t used = (size_t)snprintf(title, sizeof title, "%s", mp_prog);
    for (int i = 1; i < argc && used < sizeof title; i++) {
        if (strcmp(argv[i], "--timeline") == 0 || strncmp(argv[i], "--timeline-svg=", 15) == 0)
            continue;
        if (strcmp(argv[i], "--timeline-svg") == 0) {
            i++;                   /* and its FILE */
            continue;
        }
        used += (size_t)snprintf(title + used, sizeof title - used, " %s", argv[i]);
    }
    if (used >= sizeof title)      /* cut short: say so */
        memcpy(title + sizeof title - 4, "...", 4);
}

bool mp_timeline_asked(void)
{
    return mp_timeline_options.draw || mp_timeline_options.svg != NULL;
}

enum mp_status mp_timeline_setup(int argc, char **argv, enum mp_timeline_scale scale)
{
    default_scale = scale;
    if (!mp_timeline_asked())
        return MP_OK;
    if (mp_timeline_options.svg != NULL && check_writable(mp_timeline_options.svg) == -1)
        return MP_ERROR;
    remember_title(argc, argv);
    return mp_timeline_init();
}

const char *chart_title(void)
{
    return title[0] != '\0' ? title : mp_prog;
}

void mp_timeline_show(void)
{
    if (table == NULL)
        return;
    if (mp_timeline_options.draw)
        mp_timeline_print();
    if (mp_timeline_options.svg != NULL && mp_timeline_write_svg(mp_timeline_options.svg) != MP_OK)
        mp_die("timeline: %s", mp_last_error());
    mp_timeline_free();
}

/* --- reading the table into a chart -------------------------------------- */

static int by_start(const void *a, const void *b)
{
    const struct span *x = *(const struct span *const *)a, *y = *(const struct span *const *)b;
    return (x->start > y->start) - (x->start < y->start);
}

/* The filled-in spans, in the order they began; *n gets how many. */
static const struct span **sorted_spans(int *n)
{
    unsigned claimed = atomic_load(&table->claimed);
    unsigned nspans = claimed < MP_TIMELINE_MAX_SPANS ? claimed : MP_TIMELINE_MAX_SPANS;
    const struct span **list = malloc((nspans > 0 ? nspans : 1) * sizeof *list);
    if (list == NULL)
        return NULL;
    *n = 0;
    for (unsigned i = 0; i < nspans; i++)
        if (table->spans[i].pid != 0)  /* else claimed, but its process died before filling it in */
            list[(*n)++] = &table->spans[i];
    qsort(list, (size_t)*n, sizeof *list, by_start);
    return list;
}

/* When pid's own first span began, or -1 if it marked none itself. */
static double own_first_start(const struct span **list, int n, pid_t pid)
{
    for (int i = 0; i < n; i++)
        if (list[i]->pid == pid && !list[i]->for_child)
            return list[i]->start;
    return -1;
}

/* The job's index in c->jobs, a new one if need be; -1: no job, or no letter left. */
static int job_of(struct chart *c, const char *name)
{
    static const char marks[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    if (*name == '\0')
        return -1;
    for (int j = 0; j < c->njobs; j++)
        if (strcmp(c->jobs[j].name, name) == 0)
            return j;
    if (c->njobs == CHART_MAX_JOBS) {
        c->other_jobs = true;
        return -1;
    }
    /* its first letter, or else the first letter no other job has */
    char mark = isalnum((unsigned char)*name) ? *name : marks[0];
    for (int k = 0, j = 0; j < c->njobs; j++)
        if (c->jobs[j].mark == mark) {
            mark = marks[k++];
            j = -1;                /* check the new letter against every job again */
        }
    c->jobs[c->njobs] = (struct chart_job){ name, mark };
    return c->njobs++;
}

/* The row of pid, a new one (labelled with this span's role) if need be. */
static int row_of(struct chart *c, const struct span *s, double t0)
{
    for (int r = 0; r < c->nrows; r++)
        if (c->rows[r].pid == s->pid)
            return r;
    c->rows[c->nrows] = (struct chart_row){ s->pid, s->role, s->start - t0 };
    return c->nrows++;
}

/* One bar per span. A span still open ends now. A span a parent opened for
 * its child ends where the child's own first span begins (and is dropped if
 * the child was quicker than its parent); if the child marked nothing, it
 * was cut short before it could. */
static void read_bars(struct chart *c, const struct span **list, int n, double now)
{
    double t0 = table->t0;
    for (int i = 0; i < n; i++) {
        const struct span *s = list[i];
        double end = s->end;
        if (s->for_child) {
            double own = own_first_start(list, n, s->pid);
            if (own >= 0 && own <= s->start)
                continue;
            end = own;
        }
        struct chart_bar *b = &c->bars[c->nbars++];
        b->row = row_of(c, s, t0);
        b->job = job_of(c, s->job);
        b->open = end < 0;
        b->start = s->start - t0;
        b->end = (b->open ? now : end) - t0;
        c->any_open |= b->open;
    }
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

/* How long a column lasts, and how many columns the chart needs. */
static void choose_scale(struct chart *c, double total)
{
    double col;
    if (mp_timeline_options.scale > 0) {
        col = mp_timeline_options.scale;
        c->scale_why = "option";
    } else if (default_scale == MP_TIMELINE_TICKS) {
        col = mp_tick / 5;
        c->scale_why = "tick";
    } else {
        col = total > 0 ? total / CHART_MAX_W : 1e-6;
        c->scale_why = "fit";
    }
    /* (the small margin: a run that ends a hair past a column's end does
     * not need that column) */
    int need = (int)ceil(total / col - 1e-6);
    c->squeeze = need > CHART_MAX_W ? (need + CHART_MAX_W - 1) / CHART_MAX_W : 1;
    c->col = col * c->squeeze;
    c->width = (int)ceil(total / c->col - 1e-6);
    if (c->width < 10)             /* room for the axis's labels */
        c->width = 10;
    if (c->width > CHART_MAX_W)
        c->width = CHART_MAX_W;
    c->step = nice_step(8 * c->col);   /* labels at least 8 columns apart */
    if (c->step >= 0.1)
        c->unit = (struct chart_unit){ "s", 1 };
    else if (c->step >= 1e-4)
        c->unit = (struct chart_unit){ "ms", 1e-3 };
    else
        c->unit = (struct chart_unit){ "µs", 1e-6 };
}

int chart_read(struct chart *c)
{
    memset(c, 0, sizeof *c);
    if (table == NULL) {
        mp_set_error(EINVAL, "the timeline was not started");
        return -1;
    }
    unsigned claimed = atomic_load(&table->claimed);
    c->dropped = claimed > MP_TIMELINE_MAX_SPANS ? claimed - MP_TIMELINE_MAX_SPANS : 0;
    int n = 0;
    const struct span **list = sorted_spans(&n);
    c->rows = malloc((n > 0 ? (size_t)n : 1) * sizeof *c->rows);
    c->bars = malloc((n > 0 ? (size_t)n : 1) * sizeof *c->bars);
    if (list == NULL || c->rows == NULL || c->bars == NULL) {
        free(list);
        chart_free(c);
        mp_set_error(ENOMEM, "out of memory");
        return -1;
    }
    read_bars(c, list, n, mp_now());
    free(list);
    double total = 0;
    for (int i = 0; i < c->nbars; i++)
        if (c->bars[i].end > total)
            total = c->bars[i].end;
    choose_scale(c, total);
    return 0;
}

void chart_free(struct chart *c)
{
    free(c->rows);
    free(c->bars);
    c->rows = NULL;
    c->bars = NULL;
}

/* Decimals that show x (in the axis's unit) to its first significant digit. */
static int decimals(double x)
{
    int d = x >= 1 ? 0 : (int)ceil(-log10(x) - 1e-9);
    return d > 6 ? 6 : d;
}

void chart_time(const struct chart *c, double t, bool fine, char *buf, size_t size)
{
    if (t == 0) {
        snprintf(buf, size, "0");
        return;
    }
    int d = decimals(c->step / c->unit.size);
    if (fine && decimals(c->col / c->unit.size) > d)
        d = decimals(c->col / c->unit.size);
    snprintf(buf, size, "%.*f", d, t / c->unit.size);
}

void chart_scale_words(const struct chart *c, char *buf, size_t size)
{
    char col[32];
    snprintf(col, sizeof col, "%.3g %s", c->col / c->unit.size, c->unit.name);
    if (strcmp(c->scale_why, "fit") == 0)
        snprintf(buf, size, "1 column = %s (fitted to the run)", col);
    else if (strcmp(c->scale_why, "option") == 0 && c->squeeze == 1)
        snprintf(buf, size, "1 column = %s (--timeline-scale)", col);
    else if (strcmp(c->scale_why, "option") == 0)
        snprintf(buf, size, "1 column = %s (--timeline-scale, compressed %dx to fit)",
                 col, c->squeeze);
    else if (c->squeeze == 1)
        snprintf(buf, size, "1 column = %s, a fifth of a tick (charts of one tick compare)", col);
    else
        snprintf(buf, size, "1 column = %s, %d fifths of a tick (compressed %dx to fit)",
                 col, c->squeeze, c->squeeze);
}

/* --- the ASCII chart ----------------------------------------------------- */

#define LABEL_W 18          /* "role PID", then the bars from column 19 */

/* The column of the axis line (counted from 0) where time t is: the
 * opening '|' is 0, and each cell a column further. */
static int axis_column(const struct chart *c, double t)
{
    return LABEL_W + (int)lround(t / c->col);
}

/* A row: "role PID", then a cell per column, each showing the letter of
 * the job that covered it (the later one where two meet); '>' ends a span
 * cut short. Even a span shorter than a cell shows. */
static void print_row(const struct chart *c, int r)
{
    char cells[CHART_MAX_W + 1];
    memset(cells, ' ', (size_t)c->width);
    cells[c->width] = '\0';
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
            cells[k] = b->job >= 0 ? c->jobs[b->job].mark : '#';
        if (b->open)
            cells[last] = '>';
    }
    /* "role PID", the role cut short if need be so the PID fits */
    char pid[16], label[LABEL_W];
    int pidlen = snprintf(pid, sizeof pid, "%ld", (long)c->rows[r].pid);
    snprintf(label, sizeof label, "%.*s %s", LABEL_W - 2 - pidlen, c->rows[r].role, pid);
    mp_print("%-*s|%s|", LABEL_W, label, cells);
}

/* The axis: a ruler with '+' at each step, and under it the times. The
 * last label, with the unit, ends under the chart's closing '|'; a label
 * that would run into the one before it or into the last is left out. */
static void print_axis(const struct chart *c)
{
    char ruler[LABEL_W + CHART_MAX_W + 3], labels[96], text[32];
    int end = LABEL_W + c->width + 1;
    memset(ruler, ' ', LABEL_W);
    memset(ruler + LABEL_W, '-', (size_t)c->width + 2);
    ruler[end + 1] = '\0';
    memset(labels, ' ', sizeof labels);

    double total = c->width * c->col;
    chart_time(c, total, true, text, sizeof text);
    int len = (int)strlen(text), last_at = end - len + 1;
    int used = snprintf(labels + last_at, sizeof labels - (size_t)last_at, "%s %s", text,
                        c->unit.name) + last_at;
    ruler[end] = '+';
    int free_from = 0;             /* the first column a label may take */
    for (int k = 0; axis_column(c, k * c->step) < end - 1; k++) {
        int at = axis_column(c, k * c->step);
        ruler[at] = '+';
        chart_time(c, k * c->step, false, text, sizeof text);
        len = (int)strlen(text);
        if (at >= free_from && at + len + 1 < last_at) {
            memcpy(labels + at, text, (size_t)len);
            free_from = at + len + 1;
        }
    }
    labels[used] = '\0';
    mp_print("%s", ruler);
    mp_print("%s", labels);
}

/* "jobs: m = music, l = lol", wrapped at 80 columns; a job named by its own
 * letter is listed as itself ("jobs: 1, 2, 3"). */
static void print_legend(const struct chart *c)
{
    char line[81] = "jobs:", item[40];
    int used = 5;
    for (int j = 0; j <= c->njobs; j++) {
        if (j == c->njobs && !c->other_jobs)
            break;
        if (j == c->njobs)
            snprintf(item, sizeof item, "# = any other");
        else if (c->jobs[j].name[0] == c->jobs[j].mark && c->jobs[j].name[1] == '\0')
            snprintf(item, sizeof item, "%s", c->jobs[j].name);
        else
            snprintf(item, sizeof item, "%c = %s", c->jobs[j].mark, c->jobs[j].name);
        int len = (int)strlen(item);
        if (used + len + 3 > 80) {
            mp_print("%s,", line);
            used = snprintf(line, sizeof line, "     ");
        }
        used += snprintf(line + used, sizeof line - (size_t)used, "%s %s",
                         used > 5 && j > 0 ? "," : "", item);
    }
    if (c->njobs > 0 || c->other_jobs)
        mp_print("%s", line);
}

void mp_timeline_print(void)
{
    if (table == NULL)
        return;
    struct chart c;
    if (chart_read(&c) == -1) {
        mp_warn("timeline: %s", mp_last_error());
        return;
    }
    if (c.nrows == 0) {
        mp_print("timeline: no busy spans were recorded");
    } else {
        char scale[100];
        mp_print("timeline: one row per process, a letter per job where it was busy");
        for (int r = 0; r < c.nrows; r++)
            print_row(&c, r);
        print_axis(&c);
        print_legend(&c);
        chart_scale_words(&c, scale, sizeof scale);
        mp_print("scale: %s", scale);
        if (c.any_open)
            mp_print("> : still busy when drawn (its process ended in the middle of it)");
    }
    if (c.dropped > 0)
        mp_print("timeline: %u spans did not fit in its table of %d and are not shown",
                 c.dropped, MP_TIMELINE_MAX_SPANS);
    chart_free(&c);
}
