/* SPDX-License-Identifier: MIT */
/*
 * Exercise 11.1 - register the target before the guard (lesson 11, start_methods).
 *
 * One child says hello. Under fork it works; under spawn and forkserver the
 * child is a new program, which finds its target by name. Here the name is
 * registered after mp_main_guard(): in the main that is no problem, but a
 * new program stops at the guard (it runs its target there) and never gets
 * to the registration. Try it:
 *     build/exercises/11.1-register-first/yours --start-method spawn
 *
 * Your task: make it work under fork, spawn and forkserver.
 *
 * Check it: make exercise N=11.1
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
    mp_main_guard();                /* if __name__ == '__main__': */
    MP_TARGET(greet);

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
