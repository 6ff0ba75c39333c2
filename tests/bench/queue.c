/* SPDX-License-Identifier: MIT */
/*
 * bench queue - how many 8-byte items a second go through an mp_queue, from
 * P producer processes to C consumer processes. Twin: tests/bench/queue.py
 * does the same with Python's multiprocessing.Queue. Output, one line per
 * row: "ROW<TAB>items/s<TAB>items/s".
 *
 *     build/bench/queue [ITEMS]      rows "queue 1->1", "queue 2->2" (a
 *                                    queue of 4096) and "queue 1->1 batched"
 *                                    (put_many / get_many of 64); default
 *                                    10,000,000 items per row; then "queue
 *                                    round trip", in microseconds: an item
 *                                    put, taken by another process and put
 *                                    back on a second queue, taken (both
 *                                    of capacity 1), ITEMS / 100 times
 *     build/bench/queue busy [ITEMS] rows "queue 1->1, capacity 8, 2 busy
 *                                    CPUs" and the same for 2->2; default
 *                                    200,000 items. tests/bench/run.sh starts
 *                                    the two busy loops beside it.
 * With BENCH_CPUS="A B" (two CPUs, each with one of run.sh's busy loops
 * pinned to it), busy adds two 1->1 rows whose processes are pinned too:
 * "one CPU", producer and consumer both on A beside its loop; "a CPU each",
 * producer on A, consumer on B. The unpinned row is whichever of the two
 * the scheduler chose (it moves them as it likes), which is why its spread
 * is wide: the pinned rows say what each placement costs.
 */
#ifdef __linux__
#define _GNU_SOURCE            /* sched_setaffinity, CPU_SET */
#include <sched.h>
#endif
#include "mp.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIDE 2
#define BATCH 64

static mp_queue *queue;     /* the queue measured */
static mp_queue *results;   /* each consumer's count, sent back to main */
static size_t batch;        /* items per put_many / get_many; 1: put and get */
static int producer_cpu = -1, consumer_cpu = -1;   /* -1: where the scheduler likes */

/* Keeps this process on one CPU from now on (cpu -1: leaves it free). */
static void pin_to(int cpu)
{
    if (cpu < 0)
        return;
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == -1)
        mp_die("sched_setaffinity %d: %s", cpu, strerror(errno));
#else
    mp_die("pinning to a CPU needs Linux");
#endif
}

static int producer(void *arg)
{
    uint64_t n = *(uint64_t *)arg, items[BATCH];
    pin_to(producer_cpu);
    for (uint64_t i = 0; i < n; i += batch) {
        size_t k = 0;
        for (; k < batch && i + k < n; k++)
            items[k] = i + k;
        enum mp_status status = batch == 1 ? mp_queue_put(queue, items, MP_FOREVER)
                                           : mp_queue_put_many(queue, items, k, NULL, MP_FOREVER);
        if (status != MP_OK)
            mp_die("put: %s", mp_last_error());
    }
    return 0;
}

/* Takes items until the queue is closed and drained; reports how many. */
static int consumer(void *arg)
{
    (void)arg;
    uint64_t items[BATCH], count = 0;
    size_t got = 1;
    pin_to(consumer_cpu);
    enum mp_status status;
    while ((status = batch == 1 ? mp_queue_get(queue, items, MP_FOREVER)
                                : mp_queue_get_many(queue, items, batch, &got, MP_FOREVER)) == MP_OK)
        count += got;
    if (status != MP_CLOSED)
        mp_die("get: %s", mp_last_error());
    if (mp_queue_put(results, &count, MP_FOREVER) != MP_OK)
        mp_die("put result: %s", mp_last_error());
    return 0;
}

static void start(mp_process *p, int (*target)(void *), void *arg)
{
    mp_process_init(p, target, arg);
    if (mp_process_start(p) != MP_OK)
        mp_die("start: %s", mp_last_error());
}

static void join(mp_process *p)
{
    if (mp_process_join(p, MP_FOREVER) != MP_OK || mp_process_exitcode(p) != 0)
        mp_die("%s did not end well: %s", p->name, mp_last_error());
}

/* Moves items through a fresh queue of the given capacity with p producers
 * and c consumers, `each` items per call; returns items per second, from
 * the first fork to the last consumer's end. */
