/* SPDX-License-Identifier: MIT */
/*
 * Exercise 04.2, a solution: one empty item per worker after the real ones.
 * Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <stdio.h>
#include <unistd.h>

struct item {
    char text[24];               /* "1", "2"... */
};

static mp_queue *q;

static int worker(void *arg)
{
    (void)arg;
    long pid = (long)getpid();
    struct item item;
    int got = 0;
    while (mp_queue_get(q, &item, MP_FOREVER) == MP_OK) {
        if (item.text[0] == '\0')              /* the sentinel: this one is mine */
            break;
        mp_print("worker PID %ld got %s", pid, item.text);
        mp_sleep_ticks(0.1);                    /* the work */
        got++;
    }
    mp_print("worker PID %ld: done, %d items", pid, got);
    return 0;
}

int main(int argc, char **argv)
{
    long items = 10, workers = 3;
    const struct mp_option options[] = {
        { "--items", MP_OPT_INT, &items, 1, 1000, "N", "how many items (default 10)" },
        { "--workers", MP_OPT_INT, &workers, 1, 16, "N", "how many workers (default 3)" },
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL, "Exercise 04.2: workers stopped by sentinels.");

    q = mp_queue_new(sizeof(struct item), (size_t)(items + workers));
    if (q == NULL)
        mp_die("queue: %s", mp_last_error());
    for (long i = 1; i <= items; i++) {
        struct item item;
        snprintf(item.text, sizeof item.text, "%ld", i);
        if (mp_queue_put(q, &item, 0) != MP_OK)
            mp_die("put: %s", mp_last_error());
    }
    /* One sentinel per worker: each is taken by exactly one worker, which
     * then stops and takes no more; they come after every real item. */
    for (long i = 0; i < workers; i++) {
        struct item stop = { "" };
        if (mp_queue_put(q, &stop, 0) != MP_OK)
            mp_die("put: %s", mp_last_error());
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
