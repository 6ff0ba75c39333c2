/* SPDX-License-Identifier: MIT */
/*
 * Exercise 09.4 - what a spawned worker knows of main's globals (lesson 09, pool_map).
 *
 * demos/pool_map.c as a first try looks: main sets a global crash_item
 * from --crash, and the task crashes its worker (a write through NULL) on
 * that item. The pool fails the item, names the worker and the signal,
 * and main exits 1. Run it under each method:
 *     build/exercises/09.4-what-a-worker-knows/yours --items 6 --crash 3 --start-method fork
 *     ... --start-method spawn      (and forkserver)
 * Under spawn and forkserver nothing crashes. What does a spawned worker
 * run of main?
 *
 * Your task: make the crash happen under every start method: the item
 * itself must say whether it crashes (as demos/pool_map.c's struct item
 * does), not a global main set.
 *
 * Check it: make exercise N=09.4
 */
#include "mp.h"

#include <stdlib.h>
#include <unistd.h>

static long crash_item;             /* set by main from --crash */

/* The task: runs in a worker, on one item. */
static int square(const void *in, void *out)
{
    long x = *(const long *)in;
    if (x == crash_item) {
        volatile long *volatile nowhere = NULL;   /* a bug, on purpose */
        *nowhere = x;
    }
    mp_sleep_ticks(1);
    mp_print("worker PID %ld: %ld squared", (long)getpid(), x);
    *(long *)out = x * x;
    return 0;
}

int main(int argc, char **argv)
{
    MP_TASK(square);                /* by name, for spawned workers */
    mp_main_guard();

    long items = 6;
    const struct mp_option options[] = {
        { "--items", MP_OPT_INT, &items, 1, 1000, "N", "square 1..N (default 6)" },
        { "--crash", MP_OPT_INT, &crash_item, 1, 1000, "K", "the task for item K crashes" },
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL, "Exercise 09.4: what a spawned worker knows.");
    mp_start_method_setup();

    long *numbers = malloc((size_t)items * sizeof *numbers);
    long *squares = calloc((size_t)items, sizeof *squares);
    if (numbers == NULL || squares == NULL)
        mp_die("out of memory");
    for (long i = 0; i < items; i++)
        numbers[i] = i + 1;

    mp_pool *pool = mp_pool_new(3);
    if (pool == NULL)
        mp_die("Pool(3): %s", mp_last_error());
    enum mp_status status = mp_pool_map(pool, square, numbers, (size_t)items, sizeof *numbers,
                                        squares, sizeof *squares, 0);
    if (mp_print_list(squares, (size_t)items) != MP_OK)
        mp_die("print: %s", mp_last_error());
    if (status != MP_OK)
        mp_die("map: %s", mp_last_error());
    mp_pool_close(pool);
    if (mp_pool_join(pool) != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_pool_free(pool);
    free(numbers);
    free(squares);
    return 0;
}