static double run(int p, int c, size_t capacity, size_t each, uint64_t items)
{
    queue = mp_queue_new(sizeof(uint64_t), capacity);
    results = mp_queue_new(sizeof(uint64_t), MAX_SIDE);
    if (queue == NULL || results == NULL)
        mp_die("queue: %s", mp_last_error());
    batch = each;

    mp_process producers[MAX_SIDE], consumers[MAX_SIDE];
    uint64_t share = items / (uint64_t)p;
    double start_time = mp_now();
    for (int i = 0; i < c; i++)
        start(&consumers[i], consumer, NULL);
    for (int i = 0; i < p; i++)
        start(&producers[i], producer, &share);
    for (int i = 0; i < p; i++)
        join(&producers[i]);
    if (mp_queue_close(queue) != MP_OK)  /* no more items: consumers drain, then stop */
        mp_die("close: %s", mp_last_error());
    for (int i = 0; i < c; i++)
        join(&consumers[i]);
    double seconds = mp_now() - start_time;

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

/* The other process's side of a round trip: each item straight back. */
static int echo(void *arg)
{
    mp_queue **there_and_back = arg;
    uint64_t item;
    enum mp_status status;
    while ((status = mp_queue_get(there_and_back[0], &item, MP_FOREVER)) == MP_OK)
        if (mp_queue_put(there_and_back[1], &item, MP_FOREVER) != MP_OK)
            mp_die("echo put: %s", mp_last_error());
    if (status != MP_CLOSED)
        mp_die("echo get: %s", mp_last_error());
    return 0;
}

/* Microseconds per round trip, the mean of n after 1,000 not counted. */
static double round_trip(uint64_t n)
{
    mp_queue *there_and_back[2] = { mp_queue_new(sizeof(uint64_t), 1),
                                    mp_queue_new(sizeof(uint64_t), 1) };
    if (there_and_back[0] == NULL || there_and_back[1] == NULL)
        mp_die("queue: %s", mp_last_error());
    mp_process other;
    start(&other, echo, there_and_back);
    double start_time = 0;
    for (uint64_t i = 0; i < n + 1000; i++) {
        if (i == 1000)
            start_time = mp_now();
        uint64_t item = i;
        if (mp_queue_put(there_and_back[0], &item, MP_FOREVER) != MP_OK
            || mp_queue_get(there_and_back[1], &item, MP_FOREVER) != MP_OK || item != i)
            mp_die("round trip %llu failed", (unsigned long long)i);
    }
    double seconds = mp_now() - start_time;
    if (mp_queue_close(there_and_back[0]) != MP_OK)
        mp_die("close: %s", mp_last_error());
    join(&other);
    mp_queue_free(there_and_back[0]);
    mp_queue_free(there_and_back[1]);
    return seconds / (double)n * 1e6;
}

int main(int argc, char **argv)
{
    bool busy = argc > 1 && strcmp(argv[1], "busy") == 0;
    const char *count = argc > 1 + busy ? argv[1 + busy] : NULL;
    uint64_t items = count != NULL ? strtoull(count, NULL, 10) : busy ? 200000 : 10000000;
    if (items < 2)
        mp_die("usage: queue [busy] [ITEMS] (at least 2)");
    if (busy) {
        printf("queue 1->1, capacity 8, 2 busy CPUs\t%.0f\titems/s\n", run(1, 1, 8, 1, items));
        printf("queue 2->2, capacity 8, 2 busy CPUs\t%.0f\titems/s\n", run(2, 2, 8, 1, items));
        int a, b;
        const char *cpus = getenv("BENCH_CPUS");
        if (cpus != NULL && sscanf(cpus, "%d %d", &a, &b) == 2) {
            producer_cpu = consumer_cpu = a;
            printf("queue 1->1 cap 8, busy, one CPU\t%.0f\titems/s\n", run(1, 1, 8, 1, items));
            consumer_cpu = b;
            printf("queue 1->1 cap 8, busy, a CPU each\t%.0f\titems/s\n", run(1, 1, 8, 1, items));
        }
        return 0;
    }
    printf("queue 1->1\t%.0f\titems/s\n", run(1, 1, 4096, 1, items));
    printf("queue 2->2\t%.0f\titems/s\n", run(2, 2, 4096, 1, items));
    printf("queue 1->1 batched\t%.0f\titems/s\n", run(1, 1, 4096, BATCH, items));
    printf("queue round trip\t%.3g\tus\n", round_trip(items / 100 > 1 ? items / 100 : 1));
    return 0;
}
