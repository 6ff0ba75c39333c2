/* SPDX-License-Identifier: MIT */
/*
 * test_queue - the queue layer's behaviours, one per sub-command, each
 * printing what it saw for tests/queue.bats to check.
 *
 *     test_queue many | many-batched | pill | get-timeout | put-timeout
 *                | close-wakes | closed | batch-edges | kill-holding-lock
 *                | kill-waiting | kill-mid-put | kill-random
 *                | kill-random-batched | lock-wake-lost
 *
 * To kill a process while it holds the queue's lock, without any hook in the
 * library: it calls get (or put) with an item buffer whose memory it may not
 * touch (a page mapped PROT_NONE). The copy, done while holding the lock,
 * faults; the SIGSEGV handler tells the parent "I am holding it" and waits,
 * and the parent sends SIGKILL. The process dies in the middle of the copy,
 * before the commit: exactly the case the queue must survive.
 */
#ifdef __linux__
#define _GNU_SOURCE            /* sched_setaffinity, SCHED_IDLE */
#endif
#include "mp.h"
#include "status.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_PROCS 8
#define PILL UINT64_MAX

static mp_queue *queue;      /* the queue under test */
static mp_queue *results;    /* what each consumer saw, sent back to main */

struct result {
    uint64_t count;          /* items received */
    uint64_t checksum;       /* sum of mix(item) */
    uint64_t out_of_order;   /* items older than one already seen from the same producer */
    int status;              /* the enum mp_status that ended the loop */
};

static const char *status_name(int status)
{
    switch (status) {
    case MP_OK:      return "ok";
    case MP_TIMEOUT: return "timeout";
    case MP_CLOSED:  return "closed";
    case MP_ERROR:   return "error";
    }
    return "?";
}

/* An item is (producer << 32) | sequence number. mix scrambles it, so that
 * a sum of mixed items catches a lost item made up for by a duplicate. */
