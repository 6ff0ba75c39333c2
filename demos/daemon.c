/* SPDX-License-Identifier: MIT */
/*
 * daemon - two children, no join: what the daemon flag changes at exit.
 *
 * Seed section 五.3 (守护进程). The Python it re-builds:
 *
 *     p1 = Process(target=play_music)
 *     p2 = Process(target=play_lol)
 *     p1.daemon = False          # --daemon sets True
 *     p2.daemon = False
 *     p1.start()
 *     p2.start()
 *     end_time = time.time()     # no join()
 *     print(f"多进程所用的时间{end_time-start_time}")
 *     print("主进程pid: ", os.getpid())
 *
 * A correction to the seed: its heading says a daemon process is one that
 * "keeps running after the main process has finished". That describes
 * daemon = False, the default, which its program uses. daemon = True means
 * the opposite: when the main program ends, its daemonic children are
 * terminated (SIGTERM), whatever they were doing.
 *
 * What to watch for:
 *   - Without --daemon: the main's two lines come almost at once (about
 *     0.00 s: no join, so nothing waited), yet all ten "play" lines still
 *     follow and the program ends only after them, about 5 ticks later: at
 *     exit the main joins its non-daemonic children.
 *   - With --daemon: the main prints, ends, and its children are terminated
 *     with it: at most their first lines appear. Python's children lose even
 *     those when output goes to a file (their print buffers die with them);
 *     forklore writes each line at once, so what was printed stays printed.
 *   - A child's very first lines may come before the main's: fork is fast,
 *     and from then on the kernel runs the processes side by side.
 *   - With --timeline, the chart shows the two children busy after the main
 *     is done with its own lines: 5 ticks without --daemon, next to nothing
 *     with it (a '>' marks work cut off by the termination).
 *   - --start-method forkserver (Python 3.14's default on Linux): the same
 *     lines. The main's "took" now includes starting the server, which the
 *     first start does (lesson 11): still 0.00 s here, a millisecond or so,
 *     where Python's takes a tenth of a second or more. The children are
 *     the server's, yet exit still joins them, or terminates them with
 *     --daemon.
 *
 * Run it:   build/bin/daemon
 *           build/bin/daemon --daemon
 *           build/bin/daemon --tick 0.1 --timeline
 *           build/bin/daemon --start-method forkserver
 */
#include "mp.h"

#include <unistd.h>

/* The seed's two jobs. They are the same in parallel.c, on purpose: each seed
 * section is a program complete in itself, and so is each lesson here, to
 * be read beside its Python without opening another file. */
static int play_music(void *arg)
{
    (void)arg;
    mp_timeline_begin("p1", "music");     /* does nothing without --timeline */
    mp_print(_("child p1, PID: %ld"), (long)getpid());
    for (int i = 0; i < 5; i++) {
        mp_print("play music ...");
        mp_sleep_ticks(1);
    }
    mp_timeline_end();
    return 0;
}

static int play_lol(void *arg)
{
    (void)arg;
    mp_timeline_begin("p2", "lol");
    mp_print(_("child p2, PID: %ld"), (long)getpid());
    for (int i = 0; i < 5; i++) {
        mp_print("play lol ...");
        mp_sleep_ticks(1);
    }
    mp_timeline_end();
    return 0;
}

int main(int argc, char **argv)
{
    MP_TARGET(play_music);        /* by name, for --start-method spawn and */
    MP_TARGET(play_lol);          /* forkserver (lesson 11) */
    mp_main_guard();              /* if __name__ == '__main__': */

    bool daemonic = false;
    const struct mp_option options[] = {
        { "--daemon", MP_OPT_FLAG, &daemonic, 0, 0, NULL,
          N_("set p1.daemon = p2.daemon = True (the seed sets False)") },
        MP_TIMELINE_OPTIONS,
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL,
                  N_("Seed 5.3: two children and no join; --daemon makes exit terminate them."));
    mp_start_method_setup();
    if (mp_timeline_setup(argc, argv, MP_TIMELINE_TICKS) != MP_OK)
        mp_die(N_("timeline: %s"), mp_last_error());

    double start = mp_now();
    mp_process p1, p2;
    mp_process_init(&p1, play_music, NULL);
    mp_process_init(&p2, play_lol, NULL);
    p1.daemon = daemonic;    /* only before start: the child gets a copy */
    p2.daemon = daemonic;

    if (mp_process_start(&p1) != MP_OK)
        mp_die(N_("start %s: %s"), p1.name, mp_last_error());
    if (mp_process_start(&p2) != MP_OK)
        mp_die(N_("start %s: %s"), p2.name, mp_last_error());
    /* A daemonic child may be terminated before it runs a line of its own:
     * the main marks each child's row from its start, so the chart still
     * shows it, cut short. */
    mp_timeline_begin_for(p1.pid, "p1", "music");
    mp_timeline_begin_for(p2.pid, "p2", "lol");

    double end = mp_now();
    mp_print(_("multi-process took %.2f s"), end - start);
    mp_print(_("main PID: %ld"), (long)getpid());

    /* The chart can only be drawn once the children have ended: before that
     * their spans are not finished. So with --timeline the main does here,
     * by hand, exactly what exit() would do next anyway - SIGTERM to the
     * daemonic children, then join every child - and draws the chart after.
     * What the children print and when they end does not change. */
    if (mp_timeline_asked()) {
        if (daemonic && (mp_process_terminate(&p1) != MP_OK ||
                         mp_process_terminate(&p2) != MP_OK))
            mp_die(N_("terminate: %s"), mp_last_error());
        if (mp_process_join(&p1, MP_FOREVER) != MP_OK)
            mp_die(N_("join %s: %s"), p1.name, mp_last_error());
        if (mp_process_join(&p2, MP_FOREVER) != MP_OK)
            mp_die(N_("join %s: %s"), p2.name, mp_last_error());
        mp_timeline_show();
    }
    /* Returning from main calls exit(): the library's atexit handler sends
     * SIGTERM to daemonic children, then waits for every child. */
    return 0;
}
