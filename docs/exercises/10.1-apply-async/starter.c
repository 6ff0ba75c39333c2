/* SPDX-License-Identifier: MIT */
/*
 * Exercise 10.1 - apply four times, or apply_async four times (lesson 10, pool_apply).
 *
 * A pool of 2 workers; the task test sleeps one tick. The main calls apply
 * four times in a row: each call blocks until its task has run, so the four
 * tasks run one after the other, about 4 ticks.
 *
 * Your task: call apply_async four times (keep the four results), then get
 * all four, and print the same lines. How long does it take now, and why?
 * (Compare the charts: add mp_timeline_* calls, or just the times.)
 *
 * Check it: make exercise N=10.1
 */
#include "mp.h"

#include <unistd.h>

/* The task: runs in a worker. */
static int test(const void *in, void *out)
{
    long k = *(const long *)in;
    mp_print("task %ld started in worker PID %ld", k, (long)getpid());
    mp_sleep_ticks(1);
    mp_print("task %ld done", k);
    *(long *)out = k * k;
    return 0;
}

int main(int argc, char **argv)
{
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "Exercise 10.1: apply, or apply_async then get.");

    mp_pool *pool = mp_pool_new(2);
    if (pool == NULL)
        mp_die("Pool(2): %s", mp_last_error());
    double start = mp_now();
    long in[4] = { 1, 2, 3, 4 }, out[4] = { 0 };
    for (int i = 0; i < 4; i++)
        if (mp_pool_apply(pool, test, &in[i], sizeof in[i], &out[i], sizeof out[i]) != MP_OK)
            mp_die("apply: %s", mp_last_error());
    mp_print("main: results %ld %ld %ld %ld", out[0], out[1], out[2], out[3]);
    mp_print("main: 4 tasks took %.2f s", mp_now() - start);
    mp_pool_close(pool);
    if (mp_pool_join(pool) != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_pool_free(pool);
    return 0;
}
