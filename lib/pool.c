/* SPDX-License-Identifier: MIT */
/*
 * pool: mp_pool, multiprocessing.Pool on fork, two mp_queues and one block of
 * shared memory.
 *
 *   parent (your program)                     worker (forked at mp_pool_new)
 *   ---------------------                     ------------------------------
 *   copies a piece of the input into a
 *   free task slot of shared memory, then
 *   puts a task (fn, slot, items) -- tasks -->  gets it into its record,
 *                                               runs fn on each item, writing
 *                                               the outputs into the slot,
 *   copies the outputs to out,  <-- results --  puts a result (slot, failures)
 *   frees the slot
 *
 * Only small descriptions go through the queues; the items themselves are
 * copied once into the slot and once out of it.
 *
 * There are no threads in the parent. Python's Pool has three (they hand out
 * tasks, collect results and replace dead workers, while your code runs);
 * here one function, pump(), does all three jobs, and every pool call that
 * waits runs it: get, wait, ready, join, map, apply. The price: tasks beyond
 * the NSLOTS in flight are only handed out while you are in a pool call.
 *
 * Crashes. Each worker has a record in shared memory: the task it took (the
 * queue copies it straight there) and the item it is running. When pump()
 * finds a worker dead (waitpid, every CHECK_SECONDS), the record says exactly
 * which items were done, which one killed it, and which are left: the first
 * are collected, the one is failed with the worker's PID and signal, the rest
 * are sent again, and a new worker is started in its place.
 */
#include "mp.h"
#include "mp_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NSLOTS 1024                /* tasks in flight at once */
#define SLOT_BYTES (16 * 1024)     /* inputs + outputs of one task */
#define ALIGN 16                   /* outputs start on such a boundary */
#define CHECK_SECONDS 0.01         /* how often pump() looks for dead workers */

/* A task, as the parent puts it on the tasks queue: run fn on items
 * first..count-1 of a slot. (After a crash the rest of a slot is sent again,
 * with a later first.) */
struct task {
    mp_task fn;
    size_t in_size, out_size;
    int slot;
    unsigned seq;                  /* which sending this is: results of an
                                      older sending of the slot are ignored */
    long first, count;
};

/* What a worker puts on the results queue when it finished a task. */
struct result {
    int slot;
    unsigned seq;
    long failed;                   /* items whose fn returned non-zero */
    long first_failed;             /* the first of them (index in the slot) */
    int error;                     /* what it returned */
};

/* One per worker, in shared memory. Written by the worker only; read by the
 * parent only once the worker is dead. */
struct record {
    struct task task;              /* the task it took last */
    struct result result;          /* that task's result, filled in as it runs */
    _Atomic long running;          /* the item being run: -1 before the first,
                                      task.count once all ran */
};

/* The parent's book on one slot. */
struct slot {
    mp_async *call;                /* whose items are in it; NULL: free */
    size_t base;                   /* the call's index of the slot's item 0 */
    long count;                    /* items in the slot */
    long first;                    /* first item of the sending in flight */
    unsigned seq;
};

struct worker {
    mp_process proc;
    mp_pool *pool;
    int index;
};

enum pool_state { RUN, CLOSE, TERMINATE };

struct mp_pool {
    /* Fixed at mp_pool_new, before the workers are forked (they get a copy). */
    int nworkers;
    struct worker *workers;
    mp_queue *tasks, *results;
    struct record *records;        /* nworkers of them, shared */
    unsigned char *arena;          /* NSLOTS * SLOT_BYTES, shared */
    size_t shared_size;            /* records + arena, for munmap */
    pid_t owner;                   /* the process that made the pool */

    /* The parent's alone. */
    enum pool_state state;
    struct slot slots[NSLOTS];
    int free_slots[NSLOTS];        /* a stack of free slot numbers */
    int nfree;
    unsigned seq;                  /* the last sending's number */
    mp_async *calls, *last_call;   /* unfinished calls, oldest first */
    mp_async *unsent;              /* the first call with items not yet sent */
    size_t chunksize;              /* of the last map */
    double last_check;             /* when pump() last looked at the workers */
    mp_pool *next_pool;            /* every pool, for the exit handler */
};

