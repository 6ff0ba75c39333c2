/* SPDX-License-Identifier: MIT */
/*
 * pool_map - a pool of 9 workers squares 1, 2, 3, 4: Pool.map.
 *
 * Seed section 六.1 (进程池 map). The Python it re-builds:
 *
 *     def square(x):
 *         result = x * x
 *         time.sleep(1)
 *         return result
 *
 *     start = time.time()
 *     pool = Pool(9)                               # 9 worker processes
 *     result = pool.map(square, [1, 2, 3, 4])      # blocks until all are done
 *     print(result)
 *     pool.close()
 *     print(f"总共使用了{(time.time() - start):.2f}")
 *
 * map cuts the list into chunks, hands each chunk to a free worker as one
 * task, and puts the results back in input order, whichever worker finished
 * first. The chunksize, unless you give one, is Python's: the number of items
 * divided by 4 times the number of workers, rounded up (4 / 36 -> 1).
 *
 * What to watch for:
 *   - [1, 4, 9, 16] after about one tick in all, pool creation included: the
 *     four squares slept at the same time, in four of the nine workers.
 *   - --items 20 --workers 2: 20 one-tick tasks on 2 workers take about 11
 *     ticks, not 10: the chunksize is ceil(20 / 8) = 3, so 7 chunks, and
 *     the worker that gets 4 of them runs 11 items. Try --chunksize 1 and
 *     10: 10 ticks each.
 *   - --items 100 --crash 37: the task for 37 dereferences NULL and its
 *     worker dies of SIGSEGV. The pool notices, fails that one item (naming
 *     the worker's PID and the signal), starts a new worker, and every other
 *     square still arrives; the demo prints them (0 for the failed one) and
 *     exits 1. Python's Pool, in the same case, waits for ever (CPython issue
 *     66587): its map never returns.
 *   - Press Ctrl-C during a long run: the workers ignore SIGINT; the main
 *     process gets it once, ends every worker, and exits with status 130.
 *   - The seed's close() without join(): the library terminates the workers
 *     at exit, as Python's does.
 *   - With --timeline, the chart after the run has one row per worker that
 *     took an item: four rows busy side by side for one tick (the five other
 *     workers got nothing, so they have no row). With --workers 2 --items 4,
 *     two rows, each busy for two ticks: one item after the other. (With
 *     --crash there is no chart: the demo stops at the failed map.)
 *   - --start-method spawn or forkserver: the same lines. Each worker is
 *     now a new program (this one started again, or forked by the server)
 *     that never ran the rest of main: it finds square by its name,
 *     registered with MP_TASK before mp_main_guard (Python pickles the
 *     function by name), and knows which item crashes only because the
 *     item says so (a global set by main would still be 0 there). The
 *     total is a little longer: nine programs to start (lesson 11).
 *
 * Run it:   build/bin/pool_map                  (real seconds: about 1 s)
 *           build/bin/pool_map --items 20 --workers 2 --tick 0.1
 *           build/bin/pool_map --tick 0.1 --timeline
 *           build/bin/pool_map --items 100 --crash 37 --tick 0.01
 *           build/bin/pool_map --tick 0.1 --start-method spawn
 */
#include "mp.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* One item, as it travels to a worker: its bytes, copied. It carries all
 * the task needs to know, --crash included: under spawn and forkserver the
 * worker is a new program, which never saw what main set. */
struct item {
    long x;                             /* the number to square */
    bool crash;                         /* --crash: this item's task crashes */
};

/* The task: runs in a worker, on one item. */
static int square(const void *in, void *out)
{
    const struct item *item = in;
    long x = item->x;
    char job[16];                       /* the item, its letter on the chart */
    snprintf(job, sizeof job, "%ld", x);
    mp_timeline_begin("worker", job);   /* does nothing without --timeline */
    if (item->crash) {
        /* A bug, on purpose: writing through a NULL pointer. The kernel
         * stops the worker with SIGSEGV. (volatile twice: so the compiler
         * neither assumes the pointer is NULL nor drops the store.) */
        volatile long *volatile nowhere = NULL;
        *nowhere = x;
    }
    long result = x * x;
    mp_sleep_ticks(1);
    *(long *)out = result;
    mp_timeline_end();
    return 0;
}

