/* SPDX-License-Identifier: MIT */
/*
 * Exercise 04.1, a solution: half a tick between empty() and get.
 * Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <stdio.h>
#include <unistd.h>

struct item {
    char text[24];
};

static mp_queue *q;
static double start;

static int worker(void *arg)
{
    (void)arg;
    long pid = (long)getpid();
    mp_sleep(start + 0.5 * mp_tick - mp_now());   /* all wake together */
    struct item item;
    while (!mp_queue_empty(q)) {
        mp_sleep_ticks(0.5);            /* the window, widened: the other */
                                        /* worker saw "not empty" too */
        enum mp_status status = mp_queue_get(q, &item, mp_tick);
        if (status == MP_TIMEOUT) {
            mp_print("worker PID %ld lost the race: empty() said no, then get found nothing", pid);
            break;
        }
        if (status != MP_OK)
            mp_die("get: %s", mp_last_error());
        mp_print("worker PID %ld got %s", pid, item.text);
    }
    mp_print("worker PID %ld: done", pid);
    return 0;
}

int main(int argc, char **argv)
{
    long items = 1, workers = 2;
    const struct mp_option options[] = {
        { "--items", MP_OPT_INT, &items, 1, 1000, "N", "how many items (default 1)" },
        { "--workers", MP_OPT_INT, &workers, 1, 16, "N", "how many workers (default 2)" },
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL, "Exercise 04.1: the empty() race, made to show.");

    q = mp_queue_new(sizeof(struct item), (size_t)items);
    if (q == NULL)
        mp_die("queue: %s", mp_last_error());
    for (long i = 1; i <= items; i++) {
        struct item item;
        snprintf(item.text, sizeof item.text, "%ld", i);
        if (mp_queue_put(q, &item, 0) != MP_OK)
            mp_die("put: %s", mp_last_error());
    }
    start = mp_now();
    mp_process p[16];
    for (long i = 0; i < workers; i++) {
        mp_process_init(&p[i], worker, NULL);
        if (mp_process_start(&p[i]) != MP_OK)
            mp_die("start: %s", mp_last_error());
    }
    for (long i = 0; i < workers; i++)
        if (mp_process_join(&p[i], MP_FOREVER) != MP_OK)
            mp_die("join: %s", mp_last_error());
    mp_queue_free(q);
    return 0;
}
