/* SPDX-License-Identifier: MIT */
/*
 * Exercise 09b.1 - a request, not a result (lesson 09b, pool_map_async).
 *
 * A pool of four workers squares 1, 2, 3 and 4, each task taking 2 ticks,
 * through map_async, which returns at once with a handle (Python's
 * AsyncResult). Main prints the squares right away, and ends: it prints
 * [0, 0, 0, 0], and at exit the library terminates the workers in the
 * middle of their work and says on stderr that 4 tasks were dropped.
 *
 * Your task: make main wait for the work (the handle's get), then print
 *     [1, 4, 9, 16]
 * and close and join the pool before it ends, so that no task is dropped.
 * The four still run side by side: about 2 ticks in all, not 8.
 *
 * Check it: make exercise N=09b.1
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
    if (mp_print_list(squares, 4) != MP_OK)
        mp_die("print: %s", mp_last_error());
    mp_print("main program ends");
    return 0;
}
