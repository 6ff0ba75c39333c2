/* SPDX-License-Identifier: MIT */
/*
 * Exercise 11.2, a solution: the value travels as the argument's bytes.
 * Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <unistd.h>

static int show(void *arg)
{
    long value = *(const long *)arg;   /* this process's own copy of the bytes */
    mp_print("child PID %ld: the value is %ld", (long)getpid(), value);
    mp_sleep_ticks(1);
    return 0;
}

int main(int argc, char **argv)
{
    MP_TARGET(show);
    mp_main_guard();

    long value = 0;
    const struct mp_option options[] = {
        { "--value", MP_OPT_INT, &value, 0, 1000000, "N", "the value the child prints" },
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL, "Exercise 11.2: a global set by main is main's.");
    mp_start_method_setup();

    mp_process p;
    mp_process_init(&p, show, NULL);
    if (mp_process_args(&p, &value, sizeof value) != MP_OK)
        mp_die("args: %s", mp_last_error());
    if (mp_process_start(&p) != MP_OK)
        mp_die("start: %s", mp_last_error());
    if (mp_process_join(&p, MP_FOREVER) != MP_OK)
        mp_die("join: %s", mp_last_error());
    return 0;
}
