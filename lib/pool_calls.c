/* SPDX-License-Identifier: MIT */
/*
 * pool_calls: the calls (map, map_async, apply, apply_async) and their
 * results (multiprocessing.pool.AsyncResult), and pool_pump(), the parent's
 * loop that does the work of Python's three pool threads.
 *
 * Owns struct mp_async and the pool's list of unfinished calls: a call is
 * checked and queued (new_call), handed out by pool_tasks.c, counts its
 * items as they come back (done, failed, the first failure's words), and
 * once every item is done it becomes ready and its callback runs.
 */
#include "pool_internal.h"
#include "mp_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
void pool_finish_call(mp_pool *p, mp_async *c)
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

/* Every call not finished fails with why; no callback runs (Python's never
 * finish at all). Every slot is free again. */
void pool_fail_all(mp_pool *p, const char *why)
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

/* Python's three pool threads in one function: hands out tasks, collects
 * results, replaces dead workers, until `until` is ready (NULL: until no call
 * is left) or the timeout runs out. Between results it sleeps in a timed get
 * on the results queue, waking every CHECK_SECONDS to look at the workers. */
enum mp_status pool_pump(mp_pool *p, mp_async *until, double timeout)
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

/* Whether a call's arguments can be run by this pool; if not, says why. */
static bool call_ok(mp_pool *p, mp_task fn, const void *in, size_t n, size_t in_size,
                    void *out, size_t out_size)
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
 * pool's list, to be handed out by send_new. */
static mp_async *new_call(mp_pool *p, mp_task fn, const void *in, size_t n, size_t in_size,
                          void *out, size_t out_size, size_t chunksize, bool copy_in)
{
    mp_clear_error();
    if (!call_ok(p, fn, in, n, in_size, out, out_size))
        return NULL;
    const char *name;
    if (!name_of(p, fn, &name))
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
    mp_async *c = new_call(p, fn, in, 1, in_size, out, out_size, 1, true);
    return start_async(p, c, callback, error_callback, arg);
}

enum mp_status mp_pool_apply(mp_pool *p, mp_task fn, const void *in, size_t in_size,
                             void *out, size_t out_size)
{
    return get_and_free(new_call(p, fn, in, 1, in_size, out, out_size, 1, false));
}

enum mp_status mp_async_get(mp_async *c, double timeout)
{
    mp_clear_error();
    if (!c->ready) {
        enum mp_status status = pool_pump(c->pool, c, timeout);
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
        pool_pump(c->pool, c, timeout);
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
        free_call(c);
    else
        c->freed = true;                 /* finish_call frees it */
}