int main(int argc, char **argv)
{
    /* The task by name, for workers that are new programs (--start-method
     * spawn or forkserver): such a worker runs main up to the guard, which
     * then runs the worker. The rest of main is `if __name__ == '__main__':`. */
    MP_TASK(square);
    mp_main_guard();

    long workers = 9, items = 4, chunksize = 0, crash_item = 0;
    const struct mp_option options[] = {
        { "--workers", MP_OPT_INT, &workers, 0, MP_POOL_MAX_WORKERS, "N",
          N_("worker processes (default 9, the seed's Pool(9); 0: one per CPU)") },
        { "--items", MP_OPT_INT, &items, 1, 1000000, "N", N_("square 1..N (default 4)") },
        { "--chunksize", MP_OPT_INT, &chunksize, 0, 1000000, "N",
          N_("items per task (default 0: Python's, ceil(N / (4 * workers)))") },
        { "--crash", MP_OPT_INT, &crash_item, 1, 1000000, "K",
          N_("the task for item K dereferences NULL (its worker dies)") },
        MP_TIMELINE_OPTIONS,
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL,
                  N_("Seed 6.1: Pool(9).map(square, [1, 2, 3, 4]) prints [1, 4, 9, 16] after one tick."));
    if (crash_item > items)
        mp_usage_error(N_("--crash: '%ld' is not one of the items 1 to %ld"), crash_item, items);
    mp_start_method_setup();

    struct item *numbers = malloc((size_t)items * sizeof *numbers);
    long *squares = calloc((size_t)items, sizeof *squares);
    if (numbers == NULL || squares == NULL)
        mp_die(N_("out of memory"));
    for (long i = 0; i < items; i++)
        numbers[i] = (struct item){ i + 1, i + 1 == crash_item };
    /* Before the pool starts its workers: they must share the span table. */
    if (mp_timeline_setup(argc, argv, MP_TIMELINE_TICKS) != MP_OK)
        mp_die(N_("timeline: %s"), mp_last_error());

    double start = mp_now();
    /* The workers start here, before any task exists. Under fork each is a
     * copy of this process, so it already has square() at the same address;
     * under spawn and forkserver a new program, which finds it by name. */
    mp_pool *pool = mp_pool_new((int)workers);
    if (pool == NULL)
        mp_die(N_("Pool(%ld): %s"), workers, mp_last_error());

    /* Blocks until every square is back, in the order of numbers. */
    enum mp_status status = mp_pool_map(pool, square, numbers, (size_t)items, sizeof *numbers,
                                        squares, sizeof *squares, (size_t)chunksize);
    if (mp_print_list(squares, (size_t)items) != MP_OK)
        mp_die(N_("print: %s"), mp_last_error());
    if (status != MP_OK)
        mp_die(N_("map: %s"), mp_last_error());
    mp_print(_("chunksize %zu (%s)"), mp_pool_chunksize(pool),
             chunksize > 0 ? "--chunksize" : _("Python's default: ceil(items / (4 * workers))"));
    mp_pool_close(pool);    /* no join, as in the seed: the workers end at exit */

    mp_print(_("total: %.2f s"), mp_now() - start);

    /* The chart comes last, once the workers have ended: with --timeline the
     * main joins them here, which the seed leaves to the exit. */
    if (mp_timeline_asked()) {
        if (mp_pool_join(pool) != MP_OK)
            mp_die(N_("join: %s"), mp_last_error());
        mp_timeline_show();
    }
    free(numbers);
    free(squares);
    return 0;
}
