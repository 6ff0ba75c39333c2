/* SPDX-License-Identifier: MIT */
/*
 * Exercise 05.1, a solution: a times field, set before start.
 * Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <stdio.h>
#include <unistd.h>

struct my_process {
    mp_process base;        /* first member: (mp_process *) and back are safe */
    char greeting[8];
    int times;              /* how many times run says its greeting */
};

/* MyProcess.run(self): runs in the child. */
static int my_run(mp_process *self)
{
    struct my_process *me = (struct my_process *)self;
    for (int i = 0; i < me->times; i++)
        mp_print("%s from %s, PID: %ld", me->greeting, self->name, (long)getpid());
    return 0;
}

/* MyProcess.__init__(self): super().__init__(), then the override. */
static void my_process_init(struct my_process *me)
{
    mp_process_init_as(&me->base, "MyProcess", NULL, NULL);
    me->base.run = my_run;
    snprintf(me->greeting, sizeof me->greeting, "hello");
    me->times = 1;
}

int main(int argc, char **argv)
{
    mp_tick_option = false;
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "Exercise 05.1: a Process subclass with a field of its own.");

    struct my_process p1, p2;
    my_process_init(&p1);
    my_process_init(&p2);
    p1.times = 1;           /* before start: the child gets the struct as it is now */
    p2.times = 3;
    if (mp_process_start(&p1.base) != MP_OK)
        mp_die("start %s: %s", p1.base.name, mp_last_error());
    if (mp_process_start(&p2.base) != MP_OK)
        mp_die("start %s: %s", p2.base.name, mp_last_error());
    return 0;   /* exit joins them */
}
