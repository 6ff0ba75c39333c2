/* SPDX-License-Identifier: MIT */
/*
 * Exercise 07.1 - start and join each child in turn (lesson 07, parallel).
 *
 * This is demos/parallel.c, cut down: p1 and p2 start together, then the
 * main joins both, so their lines take turns and the run takes about 5 ticks.
 *
 * Your task: start p1, join p1, then start p2, join p2. Run it
 * (build/exercises/07.1-one-at-a-time/yours --tick 0.1) and compare its time
 * with build/bin/serial: what is the main doing while it is in join?
 *
 * Check it: make exercise N=07.1
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
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "Exercise 07.1: two children, one after the other.");

    double start = mp_now();
    mp_process p1, p2;
    mp_process_init(&p1, play_music, NULL);
    mp_process_init(&p2, play_lol, NULL);

    if (mp_process_start(&p1) != MP_OK)
        mp_die("start %s: %s", p1.name, mp_last_error());
    if (mp_process_start(&p2) != MP_OK)
        mp_die("start %s: %s", p2.name, mp_last_error());
    if (mp_process_join(&p1, MP_FOREVER) != MP_OK)
        mp_die("join %s: %s", p1.name, mp_last_error());
    if (mp_process_join(&p2, MP_FOREVER) != MP_OK)
        mp_die("join %s: %s", p2.name, mp_last_error());

    mp_print("multi-process took %.2f s", mp_now() - start);
    mp_print("main PID: %ld", (long)getpid());
    return 0;
}