struct mp_async {
    mp_pool *pool;                 /* NULL once finished */
    mp_task fn;
    const unsigned char *in;
    unsigned char *out;
    unsigned char *in_copy;        /* the async calls' own copy of in */
    size_t n, in_size, out_size, chunksize;
    size_t next;                   /* the next item to send */
    size_t done;                   /* items finished, well or not */
    size_t failed;                 /* items failed */
    size_t first_failed;           /* the lowest of them */
    char error[200];               /* why it failed */
    bool ready, freed;
    mp_callback callback;
    mp_error_callback error_callback;
    void *arg;
    mp_async *prev, *next_call;    /* in the pool's list of unfinished calls */
};

static mp_pool *pools;             /* every pool not freed, for at_exit */
static bool exit_handler_set;

/* --- slots ---------------------------------------------------------------- */

static unsigned char *slot_in(mp_pool *p, int s)
{
    return p->arena + (size_t)s * SLOT_BYTES;
}

/* Outputs follow the inputs, on an ALIGN boundary, so that a task can read an
 * output of any type in place. */
static unsigned char *slot_out(mp_pool *p, int s, long count, size_t in_size)
{
    size_t in_bytes = (size_t)count * in_size;
    return slot_in(p, s) + (in_bytes + ALIGN - 1) / ALIGN * ALIGN;
}

/* How many items of these sizes fit in one slot. */
static size_t items_per_slot(size_t in_size, size_t out_size)
{
    if (in_size + out_size == 0)
        return SLOT_BYTES;
    return (SLOT_BYTES - ALIGN) / (in_size + out_size);
}

/* --- the worker ------------------------------------------------------------ */

/* The whole life of a worker: take a task, run it, report, until the tasks
 * queue is closed. The task is copied by mp_queue_get straight into the
 * worker's record, so that the parent can see it should the worker die. */
static int worker_main(void *arg)
{
    struct worker *w = arg;
    mp_pool *p = w->pool;
    struct record *rec = &p->records[w->index];

    /* Ctrl-C goes to the whole process group: let the parent handle it. */
    signal(SIGINT, SIG_IGN);

    for (;;) {
        atomic_store(&rec->running, -1);
        enum mp_status status = mp_queue_get(p->tasks, &rec->task, MP_FOREVER);
        if (status == MP_CLOSED)
            return 0;                       /* the pool was joined: done */
        if (status != MP_OK)
            mp_die("pool worker: %s", mp_last_error());

        struct task *t = &rec->task;
        unsigned char *in = slot_in(p, t->slot);
        unsigned char *out = slot_out(p, t->slot, t->count, t->in_size);
        rec->result = (struct result){ .slot = t->slot, .seq = t->seq };
        for (long i = t->first; i < t->count; i++) {
            /* Published before fn runs: if fn crashes, the parent knows
             * which item did it. */
            atomic_store_explicit(&rec->running, i, memory_order_release);
            void *item_out = out + (size_t)i * t->out_size;
            int rc = t->fn(in + (size_t)i * t->in_size, item_out);
            if (rc != 0) {
                memset(item_out, 0, t->out_size);
                if (rec->result.failed++ == 0) {
                    rec->result.first_failed = i;
                    rec->result.error = rc;
                }
            }
        }
        atomic_store_explicit(&rec->running, t->count, memory_order_release);
        /* Never blocks: the results queue has room for every task in flight. */
        if (mp_queue_put(p->results, &rec->result, MP_FOREVER) != MP_OK)
            mp_die("pool worker: %s", mp_last_error());
    }
}

/* Forks worker i (again, after a crash) with a fresh record. */
static int start_worker(mp_pool *p, int i)
{
    struct worker *w = &p->workers[i];
    memset(&p->records[i], 0, sizeof p->records[i]);
    atomic_store(&p->records[i].running, -1);
    w->pool = p;
    w->index = i;
    mp_process_init(&w->proc, worker_main, w);
    char number[16];                          /* "Process-7" -> "PoolWorker-7" */
    snprintf(number, sizeof number, "%s", strchr(w->proc.name, '-') + 1);
    snprintf(w->proc.name, sizeof w->proc.name, "PoolWorker-%s", number);
    w->proc.daemon = true;
    if (mp_process_start(&w->proc) == -1) {
        w->proc.pid = 0;
        return -1;
    }
    return 0;
}

/* --- calls: sending, collecting, finishing ------------------------------- */

