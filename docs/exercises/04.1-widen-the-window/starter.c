/* SPDX-License-Identifier: MIT */
/*
 * Exercise 04.1 - make a rare race happen every time (lesson 04, shared_queue).
 *
 * The seed's worker loop, as shared_queue --racy runs it:
 *
 *     while not q.empty():
 *         item = q.get()
 *
 * Two workers wake at the same moment with one item in the queue. Both may
 * see "not empty"; one gets the item, the other then waits in get (here for
 * one tick, then it says "lost the race"). In C the window between empty()
 * and get is a few instructions, so it hardly ever happens: run it a few
 * times (--items 1 --workers 2) and count. Python's window (an interpreter,
 * a lock, a pipe) is far wider: its version hung in about one run in 45.
 *
 * Your task: widen the window, so that the race shows on (nearly) every
 * run: let a worker that has seen "not empty" sleep half a tick
 * (mp_sleep_ticks(0.5)) before it calls get. A rare race is still a bug:
 * this is how to make one show itself.
 *
 * Check it: make exercise N=04.1
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
