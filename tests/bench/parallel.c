/* SPDX-License-Identifier: MIT */
/*
 * parallel - the timing overhead of the `parallel` lesson: how much longer
 * than the ideal 5 ticks its timed part takes.
 *
 * Twin of parallel.py. Both time what demos/parallel.c and the seed's
 * ex5b_parallel.py time: from before the two processes are made to after
 * both are joined, each child sleeping 5 ticks. The ideal is 5 ticks; what
 * is left over is the cost of fork, of waking up, of join. The children's
 * prints are left out on both sides (they would write the same lines).
 * The median of RUNS runs. Prints, for tests/bench/run.sh:
 *     parallel overhead <tab> MILLISECONDS <tab> ms
 */
#include "mp.h"

#include <stdio.h>
#include <stdlib.h>

#define TICK 0.02
#define RUNS 15

static int five_ticks(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++)
        mp_sleep(TICK);
    return 0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    double over[RUNS];
    for (int i = 0; i < RUNS; i++) {
        double start = mp_now();
        mp_process p1, p2;
        mp_process_init(&p1, five_ticks, NULL);
        mp_process_init(&p2, five_ticks, NULL);
        if (mp_process_start(&p1) != MP_OK || mp_process_start(&p2) != MP_OK)
            mp_die("start: %s", mp_last_error());
        mp_process_join(&p1, MP_FOREVER);
        mp_process_join(&p2, MP_FOREVER);
        over[i] = mp_now() - start - 5 * TICK;
    }
    qsort(over, RUNS, sizeof over[0], by_value);
    printf("parallel overhead\t%.3f\tms\n", over[RUNS / 2] * 1000);
    return 0;
}
