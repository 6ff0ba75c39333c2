/* SPDX-License-Identifier: MIT */
/*
 * process - how long one mp_process takes from start to joined.
 *
 * Twin of process.py (multiprocessing.Process with the "fork" start method):
 * start a child that does nothing, join it, and take the median of many
 * runs (the median, not the mean, so that a few runs slowed down by a busy
 * machine do not move it). Prints, for tests/bench/run.sh:
 *     process start+join <tab> MILLISECONDS <tab> ms
 */
#include "mp.h"

#include <stdio.h>
#include <stdlib.h>

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

int main(void)
{
    static double took[RUNS];
    for (int i = 0; i < RUNS; i++) {
        mp_process p;
        mp_process_init(&p, nothing, NULL);
        double t0 = mp_now();
        if (mp_process_start(&p) == -1)
            mp_die("start: %s", mp_last_error());
        mp_process_join(&p, MP_FOREVER);
        took[i] = mp_now() - t0;
    }
    qsort(took, RUNS, sizeof took[0], by_value);
    printf("process start+join\t%.3f\tms\n", took[RUNS / 2] * 1000);
    return 0;
}
