/* SPDX-License-Identifier: MIT */
/*
 * serial - one process does both jobs, one after the other.
 *
 * Seed section 五.1 (单进程与多进程对比). The Python it re-builds:
 *
 *     def play_music():
 *         print("子进程p1,PID:", os.getpid())
 *         for i in range(5):
 *             print('play music ...')
 *             time.sleep(1)
 *     def play_lol(): ...the same with 'play lol ...'
 *
 *     start1 = time.time()
 *     play_music()
 *     play_lol()
 *     end1 = time.time()
 *     print(f"单进程使用时间是:{end1 - start1:.2f}")
 *
 * What to watch for:
 *   - Both "child" lines print the same PID: no new process was made. The seed
 *     calls them p1 and p2, but here they are plain function calls in one
 *     process, so the second job only starts when the first has finished.
 *   - The total is about 10 ticks: 5 + 5, the sum of the two jobs.
 *   - Compare with `parallel`, which runs the same two functions in two
 *     processes and takes about 5 ticks.
 *   - With --timeline, the chart after the run has a single row, busy from
 *     end to end: one process did all the work, music (m) then lol (l). On
 *     the same --tick it is twice as long as parallel's chart.
 *
 * Run it:   build/bin/serial              (real seconds: about 10 s)
 *           build/bin/serial --tick 0.1   (the same, ten times faster)
 *           build/bin/serial --tick 0.1 --timeline
 */
#include "mp.h"

#include <unistd.h>

static void play_music(void)
{
    mp_print(_("child p1, PID: %ld"), (long)getpid());
    for (int i = 0; i < 5; i++) {
        mp_print("play music ...");
        mp_sleep_ticks(1);
    }
}

static void play_lol(void)
{
    mp_print(_("child p2, PID: %ld"), (long)getpid());
    for (int i = 0; i < 5; i++) {
        mp_print("play lol ...");
        mp_sleep_ticks(1);
    }
}

int main(int argc, char **argv)
{
    mp_main_guard();              /* if __name__ == '__main__': (lesson 11) */
    const struct mp_option options[] = {
        MP_TIMELINE_OPTIONS,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL,
                  N_("Seed 5.1: play_music() then play_lol() in one process: about 10 ticks."));
    if (mp_timeline_setup(argc, argv, MP_TIMELINE_TICKS) != MP_OK)
        mp_die(N_("timeline: %s"), mp_last_error());

    double start = mp_now();
    mp_timeline_begin("main", "music");   /* does nothing without --timeline */
    play_music();
    mp_timeline_begin("main", "lol");     /* ends the music span first */
    play_lol();
    mp_timeline_end();
    double end = mp_now();
    mp_print(_("one process took %.2f s"), end - start);

    mp_timeline_show();
    return 0;
}
