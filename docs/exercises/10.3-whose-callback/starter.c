/* SPDX-License-Identifier: MIT */
/*
 * Exercise 10.3 - where a callback runs (lesson 10, pool_apply).
 *
 * apply_async of a task that computes 6 * 7 in a worker, then get.
 *
 * Your task: give apply_async a callback (an mp_callback, see lib/mp.h)
 * that prints the result and the PID of the process it runs in:
 *     mp_print("callback: result %ld, PID %ld", result, (long)getpid());
 * (pass &out as the callback's arg). Is it a worker's PID, or the main's?
 *
 * Check it: make exercise N=10.3
 */
#include "mp.h"

#include <unistd.h>

static int multiply(const void *in, void *out)
{
    const long *x = in;
    mp_print("task running in worker PID %ld", (long)getpid());
    *(long *)out = x[0] * x[1];
    return 0;
}

int main(int argc, char **argv)
{
    mp_tick_option = false;
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "Exercise 10.3: where a callback runs.");

    mp_pool *pool = mp_pool_new(2);
    if (pool == NULL)
        mp_die("Pool(2): %s", mp_last_error());
    mp_print("main PID %ld", (long)getpid());
    long in[2] = { 6, 7 }, out = 0;
    mp_async *result = mp_pool_apply_async(pool, multiply, in, sizeof in, &out, sizeof out,
                                           NULL, NULL, NULL);
    if (result == NULL)
        mp_die("apply_async: %s", mp_last_error());
    if (mp_async_get(result, MP_FOREVER) != MP_OK)
        mp_die("get: %s", mp_last_error());
    mp_print("main: get says %ld", out);
    mp_async_free(result);
    mp_pool_close(pool);
    if (mp_pool_join(pool) != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_pool_free(pool);
    return 0;
}
