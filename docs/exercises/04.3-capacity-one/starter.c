/* SPDX-License-Identifier: MIT */
/*
 * Exercise 04.3 - a queue with room for one (lesson 04, shared_queue).
 *
 * As shared_queue does, the main puts every item before it starts any
 * worker; but this queue has room for 1 item, and put waits for room
 * (MP_FOREVER). Run it with --items 30: it never ends. Why, and where is
 * the main waiting? (ps -o pid,stat,wchan:20,cmd -C yours: a POSIX semaphore
 * sleeps on a futex; the check shows it too.)
 *
 * Your task: make it work with the capacity of 1: start the workers first,
 * then put the items (each put waits until a worker has taken the last
 * one), then close the queue; the workers get until get says MP_CLOSED.
 * Keep the "main: put N" line after each put.
 *
 * Check it: make exercise N=04.3
 */
#include "mp.h"

#include <stdio.h>
#include <unistd.h>

struct item {
    char text[24];
};

static mp_queue *q;

static int worker(void *arg)
{
    (void)arg;
    long pid = (long)getpid();
    struct item item;
    while (mp_queue_get(q, &item, MP_FOREVER) == MP_OK)
        mp_print("worker PID %ld got %s", pid, item.text);
    return 0;
}

int main(int argc, char **argv)
{
    long items = 30, workers = 3;
    const struct mp_option options[] = {
        { "--items", MP_OPT_INT, &items, 1, 100000, "N", "how many items (default 30)" },
        { "--workers", MP_OPT_INT, &workers, 1, 16, "N", "how many workers (default 3)" },
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL, "Exercise 04.3: a queue with room for one item.");

    q = mp_queue_new(sizeof(struct item), 1);          /* room for one */
    if (q == NULL)
        mp_die("queue: %s", mp_last_error());
    for (long i = 1; i <= items; i++) {
        struct item item;
        snprintf(item.text, sizeof item.text, "%ld", i);
        if (mp_queue_put(q, &item, MP_FOREVER) != MP_OK)
            mp_die("put: %s", mp_last_error());
        mp_print("main: put %ld", i);
    }

    mp_process p[16];
    for (long i = 0; i < workers; i++) {
        mp_process_init(&p[i], worker, NULL);
        if (mp_process_start(&p[i]) != MP_OK)
            mp_die("start: %s", mp_last_error());
    }
    for (long i = 0; i < workers; i++)
        if (mp_process_join(&p[i], MP_FOREVER) != MP_OK)
            mp_die("join: %s", mp_last_error());
    mp_print("main PID %ld: all workers done", (long)getpid());
    mp_queue_free(q);
    return 0;
}
