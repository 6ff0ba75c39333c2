/* SPDX-License-Identifier: MIT */
/*
 * Exercise 11.2 - a global set by main is main's (lesson 11, start_methods).
 *
 * main reads --value into a global, and the child prints it. Under fork
 * the child is a copy of main made after that: it prints the value. Under
 * spawn and forkserver it is a new program, which never ran the part of
 * main below the guard: its global is still 0. Try it:
 *     build/exercises/11.2-globals-stay-home/yours --value 7 --start-method spawn
 *
 * Your task: give the child the value as its argument's bytes
 * (mp_process_args(&p, &value, sizeof value)), which every start method
 * delivers, and print that: "child PID N: the value is 7".
 *
 * Check it: make exercise N=11.2
 */
#include "mp.h"

#include <unistd.h>

static long value;                  /* main sets it from --value */

static int show(void *arg)
{
    (void)arg;
    mp_print("child PID %ld: the value is %ld", (long)getpid(), value);
    mp_sleep_ticks(1);
    return 0;
}

int main(int argc, char **argv)
{
    MP_TARGET(show);
    mp_main_guard();

    const struct mp_option options[] = {
        { "--value", MP_OPT_INT, &value, 0, 1000000, "N", "the value the child prints" },
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL, "Exercise 11.2: a global set by main is main's.");
    mp_start_method_setup();

    mp_process p;
    mp_process_init(&p, show, NULL);
    if (mp_process_start(&p) != MP_OK)
        mp_die("start: %s", mp_last_error());
    if (mp_process_join(&p, MP_FOREVER) != MP_OK)
        mp_die("join: %s", mp_last_error());
    return 0;
}
