/* SPDX-License-Identifier: MIT */
/*
 * Exercise 05.1 - a field of your own (lesson 05, process_class).
 *
 * demos/process_class.c, cut down: struct my_process "is-a" Process (its
 * mp_process comes first) and overrides run; p1 and p2 each say hello once.
 *
 * Your task: give struct my_process a field `int times`, and make my_run
 * print its greeting that many times; create p1 with 1 and p2 with 3. Set
 * the field after my_process_init and before mp_process_start.
 *
 * Check it: make exercise N=05.1
 */
#include "mp.h"

#include <stdio.h>
#include <unistd.h>

struct my_process {
    mp_process base;        /* first member: (mp_process *) and back are safe */
    char greeting[8];
};

/* MyProcess.run(self): runs in the child. */
static int my_run(mp_process *self)
{
    struct my_process *me = (struct my_process *)self;
    mp_print("%s from %s, PID: %ld", me->greeting, self->name, (long)getpid());
    return 0;
}

/* MyProcess.__init__(self): super().__init__(), then the override. */
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
    mp_parse_args(argc, argv, options, NULL, "Exercise 05.1: a Process subclass with a field of its own.");

    struct my_process p1, p2;
    my_process_init(&p1);
    my_process_init(&p2);
    if (mp_process_start(&p1.base) != MP_OK)
        mp_die("start %s: %s", p1.base.name, mp_last_error());
    if (mp_process_start(&p2.base) != MP_OK)
        mp_die("start %s: %s", p2.base.name, mp_last_error());
    return 0;   /* exit joins them */
}
