/* SPDX-License-Identifier: MIT */
/*
 * Exercise 10.1, a solution: four apply_async calls, then four gets.
 * Why: docs/exercises/ANSWERS.md.
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
    mp_async *result[4];
    for (int i = 0; i < 4; i++) {             /* each returns at once */
        result[i] = mp_pool_apply_async(pool, test, &in[i], sizeof in[i], &out[i], sizeof out[i],
                                        NULL, NULL, NULL);
        if (result[i] == NULL)
            mp_die("apply_async: %s", mp_last_error());
    }
    for (int i = 0; i < 4; i++) {             /* two at a time run meanwhile */
        if (mp_async_get(result[i], MP_FOREVER) != MP_OK)
            mp_die("get: %s", mp_last_error());
        mp_async_free(result[i]);
    }
    mp_print("main: results %ld %ld %ld %ld", out[0], out[1], out[2], out[3]);
    mp_print("main: 4 tasks took %.2f s", mp_now() - start);
    mp_pool_close(pool);
    if (mp_pool_join(pool) != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_pool_free(pool);
    return 0;
}
