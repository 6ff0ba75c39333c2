/* SPDX-License-Identifier: MIT */
/*
 * Exercise 05.4 - a field that survives spawn (lesson 05, process_class).
 *
 * Here greeting is a pointer (const char *) to text the main filled in from
 * --greeting. Under fork the child has main's memory, pointer and text
 * alike: it prints the greeting. Under --start-method spawn or forkserver
 * the child is a new program: the library sends the struct's bytes
 * (MP_CLASS), and the pointer's eight bytes arrive, but what they point at
 * in the new program is another matter (the text was never filled in
 * there; with address-space layout randomisation, the address may not even
 * be mapped). Try it:
 *     build/exercises/05.4-bytes-not-pointers/yours --greeting bonjour --start-method spawn
 *
 * Your task: make it print the greeting under every start method: give the
 * struct the text itself (a char array), not a pointer to it.
 *
 * Check it: make exercise N=05.4
 */
#include "mp.h"

#include <stdio.h>
#include <unistd.h>

static char greeting_text[16];      /* main fills it in from --greeting */

struct my_process {
    mp_process base;
    const char *greeting;           /* points at greeting_text */
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
    me->greeting = greeting;
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
    snprintf(greeting_text, sizeof greeting_text, "%s", greeting);

    struct my_process p1, p2;
    my_process_init(&p1, greeting_text);
    my_process_init(&p2, greeting_text);
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