static uint64_t item_of(uint64_t producer, uint64_t seq)
{
    return producer << 32 | seq;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

static uint64_t expected_checksum(int producers, uint64_t first, uint64_t per_producer)
{
    uint64_t sum = 0;
    for (int p = 0; p < producers; p++)
        for (uint64_t s = first; s < first + per_producer; s++)
            sum += mix(item_of((uint64_t)p, s));
    return sum;
}

static void start(mp_process *p, int (*target)(void *), void *arg)
{
    mp_process_init(p, target, arg);
    if (mp_process_start(p) != MP_OK)
        mp_die("start %s: %s", p->name, mp_last_error());
}

/* --- producers and consumers -------------------------------------------- */

struct producer_args {
    uint64_t id, first, count;
};

static int producer(void *arg)
{
    struct producer_args *a = arg;
    for (uint64_t s = a->first; s < a->first + a->count; s++) {
        uint64_t item = item_of(a->id, s);
        enum mp_status status = mp_queue_put(queue, &item, MP_FOREVER);
        if (status != MP_OK)
            mp_die("put: %s", status_name(status));
    }
    return 0;
}

/* Takes items until the queue says closed (or, with stop_at_pill, until the
 * pill): the two ways a worker knows there is no more work. */
static int consume(bool stop_at_pill)
{
    struct result r = { 0, 0, 0, MP_OK };
    uint64_t last[MAX_PROCS];
    for (int p = 0; p < MAX_PROCS; p++)
        last[p] = UINT64_MAX;            /* nothing seen yet */
    uint64_t item;
    while ((r.status = mp_queue_get(queue, &item, MP_FOREVER)) == MP_OK) {
        if (stop_at_pill && item == PILL)
            break;
        uint64_t p = item >> 32, seq = item & 0xffffffffu;
        if (p >= MAX_PROCS || (last[p] != UINT64_MAX && seq <= last[p]))
            r.out_of_order++;
        else
            last[p] = seq;
        r.count++;
        r.checksum += mix(item);
    }
    if (mp_queue_put(results, &r, MP_FOREVER) != MP_OK)
        mp_die("put result: %s", mp_last_error());
    return 0;
}

static int consumer(void *arg)
{
    (void)arg;
    return consume(false);
}

static int pill_consumer(void *arg)
{
    (void)arg;
    return consume(true);
}

/* Collects the consumers' results and prints one line about them. */
static void report(int consumers, uint64_t want_count, uint64_t want_checksum)
{
    struct result total = { 0, 0, 0, MP_OK }, r;
    char statuses[64] = "";
    for (int i = 0; i < consumers; i++) {
        if (mp_queue_get(results, &r, 5) != MP_OK)
            mp_die("consumer %d sent no result", i + 1);
        total.count += r.count;
        total.checksum += r.checksum;
        total.out_of_order += r.out_of_order;
        snprintf(statuses + strlen(statuses), sizeof statuses - strlen(statuses), "%s%s",
                 i > 0 ? "," : "", status_name(r.status));
    }
    mp_print("items=%llu/%llu checksum=%s order=%s statuses=%s",
             (unsigned long long)total.count, (unsigned long long)want_count,
             total.checksum == want_checksum ? "ok" : "wrong",
             total.out_of_order == 0 ? "ok" : "wrong", statuses);
}

static void new_queues(size_t capacity)
{
    queue = mp_queue_new(sizeof(uint64_t), capacity);
    results = mp_queue_new(sizeof(struct result), MAX_PROCS);
    if (queue == NULL || results == NULL)
        mp_die("mp_queue_new: %s", mp_last_error());
}

static void free_queues(void)
{
    mp_queue_free(queue);
    mp_queue_free(results);
}

/* 4 producers x 50,000 items into 4 consumers, through a small queue (so
 * that both sides often wait). */
static int many(void)
{
    enum { P = 4, C = 4, N = 50000 };
    new_queues(64);
    mp_process producers[P], consumers[C];
    struct producer_args args[P];
    for (int i = 0; i < C; i++)
        start(&consumers[i], consumer, NULL);
    for (int i = 0; i < P; i++) {
        args[i] = (struct producer_args){ (uint64_t)i, 0, N };
        start(&producers[i], producer, &args[i]);
    }
    for (int i = 0; i < P; i++)
        mp_process_join(&producers[i], MP_FOREVER);
    mp_queue_close(queue);
    for (int i = 0; i < C; i++)
        mp_process_join(&consumers[i], MP_FOREVER);
    report(C, (uint64_t)P * N, expected_checksum(P, 0, N));
    free_queues();
    return 0;
}

/* Batches: each producer puts its items with put_many, in batches of 1 to
 * 64 items, each consumer takes up to 64 at a time with get_many. */
static int batched_producer(void *arg)
{
    struct producer_args *a = arg;
    uint64_t batch[64];
    size_t n = 1 + (size_t)a->id * 21 % 64;      /* 1, 22, 43, 64 */
    for (uint64_t s = a->first; s < a->first + a->count; s += n) {
        size_t k = 0, put;
        while (k < n && s + k < a->first + a->count) {
            batch[k] = item_of(a->id, s + k);
            k++;
        }
        enum mp_status status = mp_queue_put_many(queue, batch, k, &put, MP_FOREVER);
        if (status != MP_OK || put != k)
            mp_die("put_many: %s, %zu of %zu", status_name(status), put, k);
    }
    return 0;
}

static int batched_consumer(void *arg)
{
    (void)arg;
    struct result r = { 0, 0, 0, MP_OK };
    uint64_t last[MAX_PROCS], batch[64];
    for (int p = 0; p < MAX_PROCS; p++)
        last[p] = UINT64_MAX;
    size_t got;
    while ((r.status = mp_queue_get_many(queue, batch, 64, &got, MP_FOREVER)) == MP_OK) {
        for (size_t i = 0; i < got; i++) {
            uint64_t p = batch[i] >> 32, seq = batch[i] & 0xffffffffu;
            if (p >= MAX_PROCS || (last[p] != UINT64_MAX && seq <= last[p]))
                r.out_of_order++;
            else
                last[p] = seq;
            r.count++;
            r.checksum += mix(batch[i]);
        }
    }
    if (mp_queue_put(results, &r, MP_FOREVER) != MP_OK)
        mp_die("put result: %s", mp_last_error());
    return 0;
}

static int many_batched(void)
{
    enum { P = 4, C = 4, N = 50000 };
    new_queues(100);
    mp_process producers[P], consumers[C];
    struct producer_args args[P];
    for (int i = 0; i < C; i++)
        start(&consumers[i], batched_consumer, NULL);
    for (int i = 0; i < P; i++) {
        args[i] = (struct producer_args){ (uint64_t)i, 0, N };
        start(&producers[i], batched_producer, &args[i]);
    }
    for (int i = 0; i < P; i++)
        mp_process_join(&producers[i], MP_FOREVER);
    mp_queue_close(queue);
    for (int i = 0; i < C; i++)
        mp_process_join(&consumers[i], MP_FOREVER);
    report(C, (uint64_t)P * N, expected_checksum(P, 0, N));
    free_queues();
    return 0;
}

/* The same, ended Python's way: one "poison pill" per consumer. */
static int pill(void)
{
    enum { P = 2, C = 3, N = 1000 };
    new_queues(16);
    mp_process producers[P], consumers[C];
    struct producer_args args[P];
    for (int i = 0; i < C; i++)
        start(&consumers[i], pill_consumer, NULL);
    for (int i = 0; i < P; i++) {
        args[i] = (struct producer_args){ (uint64_t)i, 0, N };
        start(&producers[i], producer, &args[i]);
    }
    for (int i = 0; i < P; i++)
        mp_process_join(&producers[i], MP_FOREVER);
    uint64_t pill = PILL;
    for (int i = 0; i < C; i++)
        if (mp_queue_put(queue, &pill, MP_FOREVER) != MP_OK)
            mp_die("put pill: %s", mp_last_error());
    for (int i = 0; i < C; i++)
        mp_process_join(&consumers[i], MP_FOREVER);
    report(C, (uint64_t)P * N, expected_checksum(P, 0, N));
    mp_print("left in queue: %zu", mp_queue_qsize(queue));
    free_queues();
    return 0;
}

/* --- timeouts and close -------------------------------------------------- */

static int get_timeout(void)
{
    new_queues(4);
    uint64_t item;
    double t0 = mp_now();
    enum mp_status status = mp_queue_get(queue, &item, 0.1);
    mp_print("status=%s took=%.3f", status_name(status), mp_now() - t0);
    t0 = mp_now();
    status = mp_queue_get(queue, &item, 0);
    mp_print("timeout 0: status=%s took=%.3f", status_name(status), mp_now() - t0);
    free_queues();
    return 0;
}

static int put_timeout(void)
{
    new_queues(2);
    uint64_t item = 1;
    enum mp_status a = mp_queue_put(queue, &item, 0);
    enum mp_status b = mp_queue_put(queue, &item, 0);
    mp_print("two puts: %s %s full=%d qsize=%zu", status_name(a), status_name(b),
             mp_queue_full(queue), mp_queue_qsize(queue));
    double t0 = mp_now();
    enum mp_status status = mp_queue_put(queue, &item, 0.1);
    mp_print("status=%s took=%.3f", status_name(status), mp_now() - t0);
    free_queues();
    return 0;
}

/* true once process pid is asleep (state S in /proc/PID/stat), waiting up
 * to 2 s. Linux only; elsewhere it just waits a little. */
static bool asleep(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    for (int i = 0; i < 200; i++) {
        FILE *f = fopen(path, "r");
        if (f == NULL) {
            mp_sleep(0.1);
            return false;
        }
        char state = '?';
        int n = fscanf(f, "%*d (%*[^)]) %c", &state);
        fclose(f);
        if (n == 1 && state == 'S')
            return true;
        mp_sleep(0.01);
    }
    return false;
}

static int wait_get(void *arg)
{
    (void)arg;
    uint64_t item;
    return mp_queue_get(queue, &item, MP_FOREVER);   /* the status, as exit code */
}

static int wait_put(void *arg)
{
    (void)arg;
    uint64_t item = 7;
    return mp_queue_put(queue, &item, MP_FOREVER);
}

/* Four consumers asleep in get on an empty queue, one producer asleep in put
 * on a full one: close wakes all five, with MP_CLOSED. */
static int close_wakes(void)
{
    enum { C = 4 };
    new_queues(1);
    mp_queue *full = queue;
    uint64_t item = 1;
    mp_queue_put(full, &item, 0);
    mp_queue *empty = mp_queue_new(sizeof(uint64_t), 4);
    if (empty == NULL)
        mp_die("mp_queue_new: %s", mp_last_error());

    mp_process consumers[C], putter;
    queue = empty;
    for (int i = 0; i < C; i++)
        start(&consumers[i], wait_get, NULL);
    queue = full;
    start(&putter, wait_put, NULL);
    int sleeping = 0;
    for (int i = 0; i < C; i++)
        sleeping += asleep(consumers[i].pid);
    sleeping += asleep(putter.pid);
    mp_print("asleep before close: %d", sleeping);

    double t0 = mp_now();
    mp_queue_close(empty);
    mp_queue_close(full);
    int woken = 0, closed = 0;
    for (int i = 0; i < C; i++) {
        woken += mp_process_join(&consumers[i], 5) == MP_OK;
        closed += mp_process_exitcode(&consumers[i]) == MP_CLOSED;
    }
    woken += mp_process_join(&putter, 5) == MP_OK;
    closed += mp_process_exitcode(&putter) == MP_CLOSED;
    mp_print("woken=%d closed=%d took=%.3f", woken, closed, mp_now() - t0);
    mp_queue_free(empty);
    free_queues();
    return 0;
}

/* The rules after close, in one process. */
static int closed(void)
{
    new_queues(4);
    uint64_t a = 1, b = 2, got = 0;
    mp_queue_put(queue, &a, 0);
    mp_queue_put(queue, &b, 0);
    mp_queue_close(queue);
    enum mp_status refused = mp_queue_put(queue, &a, MP_FOREVER);
    mp_print("put after close: %s (%s)", status_name(refused), mp_last_error());
    mp_print("qsize after close: %zu", mp_queue_qsize(queue));
    enum mp_status s1 = mp_queue_get(queue, &got, MP_FOREVER);
    uint64_t first = got;
    enum mp_status s2 = mp_queue_get(queue, &got, MP_FOREVER);
    mp_print("drain: %s %llu, %s %llu", status_name(s1), (unsigned long long)first,
             status_name(s2), (unsigned long long)got);
    mp_print("then: %s, with timeout 0: %s, empty=%d", status_name(mp_queue_get(queue, &got, MP_FOREVER)),
             status_name(mp_queue_get(queue, &got, 0)), mp_queue_empty(queue));
    free_queues();
    return 0;
}

/* What put_many and get_many do at the edges, in one process. */
static int batch_edges(void)
{
    new_queues(3);
    uint64_t in[5] = { 1, 2, 3, 4, 5 }, out[10];
    size_t n = 99;
    enum mp_status s = mp_queue_put_many(queue, in, 0, &n, 0);
    mp_print("put_many of 0: %s put=%zu", status_name(s), n);
    s = mp_queue_get_many(queue, out, 0, &n, 0);
    mp_print("get_many of at most 0: %s got=%zu (%s)", status_name(s), n, mp_last_error());
    double t0 = mp_now();
    s = mp_queue_put_many(queue, in, 5, &n, 0.1);
    mp_print("put_many of 5 into room for 3: %s put=%zu took=%.3f", status_name(s), n, mp_now() - t0);
    s = mp_queue_get_many(queue, out, 10, &n, 0);
    mp_print("get_many of at most 10: %s got=%zu: %llu %llu %llu", status_name(s), n,
             (unsigned long long)out[0], (unsigned long long)out[1], (unsigned long long)out[2]);
    s = mp_queue_get_many(queue, out, 10, &n, 0);
    mp_print("again, timeout 0: %s got=%zu", status_name(s), n);
    mp_queue_put_many(queue, in, 2, NULL, 0);
    mp_queue_close(queue);
    s = mp_queue_put_many(queue, in, 2, &n, 0);
    mp_print("put_many after close: %s put=%zu", status_name(s), n);
    s = mp_queue_get_many(queue, out, 10, &n, MP_FOREVER);
    mp_print("get_many after close: %s got=%zu", status_name(s), n);
    s = mp_queue_get_many(queue, out, 10, &n, MP_FOREVER);
    mp_print("then: %s got=%zu", status_name(s), n);
    free_queues();
    return 0;
}

/* --- processes that die -------------------------------------------------- */

static int holding_pipe[2];   /* the victim writes one byte: "I hold the lock" */

static void hold_the_lock(int sig)
{
    (void)sig;
    char byte = '!';
    if (write(holding_pipe[1], &byte, 1) == 1)
        for (;;)
            pause();   /* stay here, lock held, until the parent's SIGKILL */
    _exit(3);
}

/* An 8-byte buffer whose last 4 bytes lie on a page the process may not
 * touch: copying an item into or out of it faults half-way. */
static void *poisoned_buffer(void)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *mem = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED || mprotect(mem + page, (size_t)page, PROT_NONE) == -1)
        mp_die("mmap: %s", strerror(errno));
    return mem + page - 4;
}

