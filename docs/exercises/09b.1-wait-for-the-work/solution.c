/* SPDX-License-Identifier: MIT */
/*
 * Exercise 09b.1, a solution: get waits for the work, then the pool is
 * closed and joined. Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <unistd.h>

static int square(const void *in, void *out)
{
    long x = *(const long *)in;
    mp_print("task %ld started in worker PID %ld", x, (long)getpid());
    mp_sleep_ticks(2);
    mp_print("task %ld done", x);
    *(long *)out = x * x;
    return 0;
}

int main(int argc, char **argv)
{
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "Exercise 09b.1: a request, not a result.");

    static const long numbers[] = { 1, 2, 3, 4 };
    static long squares[4];              /* static: still there whenever the results come */

    mp_pool *pool = mp_pool_new(4);
    if (pool == NULL)
        mp_die("Pool(4): %s", mp_last_error());
    mp_async *result = mp_pool_map_async(pool, square, numbers, 4, sizeof numbers[0],
                                         squares, sizeof squares[0], 0, NULL, NULL, NULL);
    if (result == NULL)
        mp_die("map_async: %s", mp_last_error());
    /* The workers have been at it since map_async returned; get only waits
     * until all four are done, and then squares holds their results. */
    if (mp_async_get(result, MP_FOREVER) != MP_OK)
        mp_die("get: %s", mp_last_error());
    if (mp_print_list(squares, 4) != MP_OK)
        mp_die("print: %s", mp_last_error());
    mp_async_free(result);
    mp_pool_close(pool);                 /* no more tasks: the workers may end */
    if (mp_pool_join(pool) != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_pool_free(pool);
    mp_print("main program ends");
    return 0;
}
