/* SPDX-License-Identifier: MIT */
/*
 * Exercise 07.1 done by one process: the lines the solution prints, with
 * the same timing, all printed by the main itself, each with its own PID.
 * Its check must fail: one process printing what two children should.
 */
#include "mp.h"

#include <unistd.h>

int main(int argc, char **argv)
{
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "One process pretending to be three.");
    double start = mp_now();
    mp_print("child p1, PID: %ld", (long)getpid());
    for (int i = 0; i < 5; i++) {
        mp_print("play music ...");
        mp_sleep_ticks(1);
    }
    mp_print("child p2, PID: %ld", (long)getpid());
    for (int i = 0; i < 5; i++) {
        mp_print("play lol ...");
        mp_sleep_ticks(1);
    }
    mp_print("multi-process took %.2f s", mp_now() - start);
    mp_print("main PID: %ld", (long)getpid());
    return 0;
}
