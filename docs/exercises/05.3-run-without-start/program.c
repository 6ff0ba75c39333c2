/* SPDX-License-Identifier: MIT */
/*
 * Exercise 05.3's program: run() called directly for p1, start() for p2.
 * Do not change it: predict what it prints (starter.txt), then check.
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
    mp_print("%s from %s (current process: %s), PID: %ld", me->greeting, self->name,
             mp_current_process_name(), (long)getpid());
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
    mp_parse_args(argc, argv, options, NULL, "Exercise 05.3: run() called without start().");

    mp_print("main PID: %ld", (long)getpid());
    struct my_process p1, p2;
    my_process_init(&p1);
    my_process_init(&p2);
    my_run(&p1.base);                   /* instead of mp_process_start(&p1.base) */
    if (mp_process_start(&p2.base) != MP_OK)
        mp_die("start %s: %s", p2.base.name, mp_last_error());
    return 0;
}
