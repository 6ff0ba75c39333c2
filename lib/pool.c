/* SPDX-License-Identifier: MIT */
/*
 * pool: mp_pool, multiprocessing.Pool on two mp_queues and one block of
 * shared memory, whichever way its workers start. How a task travels:
 *
 *   parent (your program)                  worker (started at mp_pool_new)
 *   ---------------------                  -------------------------------
 *   copies a piece of the input into a
 *   free task slot of shared memory,
 *   sets the slot's claim word to
 *   (seq, nobody), then puts a task
 *   (fn or its name, slot,      -- tasks -->  gets it into its record,
 *   seq, items)                               claims the slot: (seq, me);
 *                                             a stale copy fails, is dropped;
 *                                             runs fn on each item, writing
 *                                             the outputs into the slot,
 *   copies the outputs to out, <-- results -- puts a result (slot, seq,
 *   frees the slot                            failures)
 *
 * Only small descriptions go through the queues; the items themselves are
 * copied once into the slot and once out of it. Under fork a task names its
 * function by address; under spawn and forkserver, where a worker is a new
 * program, by the name MP_TASK registered. Either way each worker maps the
 * queues and the block from their descriptors.
 *
 * There are no threads in the parent. Python's Pool has three (they hand out
 * tasks, collect results and replace dead workers, while your code runs);
 * here one function, pump(), does all three jobs, and every pool call that
 * waits runs it: get, wait, ready, join, map, apply. So callbacks run in the
 * caller, inside one of those calls; and tasks beyond the NSLOTS in flight
 * are only handed out while you are in a pool call.
 *
 * The reading order, top down: each file calls only the files after it.
 *   pool.c          what you call (Pool, map, apply, AsyncResult), and the pump
 *   pool_deaths.c   the workers as processes: started, found dead, ended
 *   pool_slots.c    the task slots: filled, sent as tasks, results taken in
 *   pool_calls.c    the unfinished calls: checked, counted, finished, failed
 *   pool_worker.c   the child's side: the tasks by name (MP_TASK), the worker
 * pool_parts.h holds the records they share, and says who writes which.
 *
 * This file owns the pool itself: its memory, its workers' first start, its
 * state (RUN, CLOSE, TERMINATE) and the list of pools the exit handler ends.
 */
#include "pool_parts.h"
#include "mp_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static mp_pool *pools;             /* every pool not freed, for at_exit */
static bool exit_handler_set;

/* ---- The pool's life ---- */

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
        pool_terminate_workers(p);
    }
}

/* Allocates the pool, its queues and its shared block; no worker yet. The
 * block is a memfd (mp_shm_new) under every start method: fork would do
 * with anonymous memory, but a spawned worker can only map what it is given
 * a descriptor of. NULL with errno set if any is missing. */
static mp_pool *alloc_pool(int processes)
{
    mp_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->nworkers = processes;
    p->owner = getpid();
    p->state = RUN;
    snprintf(p->method, sizeof p->method, "%s", mp_get_start_method());
    p->workers = calloc((size_t)processes, sizeof *p->workers);
    /* Room for every slot twice in each queue: puts never wait (the second
     * time covers a task sent again while a dead worker's copy lingers). */
    p->mem.tasks = mp_queue_new(sizeof(struct task), 2 * NSLOTS);
    p->mem.results = mp_queue_new(sizeof(struct result), 2 * NSLOTS);
    /* Shared, and only given real pages as they are first written. */
    void *block = mp_shm_new(pool_block_size(processes), &p->mem.fd);
    if (p->workers == NULL || p->mem.tasks == NULL || p->mem.results == NULL || block == NULL) {
        int err = errno;
        if (block != NULL) {
            (void)munmap(block, pool_block_size(processes)); /* ours: cannot fail */
            close(p->mem.fd);                                /* ours: cannot fail */
        }
        mp_queue_free(p->mem.tasks);
        mp_queue_free(p->mem.results);
        free(p->workers);
        free(p);
        errno = err;
        return NULL;
    }
    pool_place(&p->mem, block, processes);
    pool_free_slots(p);
    return p;
}

