/* SPDX-License-Identifier: MIT */
/*
 * test_timeline - the timeline layer's behaviours, one per sub-command, each
 * drawing a chart (or printing what it saw) for tests/timeline.bats to check.
 *
 *     test_timeline off | twice | shape | fill PROCESSES SPANS | killed | inherit
 *                   | jobs | for-child | short | svg FILE | socket PATH
 *
 * Without --timeline-scale a chart is fitted to its run.
 */
#include "mp.h"
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

static void init_or_die(void)
{
    if (mp_timeline_init() != MP_OK)
        mp_die("timeline: %s", mp_last_error());
}

static void start_or_die(mp_process *p)
{
    if (mp_process_start(p) != MP_OK)
        mp_die("start %s: %s", p->name, mp_last_error());
}

/* Without mp_timeline_init every call does nothing. */
static int off(void)
{
    mp_timeline_begin("main", "job");
    mp_timeline_end();
    mp_timeline_print();
    mp_timeline_free();
    mp_print("done");
    return 0;
}

static int twice(void)
{
    init_or_die();
    enum mp_status rc = mp_timeline_init();
    mp_print("second init: %s errno=%s message=%s", status_word(rc),
             errno == EINVAL ? "EINVAL" : "other", mp_last_error());
    mp_timeline_free();
    return 0;
}

static int busy_second_half(void *arg)
{
    (void)arg;
    mp_timeline_begin("second-role-with-a-long-name", "second");
    mp_sleep(0.1);
    mp_timeline_end();
    return 0;
}

/* The main is busy for 0.1 s, then a child for the next 0.1 s: the first
 * row is marked in the left half of the chart, the second in the right. */
static int shape(void)
{
    init_or_die();
    mp_timeline_begin("first", "first");
    mp_sleep(0.1);
    mp_timeline_end();
    mp_process p;
    mp_process_init(&p, busy_second_half, NULL);
    start_or_die(&p);
    mp_process_join(&p, MP_FOREVER);
    mp_print("child PID %ld", (long)p.pid);
    mp_timeline_print();
    mp_timeline_free();
    return 0;
}

static long spans_each;

static int many_spans(void *arg)
{
    (void)arg;
    for (long i = 0; i < spans_each; i++) {
        mp_timeline_begin("filler", NULL);
        mp_timeline_end();
    }
    return 0;
}

/* PROCESSES processes append SPANS spans each, all at the same time. */
static int fill(int nprocs, long nspans)
{
    mp_process procs[64];
    if (nprocs < 1 || nprocs > 64)
        mp_die("fill: 1 to 64 processes");
    spans_each = nspans;
    init_or_die();
    for (int i = 0; i < nprocs; i++) {
        mp_process_init(&procs[i], many_spans, NULL);
        start_or_die(&procs[i]);
    }
    for (int i = 0; i < nprocs; i++)
        mp_process_join(&procs[i], MP_FOREVER);
    mp_timeline_print();
    mp_timeline_free();
    return 0;
}

static int busy_forever(void *arg)
{
    (void)arg;
    mp_timeline_begin("doomed", "doom");
    mp_sleep(10);
    mp_timeline_end();
    return 0;
}

/* A child killed in the middle of its span: the span never ends. */
static int killed(void)
{
    init_or_die();
    mp_process p;
    mp_process_init(&p, busy_forever, NULL);
    start_or_die(&p);
    mp_sleep(0.1);
    mp_process_kill(&p);
    mp_process_join(&p, MP_FOREVER);
    mp_print("exitcode=%d", mp_process_exitcode(&p));
    mp_timeline_print();
    mp_timeline_free();
    return 0;
}

/* The child calls end, then begin/end: neither may touch the parent's span. */
static int end_then_own_span(void *arg)
{
    (void)arg;
    mp_timeline_end();
    mp_timeline_begin("child", "child");
    mp_sleep(0.05);
    mp_timeline_end();
    return 0;
}

/* The parent's span is open while it forks, and still open when the chart
 * is drawn: its row must end in '>' (still busy), whatever the child did. */
static int inherit(void)
{
    init_or_die();
    mp_timeline_begin("parent", "parent");
    mp_process p;
    mp_process_init(&p, end_then_own_span, NULL);
    start_or_die(&p);
    mp_process_join(&p, MP_FOREVER);
    mp_sleep(0.05);
    mp_timeline_print();
    mp_timeline_end();
    mp_timeline_free();
    return 0;
}

/* One process, five jobs one after the other: music, lol, then a job whose
 * first letter music has taken, a span with no job, and music again. */
static int jobs(void)
{
    init_or_die();
    const char *names[] = { "music", "lol", "mango", NULL, "music" };
    for (int i = 0; i < 5; i++) {
        mp_timeline_begin("main", names[i]);
        mp_sleep(0.04);
    }
    mp_timeline_end();
    mp_timeline_print();
    mp_timeline_free();
    return 0;
}

