/* SPDX-License-Identifier: MIT */
/*
 * Exercise 09.4, a solution: the item carries whether it crashes.
 * Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

/* An item as it travels to a worker: its bytes, copied. It carries all the
 * task needs, since a spawned worker never ran the part of main that read
 * --crash. */
struct item {
    long x;
    bool crash;
};

/* The task: runs in a worker, on one item. */
static int square(const void *in, void *out)
{
    const struct item *item = in;
    long x = item->x;
    if (item->crash) {
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

    long items = 6, crash_item = 0;
    const struct mp_option options[] = {
        { "--items", MP_OPT_INT, &items, 1, 1000, "N", "square 1..N (default 6)" },
        { "--crash", MP_OPT_INT, &crash_item, 1, 1000, "K", "the task for item K crashes" },
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL, "Exercise 09.4: what a spawned worker knows.");
    mp_start_method_setup();

    struct item *numbers = malloc((size_t)items * sizeof *numbers);
    long *squares = calloc((size_t)items, sizeof *squares);
    if (numbers == NULL || squares == NULL)
        mp_die("out of memory");
    for (long i = 0; i < items; i++)
        numbers[i] = (struct item){ i + 1, i + 1 == crash_item };

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
