/* SPDX-License-Identifier: MIT */
/*
 * pool_worker: the child's side of the pool. First the tasks by name
 * (MP_TASK), then the worker process, from its start to its end.
 *
 * Tasks by name are Python's pickling of a function by its qualified name.
 * Under spawn and forkserver a worker is a new program, where a function
 * pointer means nothing (its addresses are randomised): the parent sends
 * the task's name, and the worker finds the function in its own copy of
 * the table below, filled in by the same MP_TASK calls, which every program
 * makes before mp_main_guard. The first registration also registers the
 * worker itself as a target (mp_register_target), so that a spawned program
 * can run it: registering the tasks registers the worker too.
 *
 * The worker owns its record (struct record, in shared memory: the task it
 * took, the item it is running, its result so far), which only the worker
 * writes and the parent reads only once the worker is dead; and the claim
 * a worker makes on a slot before it touches it.
 *
 * A worker finds the pool the same way under every start method: by the
 * descriptors its argument names (the shared block and the two queues),
 * which it maps itself. A forked worker could use the parent's pointers,
 * which fork copied; a spawned one is a new program, where they mean
 * nothing. One path for all three keeps the worker's code the same, and
 * costs a forked worker three mmaps at its start, once.
 */
#include "pool_parts.h"
#include "mp_internal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

/* ---- The tasks by name ---- */

#define WORKER_TARGET "PoolWorker"     /* the worker's name as a target */
#define MAX_TASKS 64

/* The table, the same in every program that made the same MP_TASK calls. */
static struct {
    char name[MP_TASK_NAME_MAX + 1];
    mp_task fn;
} tasks[MAX_TASKS];
static int ntasks;

/* MP_TASK(fn): enters fn in the table under name. MP_OK, also for the same
 * name and function again; MP_ERROR: EINVAL (no name or function),
 * ENAMETOOLONG, EEXIST (the name is another function's), ENOSPC (full). */
enum mp_status mp_register_task(const char *name, mp_task fn)
{
    mp_clear_error();
    if (name == NULL || fn == NULL || name[0] == '\0') {
        mp_set_error(EINVAL, "MP_TASK: a task needs a name and a function");
        return MP_ERROR;
    }
    if (strlen(name) > MP_TASK_NAME_MAX) {
        mp_set_error(ENAMETOOLONG, "MP_TASK: the name '%.100s' is longer than %d characters",
                     name, MP_TASK_NAME_MAX);
        return MP_ERROR;
    }
    for (int i = 0; i < ntasks; i++) {
        if (strcmp(tasks[i].name, name) != 0)
            continue;
        if (tasks[i].fn == fn)
            return MP_OK;                    /* registered already: nothing to do */
        mp_set_error(EEXIST, "MP_TASK: another task is registered as '%s'", name);
        return MP_ERROR;
    }
    if (ntasks == MAX_TASKS) {
        mp_set_error(ENOSPC, "MP_TASK: more than %d tasks registered", MAX_TASKS);
        return MP_ERROR;
    }
    if (ntasks == 0 && mp_register_target(WORKER_TARGET, pool_worker_main) != MP_OK)
        return MP_ERROR;
    memcpy(tasks[ntasks].name, name, strlen(name) + 1);
    tasks[ntasks].fn = fn;
    ntasks++;
    return MP_OK;
}

/* The name fn was registered under, or NULL. */
const char *pool_task_name(mp_task fn)
{
    for (int i = 0; i < ntasks; i++)
        if (tasks[i].fn == fn)
            return tasks[i].name;
    return NULL;
}

/* The task registered as name, or NULL. */
mp_task pool_task_by_name(const char *name)
{
    for (int i = 0; i < ntasks; i++)
        if (strcmp(tasks[i].name, name) == 0)
            return tasks[i].fn;
    return NULL;
}

bool pool_tasks_registered(void)
{
    return ntasks > 0;
}

/* ---- The worker ---- */

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
    const unsigned char *item_in = in + (size_t)t->first * t->in_size;
    unsigned char *item_out = out + (size_t)t->first * t->out_size;
    for (long i = t->first; fn != NULL && i < t->count; i++) {
        atomic_store_explicit(&rec->running, i, memory_order_release);
        int rc = fn(item_in, item_out);
        if (rc != 0) {
            memset(item_out, 0, t->out_size);
            if (rec->result.failed++ == 0) {
                rec->result.first_failed = i;
                rec->result.error = rc;
            }
        }
        item_in += t->in_size;
        item_out += t->out_size;
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