/* Notes that count items failed, the first of them at index, why. The
 * message kept is the one of the lowest failed index. */
static void note_failure(mp_async *c, size_t index, size_t count, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void note_failure(mp_async *c, size_t index, size_t count, const char *fmt, ...)
{
    if (c->failed == 0 || index < c->first_failed) {
        c->first_failed = index;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->error, sizeof c->error, fmt, ap);
        va_end(ap);
    }
    c->failed += count;
}

static void unlink_call(mp_pool *p, mp_async *c)
{
    if (c->prev != NULL)
        c->prev->next_call = c->next_call;
    else
        p->calls = c->next_call;
    if (c->next_call != NULL)
        c->next_call->prev = c->prev;
    else
        p->last_call = c->prev;
    if (p->unsent == c)
        p->unsent = c->next_call;
}

static void free_call(mp_async *c)
{
    free(c->in_copy);
    free(c);
}

/* Every item of c is done: it becomes ready, and its callback runs (last:
 * the callback may use the pool again). */
static void finish_call(mp_pool *p, mp_async *c)
{
    unlink_call(p, c);
    c->pool = NULL;
    c->ready = true;
    if (c->freed) {
        free_call(c);
        return;
    }
    if (c->failed > 1) {
        size_t len = strlen(c->error);
        snprintf(c->error + len, sizeof c->error - len, " (%zu of %zu items failed)",
                 c->failed, c->n);
    }
    if (c->failed == 0 && c->callback != NULL)
        c->callback(c->arg);
    if (c->failed > 0 && c->error_callback != NULL)
        c->error_callback(c->error, c->arg);
}

/* Frees slot s; finishes its call if that was its last work. */
static void release(mp_pool *p, int s)
{
    mp_async *c = p->slots[s].call;
    p->slots[s].call = NULL;
    p->free_slots[p->nfree++] = s;
    if (c->done == c->n)
        finish_call(p, c);
}

/* Puts slot s's task on the queue, as a new sending. */
static void send_slot(mp_pool *p, int s)
{
    struct slot *sl = &p->slots[s];
    mp_async *c = sl->call;
    if (++p->seq == 0)
        p->seq = 1;                      /* 0 means "no task" in a record */
    sl->seq = p->seq;
    struct task t = { c->fn, c->in_size, c->out_size, s, sl->seq, sl->first, sl->count };
    /* The queue has room for every slot twice over: this does not wait. */
    if (mp_queue_put(p->tasks, &t, 0) == MP_OK)
        return;
    note_failure(c, sl->base + (size_t)sl->first, (size_t)(sl->count - sl->first),
                 "in[%zu]: could not hand the task to a worker: %s",
                 sl->base + (size_t)sl->first, mp_last_error());
    c->done += (size_t)(sl->count - sl->first);
    release(p, s);
}

/* Hands out the calls' unsent items while there are free slots: each task
 * holds the next items of one chunk, as many as fit in a slot. */
static void send_new(mp_pool *p)
{
    while (p->nfree > 0 && p->unsent != NULL) {
        mp_async *c = p->unsent;
        size_t chunk_end = (c->next / c->chunksize + 1) * c->chunksize;
        size_t end = c->next + items_per_slot(c->in_size, c->out_size);
        if (end > chunk_end)
            end = chunk_end;
        if (end > c->n)
            end = c->n;

        int s = p->free_slots[--p->nfree];
        struct slot *sl = &p->slots[s];
        sl->call = c;
        sl->base = c->next;
        sl->count = (long)(end - c->next);
        sl->first = 0;
        if (c->in_size > 0)
            memcpy(slot_in(p, s), c->in + c->next * c->in_size, (end - c->next) * c->in_size);
        c->next = end;
        if (c->next == c->n)
            p->unsent = c->next_call;
        send_slot(p, s);
    }
}

/* Items first..end-1 of slot s (of the sending in flight) are done: copies
 * their outputs to the caller's out and counts them, with the failures r
 * reports among them. */
static void collect(mp_pool *p, int s, long end, const struct result *r)
{
    struct slot *sl = &p->slots[s];
    mp_async *c = sl->call;
    long first = sl->first;
    if (!c->freed && c->out_size > 0 && end > first)
        memcpy(c->out + (sl->base + (size_t)first) * c->out_size,
               slot_out(p, s, sl->count, c->in_size) + (size_t)first * c->out_size,
               (size_t)(end - first) * c->out_size);
    if (r->failed > 0)
        note_failure(c, sl->base + (size_t)r->first_failed, (size_t)r->failed,
                     "in[%zu]: the task returned %d", sl->base + (size_t)r->first_failed,
                     r->error);
    c->done += (size_t)(end - first);
    sl->first = end;
}

