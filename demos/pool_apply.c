/* SPDX-License-Identifier: MIT */
/*
 * pool_apply - Pool.apply blocks until its one task ran; Pool.apply_async
 * returns at once, and get() fetches its result later.
 *
 * Seed section 六.2 (apply 与 apply_async). The Python it re-builds:
 *
 *     def test(x, y, z=0):
 *         print("子程序正在运行")
 *
 *     pool = Pool(2)
 *     pool.apply(test, (2, 3), {"z": 1})          # blocks the main
 *     pool.apply_async(test, (2, 3), {"z": 1})    # does not block
 *     print("主程序运行结束")
 *     print(help(pool.apply))
 *
 * In C a task takes one input item and writes one output item, so the
 * arguments (2, 3, z=1) travel as one struct, and test writes back the PID of
 * the worker that ran it: that is what the main gets back.
 *
 * The seed never waits for its apply_async task. In Python the pool is
 * terminated at exit, so the task may never run, and a pool worker's print
 * still sitting in its buffer is lost with it (with output to a file, the
 * line often never appears). Here get() waits for it, as you should.
 *
 * What to watch for:
 *   - The apply line (a worker's PID) comes before the main's next line:
 *     apply is apply_async(...).get(), so the main waited for it.
 *   - "apply_async returned at once": the task may run before or after that
 *     line, in either worker; get() then hands back the PID of the one that
 *     ran it, the same PID as on its "running" line.
 *   - With --timeline, the chart after the run has a row for each worker
 *     that ran a task: one or two, as either worker may take either task.
 *     The tasks only print, so this run lasts a few thousandths of a second,
 *     most of it the pool starting its workers: the two thin marks sit at
 *     the right end, the apply task's first (the main waited for it to end
 *     before it made the apply_async call).
 *
 * Run it:   build/bin/pool_apply
 *           build/bin/pool_apply --timeline
 */
#include "mp.h"

#include <unistd.h>

struct args {                            /* test(x, y, z=0) */
    long x, y, z;
};

/* The task: runs in a worker. */
static int test(const void *in, void *out)
{
    const struct args *a = in;
    mp_timeline_begin("worker", "test(2, 3, z=1)");   /* does nothing without --timeline */
    mp_print(_("child process running, PID %ld: test(%ld, %ld, z=%ld)"), (long)getpid(), a->x, a->y, a->z);
    *(long *)out = (long)getpid();
    mp_timeline_end();
    return 0;
}

int main(int argc, char **argv)
{
    mp_main_guard();              /* if __name__ == '__main__': (lesson 11) */
    const struct mp_option options[] = {
        MP_TIMELINE_OPTIONS,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_tick_option = false;       /* no sleep in this lesson: no --tick */
    mp_parse_args(argc, argv, options, NULL,
                  N_("Seed 6.2: Pool(2).apply blocks until its task ran; apply_async returns at once."));
    /* Before the pool forks its workers: they must share the span table. */
    if (mp_timeline_setup(argc, argv, MP_TIMELINE_FIT) != MP_OK)
        mp_die(N_("timeline: %s"), mp_last_error());

    mp_pool *pool = mp_pool_new(2);
    if (pool == NULL)
        mp_die(N_("Pool(2): %s"), mp_last_error());
    mp_print(_("main PID %ld: Pool(2) started"), (long)getpid());

    const struct args args = { 2, 3, 1 };
    long ran_in = 0;
    if (mp_pool_apply(pool, test, &args, sizeof args, &ran_in, sizeof ran_in) != MP_OK)
        mp_die(N_("apply: %s"), mp_last_error());
    mp_print(_("main: apply returned after its task ran, in worker %ld"), ran_in);

    long async_ran_in = 0;
    mp_async *result = mp_pool_apply_async(pool, test, &args, sizeof args, &async_ran_in,
                                           sizeof async_ran_in, NULL, NULL, NULL);
    if (result == NULL)
        mp_die(N_("apply_async: %s"), mp_last_error());
    mp_print(_("main: apply_async returned at once"));
    mp_print(_("help(pool.apply): runs the function once, in one worker, and waits"));

    /* What the seed leaves out: wait for the apply_async task, and take its
     * result. */
    if (mp_async_get(result, MP_FOREVER) != MP_OK)
        mp_die(N_("get: %s"), mp_last_error());
    mp_print(_("main: get() on the apply_async result: its task ran in worker %ld"), async_ran_in);
    mp_async_free(result);

    mp_pool_close(pool);
    if (mp_pool_join(pool) != MP_OK)
        mp_die(N_("join: %s"), mp_last_error());
    mp_pool_free(pool);
    mp_print(_("main program ends"));       /* the last line of the run, as it says */
    mp_timeline_show();                  /* the workers have ended: their spans are complete */
    return 0;
}
