/* SPDX-License-Identifier: MIT */
/*
 * Exercise 07.3, a solution: play_lol returns 3; main prints both codes.
 * Why: docs/exercises/ANSWERS.md.
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
    return 3;               /* the child's exit status: _exit(3) */
}

int main(int argc, char **argv)
{
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "Exercise 07.3: the children's exit codes.");

    mp_process p1, p2;
    mp_process_init(&p1, play_music, NULL);
    mp_process_init(&p2, play_lol, NULL);
    if (mp_process_start(&p1) != MP_OK || mp_process_start(&p2) != MP_OK)
        mp_die("start: %s", mp_last_error());
    if (mp_process_join(&p1, MP_FOREVER) != MP_OK || mp_process_join(&p2, MP_FOREVER) != MP_OK)
        mp_die("join: %s", mp_last_error());
    /* What waitpid learnt: the exit status, or -N for death by signal N. */
    mp_print("p1 exitcode: %d", mp_process_exitcode(&p1));
    mp_print("p2 exitcode: %d", mp_process_exitcode(&p2));
    mp_print("main PID: %ld", (long)getpid());
    return 0;
}