/* A result came back. One for a sending that is no longer in flight (sent
 * again after a crash, or its pool terminated) is ignored. */
static void complete(mp_pool *p, const struct result *r)
{
    struct slot *sl = &p->slots[r->slot];
    if (sl->call == NULL || sl->seq != r->seq)
        return;
    collect(p, r->slot, sl->count, r);
    release(p, r->slot);
}

/* Takes every result waiting on the queue, without waiting for more. */
static int drain_results(mp_pool *p)
{
    struct result r;
    int got = 0;
    while (mp_queue_get(p->results, &r, 0) == MP_OK) {
        complete(p, &r);
        got++;
    }
    return got;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS:  return "SIGBUS";
    case SIGFPE:  return "SIGFPE";
    case SIGILL:  return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT:  return "SIGINT";
    case SIGHUP:  return "SIGHUP";
    case SIGPIPE: return "SIGPIPE";
    default:      return strsignal(sig);
    }
}

/* Worker i has died (and been reaped). Settles the task it had, using its
 * record: the items it finished are collected, the one it was running
 * fails, naming the worker and what ended it, and the rest are sent again. */
static void worker_died(mp_pool *p, int i, pid_t pid, int exitcode)
{
    drain_results(p);                    /* what it finished and reported */
    struct record *rec = &p->records[i];
    struct task *t = &rec->task;
    if (t->seq == 0 || p->slots[t->slot].call == NULL || p->slots[t->slot].seq != t->seq)
        return;                          /* it had no task in flight */

    int s = t->slot;
    struct slot *sl = &p->slots[s];
    long running = atomic_load(&rec->running);
    if (running < t->first) {            /* died before its first item */
        send_slot(p, s);
        return;
    }
    if (running >= t->count) {           /* all ran, died before reporting */
        complete(p, &rec->result);
        return;
    }
    collect(p, s, running, &rec->result);
    mp_async *c = sl->call;
    size_t index = sl->base + (size_t)running;
    if (exitcode < 0)
        note_failure(c, index, 1, "in[%zu]: worker %ld was killed by signal %d (%s)",
                     index, (long)pid, -exitcode, signal_name(-exitcode));
    else
        note_failure(c, index, 1, "in[%zu]: worker %ld exited with status %d",
                     index, (long)pid, exitcode);
    if (!c->freed && c->out_size > 0)
        memset(c->out + index * c->out_size, 0, c->out_size);
    c->done++;
    sl->first = running + 1;
    if (sl->first < sl->count)
        send_slot(p, s);
    else
        release(p, s);
}

/* Every call not finished fails with why; no callback runs (Python's never
 * finish at all). */
static void fail_all(mp_pool *p, const char *why)
{
    for (int s = 0; s < NSLOTS; s++)
        p->slots[s].call = NULL;
    p->nfree = 0;
    for (int s = NSLOTS - 1; s >= 0; s--)
        p->free_slots[p->nfree++] = s;
    while (p->calls != NULL) {
        mp_async *c = p->calls;
        unlink_call(p, c);
        c->pool = NULL;
        c->ready = true;
        c->failed = c->n - c->done;
        snprintf(c->error, sizeof c->error, "%s", why);
        if (c->freed)
            free_call(c);
    }
}

/* Python's Pool._maintain_pool: reaps the workers that have died and starts
 * new ones in their place. */
static void check_workers(mp_pool *p)
{
    int alive = 0;
    char why[200] = "";
    for (int i = 0; i < p->nworkers; i++) {
        mp_process *w = &p->workers[i].proc;
        if (w->pid != 0 && !mp_process_is_alive(w)) {
            worker_died(p, i, w->pid, mp_process_exitcode(w));
            w->pid = 0;
        }
        if (w->pid == 0 && start_worker(p, i) == -1)
            snprintf(why, sizeof why, "the pool has no worker left: %s", mp_last_error());
        if (w->pid != 0)
            alive++;
    }
    if (alive == 0)
        fail_all(p, why);
}

