/* SPDX-License-Identifier: MIT */
/*
 * Exercise 11.1, a solution: MP_TARGET above the guard.
 * Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <unistd.h>

static int greet(void *arg)
{
    (void)arg;
    mp_print("child PID %ld: hello", (long)getpid());
    mp_sleep_ticks(1);
    return 0;
}

int main(int argc, char **argv)
{
    MP_TARGET(greet);               /* what every program of this one runs, */
    mp_main_guard();                /* then: if __name__ == '__main__': */

    const struct mp_option options[] = {
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL, "Exercise 11.1: register the target before the guard.");
    mp_start_method_setup();

    mp_process p;
    mp_process_init(&p, greet, NULL);
    if (mp_process_start(&p) != MP_OK)
        mp_die("start: %s", mp_last_error());
    if (mp_process_join(&p, MP_FOREVER) != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_print("main PID %ld: child exitcode %d", (long)getpid(), mp_process_exitcode(&p));
    return 0;
}
