/* SPDX-License-Identifier: MIT */
/*
 * pool_calls: the calls given to a pool (multiprocessing.pool.AsyncResult),
 * from the moment one is checked and entered in the pool's list of
 * unfinished calls to the moment it is finished, well or not.
 *
 * Owns struct mp_async and that list. A call is checked and appended here
 * (pool_new_call); pool_slots.c hands its items out and counts them back
 * in (done, failed, with pool_note_failure keeping the words of the lowest
 * failed item); once every item is done, pool_finish_call makes it ready and
 * runs its callback. Terminate, or a pool left with no worker, fails every
 * call at once (pool_fail_calls).
 */
#include "pool_parts.h"
#include "mp_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether a call's arguments can be run by this pool; if not, says why. */
static bool call_ok(const mp_pool *p, mp_task fn, const void *in, size_t n, size_t in_size,
                    const void *out, size_t out_size)
{
    if (p->state != RUN) {
        mp_set_error(EINVAL, "pool not running (closed or terminated)");
        return false;
    }
    if (fn == NULL || (n > 0 && ((in == NULL && in_size > 0) || (out == NULL && out_size > 0)))) {
        mp_set_error(EINVAL, "pool: no function, or no input or output array");
        return false;
    }
    /* Each size on its own first: their sum could wrap around to a small
     * number (SIZE_MAX + 2 is 1). */
    if (in_size > SLOT_BYTES - ALIGN || out_size > SLOT_BYTES - ALIGN - in_size) {
        mp_set_error(EINVAL, "pool: an input plus an output item must fit in %d bytes, "
                     "not %zu + %zu", SLOT_BYTES - ALIGN, in_size, out_size);
        return false;
    }
    return true;
}

/* The name fn travels by: NULL under fork (a forked worker gets its
 * address), else its MP_TASK name. A worker that is a new program can only
 * be given a registered task: false if fn is not one, saying so in
 * Python's words before anything is sent. */
static bool name_of(const mp_pool *p, mp_task fn, const char **name)
{
    bool by_name = strcmp(p->method, "fork") != 0;
    *name = by_name ? pool_task_name(fn) : NULL;
    if (by_name && *name == NULL) {
        /* Printing a function pointer needs a cast through an object
         * pointer: fine on every system that has dlsym. */
        mp_set_error(EINVAL, "Can't pickle <function at %p>: attribute lookup on __main__ "
                     "failed (register it with MP_TASK)", *(void **)(void *)&fn);
        return false;
    }
    return true;
}

/* Checks the call's arguments; allocates it and puts it at the end of the
 * pool's list, for pool_send_new to hand out. copy_in: the async calls,
 * whose caller may change in before the items are sent. NULL with
 * mp_last_error() if the call cannot be made. */
mp_async *pool_new_call(mp_pool *p, mp_task fn, const void *in, size_t n, size_t in_size,
                        void *out, size_t out_size, size_t chunksize, bool copy_in)
{
    mp_clear_error();
    const char *name;
    if (!call_ok(p, fn, in, n, in_size, out, out_size) || !name_of(p, fn, &name))
        return NULL;
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
    c->fn_name = name;
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
        pool_finish_call(p, c);
    return c;
}

/* Notes that count items failed, the first of them at index, why. The
 * message kept is the one of the lowest failed index. */
void pool_note_failure(mp_async *c, size_t index, size_t count, const char *fmt, ...)
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

static void unlink_call(mp_pool *p, const mp_async *c)
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

void pool_free_call(mp_async *c)
{
    free(c->in_copy);
    free(c);
}

/* Every item of c is done: it becomes ready, and its callback runs (last:
 * the callback may use the pool again). A call its caller freed already
 * goes now. */
void pool_finish_call(mp_pool *p, mp_async *c)
{
    unlink_call(p, c);
    c->pool = NULL;
    c->ready = true;
    if (c->freed) {
        pool_free_call(c);
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

/* Every call not finished fails with why, its items not done counted as
 * failed; no callback runs (Python's never finish at all). */
void pool_fail_calls(mp_pool *p, const char *why)
{
    while (p->calls != NULL) {
        mp_async *c = p->calls;
        unlink_call(p, c);
        c->pool = NULL;
        c->ready = true;
        c->failed = c->n - c->done;
        snprintf(c->error, sizeof c->error, "%s", why);
        if (c->freed)
            pool_free_call(c);
    }
}
