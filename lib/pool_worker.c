/* SPDX-License-Identifier: MIT */
/*
 * pool_worker: the worker process, from its fork to its end.
 *
 * Owns the worker's record (struct record, in shared memory: the task it
 * took, the item it is running, its result so far), which only the worker
 * writes and the parent reads only once the worker is dead; and the claim a
 * worker makes on a slot before it touches it.
 */
#include "pool_internal.h"
#include "mp_internal.h"

#include <signal.h>
#include <string.h>

/* Claims the slot of the task the worker got. The compare-and-swap succeeds
 * only while the slot's claim word still says "this sending, nobody": it
 * fails for a stale copy (the parent sent the slot again after a worker died
 * with this copy in hand, in mp_queue_get) and for a slot another worker
 * claimed. A worker whose claim fails drops the task without reading or
 * writing the slot, so a slot is only ever written by the one worker that
 * owns its sending. */
static bool claim(mp_pool *p, const struct task *t, int index)
{
    uint64_t expected = CLAIM(t->seq, 0);
    return atomic_compare_exchange_strong(&p->claims[t->slot], &expected,
                                          CLAIM(t->seq, index + 1));
}

/* Runs fn on the items of a claimed task, publishing each item's index
 * before fn runs: if fn crashes, the parent knows which item did it. */
static void run_task(mp_pool *p, struct record *rec)
{
    struct task *t = &rec->task;
    unsigned char *in = pool_slot_in(p, t->slot);
    unsigned char *out = pool_slot_out(p, t->slot, t->count, t->in_size);
    rec->result = (struct result){ .slot = t->slot, .seq = t->seq };
    for (long i = t->first; i < t->count; i++) {
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
}

/* The whole life of a worker: take a task, claim it, run it, report, until
 * the tasks queue is closed. The task is copied by mp_queue_get straight
 * into the worker's record, so that the parent can see it should the worker
 * die. */
int pool_worker_main(void *arg)
{
    struct worker *w = arg;
    mp_pool *p = w->pool;
    struct record *rec = &p->records[w->index];

    /* Ctrl-C goes to the whole process group: let the parent handle it.
     * (signal fails only for a bad signal number.) */
    (void)signal(SIGINT, SIG_IGN);

    for (;;) {
        atomic_store(&rec->running, -1);
        enum mp_status status = mp_queue_get(p->tasks, &rec->task, MP_FOREVER);
        if (status == MP_CLOSED)
            return 0;                       /* the pool was joined: done */
        if (status != MP_OK)
            mp_die("pool worker: %s", mp_last_error());
        if (!claim(p, &rec->task, w->index))
            continue;                       /* a stale copy: not ours to run */
        run_task(p, rec);
        /* Never blocks: the results queue has room for every task in flight. */
        if (mp_queue_put(p->results, &rec->result, MP_FOREVER) != MP_OK)
            mp_die("pool worker: %s", mp_last_error());
    }
}
