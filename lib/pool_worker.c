/* SPDX-License-Identifier: MIT */
/*
 * pool_worker: the worker process, from its start to its end.
 *
 * Owns the worker's record (struct record, in shared memory: the task it
 * took, the item it is running, its result so far), which only the worker
 * writes and the parent reads only once the worker is dead; and the claim a
 * worker makes on a slot before it touches it.
 *
 * A worker finds the pool the same way under every start method: by the
 * descriptors its argument names (the shared block and the two queues),
 * which it maps itself. A forked worker could use the parent's pointers,
 * which fork copied; a spawned one is a new program, where they mean
 * nothing. One path for all three keeps the worker's code the same, and
 * costs a forked worker three mmaps at its start, once.
 */
#include "pool_internal.h"
#include "mp_internal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

/* Claims the slot of the task the worker got. The compare-and-swap succeeds
 * only while the slot's claim word still says "this sending, nobody": it
 * fails for a stale copy (the parent sent the slot again after a worker died
 * with this copy in hand, in mp_queue_get) and for a slot another worker
 * claimed. A worker whose claim fails drops the task without reading or
 * writing the slot, so a slot is only ever written by the one worker that
 * owns its sending. */
static bool claim(const struct pool_mem *m, const struct task *t, int index)
{
    uint64_t expected = CLAIM(t->seq, 0);
    return atomic_compare_exchange_strong(&m->claims[t->slot], &expected,
                                          CLAIM(t->seq, index + 1));
}

/* Runs the task's function on the items of a claimed task, publishing each
 * item's index before it runs: if it crashes, the parent knows which item
 * did it. A name this program has no task for fails every item (the
 * parent says which name). */
static void run_task(const struct pool_mem *m, struct record *rec)
{
    struct task *t = &rec->task;
    unsigned char *in = pool_slot_in(m, t->slot);
    unsigned char *out = pool_slot_out(m, t->slot, t->count, t->in_size);
    mp_task fn = t->fn != NULL ? t->fn : pool_task_by_name(t->fn_name);
    rec->result = (struct result){ .slot = t->slot, .seq = t->seq };
    if (fn == NULL) {
        memset(out + (size_t)t->first * t->out_size, 0, (size_t)(t->count - t->first) * t->out_size);
        rec->result.unknown_fn = true;
        rec->result.failed = t->count - t->first;
        rec->result.first_failed = t->first;
    }
    for (long i = t->first; fn != NULL && i < t->count; i++) {
        atomic_store_explicit(&rec->running, i, memory_order_release);
        void *item_out = out + (size_t)i * t->out_size;
        int rc = fn(in + (size_t)i * t->in_size, item_out);
        if (rc != 0) {
            memset(item_out, 0, t->out_size);
            if (rec->result.failed++ == 0) {
                rec->result.first_failed = i;
                rec->result.error = rc;
            }
        }
    }
    atomic_store_explicit(&rec->running, t->count, memory_order_release);
}

/* Maps the pool the argument names into m, checking that each descriptor
 * holds what this worker expects: a wrong one ends the worker, saying so. */
static void attach(const struct worker_arg *a, struct pool_mem *m)
{
    size_t size;
    void *block = mp_shm_attach(a->block_fd, &size);
    if (block == NULL)
        mp_die("pool worker: mapping the pool (descriptor %d): %s", a->block_fd, strerror(errno));
    if (a->nworkers < 1 || a->nworkers > MP_POOL_MAX_WORKERS || a->index < 0 ||
        a->index >= a->nworkers || size != pool_block_size(a->nworkers))
        mp_die("pool worker: descriptor %d holds %zu bytes, not the pool of %d workers "
               "worker %d expects", a->block_fd, size, a->nworkers, a->index);
    pool_place(m, block, a->nworkers);
    m->fd = a->block_fd;
    m->tasks = mp_queue_attach(a->tasks_fd);
    m->results = mp_queue_attach(a->results_fd);
    if (m->tasks == NULL || m->results == NULL)
        mp_die("pool worker: the pool's queues (descriptors %d, %d): %s", a->tasks_fd,
               a->results_fd, mp_last_error());
}

/* The whole life of a worker: take a task, claim it, run it, report, until
 * the tasks queue is closed. The task is copied by mp_queue_get straight
 * into the worker's record, so that the parent can see it should the worker
 * die. The argument is the bytes of a struct worker_arg. */
int pool_worker_main(void *arg)
{
    struct worker_arg a;
    memcpy(&a, arg, sizeof a);
    struct pool_mem m;
    attach(&a, &m);
    struct record *rec = &m.records[a.index];

    /* Ctrl-C goes to the whole process group: let the parent handle it.
     * (signal fails only for a bad signal number.) */
    (void)signal(SIGINT, SIG_IGN);

    for (;;) {
        atomic_store(&rec->running, -1);
        enum mp_status status = mp_queue_get(m.tasks, &rec->task, MP_FOREVER);
        if (status == MP_CLOSED)
            return 0;                       /* the pool was joined: done */
        if (status != MP_OK)
            mp_die("pool worker: %s", mp_last_error());
        if (!claim(&m, &rec->task, a.index))
            continue;                       /* a stale copy: not ours to run */
        run_task(&m, rec);
        /* Never blocks: the results queue has room for every task in flight. */
        if (mp_queue_put(m.results, &rec->result, MP_FOREVER) != MP_OK)
            mp_die("pool worker: %s", mp_last_error());
    }
}
