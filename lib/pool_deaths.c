/* SPDX-License-Identifier: MIT */
/*
 * pool_deaths: the workers as processes. Starting one (again), finding it
 * dead, settling the task it had, and ending them all: Python's
 * Pool._maintain_pool and the worker half of Pool.terminate.
 *
 * Owns struct worker (each worker's mp_process and whether it is live).
 * When the parent finds a worker dead (it looks every CHECK_SECONDS), the
 * worker's record and its slot's claim word say exactly what it had:
 *   - no claim on its slot's current sending: it died in or right after
 *     mp_queue_get. The sending is taken back (unless another worker claimed
 *     it) and the task sent again under a new seq; a copy still in the queue
 *     can no longer be claimed, and the worker that gets it drops it;
 *   - a claim: its finished items are collected, the item it was running
 *     fails with the worker's PID and signal, and the rest are sent again.
 * So no item is lost and none runs twice. A new worker is started in its
 * place, by the pool's own start method.
 */
#include "pool_parts.h"
#include "mp_internal.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Starts worker i (again, after a crash) with a fresh record, by the
 * method the pool was made with (Python's Pool keeps its context too), even
 * if mp_set_start_method changed it since: its tasks travel in that
 * method's way. Its argument is bytes (its place in the pool and the
 * descriptors of the pool's memory), the same under every method. */
enum mp_status pool_start_worker(mp_pool *p, int i)
{
    struct worker *w = &p->workers[i];
    memset(&p->mem.records[i], 0, sizeof p->mem.records[i]);
    atomic_store(&p->mem.records[i].running, -1);
    struct worker_arg a = { i, p->nworkers, p->mem.fd, mp_queue_fd(p->mem.tasks),
                            mp_queue_fd(p->mem.results) };
    /* Python's names: ForkPoolWorker-1, SpawnPoolWorker-2, ... */
    const char *kind = strcmp(p->method, "spawn") == 0        ? "SpawnPoolWorker"
                       : strcmp(p->method, "forkserver") == 0 ? "ForkServerPoolWorker"
                                                             : "ForkPoolWorker";
    mp_process_init_as(&w->proc, kind, pool_worker_main, NULL);
    w->proc.daemon = true;
    /* None of these can fail: the argument is smaller than MP_ARG_MAX, and
     * three descriptors fewer than MP_PASS_FDS_MAX. */
    (void)mp_process_args(&w->proc, &a, sizeof a);
    (void)mp_process_pass_fd(&w->proc, a.block_fd);
    (void)mp_process_pass_fd(&w->proc, a.tasks_fd);
    (void)mp_process_pass_fd(&w->proc, a.results_fd);
    w->live = mp_process_start_by(&w->proc, p->method) == MP_OK;
    return w->live ? MP_OK : MP_ERROR;
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

/* The dead worker i had claimed slot s and was running item `running` of
 * it: the items before are collected, that one fails, naming the worker
 * and what ended it, and the rest are sent again. */
static void fail_running_item(mp_pool *p, int i, int s, long running)
{
    struct slot *sl = &p->slots[s];
    mp_async *c = sl->call;
    mp_process *w = &p->workers[i].proc;
    int exitcode = mp_process_exitcode(w);
    pool_collect(p, s, running, &p->mem.records[i].result);
    size_t index = sl->base + (size_t)running;
    if (exitcode < 0)
        pool_note_failure(c, index, 1, "in[%zu]: worker %ld was killed by signal %d (%s)",
                          index, (long)w->pid, -exitcode, signal_name(-exitcode));
    else
        pool_note_failure(c, index, 1, "in[%zu]: worker %ld exited with status %d",
                          index, (long)w->pid, exitcode);
    if (!c->freed && c->out_size > 0)
        memset(c->out + index * c->out_size, 0, c->out_size);
    c->done++;
    sl->first = running + 1;
    if (sl->first < sl->count)
        pool_send_slot(p, s);
    else
        pool_release(p, s);
}

/* Worker i has died (and been reaped). Settles the task in its record, if
 * that task is still the sending in flight of its slot. */
static void worker_died(mp_pool *p, int i)
{
    pool_drain_results(p);               /* what it finished and reported */
    struct record *rec = &p->mem.records[i];
    struct task *t = &rec->task;
    int s = t->slot;
    if (t->seq == 0 || p->slots[s].call == NULL || p->slots[s].seq != t->seq)
        return;                          /* it had no task in flight */

    /* Unclaimed: it died in or right after mp_queue_get, and the task may
     * still be in the queue or gone with it. Take the sending back (unless
     * another worker claimed it meanwhile) and send the slot anew: should
     * the old copy still be in the queue, its claim will fail. */
    uint64_t unclaimed = CLAIM(t->seq, 0);
    if (atomic_compare_exchange_strong(&p->mem.claims[s], &unclaimed, CLAIM(0, 0))) {
        pool_send_slot(p, s);
        return;
    }
    if (atomic_load(&p->mem.claims[s]) != CLAIM(t->seq, i + 1))
        return;                          /* another worker runs it */

    long running = atomic_load(&rec->running);
    if (running < t->first)              /* claimed, died before its first item */
        pool_send_slot(p, s);
    else if (running >= t->count)        /* all ran, died before reporting */
        pool_complete(p, &rec->result);
    else
        fail_running_item(p, i, s, running);
}

/* Python's Pool._maintain_pool: reaps the workers that have died and starts
 * new ones in their place. Fails every call if no worker can be started. */
void pool_check_workers(mp_pool *p)
{
    int alive = 0;
    char why[200] = "";
    for (int i = 0; i < p->nworkers; i++) {
        struct worker *w = &p->workers[i];
        if (w->live && !mp_process_is_alive(&w->proc)) {
            w->live = false;
            worker_died(p, i);
        }
        if (!w->live && pool_start_worker(p, i) != MP_OK)
            snprintf(why, sizeof why, "the pool has no worker left: %s", mp_last_error());
        if (w->live)
            alive++;
    }
    if (alive == 0)
        pool_fail_all(p, why);
}

/* Pool.terminate's part on the workers: SIGTERM to each, SIGKILL to any
 * still there after a second, and every one reaped. */
void pool_terminate_workers(mp_pool *p)
{
    for (int i = 0; i < p->nworkers; i++)
        if (p->workers[i].live)
            (void)mp_process_terminate(&p->workers[i].proc);   /* fails only if already gone */
    double deadline = mp_now() + 1.0;
    for (int i = 0; i < p->nworkers; i++) {
        struct worker *w = &p->workers[i];
        if (!w->live)
            continue;
        double left = deadline - mp_now();
        if (mp_process_join(&w->proc, left > 0 ? left : 0) != MP_OK) {
            (void)mp_process_kill(&w->proc);             /* it would not go: SIGKILL */
            (void)mp_process_join(&w->proc, MP_FOREVER); /* SIGKILL cannot be refused */
        }
        w->live = false;
    }
}
