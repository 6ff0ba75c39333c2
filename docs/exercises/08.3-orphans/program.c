/* SPDX-License-Identifier: MIT */
/*
 * Exercise 08.3's program: demos/parallel.c with a --daemon flag. The main
 * starts p1 and p2, prints its PID, and joins them. Do not change it:
 * predict what happens when the main alone is killed (starter.txt), then
 * check.
 */
#include "mp.h"

#include <unistd.h>

static int play(void *arg)
{
    const char *what = arg;
    mp_print("child %s, PID: %ld", what, (long)getpid());
    for (int i = 0; i < 5; i++) {
        mp_print("play %s ...", what);
        mp_sleep_ticks(1);
    }
    return 0;
}

int main(int argc, char **argv)
{
    bool daemonic = false;
    const struct mp_option options[] = {
        { "--daemon", MP_OPT_FLAG, &daemonic, 0, 0, NULL, "make both children daemonic" },
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL, "Exercise 08.3: kill the main, and see what its children do.");

    mp_process p1, p2;
    mp_process_init(&p1, play, "music");
    mp_process_init(&p2, play, "lol");
    p1.daemon = p2.daemon = daemonic;
    if (mp_process_start(&p1) != MP_OK || mp_process_start(&p2) != MP_OK)
        mp_die("start: %s", mp_last_error());
    mp_print("main PID: %ld", (long)getpid());
    if (mp_process_join(&p1, MP_FOREVER) != MP_OK || mp_process_join(&p2, MP_FOREVER) != MP_OK)
        mp_die("join: %s", mp_last_error());
    return 0;
}