/* Python's three pool threads in one function: hands out tasks, collects
 * results, replaces dead workers, until `until` is ready (NULL: until no call
 * is left) or the timeout runs out. Between results it sleeps in a timed get
 * on the results queue, waking every CHECK_SECONDS to look at the workers. */
static enum mp_status pump(mp_pool *p, mp_async *until, double timeout)
{
    double deadline = mp_now() + timeout;
    for (;;) {
        send_new(p);
        int got = drain_results(p);
        if (until != NULL ? until->ready : p->calls == NULL)
            return MP_OK;

        double now = mp_now();
        if (now - p->last_check >= CHECK_SECONDS) {
            p->last_check = now;
            check_workers(p);
            continue;
        }
        if (timeout >= 0 && now >= deadline)
            return MP_TIMEOUT;
        /* Results are coming in: look again at once, rather than sleep and
         * be woken for each one (a context switch per task, which would
         * cost more than the tasks themselves). */
        if (got > 0)
            continue;

        double wait = CHECK_SECONDS - (now - p->last_check);
        if (timeout >= 0 && deadline - now < wait)
            wait = deadline - now;
        struct result r;
        enum mp_status status = mp_queue_get(p->results, &r, wait);
        if (status == MP_OK)
            complete(p, &r);
        else if (status == MP_ERROR)
            return MP_ERROR;
    }
}

/* --- the pool ------------------------------------------------------------- */

static void terminate_workers(mp_pool *p)
{
    for (int i = 0; i < p->nworkers; i++)
        if (p->workers[i].proc.pid != 0)
            mp_process_terminate(&p->workers[i].proc);
    double deadline = mp_now() + 1.0;
    for (int i = 0; i < p->nworkers; i++) {
        mp_process *w = &p->workers[i].proc;
        if (w->pid == 0)
            continue;
        double left = deadline - mp_now();
        if (!mp_process_join(w, left > 0 ? left : 0)) {
            mp_process_kill(w);          /* it would not go: SIGKILL */
            mp_process_join(w, MP_FOREVER);
        }
        w->pid = 0;
    }
}

/* Python's util._exit_function runs the pool's finalizer, which terminates
 * its workers. Registered after the first worker started, so that it runs
 * before the process layer's own exit handler (atexit runs them in reverse). */
static void at_exit(void)
{
    for (mp_pool *p = pools; p != NULL; p = p->next_pool) {
        if (p->owner != getpid() || p->state == TERMINATE)
            continue;
        size_t dropped = 0;
        for (mp_async *c = p->calls; c != NULL; c = c->next_call)
            dropped += c->n - c->done;
        if (dropped > 0)
            mp_warn("exit: %zu unfinished pool task%s dropped, workers terminated",
                    dropped, dropped == 1 ? "" : "s");
        /* Only the workers: the calls stay as they are (and reachable, so
         * that a leak checker does not report them) as the program ends. */
        p->state = TERMINATE;
        terminate_workers(p);
    }
}

mp_pool *mp_pool_new(int processes)
{
    mp_clear_error();
    if (processes < 0 || processes > MP_POOL_MAX_WORKERS) {
        mp_set_error(EINVAL, "a pool has 1 to %d workers (0: one per CPU), not %d",
                     MP_POOL_MAX_WORKERS, processes);
        return NULL;
    }
    if (processes == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        processes = cpus < 1 ? 1 : cpus > MP_POOL_MAX_WORKERS ? MP_POOL_MAX_WORKERS : (int)cpus;
    }

    mp_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->nworkers = processes;
    p->owner = getpid();
    p->state = RUN;
    p->workers = calloc((size_t)processes, sizeof *p->workers);
    /* Room for every slot twice in each queue: puts never wait (the second
     * time covers a task sent again while a dead worker's copy lingers). */
    p->tasks = mp_queue_new(sizeof(struct task), 2 * NSLOTS);
    p->results = mp_queue_new(sizeof(struct result), 2 * NSLOTS);
    size_t records = (size_t)processes * sizeof(struct record);
    records = (records + SLOT_BYTES - 1) / SLOT_BYTES * SLOT_BYTES;
    p->shared_size = records + (size_t)NSLOTS * SLOT_BYTES;
    /* Shared, and only given real pages as they are first written. */
    void *shared = mmap(NULL, p->shared_size, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->workers == NULL || p->tasks == NULL || p->results == NULL || shared == MAP_FAILED) {
        int err = errno;
        if (shared != MAP_FAILED)
            munmap(shared, p->shared_size);
        mp_queue_free(p->tasks);
        mp_queue_free(p->results);
        free(p->workers);
        free(p);
        errno = err;
        return NULL;
    }
    p->records = shared;
    p->arena = (unsigned char *)shared + records;
    for (int s = NSLOTS - 1; s >= 0; s--)
        p->free_slots[p->nfree++] = s;

    for (int i = 0; i < processes; i++) {
        if (start_worker(p, i) == -1) {
            int err = errno;
            char why[200];
            snprintf(why, sizeof why, "%s", mp_last_error());
            mp_pool_free(p);            /* ends the ones already started */
            mp_set_error(err, "pool: starting worker %d of %d: %s", i + 1, processes, why);
            return NULL;
        }
    }
    if (!exit_handler_set) {
        exit_handler_set = true;
        atexit(at_exit);
    }
    p->next_pool = pools;
    pools = p;
    p->last_check = mp_now();
    return p;
}