mp_pool *mp_pool_new(int processes)
{
    mp_clear_error();
    if (processes < 0 || processes > MP_POOL_MAX_WORKERS) {
        mp_set_error(EINVAL, "a pool has 1 to %d workers (0: one per CPU), not %d",
                     MP_POOL_MAX_WORKERS, processes);
        return NULL;
    }
    /* A worker that is a new program runs the pool's worker target, which
     * the first MP_TASK registers: without one, every worker would die at
     * its start, and be started again, for ever. */
    if (strcmp(mp_get_start_method(), "fork") != 0 && !pool_tasks_registered()) {
        mp_set_error(EINVAL, "a pool's workers under %s are new programs: register its "
                     "tasks with MP_TASK before mp_main_guard", mp_get_start_method());
        return NULL;
    }
    if (processes == 0) {
        /* -1 if the system cannot tell: then one worker. */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        processes = cpus < 1 ? 1 : cpus > MP_POOL_MAX_WORKERS ? MP_POOL_MAX_WORKERS : (int)cpus;
    }
    mp_pool *p = alloc_pool(processes);
    if (p == NULL)
        return NULL;
    for (int i = 0; i < processes; i++) {
        if (pool_start_worker(p, i) != MP_OK) {
            int err = errno;
            char why[200];
            snprintf(why, sizeof why, "%s", mp_last_error());
            mp_pool_free(p);            /* ends the ones already started */
            mp_set_error(err, "pool: starting worker %d of %d: %s", i + 1, processes, why);
            return NULL;
        }
    }
    if (!exit_handler_set) {
        if (atexit(at_exit) != 0) {
            mp_pool_free(p);
            mp_set_error(ENOMEM, "pool: cannot set up the exit handler: out of memory");
            return NULL;
        }
        exit_handler_set = true;
    }
    p->next_pool = pools;
    pools = p;
    p->last_check = mp_now();
    return p;
}

/* Python's three pool threads in one function: hands out tasks, collects
 * results, replaces dead workers, until `until` is ready (NULL: until no call
 * is left) or the timeout runs out. Between results it sleeps in a timed get
 * on the results queue, waking every CHECK_SECONDS to look at the workers. */
static enum mp_status pump(mp_pool *p, const mp_async *until, double timeout)
{
    double deadline = mp_now() + timeout;
    for (;;) {
        pool_send_new(p);
        int got = pool_drain_results(p);
        if (until != NULL ? until->ready : p->calls == NULL)
            return MP_OK;

        double now = mp_now();
        if (now - p->last_check >= CHECK_SECONDS) {
            p->last_check = now;
            pool_check_workers(p);
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
        enum mp_status status = mp_queue_get(p->mem.results, &r, wait);
        if (status == MP_OK)
            pool_complete(p, &r);
        else if (status == MP_ERROR)
            return MP_ERROR;
    }
}

void mp_pool_close(mp_pool *p)
{
    if (p->state == RUN)
        p->state = CLOSE;
}

enum mp_status mp_pool_join(mp_pool *p)
{
    mp_clear_error();
    if (p->state == RUN) {
        mp_set_error(EINVAL, "pool is still running: close or terminate it before join");
        return MP_ERROR;
    }
    if (p->state == CLOSE) {
        if (pump(p, NULL, MP_FOREVER) != MP_OK)
            return MP_ERROR;
        /* No work is left: closing the queue tells each worker, once it
         * finds it empty, to leave (Python sends one None per worker). */
        if (mp_queue_close(p->mem.tasks) != MP_OK)
            return MP_ERROR;
        for (int i = 0; i < p->nworkers; i++) {
            struct worker *w = &p->workers[i];
            if (w->live && mp_process_join(&w->proc, MP_FOREVER) != MP_OK)
                return MP_ERROR;
            w->live = false;
        }
    }
    return MP_OK;
}

void mp_pool_terminate(mp_pool *p)
{
    p->state = TERMINATE;
    pool_terminate_workers(p);
    pool_fail_all(p, "the pool was terminated before the call finished");
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
    (void)munmap(p->mem.records, p->mem.size);  /* our own mapping: cannot fail */
    close(p->mem.fd);                           /* our own memfd: cannot fail */
    mp_queue_free(p->mem.tasks);
    mp_queue_free(p->mem.results);
    free(p->workers);
    free(p);
}

/* ---- The calls: map, apply, and their results ---- */

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
    mp_async *c = pool_new_call(p, fn, in, n, in_size, out, out_size, chunksize, copy_in);
    if (c != NULL)
        p->chunksize = chunksize;
    return c;
}

