/* SPDX-License-Identifier: MIT */
/*
 * Exercise 05.4, a solution: the greeting's bytes in the struct itself.
 * Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <stdio.h>
#include <unistd.h>

struct my_process {
    mp_process base;
    char greeting[16];              /* the text itself: bytes travel */
};

static int my_run(mp_process *self)
{
    struct my_process *me = (struct my_process *)self;
    mp_print("%s from %s, PID: %ld", me->greeting, self->name, (long)getpid());
    return 0;
}

static void my_process_init(struct my_process *me, const char *greeting)
{
    mp_process_init_as(&me->base, "MyProcess", NULL, NULL);
    me->base.run = my_run;
    snprintf(me->greeting, sizeof me->greeting, "%s", greeting);
}

int main(int argc, char **argv)
{
    MP_CLASS(struct my_process, my_run);   /* by name, for spawn and forkserver */
    mp_main_guard();

    const char *greeting = "hello";
    const struct mp_option options[] = {
        { "--greeting", MP_OPT_TEXT, &greeting, 0, 0, "WORD", "what run says (default hello)" },
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_tick_option = false;
    mp_parse_args(argc, argv, options, NULL, "Exercise 05.4: a field that survives spawn.");
    mp_start_method_setup();

    struct my_process p1, p2;
    my_process_init(&p1, greeting);
    my_process_init(&p2, greeting);
    if (mp_process_start(&p1.base) != MP_OK)
        mp_die("start %s: %s", p1.base.name, mp_last_error());
    if (mp_process_start(&p2.base) != MP_OK)
        mp_die("start %s: %s", p2.base.name, mp_last_error());
    if (mp_process_join(&p1.base, MP_FOREVER) != MP_OK || mp_process_join(&p2.base, MP_FOREVER) != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_print("main: %s exitcode %d, %s exitcode %d", p1.base.name, mp_process_exitcode(&p1.base),
             p2.base.name, mp_process_exitcode(&p2.base));
    return 0;
}
