/* SPDX-License-Identifier: MIT */
/*
 * process_class - a "subclass" of Process whose run() is overridden.
 *
 * Seed section 四 (继承Process). The Python it re-builds:
 *
 *     class MyProcess(Process):
 *         def __init__(self):
 *             super().__init__()
 *         def run(self):
 *             print("hello")
 *
 *     p1 = MyProcess()
 *     p2 = MyProcess()
 *     p1.start()      # start() calls run() in the new process
 *     p2.start()
 *
 * C has no classes, so we build one from the two pieces Python uses:
 *   - the object: struct my_process starts with an mp_process, so a pointer to
 *     it is also a pointer to its mp_process ("is-a Process");
 *   - the method: mp_process has a run function pointer, which start() calls
 *     in the child; pointing it at my_run is the override.
 *
 * What to watch for:
 *   - "hello" twice, from two different PIDs: start() ran run() once in each
 *     new process, never in the main.
 *   - Their names, MyProcess-1 and MyProcess-2: Python names a process after
 *     its class, and counts every Process object made, whatever its class.
 *   - The seed does not join: the program still waits for both children
 *     before it ends, because non-daemonic children are joined at exit (in
 *     Python and in forklore alike).
 *   - --start-method spawn or forkserver: the same lines, but each child is
 *     a new program, which has to rebuild the object before it can call its
 *     run: the library sends the class's name (MP_CLASS registers it) and
 *     the bytes of its own fields, as Python pickles the instance (its
 *     class by name, its attributes by value). That is why the greeting is
 *     a char array: a pointer to a string would mean nothing over there.
 *
 * Run it:   build/bin/process_class
 *           build/bin/process_class --start-method spawn
 */
#include "mp.h"

#include <stdio.h>
#include <unistd.h>

struct my_process {
    mp_process base;        /* first member: (mp_process *) and back are safe */
    char greeting[8];       /* this "class" adds a field of its own: bytes, which
                               travel to a new program (spawn) as they are */
};

/* MyProcess.run(self): runs in the child. */
static int my_run(mp_process *self)
{
    struct my_process *me = (struct my_process *)self;
    mp_print(_("%s from %s, PID: %ld"), me->greeting, self->name, (long)getpid());
    return 0;
}

/* MyProcess.__init__(self): super().__init__(), then the override. */
static void my_process_init(struct my_process *me)
{
    mp_process_init_as(&me->base, "MyProcess", NULL, NULL);   /* "MyProcess-N", as Python names it */
    me->base.run = my_run;
    snprintf(me->greeting, sizeof me->greeting, "hello");
}

int main(int argc, char **argv)
{
    MP_CLASS(struct my_process, my_run); /* by name, for spawn and forkserver (lesson 11) */
    mp_main_guard();                     /* if __name__ == '__main__': */

    const struct mp_option options[] = {
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_tick_option = false;       /* no sleep in this lesson: no --tick */
    mp_parse_args(argc, argv, options, NULL,
                  N_("Seed 4: a Process \"subclass\" with run() overridden, started twice."));
    mp_start_method_setup();

    struct my_process p1, p2;
    my_process_init(&p1);
    my_process_init(&p2);

    if (mp_process_start(&p1.base) != MP_OK)
        mp_die(N_("start %s: %s"), p1.base.name, mp_last_error());
    if (mp_process_start(&p2.base) != MP_OK)
        mp_die(N_("start %s: %s"), p2.base.name, mp_last_error());
    return 0;   /* no join, as in the seed: exit joins them (see mp.h) */
}