size_t mp_pool_chunksize(const mp_pool *p)
{
    return p->chunksize;
}

/* The async calls: set the callbacks, and let the workers start now. */
static mp_async *start_async(mp_pool *p, mp_async *c, mp_callback callback,
                             mp_error_callback error_callback, void *arg)
{
    if (c == NULL)
        return NULL;
    c->callback = callback;
    c->error_callback = error_callback;
    c->arg = arg;
    pool_send_new(p);
    return c;
}

/* map = map_async(...).get() and apply = apply_async(...).get(), as in
 * Python; the input is read where it is, since the caller waits. */
static enum mp_status get_and_free(mp_async *c)
{
    if (c == NULL)
        return MP_ERROR;
    enum mp_status status = mp_async_get(c, MP_FOREVER);
    mp_async_free(c);
    return status;
}

mp_async *mp_pool_map_async(mp_pool *p, mp_task fn, const void *in, size_t n,
                            size_t in_size, void *out, size_t out_size, size_t chunksize,
                            mp_callback callback, mp_error_callback error_callback, void *arg)
{
    mp_async *c = start_map(p, fn, in, n, in_size, out, out_size, chunksize, true);
    return start_async(p, c, callback, error_callback, arg);
}

enum mp_status mp_pool_map(mp_pool *p, mp_task fn, const void *in, size_t n,
                           size_t in_size, void *out, size_t out_size, size_t chunksize)
{
    return get_and_free(start_map(p, fn, in, n, in_size, out, out_size, chunksize, false));
}

mp_async *mp_pool_apply_async(mp_pool *p, mp_task fn, const void *in, size_t in_size,
                              void *out, size_t out_size, mp_callback callback,
                              mp_error_callback error_callback, void *arg)
{
    mp_async *c = pool_new_call(p, fn, in, 1, in_size, out, out_size, 1, true);
    return start_async(p, c, callback, error_callback, arg);
}

enum mp_status mp_pool_apply(mp_pool *p, mp_task fn, const void *in, size_t in_size,
                             void *out, size_t out_size)
{
    return get_and_free(pool_new_call(p, fn, in, 1, in_size, out, out_size, 1, false));
}

enum mp_status mp_async_get(mp_async *c, double timeout)
{
    mp_clear_error();
    if (!c->ready) {
        enum mp_status status = pump(c->pool, c, timeout);
        if (status == MP_TIMEOUT)
            mp_set_error(ETIMEDOUT, "the result is not ready yet "
                         "(Python: multiprocessing.TimeoutError)");
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
        (void)pump(c->pool, c, timeout);  /* whether it is ready says it all */
    return c->ready;
}

bool mp_async_ready(mp_async *c)
{
    return mp_async_wait(c, 0);
}

enum mp_status mp_async_successful(mp_async *c)
{
    mp_clear_error();
    if (!mp_async_ready(c)) {
        mp_set_error(EAGAIN, "the result is not ready");
        return MP_TIMEOUT;
    }
    if (c->failed > 0) {
        mp_set_error(EIO, "%s", c->error);
        return MP_ERROR;
    }
    return MP_OK;
}

void mp_async_free(mp_async *c)
{
    if (c == NULL)
        return;
    if (c->ready)
        pool_free_call(c);
    else
        c->freed = true;                 /* pool_finish_call frees it */
}
