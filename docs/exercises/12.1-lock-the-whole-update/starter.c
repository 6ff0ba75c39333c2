/* SPDX-License-Identifier: MIT */
/*
 * Exercise 12.1 - lost updates, in slow motion (lesson 12, shared_counter).
 *
 * Four workers each add 1 to one shared counter (mp_value_new('i'), which is
 * Python's Value('i', 0)) 25 times: it should end at 100. `*value += 1` is
 * three steps, load, add, store; here they are written out, with a pause of
 * 2 ms between the load and the store, so that what a time slice ending at
 * the wrong instruction does now and then happens on almost every turn:
 * another worker loads the same number meanwhile, both store it plus 1, and
 * one update is lost. It ends far below 100.
 *
 * Your task: make it end at 100 on every run, the four workers still at work
 * at the same time: hold the counter's own lock (mp_value_get_lock, then
 * mp_lock_acquire and mp_lock_release) around the three steps.
 *
 * Check it: make exercise N=12.1
 */
#include "mp.h"

#include <unistd.h>

#define WORKERS 4
#define TIMES 25

/* Made before the workers start: each forked worker maps the same memory. */
static mp_value *counter;

static int add(void *arg)
{
    (void)arg;
    volatile int *value = mp_value_ptr(counter);
    mp_print("worker PID %ld: starts", (long)getpid());
    for (int i = 0; i < TIMES; i++) {
        int seen = *value;          /* load */
        mp_sleep(0.002);            /* the gap between load and store, made wide */
        *value = seen + 1;          /* add, store */
    }
    mp_print("worker PID %ld: added 1, %d times", (long)getpid(), TIMES);
    return 0;
}

int main(int argc, char **argv)
{
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_tick_option = false;
    mp_parse_args(argc, argv, options, NULL, "Exercise 12.1: lost updates, in slow motion.");

    counter = mp_value_new('i');
    if (counter == NULL)
        mp_die("Value: %s", mp_last_error());
    mp_process workers[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        mp_process_init(&workers[i], add, NULL);
        if (mp_process_start(&workers[i]) != MP_OK)
            mp_die("start %s: %s", workers[i].name, mp_last_error());
    }
    for (int i = 0; i < WORKERS; i++) {
        if (mp_process_join(&workers[i], MP_FOREVER) != MP_OK)
            mp_die("join %s: %s", workers[i].name, mp_last_error());
        if (mp_process_exitcode(&workers[i]) != 0)
            mp_die("%s: exitcode %d", workers[i].name, mp_process_exitcode(&workers[i]));
    }
    mp_print("main PID %ld: counter = %d", (long)getpid(), *(volatile int *)mp_value_ptr(counter));
    mp_value_free(counter);
    return 0;
}
