/* SPDX-License-Identifier: MIT */
/*
 * Exercise 07.1's solution, spoilt: it also forks a child of its own with
 * plain fork(2), which sleeps on after the main has ended. Its check must
 * fail: a process left running.
 */
#include "mp.h"

#include <stdlib.h>
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

    /* One at a time: p2 is not even started until p1 has ended, so
     * nothing runs beside anything else: serial again, in three processes. */
    if (mp_process_start(&p1) != MP_OK)
        mp_die("start %s: %s", p1.name, mp_last_error());
    if (mp_process_join(&p1, MP_FOREVER) != MP_OK)
        mp_die("join %s: %s", p1.name, mp_last_error());
    if (mp_process_start(&p2) != MP_OK)
        mp_die("start %s: %s", p2.name, mp_last_error());
    if (mp_process_join(&p2, MP_FOREVER) != MP_OK)
        mp_die("join %s: %s", p2.name, mp_last_error());

    mp_print("multi-process took %.2f s", mp_now() - start);
    mp_print("main PID: %ld", (long)getpid());
    if (fork() == 0) {          /* nobody will wait for this one */
        sleep(30);
        _exit(0);
    }
    return 0;
}
