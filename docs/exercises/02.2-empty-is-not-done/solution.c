/* SPDX-License-Identifier: MIT */
/*
 * Exercise 02.2, a solution: the main closes the queue after its last put;
 * each worker gets until get says MP_CLOSED. Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <stdio.h>
#include <unistd.h>

struct url {
    char name[24];              /* "url-1", "url-2"... */
};

static mp_queue *q;             /* made before the workers are forked */

static int worker(void *arg)
{
    (void)arg;
    long pid = (long)getpid();
    mp_print("worker PID %ld: started", pid);
    struct url url;
    enum mp_status status;
    while ((status = mp_queue_get(q, &url, MP_FOREVER)) == MP_OK) {
        mp_sleep_ticks(1);                      /* the download */
        mp_print("worker PID %ld fetched %s", pid, url.name);
    }
    if (status != MP_CLOSED)                    /* closed and drained: done */
        mp_die("get: %s", mp_last_error());
    mp_print("worker PID %ld: no more URLs", pid);
    return 0;
}

int main(int argc, char **argv)
{
    long urls = 2, workers = 2;
    const struct mp_option options[] = {
        { "--urls", MP_OPT_INT, &urls, 1, 100, "N", "how many URLs (default 2)" },
        { "--workers", MP_OPT_INT, &workers, 1, 16, "N", "how many workers (default 2)" },
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL, "Exercise 02.2: workers that know when to stop.");

    q = mp_queue_new(sizeof(struct url), (size_t)urls);
    if (q == NULL)
        mp_die("queue: %s", mp_last_error());
    for (long i = 1; i <= urls; i++) {
        struct url url;
        snprintf(url.name, sizeof url.name, "url-%ld", i);
        if (mp_queue_put(q, &url, 0) != MP_OK)
            mp_die("put: %s", mp_last_error());
    }
    if (mp_queue_close(q) != MP_OK)             /* no more URLs will come */
        mp_die("close: %s", mp_last_error());

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
