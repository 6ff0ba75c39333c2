/* SPDX-License-Identifier: MIT */
/*
 * Exercise 05.2, a solution: join both, then print p1.greeting: "hello".
 * Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <stdio.h>
#include <unistd.h>

struct my_process {
    mp_process base;
    char greeting[8];
};

static int my_run(mp_process *self)
{
    struct my_process *me = (struct my_process *)self;
    long pid = (long)getpid();
    mp_print("%s from %s, PID: %ld", me->greeting, self->name, pid);
    snprintf(me->greeting, sizeof me->greeting, "bye");
    mp_print("%s (PID %ld): my greeting is now %s", self->name, pid, me->greeting);
    return 0;
}

static void my_process_init(struct my_process *me)
{
    mp_process_init_as(&me->base, "MyProcess", NULL, NULL);
    me->base.run = my_run;
    snprintf(me->greeting, sizeof me->greeting, "hello");
}

int main(int argc, char **argv)
{
    mp_tick_option = false;
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "Exercise 05.2: what the main sees of a child's change.");

    struct my_process p1, p2;
    my_process_init(&p1);
    my_process_init(&p2);
    if (mp_process_start(&p1.base) != MP_OK)
        mp_die("start %s: %s", p1.base.name, mp_last_error());
    if (mp_process_start(&p2.base) != MP_OK)
        mp_die("start %s: %s", p2.base.name, mp_last_error());
    if (mp_process_join(&p1.base, MP_FOREVER) != MP_OK || mp_process_join(&p2.base, MP_FOREVER) != MP_OK)
        mp_die("join: %s", mp_last_error());
    /* Each child wrote "bye" into its own copy of the struct: main's is as it was. */
    mp_print("main (PID %ld): p1.greeting = %s", (long)getpid(), p1.greeting);
    return 0;
}
