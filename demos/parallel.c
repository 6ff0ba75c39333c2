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
 *
 * Run it:   build/bin/parallel              (real seconds: about 5 s)
 *           build/bin/parallel --tick 0.1
 */
#include "mp.h"

#include <unistd.h>

static int play_music(void *arg)
{
    (void)arg;
    mp_print("child p1, PID: %ld", (long)getpid());
    for (int i = 0; i < 5; i++) {
        mp_print("play music ...");
        mp_sleep_ticks(1);
    }
    return 0;
}

static int play_lol(void *arg)
{
    (void)arg;
    mp_print("child p2, PID: %ld", (long)getpid());
    for (int i = 0; i < 5; i++) {
        mp_print("play lol ...");
        mp_sleep_ticks(1);
    }
    return 0;
}

int main(int argc, char **argv)
{
    mp_parse_args(argc, argv, NULL, NULL,
                  "Seed 5.2: play_music and play_lol in two processes, joined: about 5 ticks.");

    double start = mp_now();
    mp_process p1, p2;
    mp_process_init(&p1, play_music, NULL);
    mp_process_init(&p2, play_lol, NULL);

    /* Each start is a fork(2): from here on the child runs its function on
     * its own, and the kernel decides which process runs when. */
    if (mp_process_start(&p1) == -1)
        mp_die("start %s: %s", p1.name, mp_last_error());
    if (mp_process_start(&p2) == -1)
        mp_die("start %s: %s", p2.name, mp_last_error());

    /* join = waitpid(2): the main sleeps until each child has ended. */
    mp_process_join(&p1, MP_FOREVER);
    mp_process_join(&p2, MP_FOREVER);

    double end = mp_now();
    mp_print("multi-process took %.2f s", end - start);
    mp_print("main PID: %ld", (long)getpid());
    return 0;
}
