/* SPDX-License-Identifier: MIT */
/*
 * Exercise 12.1, a solution: the counter's lock held around load, add, store.
 * Why: docs/exercises/ANSWERS.md.
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
    mp_lock *lock = mp_value_get_lock(counter);
    mp_print("worker PID %ld: starts", (long)getpid());
    for (int i = 0; i < TIMES; i++) {
        /* Nobody else can load between our load and our store: the
         * others sleep in acquire (a futex) until we release. */
        if (mp_lock_acquire(lock, MP_FOREVER) != MP_OK)
            mp_die("acquire: %s", mp_last_error());
        int seen = *value;          /* load */
        mp_sleep(0.002);            /* the gap between load and store, made wide */
        *value = seen + 1;          /* add, store */
        if (mp_lock_release(lock) != MP_OK)
            mp_die("release: %s", mp_last_error());
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