/* Checks the call's arguments; allocates it and puts it at the end of the
 * pool's list, to be handed out by send_new. */
static mp_async *new_call(mp_pool *p, mp_task fn, const void *in, size_t n, size_t in_size,
                          void *out, size_t out_size, size_t chunksize, bool copy_in)
{
    mp_clear_error();
    if (p->state != RUN) {
        mp_set_error(EINVAL, "pool not running (closed or terminated)");
        return NULL;
    }
    if (fn == NULL || (n > 0 && ((in == NULL && in_size > 0) || (out == NULL && out_size > 0)))) {
        mp_set_error(EINVAL, "pool: no function, or no input or output array");
        return NULL;
    }
    /* Each size on its own first: their sum could wrap around to a small
     * number (SIZE_MAX + 2 is 1). */
    if (in_size > SLOT_BYTES - ALIGN || out_size > SLOT_BYTES - ALIGN - in_size) {
        mp_set_error(EINVAL, "pool: an input plus an output item must fit in %d bytes, "
                     "not %zu + %zu", SLOT_BYTES - ALIGN, in_size, out_size);
        return NULL;
    }
    mp_async *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (copy_in && n > 0 && in_size > 0) {
        c->in_copy = malloc(n * in_size);
        if (c->in_copy == NULL) {
            free(c);
            return NULL;
        }
        memcpy(c->in_copy, in, n * in_size);
        in = c->in_copy;
    }
    c->pool = p;
    c->fn = fn;
    c->in = in;
    c->out = out;
    c->n = n;
    c->in_size = in_size;
    c->out_size = out_size;
    c->chunksize = chunksize > 0 ? chunksize : 1;
    c->prev = p->last_call;
    if (p->last_call != NULL)
        p->last_call->next_call = c;
    else
        p->calls = c;
    p->last_call = c;
    if (p->unsent == NULL)
        p->unsent = c;
    /* An empty map is ready at once. Its callbacks, which the caller sets
     * after this, never run: nor do Python's. */
    if (n == 0)
        finish_call(p, c);
    return c;
}

/* Python's Pool._map_async: chunksize None -> divmod(n, workers * 4),
 * rounded up; an empty map has chunksize 0. */
static mp_async *start_map(mp_pool *p, mp_task fn, const void *in, size_t n, size_t in_size,
                           void *out, size_t out_size, size_t chunksize, bool copy_in)
{
    if (chunksize == 0) {
        size_t per = (size_t)p->nworkers * 4;
        chunksize = n / per + (n % per != 0);
    }
    if (n == 0)
        chunksize = 0;
    mp_async *c = new_call(p, fn, in, n, in_size, out, out_size, chunksize, copy_in);
    if (c != NULL)
        p->chunksize = chunksize;
    return c;
}

mp_async *mp_pool_map_async(mp_pool *p, mp_task fn, const void *in, size_t n,
                            size_t in_size, void *out, size_t out_size, size_t chunksize,
                            mp_callback callback, mp_error_callback error_callback, void *arg)
{
    mp_async *c = start_map(p, fn, in, n, in_size, out, out_size, chunksize, true);
    if (c == NULL)
        return NULL;
    c->callback = callback;
    c->error_callback = error_callback;
    c->arg = arg;
    send_new(p);                         /* the workers can start now */
    return c;
}

