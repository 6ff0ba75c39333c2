/* SPDX-License-Identifier: MIT */
/*
 * Exercise 10.2, a solution: get(1 tick) gives up, the task runs on.
 * Why: docs/exercises/ANSWERS.md.
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
    enum mp_status status = mp_async_get(result, mp_tick);
    if (status == MP_TIMEOUT)                 /* the waiting ends, not the work */
        mp_print("main: get(1 tick) timed out");
    else if (status != MP_OK)
        mp_die("get: %s", mp_last_error());
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