static void catch_segv(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = hold_the_lock;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

static int victim_get(void *arg)
{
    (void)arg;
    catch_segv();
    mp_queue_get(queue, poisoned_buffer(), MP_FOREVER);
    return 1;    /* not reached: the copy faults */
}

static int victim_put(void *arg)
{
    (void)arg;
    catch_segv();
    mp_queue_put(queue, poisoned_buffer(), MP_FOREVER);
    return 1;
}

/* Starts the victim, waits until its SIGSEGV handler says it holds the lock,
 * starts the others (which block on that lock), then kills the victim. */
static void kill_holder(mp_process *victim, int (*run)(void *),
                        mp_process *others, int nothers, int (**their_run)(void *),
                        void **their_args)
{
    if (pipe(holding_pipe) == -1)
        mp_die("pipe: %s", strerror(errno));
    start(victim, run, NULL);
    char byte;
    if (read(holding_pipe[0], &byte, 1) != 1)
        mp_die("the victim never got to hold the lock");
    for (int i = 0; i < nothers; i++)
        start(&others[i], their_run[i], their_args[i]);
    for (int i = 0; i < nothers; i++)
        asleep(others[i].pid);     /* blocked on the lock the victim holds */
    mp_process_kill(victim);
    mp_process_join(victim, MP_FOREVER);
    close(holding_pipe[0]);
    close(holding_pipe[1]);
}

/* A consumer killed in the middle of get, holding the lock, with 2 more
 * consumers and a producer waiting for that lock. The item it was copying
 * is still in the queue: the others get all N items, once each. */
static int kill_holding_lock(void)
{
    enum { N = 20000 };
    new_queues(64);
    uint64_t item = item_of(0, 0);
    mp_queue_put(queue, &item, 0);            /* the item the victim will be copying */
    double t0 = mp_now();

    mp_process victim, others[3];
    struct producer_args args = { 0, 1, N - 1 };
    int (*runs[3])(void *) = { consumer, consumer, producer };
    void *argv[3] = { NULL, NULL, &args };
    kill_holder(&victim, victim_get, others, 3, runs, argv);
    mp_print("victim exitcode=%d", mp_process_exitcode(&victim));

    mp_process_join(&others[2], MP_FOREVER);  /* the producer */
    mp_queue_close(queue);
    mp_process_join(&others[0], MP_FOREVER);
    mp_process_join(&others[1], MP_FOREVER);
    report(2, N, expected_checksum(1, 0, N));
    mp_print("took=%.3f", mp_now() - t0);
    free_queues();
    return 0;
}

/* A producer killed in the middle of put, holding the lock: its item never
 * appears, half-written or whole; every other item arrives once. */
static int kill_mid_put(void)
{
    enum { N = 20000 };
    new_queues(64);
    double t0 = mp_now();
    mp_process victim, others[3];
    struct producer_args args = { 1, 0, N };
    int (*runs[3])(void *) = { consumer, consumer, producer };
    void *argv[3] = { NULL, NULL, &args };
    kill_holder(&victim, victim_put, others, 3, runs, argv);
    mp_print("victim exitcode=%d", mp_process_exitcode(&victim));

    mp_process_join(&others[2], MP_FOREVER);
    mp_queue_close(queue);
    mp_process_join(&others[0], MP_FOREVER);
    mp_process_join(&others[1], MP_FOREVER);
    /* producer 1's items only: expected_checksum(2, ...) minus producer 0's */
    report(2, N, expected_checksum(2, 0, N) - expected_checksum(1, 0, N));
    mp_print("took=%.3f", mp_now() - t0);
    free_queues();
    return 0;
}

/* A consumer killed while asleep in get: the others still get everything. */
static int kill_waiting(void)
{
    enum { N = 20000 };
    new_queues(64);
    double t0 = mp_now();
    mp_process victim, consumers[2], prod;
    start(&victim, wait_get, NULL);
    for (int i = 0; i < 2; i++)
        start(&consumers[i], consumer, NULL);
    mp_print("asleep before kill: %d", asleep(victim.pid));
    mp_process_kill(&victim);
    mp_process_join(&victim, MP_FOREVER);
    mp_print("victim exitcode=%d", mp_process_exitcode(&victim));

    struct producer_args args = { 0, 0, N };
    start(&prod, producer, &args);
    mp_process_join(&prod, MP_FOREVER);
    mp_queue_close(queue);
    for (int i = 0; i < 2; i++)
        mp_process_join(&consumers[i], MP_FOREVER);
    report(2, N, expected_checksum(1, 0, N));
    mp_print("took=%.3f", mp_now() - t0);
    free_queues();
    return 0;
}

/* --- a wake-up lost with a woken process ---------------------------------- */

/* What the holder of lock-wake-lost needs from the main. */
struct handover {
    int to_main[2], to_holder[2];    /* pipes: "I hold the lock", "go on" */
    pid_t first_sleeper;
    void *page;                      /* the holder's page to unprotect */
};
static struct handover *ho;

/* In put, holding put_lock, on the copy's fault: tells the main, waits for
 * its go, then makes the page writable; returning from the handler redoes
 * the copy, and put goes on. */
static void hold_then_go_on(int sig)
{
    (void)sig;
    char byte = '!';
    long page = sysconf(_SC_PAGESIZE);
    if (write(ho->to_main[1], &byte, 1) != 1 || read(ho->to_holder[0], &byte, 1) != 1
        || mprotect(ho->page, (size_t)page, PROT_READ | PROT_WRITE) == -1)
        _exit(3);
}

/* One put holding put_lock until the main says go (see hold_then_go_on). */
static void held_put(void)
{
    uint64_t *item = poisoned_buffer();
    ho->page = (unsigned char *)item + 4;
    if (mp_queue_put(queue, item, MP_FOREVER) != MP_OK)
        _exit(4);
}

/* Unlocks put_lock, which wakes the first sleeper; SIGKILLs it before it
 * could run (it is SCHED_IDLE on our CPU: it runs only when we sleep);
 * takes put_lock again at once and holds it until the main has seen the
 * first sleeper die. */
static int lock_holder(void *arg)
{
    (void)arg;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = hold_then_go_on;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    held_put();
    kill(ho->first_sleeper, SIGKILL);
    held_put();
    return 0;
}

/* A producer that runs only when nothing else wants its CPU. */
static int idle_put(void *arg)
{
#ifdef SCHED_IDLE
    struct sched_param none = { 0 };
    if (sched_setscheduler(0, SCHED_IDLE, &none) == -1)
        return 5;
#endif
    return wait_put(arg);
}

/* The sequence that leaves a process asleep for ever on a free robust
 * lock when a lock sleeps without a timeout (see lib/robust.c). All
 * on one CPU: a holder of put_lock, two producers asleep on that lock. The
 * holder unlocks (the first sleeper is woken but cannot run yet), SIGKILLs
 * the first sleeper, takes the lock again and holds it while that one
 * dies: the kernel wakes nobody (the lock is held), and the holder's
 * unlock wakes nobody (the lock's "someone sleeps" bit went with the first
 * unlock). The second sleeper must still get the lock and put. */
static int lock_wake_lost(void)
{
#ifdef __linux__
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    if (sched_setaffinity(0, sizeof one, &one) == -1)   /* the children inherit it */
        mp_die("sched_setaffinity: %s", strerror(errno));
#endif
    new_queues(8);
    ho = mmap(NULL, sizeof *ho, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ho == MAP_FAILED || pipe(ho->to_main) == -1 || pipe(ho->to_holder) == -1)
        mp_die("mmap, pipe: %s", strerror(errno));
    mp_process holder, first, second;
    char byte = '!';
    start(&holder, lock_holder, NULL);
    if (read(ho->to_main[0], &byte, 1) != 1)
        mp_die("the holder never got to hold the lock");
    start(&first, idle_put, NULL);
    asleep(first.pid);
    start(&second, idle_put, NULL);
    asleep(second.pid);
    ho->first_sleeper = first.pid;
    if (write(ho->to_holder[1], &byte, 1) != 1 || read(ho->to_main[0], &byte, 1) != 1)
        mp_die("the holder never got to hold the lock again");
    mp_process_join(&first, MP_FOREVER);
    if (write(ho->to_holder[1], &byte, 1) != 1)
        mp_die("write: %s", strerror(errno));
    mp_process_join(&holder, MP_FOREVER);
    bool done = mp_process_join(&second, 2) == MP_OK;
    mp_print("holder exitcode=%d, second sleeper put within 2 s: %d, exitcode=%d",
             mp_process_exitcode(&holder), done, mp_process_exitcode(&second));
    mp_print("first sleeper killed before it took the lock: %d", mp_process_exitcode(&first) == -9);
    mp_process_kill(&second);                /* if it still sleeps */
    mp_process_join(&second, MP_FOREVER);
    munmap(ho, sizeof *ho);
    free_queues();
    return 0;
}

/* --- random deaths -------------------------------------------------------- */

enum { RP = 2, RC = 2, RN = 100000 };

/* What the producers and consumers of kill-random leave for the main to
 * check, in memory mapped MAP_SHARED before the forks. */
struct tally {
    atomic_uchar taken[RP][RN];     /* how many times each item was taken */
    atomic_uchar unsure[RP][RN];    /* put by a producer killed inside put */
    atomic_long tried[RP];          /* last item each producer called put for */
    atomic_long done[RP];           /* last item whose put returned MP_OK */
};
static struct tally *tally;

static size_t random_batch;    /* items per put_many / get_many; 1: put and get */

/* Puts producer id's items, going on after the last one tried: a
 * replacement for a killed producer. That one may have died inside put,
 * before or after its commit (a put_many: after some of its commits): the
 * items it was putting may or may not be in the queue. */
static int random_producer(void *arg)
{
    long id = (long)arg;
    long s = atomic_load(&tally->tried[id]);
    for (long u = atomic_load(&tally->done[id]) + 1; u <= s; u++)
        atomic_store(&tally->unsure[id][u], 1);
    uint64_t batch[64];
    for (s++; s < RN; s += (long)random_batch) {
        size_t n = 0;
        while (n < random_batch && s + (long)n < RN) {
            batch[n] = item_of((uint64_t)id, (uint64_t)(s + (long)n));
            n++;
        }
        atomic_store(&tally->tried[id], s + (long)n - 1);
        enum mp_status status = random_batch == 1 ? mp_queue_put(queue, batch, MP_FOREVER)
                                                  : mp_queue_put_many(queue, batch, n, NULL, MP_FOREVER);
        if (status != MP_OK)
            mp_die("put: %s", mp_last_error());
        atomic_store(&tally->done[id], s + (long)n - 1);
    }
    return 0;
}

static int random_consumer(void *arg)
{
    (void)arg;
    uint64_t batch[64];
    size_t got = 1;
    while ((random_batch == 1 ? mp_queue_get(queue, batch, MP_FOREVER)
                              : mp_queue_get_many(queue, batch, random_batch, &got, MP_FOREVER)) == MP_OK)
        for (size_t i = 0; i < got; i++)
            atomic_fetch_add(&tally->taken[batch[i] >> 32][batch[i] & 0xffffffffu], 1);
    return 0;
}

/* Two producers and two consumers on a queue of 8 items (so both sides
 * often sleep), moving batch items per call; one of them, at random, is
 * SIGKILLed every 0 to 2 ms, 100 times, and replaced at once. Then: no item
 * taken twice; every item whose put returned MP_OK taken, except at most
 * one call's worth per consumer killed (what it had just taken); and
 * everyone finishes within seconds. */
static int kill_random(size_t batch)
{
    random_batch = batch;
    new_queues(8);
    tally = mmap(NULL, sizeof *tally, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (tally == MAP_FAILED)
        mp_die("mmap: %s", strerror(errno));
    mp_process procs[RP + RC];         /* the producers, then the consumers */
    for (long i = 0; i < RP; i++) {
        atomic_store(&tally->tried[i], -1);
        atomic_store(&tally->done[i], -1);
    }
    for (long i = 0; i < RP + RC; i++)
        start(&procs[i], i < RP ? random_producer : random_consumer, (void *)i);

    srand((unsigned)getpid());
    int consumers_killed = 0;
    for (int k = 0; k < 100; k++) {
        mp_sleep((rand() % 2000) / 1e6);
        long i = rand() % (RP + RC);
        mp_process_kill(&procs[i]);
        mp_process_join(&procs[i], MP_FOREVER);
        consumers_killed += i >= RP;
        start(&procs[i], i < RP ? random_producer : random_consumer, (void *)i);
    }
    double t0 = mp_now();
    int finished = 0;
    for (int i = 0; i < RP; i++)
        finished += mp_process_join(&procs[i], 10) == MP_OK;
    mp_queue_close(queue);
    for (int i = RP; i < RP + RC; i++)
        finished += mp_process_join(&procs[i], 10) == MP_OK;
    double took = mp_now() - t0;
    for (int i = 0; i < RP + RC; i++) {
        mp_process_kill(&procs[i]);          /* any that hung */
        mp_process_join(&procs[i], MP_FOREVER);
    }

    long twice = 0, missing = 0;
    for (int p = 0; p < RP; p++)
        for (long s = 0; s <= atomic_load(&tally->done[p]); s++) {
            twice += atomic_load(&tally->taken[p][s]) > 1;
            missing += atomic_load(&tally->taken[p][s]) == 0 && !atomic_load(&tally->unsure[p][s]);
        }
    mp_print("finished=%d/%d taken twice=%ld missing=%s took=%.3f", finished, RP + RC, twice,
             missing <= consumers_killed * (long)batch ? "ok" : "too many", took);
    munmap(tally, sizeof *tally);
    free_queues();
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "many") == 0)              return many();
    if (strcmp(cmd, "many-batched") == 0)      return many_batched();
    if (strcmp(cmd, "pill") == 0)              return pill();
    if (strcmp(cmd, "get-timeout") == 0)       return get_timeout();
    if (strcmp(cmd, "put-timeout") == 0)       return put_timeout();
    if (strcmp(cmd, "close-wakes") == 0)       return close_wakes();
    if (strcmp(cmd, "closed") == 0)            return closed();
    if (strcmp(cmd, "batch-edges") == 0)       return batch_edges();
    if (strcmp(cmd, "kill-holding-lock") == 0) return kill_holding_lock();
    if (strcmp(cmd, "kill-mid-put") == 0)      return kill_mid_put();
    if (strcmp(cmd, "kill-waiting") == 0)      return kill_waiting();
    if (strcmp(cmd, "kill-random") == 0)       return kill_random(1);
    if (strcmp(cmd, "kill-random-batched") == 0) return kill_random(16);
    if (strcmp(cmd, "lock-wake-lost") == 0)    return lock_wake_lost();
    fprintf(stderr, "usage: test_queue COMMAND (see the source)\n");
    return 2;
}
