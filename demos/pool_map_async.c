/* SPDX-License-Identifier: MIT */
/*
 * pool_map_async - Pool.map_async, and what happens when nobody calls get.
 *
 * Seed section 六.1 (map_async). The Python it re-builds:
 *
 *     def square(x):
 *         time.sleep(2)
 *         result = x * x
 *         print("~~~~~~~~~~")
 *         return result
 *
 *     start = time.time()
 *     pool = Pool(8)
 *     result = pool.map_async(square, [1, 2, 3, 4])   # does not block
 *     # print(result.get())                          # --get
 *     print(f"总共使用了{(time.time() - start):.2f}")
 *     print("主程序结束")
 *
 * Two corrections to the seed:
 *   - It says to use map_async when you do not need the results, because map
 *     is map_async plus .get(), "so map_async is faster". It is not faster:
 *     the workers do the same work either way, and get() only waits for it.
 *     Without get, the main reaches its end at once, and at exit the pool's
 *     workers are terminated (Python's pool finalizer; this library's exit
 *     handler): the squares are never computed at all. Fast, and nothing done.
 *   - It says .get() "takes each result as it is made, then runs the next
 *     one". The four squares run at the same time in four workers whether
 *     or not anyone calls get; get just blocks until all four are back, in
 *     order, exactly like map (which is map_async(...).get()).
 *
 * What to watch for:
 *   - Without --get: "total: 0.00 s" and the main's last line at once, no
 *     "~~~~~~~~~~" line at all, and one warning on stderr: 4 unfinished tasks
 *     dropped at exit. No worker is left running.
 *   - With --get: four "~~~~~~~~~~" lines, printed by the workers after two
 *     ticks, then [1, 4, 9, 16], and a total of about two ticks.
 *
 * Run it:   build/bin/pool_map_async
 *           build/bin/pool_map_async --get
 */
#include "mp.h"

/* The task: runs in a worker, on one item. */
static int square(const void *in, void *out)
{
    long x = *(const long *)in;
    mp_sleep_ticks(2);
    mp_print("~~~~~~~~~~");
    *(long *)out = x * x;
    return 0;
}

int main(int argc, char **argv)
{
    mp_main_guard();              /* if __name__ == '__main__': (lesson 11) */
    bool get = false;
    const struct mp_option options[] = {
        { "--get", MP_OPT_FLAG, &get, 0, 0, NULL,
          N_("call result.get() and print it (the seed's commented-out line)") },
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL,
                  N_("Seed 6.1: Pool(8).map_async without get: the main ends at once, the tasks are dropped."));

    static const long numbers[] = { 1, 2, 3, 4 };
    static long squares[4];              /* static: still there whenever the results come */

    double start = mp_now();
    mp_pool *pool = mp_pool_new(8);
    if (pool == NULL)
        mp_die(N_("Pool(8): %s"), mp_last_error());

    /* Hands the four tasks to the workers and returns at once. */
    mp_async *result = mp_pool_map_async(pool, square, numbers, 4, sizeof numbers[0],
                                         squares, sizeof squares[0], 0, NULL, NULL, NULL);
    if (result == NULL)
        mp_die(N_("map_async: %s"), mp_last_error());
    if (get) {
        if (mp_async_get(result, MP_FOREVER) != MP_OK)
            mp_die(N_("get: %s"), mp_last_error());
        if (mp_print_list(squares, 4) != MP_OK)
            mp_die(N_("print: %s"), mp_last_error());
        mp_async_free(result);
    }

    mp_print(_("total: %.2f s"), mp_now() - start);
    mp_print(_("main program ends"));
    /* Returning from main calls exit(): the library's exit handler finds the
     * pool with unfinished tasks, says so, and terminates its workers. */
    return 0;
}