/* map = map_async(...).get(), as in Python; the input is read where it is,
 * since the caller waits. */
enum mp_status mp_pool_map(mp_pool *p, mp_task fn, const void *in, size_t n,
                           size_t in_size, void *out, size_t out_size, size_t chunksize)
{
    mp_async *c = start_map(p, fn, in, n, in_size, out, out_size, chunksize, false);
    if (c == NULL)
        return MP_ERROR;
    enum mp_status status = mp_async_get(c, MP_FOREVER);
    mp_async_free(c);
    return status;
}

size_t mp_pool_chunksize(const mp_pool *p)
{
    return p->chunksize;
}

mp_async *mp_pool_apply_async(mp_pool *p, mp_task fn, const void *in, size_t in_size,
                              void *out, size_t out_size, mp_callback callback,
                              mp_error_callback error_callback, void *arg)
{
    mp_async *c = new_call(p, fn, in, 1, in_size, out, out_size, 1, true);
    if (c == NULL)
        return NULL;
    c->callback = callback;
    c->error_callback = error_callback;
    c->arg = arg;
    send_new(p);
    return c;
}

enum mp_status mp_pool_apply(mp_pool *p, mp_task fn, const void *in, size_t in_size,
                             void *out, size_t out_size)
{
    mp_async *c = new_call(p, fn, in, 1, in_size, out, out_size, 1, false);
    if (c == NULL)
        return MP_ERROR;
    enum mp_status status = mp_async_get(c, MP_FOREVER);
    mp_async_free(c);
    return status;
}

/* --- results ----------------------------------------------------------------- */

enum mp_status mp_async_get(mp_async *c, double timeout)
{
    mp_clear_error();
    if (!c->ready) {
        enum mp_status status = pump(c->pool, c, timeout);
        if (status != MP_OK)
            return status;
    }
    if (c->failed > 0) {
        mp_set_error(EIO, "%s", c->error);
        return MP_ERROR;
    }
    return MP_OK;
}

bool mp_async_wait(mp_async *c, double timeout)
{
    if (!c->ready)
        pump(c->pool, c, timeout);
    return c->ready;
}

bool mp_async_ready(mp_async *c)
{
    return mp_async_wait(c, 0);
}

int mp_async_successful(mp_async *c)
{
    mp_clear_error();
    if (!mp_async_ready(c)) {
        mp_set_error(EAGAIN, "the result is not ready");
        return -1;
    }
    return c->failed == 0;
}

void mp_async_free(mp_async *c)
{
    if (c == NULL)
        return;
    if (c->ready)
        free_call(c);
    else
        c->freed = true;                 /* finish_call frees it */
}

/* --- the end of a pool ---------------------------------------------------- */

void mp_pool_close(mp_pool *p)
{
    if (p->state == RUN)
        p->state = CLOSE;
}

int mp_pool_join(mp_pool *p)
{
    mp_clear_error();
    if (p->state == RUN) {
        mp_set_error(EINVAL, "pool is still running: close or terminate it before join");
        return -1;
    }
    if (p->state == CLOSE) {
        if (pump(p, NULL, MP_FOREVER) != MP_OK)
            return -1;
        /* No work is left: closing the queue tells each worker, once it
         * finds it empty, to leave (Python sends one None per worker). */
        mp_queue_close(p->tasks);
        for (int i = 0; i < p->nworkers; i++) {
            if (p->workers[i].proc.pid != 0)
                mp_process_join(&p->workers[i].proc, MP_FOREVER);
            p->workers[i].proc.pid = 0;
        }
    }
    return 0;
}

void mp_pool_terminate(mp_pool *p)
{
    p->state = TERMINATE;
    terminate_workers(p);
    fail_all(p, "the pool was terminated before the call finished");
}

void mp_pool_free(mp_pool *p)
{
    if (p == NULL)
        return;
    mp_pool_terminate(p);
    for (mp_pool **link = &pools; *link != NULL; link = &(*link)->next_pool) {
        if (*link == p) {
            *link = p->next_pool;
            break;
        }
    }
    munmap(p->records, p->shared_size);
    mp_queue_free(p->tasks);
    mp_queue_free(p->results);
    free(p->workers);
    free(p);
}
