/* SPDX-License-Identifier: MIT */
/*
 * Exercise 10.3, a solution: a callback that says where it runs: the main.
 * Why: docs/exercises/ANSWERS.md.
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

/* Runs in the main, inside get (or wait, ready, join): never in a worker. */
static void done(void *arg)
{
    mp_print("callback: result %ld, PID %ld", *(const long *)arg, (long)getpid());
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
                                           done, NULL, &out);
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
