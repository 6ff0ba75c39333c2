/* SPDX-License-Identifier: MIT */
/*
 * parallel - the same two jobs in two processes, started together, joined.
 *
 * Seed section 五.2 (多进程). The Python it re-builds:
 *
 *     start_time = time.time()
 *     p1 = Process(target=play_music)
 *     p2 = Process(target=play_lol)
 *     p1.start()
 *     p2.start()
 *     p1.join()
 *     p2.join()
 *     end_time = time.time()
 *     print(f"多进程所用的时间{end_time-start_time}")
 *     print("主进程pid: ", os.getpid())
 *
 * What to watch for:
 *   - Two different child PIDs, and a third, the main's, printed last.
 *   - The "play music" and "play lol" lines take turns: both processes sleep
 *     at the same time, so the total is about 5 ticks, not 10 (see `serial`).
 *   - join makes the main wait: without it the main would print its time
 *     first (that is the `daemon` lesson).
 *   - Press Ctrl-C while it runs: both children end with it (exit status 130).
 *   - With --timeline, the chart after the run has two rows, p1 and p2, busy
 *     side by side over the same 5 ticks (compare `serial --timeline`).
 *
 *   - With --start-method spawn or forkserver the same lines, the same 5
 *     ticks: each child is a new program that runs its job by name (lesson
 *     11); under forkserver the children's parent is the server.
 *
 * Run it:   build/bin/parallel              (real seconds: about 5 s)
 *           build/bin/parallel --tick 0.1
 *           build/bin/parallel --tick 0.1 --timeline
 *           build/bin/parallel --tick 0.1 --start-method spawn
 */
#include "mp.h"

#include <string.h>
#include <unistd.h>

/* The seed's two jobs. They are the same in daemon.c, on purpose: each seed
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
    /* The jobs by name, for a child that is a new program (--start-method
     * spawn or forkserver); in such a child the guard runs its job and
     * exits: the rest of main is `if __name__ == '__main__':`. */
    MP_TARGET(play_music);
    MP_TARGET(play_lol);
    mp_main_guard();

    const struct mp_option options[] = {
        MP_TIMELINE_OPTIONS,
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL,
                  N_("Seed 5.2: play_music and play_lol in two processes, joined: about 5 ticks."));
    mp_start_method_setup();
    /* Before any child starts: the span table must be shared with them. */
    if (mp_timeline_setup(argc, argv, MP_TIMELINE_TICKS) != MP_OK)
        mp_die(N_("timeline: %s"), mp_last_error());

    double start = mp_now();
    mp_process p1, p2;
    mp_process_init(&p1, play_music, NULL);
    mp_process_init(&p2, play_lol, NULL);

    /* Each start is a fork(2): from here on the child runs its function on
     * its own, and the kernel decides which process runs when. */
    if (mp_process_start(&p1) != MP_OK)
        mp_die(N_("start %s: %s"), p1.name, mp_last_error());
    if (mp_process_start(&p2) != MP_OK)
        mp_die(N_("start %s: %s"), p2.name, mp_last_error());

    /* join = waitpid(2): the main sleeps until each child has ended. */
    if (mp_process_join(&p1, MP_FOREVER) != MP_OK)
        mp_die(N_("join %s: %s"), p1.name, mp_last_error());
    if (mp_process_join(&p2, MP_FOREVER) != MP_OK)
        mp_die(N_("join %s: %s"), p2.name, mp_last_error());

    double end = mp_now();
    mp_print(_("multi-process took %.2f s"), end - start);
    mp_print(_("main PID: %ld"), (long)getpid());

    mp_timeline_show();           /* both children are joined: their spans are complete */
    return 0;
}
