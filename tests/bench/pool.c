/* SPDX-License-Identifier: MIT */
/*
 * bench pool - mp_pool with 2 workers doing x*x, the work of tests/bench/pool.py
 * (Python's multiprocessing.Pool, fork start method), in tasks per second:
 *
 *     map default chunksize   map over 1,000,000 8-byte integers
 *     map chunksize 1         map over 100,000, one item per task
 *     apply_async             100,000 apply_async calls, then get on each
 *
 * Each figure is the best of a few runs (the machine is shared and noisy);
 * the pool is created before the clock starts, as in the Python twin.
 *
 * And one time, in ms, for the pool_map lesson:
 *
 *     pool_map overhead       Pool(9) created, map of 4 items that each
 *                             sleep TICK, close, join: how much longer than
 *                             the ideal TICK that takes (median of RUNS runs)
 *     pool_map overhead (spawn), (forkserver)
 *                             the same with the workers started by that
 *                             method (median of NEW_RUNS runs: Python's
 *                             take half a second each)
 *
 * That one is measured first, while the process is small as the demo's is,
 * and printed last: fork copies the page tables, so a big heap makes every
 * fork slower (measured after the big maps, the Python twin's figure came
 * out several times higher).
 */
#include "mp.h"

#include <stdio.h>
#include <stdlib.h>

#define WORKERS 2
#define TICK 0.02               /* the pool_map overhead row's sleep */
#define RUNS 9
#define NEW_RUNS 3

static int square(const void *in, void *out)
{
    long x = *(const long *)in;
    *(long *)out = x * x;
    return 0;
}

/* pool_map's square: sleeps one TICK. */
static int sleepy_square(const void *in, void *out)
{
    long x = *(const long *)in;
    mp_sleep(TICK);
    *(long *)out = x * x;
    return 0;
}

/* Checks a run's outputs, so that a fast wrong answer cannot pass. */
static void check(const long *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (out[i] != (long)i * (long)i)
            mp_die("wrong result at %zu: %ld", i, out[i]);
}

static double run_map(mp_pool *pool, long *in, long *out, size_t n, size_t chunksize)
{
    double t0 = mp_now();
    if (mp_pool_map(pool, square, in, n, sizeof *in, out, sizeof *out, chunksize) != MP_OK)
        mp_die("map: %s", mp_last_error());
    double took = mp_now() - t0;
    check(out, n);
    return took;
}

static double run_apply_async(mp_pool *pool, long *in, long *out, size_t n)
{
    mp_async **results = malloc(n * sizeof *results);
    if (results == NULL)
        mp_die("out of memory");
    double t0 = mp_now();
    for (size_t i = 0; i < n; i++) {
        results[i] = mp_pool_apply_async(pool, square, &in[i], sizeof *in, &out[i], sizeof *out,
                                         NULL, NULL, NULL);
        if (results[i] == NULL)
            mp_die("apply_async: %s", mp_last_error());
    }
    for (size_t i = 0; i < n; i++) {
        if (mp_async_get(results[i], MP_FOREVER) != MP_OK)
            mp_die("get: %s", mp_last_error());
        mp_async_free(results[i]);
    }
    double took = mp_now() - t0;
    free(results);
    check(out, n);
    return took;
}

/* What demos/pool_map.c times, the pool's start and end included, minus
 * the ideal: the four sleeps run side by side, in one TICK. Under method. */
static double map_overhead(const char *method)
{
    const long in[4] = { 1, 2, 3, 4 };
    long out[4];
    if (mp_set_start_method(method) != MP_OK)
        mp_die("%s", mp_last_error());
    double start = mp_now();
    mp_pool *pool = mp_pool_new(9);
    if (pool == NULL)
        mp_die("pool: %s", mp_last_error());
    if (mp_pool_map(pool, sleepy_square, in, 4, sizeof in[0], out, sizeof out[0], 0) != MP_OK)
        mp_die("map: %s", mp_last_error());
    mp_pool_close(pool);
    mp_pool_join(pool);
    double took = mp_now() - start;
    mp_pool_free(pool);
    if (out[0] != 1 || out[1] != 4 || out[2] != 9 || out[3] != 16)
        mp_die("wrong squares: %ld %ld %ld %ld", out[0], out[1], out[2], out[3]);
    return took - TICK;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of runs map_overhead(method), in ms. */
static double median_overhead_ms(const char *method, int runs)
{
    double over[RUNS];
    for (int run = 0; run < runs; run++)
        over[run] = map_overhead(method);
    qsort(over, (size_t)runs, sizeof over[0], by_value);
    return over[runs / 2] * 1000;
}

int main(void)
{
    MP_TASK(sleepy_square);           /* by name, for spawn and forkserver */
    mp_main_guard();
    double over = median_overhead_ms("fork", RUNS);
    double spawn = median_overhead_ms("spawn", NEW_RUNS);
    double server = median_overhead_ms("forkserver", NEW_RUNS);
    mp_set_start_method("fork");      /* a name it knows: cannot fail */

    const size_t big = 1000000, small = 100000;
    long *in = malloc(big * sizeof *in), *out = malloc(big * sizeof *out);
    if (in == NULL || out == NULL)
        mp_die("out of memory");
    for (size_t i = 0; i < big; i++)
        in[i] = (long)i;

    mp_pool *pool = mp_pool_new(WORKERS);
    if (pool == NULL)
        mp_die("pool: %s", mp_last_error());

    double best = 1e9;
    for (int run = 0; run < 5; run++) {
        double t = run_map(pool, in, out, big, 0);
        best = t < best ? t : best;
    }
    printf("map default chunksize\t%.0f\ttasks/s\n", (double)big / best);

    best = 1e9;
    for (int run = 0; run < 3; run++) {
        double t = run_map(pool, in, out, small, 1);
        best = t < best ? t : best;
    }
    printf("map chunksize 1\t%.0f\ttasks/s\n", (double)small / best);

    best = 1e9;
    for (int run = 0; run < 3; run++) {
        double t = run_apply_async(pool, in, out, small);
        best = t < best ? t : best;
    }
    printf("apply_async\t%.0f\ttasks/s\n", (double)small / best);

    mp_pool_close(pool);
    mp_pool_join(pool);
    mp_pool_free(pool);
    free(in);
    free(out);
    printf("pool_map overhead\t%.3f\tms\n", over);
    printf("pool_map overhead (spawn)\t%.3f\tms\n", spawn);
    printf("pool_map overhead (forkserver)\t%.3f\tms\n", server);
    return 0;
}
