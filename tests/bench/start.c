/* SPDX-License-Identifier: MIT */
/*
 * start - how long one mp_process takes from start to joined under the
 * start methods that make a new program: spawn and forkserver (fork's row
 * is process.c's). Twin of start.py. The median of RUNS runs each; the
 * forkserver is started once before its runs are timed (its first use),
 * as Python's is. Prints, for tests/bench/run.sh:
 *     process start+join (spawn) <tab> MILLISECONDS <tab> ms
 *     process start+join (forkserver) <tab> MILLISECONDS <tab> ms
 */
#include "mp.h"

#include <stdio.h>
#include <stdlib.h>

#define RUNS 50

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

static double start_join(void)
{
    mp_process p;
    mp_process_init(&p, nothing, NULL);
    double t0 = mp_now();
    if (mp_process_start(&p) != MP_OK)
        mp_die("start (%s): %s", mp_get_start_method(), mp_last_error());
    mp_process_join(&p, MP_FOREVER);
    return mp_now() - t0;
}

/* The median of RUNS start+joins under method, in ms. */
static double median_ms(const char *method)
{
    static double took[RUNS];
    if (mp_set_start_method(method) != MP_OK)
        mp_die("%s", mp_last_error());
    start_join();                     /* the forkserver's first use: not timed */
    for (int i = 0; i < RUNS; i++)
        took[i] = start_join();
    qsort(took, RUNS, sizeof took[0], by_value);
    return took[RUNS / 2] * 1000;
}

int main(void)
{
    MP_TARGET(nothing);
    mp_main_guard();
    printf("process start+join (spawn)\t%.3f\tms\n", median_ms("spawn"));
    printf("process start+join (forkserver)\t%.3f\tms\n", median_ms("forkserver"));
    return 0;
}
