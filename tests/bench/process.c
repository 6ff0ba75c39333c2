/* SPDX-License-Identifier: MIT */
/*
 * process - how long one mp_process takes from start to joined.
 *
 * Twin of process.py (multiprocessing.Process with the "fork" start method):
 * start a child that does nothing, join it, and take the median of many
 * runs (the median, not the mean, so that a few runs slowed down by a busy
 * machine do not move it). Beside it, the floor: a bare fork, _exit(0),
 * waitpid, timed the same way, which is what the kernel itself costs; start
 * and join can only add to it. Prints, for tests/bench/run.sh:
 *     process start+join <tab> MILLISECONDS <tab> ms
 *     fork+wait floor <tab> MILLISECONDS <tab> ms
 *
 * `process start` or `process floor` runs one of the two loops alone, to be
 * counted from outside, e.g. page faults (each page a process writes after
 * fork costs one) and system calls:
 *     perf stat -e page-faults build/bench/process start
 *     strace -c -f build/bench/process floor
 */
#include "mp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUNS 300

static int nothing(void *arg)
{
    (void)arg;
    return 0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_ms(double *took)
{
    qsort(took, RUNS, sizeof took[0], by_value);
    return took[RUNS / 2] * 1000;
}

/* The kernel's part alone: a child that exits at once, and its reaping. */
static double fork_wait(void)
{
    double t0 = mp_now();
    pid_t pid = fork();
    if (pid == -1)
        mp_die("fork: %s", strerror(errno));
    if (pid == 0)
        _exit(0);
    if (waitpid(pid, NULL, 0) == -1)
        mp_die("waitpid: %s", strerror(errno));
    return mp_now() - t0;
}

/* mp_process_start and mp_process_join of a child that returns at once. */
static double start_join(void)
{
    mp_process p;
    mp_process_init(&p, nothing, NULL);
    double t0 = mp_now();
    if (mp_process_start(&p) != MP_OK)
        mp_die("start: %s", mp_last_error());
    mp_process_join(&p, MP_FOREVER);
    return mp_now() - t0;
}

int main(int argc, char **argv)
{
    static double took[RUNS], floor[RUNS];
    bool start = argc < 2 || strcmp(argv[1], "start") == 0;
    bool bare = argc < 2 || strcmp(argv[1], "floor") == 0;
    if (argc > 2 || (!start && !bare)) {
        fprintf(stderr, "usage: process [start|floor]\n");
        return 2;
    }
    for (int i = 0; i < RUNS; i++) {
        if (start)
            took[i] = start_join();
        if (bare)
            floor[i] = fork_wait();   /* interleaved: both see the same load */
    }
    if (start)
        printf("process start+join\t%.3f\tms\n", median_ms(took));
    if (bare)
        printf("fork+wait floor\t%.3f\tms\n", median_ms(floor));
    return 0;
}
