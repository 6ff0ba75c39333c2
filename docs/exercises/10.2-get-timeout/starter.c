/* SPDX-License-Identifier: MIT */
/*
 * Exercise 10.2 - a get that times out (lesson 10, pool_apply).
 *
 * apply_async of a task that takes 3 ticks, then get, which waits for it.
 *
 * Your task: first call get with a timeout of 1 tick (mp_tick seconds),
 * shorter than the task. When it returns MP_TIMEOUT, print
 *     main: get(1 tick) timed out
 * then get again without a timeout, and print the result as now. What comes
 * back the first time, and is the task cancelled?
 *
 * Check it: make exercise N=10.2
 */
#include "mp.h"

#include <unistd.h>

static int slow(const void *in, void *out)
{
    long x = *(const long *)in;
    mp_print("task started in worker PID %ld", (long)getpid());
    mp_sleep_ticks(3);
    mp_print("task done");
    *(long *)out = x * 2;
    return 0;
}

int main(int argc, char **argv)
{
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "Exercise 10.2: a get that times out.");

    mp_pool *pool = mp_pool_new(2);
    if (pool == NULL)
        mp_die("Pool(2): %s", mp_last_error());
    long in = 21, out = 0;
    mp_async *result = mp_pool_apply_async(pool, slow, &in, sizeof in, &out, sizeof out,
                                           NULL, NULL, NULL);
    if (result == NULL)
        mp_die("apply_async: %s", mp_last_error());
    if (mp_async_get(result, MP_FOREVER) != MP_OK)
        mp_die("get: %s", mp_last_error());
    mp_print("main: result %ld", out);
    mp_async_free(result);
    mp_pool_close(pool);
    if (mp_pool_join(pool) != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_pool_free(pool);
    return 0;
}