static int sleep_unmarked(void *arg)
{
    (void)arg;
    mp_sleep(10);
    return 0;
}

static int marks_its_own(void *arg)
{
    (void)arg;
    mp_timeline_begin("own", "own");
    mp_sleep(0.05);
    mp_timeline_end();
    return 0;
}

/* Two children the main marks busy from their start: one killed before it
 * marks anything (its row is cut short), one that marks its own span (its
 * row ends normally). */
static int for_child(void)
{
    init_or_die();
    mp_process doomed, own;
    mp_process_init(&doomed, sleep_unmarked, NULL);
    mp_process_init(&own, marks_its_own, NULL);
    start_or_die(&doomed);
    mp_timeline_begin_for(doomed.pid, "doomed", "doom");
    start_or_die(&own);
    mp_timeline_begin_for(own.pid, "own", "own");
    mp_process_join(&own, MP_FOREVER);
    mp_process_kill(&doomed);
    mp_process_join(&doomed, MP_FOREVER);
    mp_print("doomed %ld own %ld", (long)doomed.pid, (long)own.pid);
    mp_timeline_print();
    mp_timeline_free();
    return 0;
}

/* A run of a few microseconds: the axis still ends in a label and a unit. */
static int short_run(void)
{
    init_or_die();
    mp_timeline_begin("main", "quick");
    mp_timeline_end();
    mp_timeline_print();
    mp_timeline_free();
    return 0;
}

static int busy_twice(void *arg)
{
    (void)arg;
    mp_timeline_begin("twice", "first");
    mp_sleep(0.03);
    mp_timeline_begin("twice", "second");
    mp_sleep(0.03);
    mp_timeline_end();
    return 0;
}

/* The picture of four rows and six bars: the main (one span), a child with
 * two, a child with one, and one killed in the middle of its span (cut
 * short). Prints the chart too, then writes the picture to path. */
static int svg(const char *path)
{
    init_or_die();
    mp_timeline_begin("main", "<&\"'>");   /* XML's five reserved characters */
    mp_sleep(0.02);
    mp_timeline_end();
    mp_process a, b, k;
    mp_process_init(&a, busy_twice, NULL);
    mp_process_init(&b, busy_second_half, NULL);
    mp_process_init(&k, busy_forever, NULL);
    start_or_die(&a);
    start_or_die(&b);
    start_or_die(&k);
    mp_process_join(&a, MP_FOREVER);
    mp_process_join(&b, MP_FOREVER);
    mp_process_kill(&k);
    mp_process_join(&k, MP_FOREVER);
    mp_timeline_print();
    if (mp_timeline_write_svg(path) != MP_OK)
        mp_die("svg: %s", mp_last_error());
    mp_timeline_free();
    return 0;
}

/* A UNIX socket bound at path, left there when the program ends: one of
 * the files that cannot hold a picture. */
static int bound_socket(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof addr.sun_path)
        mp_die("socket %s: the path is too long for a socket", path);
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd == -1 || bind(fd, (struct sockaddr *)&addr, sizeof addr) == -1)
        mp_die("socket %s: %s", path, strerror(errno));
    return 0;
}

static long number(const char *text)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0')
        mp_die("not a number: '%s'", text);
    return v;
}

int main(int argc, char **argv)
{
    const struct mp_option options[] = {
        MP_TIMELINE_OPTIONS,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    int first = mp_parse_args(argc, argv, options, "COMMAND [ARG...]", "The timeline's tests.");
    argc -= first - 1;
    argv += first - 1;
    mp_timeline_options.draw = false;   /* each command calls init itself */
    if (mp_timeline_setup(argc, argv, MP_TIMELINE_FIT) != MP_OK)
        mp_die("timeline: %s", mp_last_error());
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "off") == 0)     return off();
    if (strcmp(cmd, "twice") == 0)   return twice();
    if (strcmp(cmd, "shape") == 0)   return shape();
    if (strcmp(cmd, "killed") == 0)  return killed();
    if (strcmp(cmd, "inherit") == 0) return inherit();
    if (strcmp(cmd, "jobs") == 0)    return jobs();
    if (strcmp(cmd, "for-child") == 0) return for_child();
    if (strcmp(cmd, "short") == 0)   return short_run();
    if (strcmp(cmd, "svg") == 0 && argc == 3)
        return svg(argv[2]);
    if (strcmp(cmd, "socket") == 0 && argc == 3)
        return bound_socket(argv[2]);
    if (strcmp(cmd, "fill") == 0 && argc == 4)
        return fill((int)number(argv[2]), number(argv[3]));
    fprintf(stderr, "usage: test_timeline COMMAND (see the source)\n");
    return 2;
}
