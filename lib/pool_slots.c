/* SPDX-License-Identifier: MIT */
/*
 * pool_slots: the task slots, on the parent's side, and the two queues
 * that carry tasks out and results back.
 *
 * Owns the slots (struct slot and the stack of free ones), the sending
 * numbers (seq) and the claim words' "seq, nobody" state. A slot is filled
 * with a call's next items and sent as a task (pool_send_new,
 * pool_send_slot); a result taken in (pool_complete) copies the slot's
 * outputs to the call's out, counts its items done and frees the slot
 * (pool_release), which finishes the call once its last item is done.
 * The worker's side of a slot is pool_worker.c; a dead worker's slot is
 * settled by pool_deaths.c with the same calls.
 */
#include "pool_parts.h"
#include "mp_internal.h"

#include <stdio.h>
#include <string.h>

/* Every slot free, in order: slot 0 is taken first. */
void pool_free_slots(mp_pool *p)
{
    for (int s = 0; s < NSLOTS; s++)
        p->slots[s].call = NULL;
    p->nfree = 0;
    for (int s = NSLOTS - 1; s >= 0; s--)
        p->free_slots[p->nfree++] = s;
}

/* How many items of these sizes fit in one slot. */
static size_t items_per_slot(size_t in_size, size_t out_size)
{
    if (in_size + out_size == 0)
        return SLOT_BYTES;
    return (SLOT_BYTES - ALIGN) / (in_size + out_size);
}

/* Hands out the calls' unsent items while there are free slots: each task
 * holds the next items of one chunk, as many as fit in a slot. */
void pool_send_new(mp_pool *p)
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
            memcpy(pool_slot_in(&p->mem, s), c->in + c->next * c->in_size,
                   (end - c->next) * c->in_size);
        c->next = end;
        if (c->next == c->n)
            p->unsent = c->next_call;
        pool_send_slot(p, s);
    }
}

/* Puts slot s's task on the queue, as a new sending: a new seq, which the
 * claim word gets first, so that only a copy of this sending can claim the
 * slot. The caller makes sure no worker holds a claim on the slot (it is
 * new, or its claimer is dead, or nobody claimed the sending before). */
void pool_send_slot(mp_pool *p, int s)
{
    struct slot *sl = &p->slots[s];
    mp_async *c = sl->call;
    if (++p->seq == 0)
        p->seq = 1;                      /* 0 means "no task" in a record */
    sl->seq = p->seq;
    atomic_store(&p->mem.claims[s], CLAIM(sl->seq, 0));
    /* By name to a worker that is a new program (the parent made sure it is
     * registered); a forked worker has the function at the same address. */
    struct task t = { c->fn_name == NULL ? c->fn : NULL, "", c->in_size, c->out_size, s,
                      sl->seq, sl->first, sl->count };
    if (c->fn_name != NULL)
        snprintf(t.fn_name, sizeof t.fn_name, "%s", c->fn_name);
    /* The queue has room for every slot twice over: this does not wait. */
    if (mp_queue_put(p->mem.tasks, &t, 0) == MP_OK)
        return;
    pool_note_failure(c, sl->base + (size_t)sl->first, (size_t)(sl->count - sl->first),
                      "in[%zu]: could not hand the task to a worker: %s",
                      sl->base + (size_t)sl->first, mp_last_error());
    c->done += (size_t)(sl->count - sl->first);
    pool_release(p, s);
}

/* Takes every result waiting on the queue, without waiting for more; how
 * many. */
int pool_drain_results(mp_pool *p)
{
    struct result r;
    int got = 0;
    while (mp_queue_get(p->mem.results, &r, 0) == MP_OK) {
        pool_complete(p, &r);
        got++;
    }
    return got;
}

/* A result came back. One for a sending that is no longer in flight (its
 * pool terminated and the slot given to a new call) is ignored. */
void pool_complete(mp_pool *p, const struct result *r)
{
    const struct slot *sl = &p->slots[r->slot];
    if (sl->call == NULL || sl->seq != r->seq)
        return;
    pool_collect(p, r->slot, sl->count, r);
    pool_release(p, r->slot);
}

/* Items first..end-1 of slot s (of the sending in flight) are done: copies
 * their outputs to the caller's out and counts them, with the failures r
 * reports among them. */
void pool_collect(mp_pool *p, int s, long end, const struct result *r)
{
    struct slot *sl = &p->slots[s];
    mp_async *c = sl->call;
    long first = sl->first;
    if (!c->freed && c->out_size > 0 && end > first)
        memcpy(c->out + (sl->base + (size_t)first) * c->out_size,
               pool_slot_out(&p->mem, s, sl->count, c->in_size) + (size_t)first * c->out_size,
               (size_t)(end - first) * c->out_size);
    size_t index = sl->base + (size_t)r->first_failed;
    if (r->failed > 0 && r->unknown_fn)
        pool_note_failure(c, index, (size_t)r->failed, "in[%zu]: Can't get attribute '%s' on "
                          "<module '__main__'> (the worker has no task of that name: MP_TASK "
                          "must come before mp_main_guard)", index, c->fn_name);
    else if (r->failed > 0)
        pool_note_failure(c, index, (size_t)r->failed, "in[%zu]: the task returned %d", index,
                          r->error);
    c->done += (size_t)(end - first);
    sl->first = end;
}

/* Frees slot s; finishes its call if that was its last work. */
void pool_release(mp_pool *p, int s)
{
    mp_async *c = p->slots[s].call;
    p->slots[s].call = NULL;
    p->free_slots[p->nfree++] = s;
    if (c->done == c->n)
        pool_finish_call(p, c);
}

/* Terminate, or no worker left: every slot is free again and every
 * unfinished call fails with why. */
void pool_fail_all(mp_pool *p, const char *why)
{
    pool_free_slots(p);
    pool_fail_calls(p, why);
}
