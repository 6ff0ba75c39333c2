/* SPDX-License-Identifier: MIT */
/*
 * bench queue - how many 8-byte items a second go through an mp_queue, from
 * P producer processes to C consumer processes (rows "queue 1->1" and
 * "queue 2->2"). Twin: tests/bench/queue.py does the same with Python's
 * multiprocessing.Queue. Output: "ROW<TAB>items/s<TAB>items/s" per row.
 *
 *     build/bench/queue [ITEMS]      (default 10,000,000 per row)
 */
#include "mp.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CAPACITY 4096
#define MAX_SIDE 2

static mp_queue *queue;     /* the queue measured */
static mp_queue *results;   /* each consumer's count, sent back to main */

static int producer(void *arg)
{
    uint64_t n = *(uint64_t *)arg;
    for (uint64_t i = 0; i < n; i++)
        if (mp_queue_put(queue, &i, MP_FOREVER) != MP_OK)
            mp_die("put: %s", mp_last_error());
    return 0;
}

/* Takes items until the queue is closed and drained; reports how many. */
static int consumer(void *arg)
{
    (void)arg;
    uint64_t item, count = 0;
    enum mp_status status;
    while ((status = mp_queue_get(queue, &item, MP_FOREVER)) == MP_OK)
        count++;
    if (status != MP_CLOSED)
        mp_die("get: %s", mp_last_error());
    if (mp_queue_put(results, &count, MP_FOREVER) != MP_OK)
        mp_die("put result: %s", mp_last_error());
    return 0;
}

/* Moves items through a fresh queue with p producers and c consumers;
 * returns items per second, from the first fork to the last consumer's end. */
static double run(int p, int c, uint64_t items)
{
    queue = mp_queue_new(sizeof(uint64_t), CAPACITY);
    results = mp_queue_new(sizeof(uint64_t), MAX_SIDE);
    if (queue == NULL || results == NULL)
        mp_die("queue: %s", mp_last_error());

    mp_process producers[MAX_SIDE], consumers[MAX_SIDE];
    uint64_t share = items / (uint64_t)p;
    double start = mp_now();
    for (int i = 0; i < c; i++) {
        mp_process_init(&consumers[i], consumer, NULL);
        if (mp_process_start(&consumers[i]) == -1)
            mp_die("start: %s", mp_last_error());
    }
    for (int i = 0; i < p; i++) {
        mp_process_init(&producers[i], producer, &share);
        if (mp_process_start(&producers[i]) == -1)
            mp_die("start: %s", mp_last_error());
    }
    for (int i = 0; i < p; i++)
        mp_process_join(&producers[i], MP_FOREVER);
    mp_queue_close(queue);            /* no more items: consumers drain, then stop */
    for (int i = 0; i < c; i++)
        mp_process_join(&consumers[i], MP_FOREVER);
    double seconds = mp_now() - start;

    uint64_t got = 0, count;
    for (int i = 0; i < c; i++) {
        if (mp_queue_get(results, &count, 0) != MP_OK)
            mp_die("consumer %d reported nothing", i + 1);
        got += count;
    }
    if (got != share * (uint64_t)p)
        mp_die("%d->%d: %llu items sent, %llu received", p, c,
               (unsigned long long)(share * (uint64_t)p), (unsigned long long)got);
    mp_queue_free(queue);
    mp_queue_free(results);
    return (double)got / seconds;
}

int main(int argc, char **argv)
{
    uint64_t items = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    if (items < 2)
        mp_die("usage: queue [ITEMS] (at least 2)");
    printf("queue 1->1\t%.0f\titems/s\n", run(1, 1, items));
    printf("queue 2->2\t%.0f\titems/s\n", run(2, 2, items));
    return 0;
}
