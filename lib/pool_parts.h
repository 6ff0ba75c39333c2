/* SPDX-License-Identifier: MIT */
/*
 * What the pool's parts share: the records in shared memory, which the
 * parent and its workers both read (and who writes which), then the
 * parent's own, then what each part offers the parts above it.
 * lib/pool.c draws how a task travels and gives the reading order.
 */
#ifndef POOL_PARTS_H
#define POOL_PARTS_H

#include "mp.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define NSLOTS 1024                /* tasks in flight at once */
#define SLOT_BYTES (16 * 1024)     /* inputs + outputs of one task */
#define ALIGN 16                   /* outputs start on such a boundary */
#define CHECK_SECONDS 0.01         /* how often the parent looks for dead workers */

/* ---- Shared by the parent and its workers ---- */

/* A task, as the parent puts it on the tasks queue: run the function on
 * items first..count-1 of a slot. (After a crash the rest of a slot is sent
 * again, with a later first.) */
struct task {
    mp_task fn;                    /* fork: the function itself; else NULL */
    char fn_name[MP_TASK_NAME_MAX + 1]; /* spawn, forkserver: its MP_TASK name */
    size_t in_size, out_size;
    int slot;
    unsigned seq;                  /* which sending this is: each sending of a
                                      slot gets a new one, never 0 */
    long first, count;
};

/* What a worker puts on the results queue when it finished a task. */
struct result {
    int slot;
    unsigned seq;
    long failed;                   /* items whose fn returned non-zero */
    long first_failed;             /* the first of them (index in the slot) */
    int error;                     /* what it returned */
    bool unknown_fn;               /* the worker has no task of that name:
                                      every item failed */
};

/* One per worker, in shared memory. Written by the worker only; read by the
 * parent only once the worker is dead. */
struct record {
    struct task task;              /* the task it took last (mp_queue_get
                                      copies it straight here) */
    struct result result;          /* that task's result, filled in as it runs */
    _Atomic long running;          /* the item being run: -1 before the first,
                                      task.count once all ran */
};

/* A slot's claim word, one per slot in shared memory: the seq of the sending
 * in flight (high 32 bits) and which worker claimed it (low 32 bits: its
 * index + 1; 0 while no worker has). The parent sets it to "seq, nobody"
 * before it puts the task; a worker that got the task claims it with one
 * compare-and-swap before it touches the slot. So of all the copies of a
 * slot's tasks that may be in the queue, only the worker that claimed the
 * current sending reads or writes the slot. */
#define CLAIM(seq, worker) ((uint64_t)(seq) << 32 | (uint64_t)(worker))

/* What the parent and its workers share: the two queues and one block of
 * shared memory (a memfd) holding the records, the claim words and the task
 * slots. Each process has its own view: the parent's made at mp_pool_new,
 * each worker's by mapping the same descriptors (pool_worker.c). */
struct pool_mem {
    int nworkers;
    mp_queue *tasks, *results;
    struct record *records;        /* nworkers of them */
    _Atomic uint64_t *claims;      /* NSLOTS claim words */
    unsigned char *arena;          /* NSLOTS * SLOT_BYTES: the task slots */
    size_t size;                   /* of the block, for munmap */
    int fd;                        /* the block's memfd */
};

/* The block's layout, the same in every process: the records, then the
 * claim words, rounded up to a slot's size, then the slots. */
static inline size_t pool_block_size(int nworkers)
{
    size_t head = (size_t)nworkers * sizeof(struct record) + NSLOTS * sizeof(_Atomic uint64_t);
    head = (head + SLOT_BYTES - 1) / SLOT_BYTES * SLOT_BYTES;
    return head + (size_t)NSLOTS * SLOT_BYTES;
}

/* Points m's records, claims and arena into block, this process's mapping
 * of the shared block (at another address in each process). */
static inline void pool_place(struct pool_mem *m, void *block, int nworkers)
{
    m->nworkers = nworkers;
    m->size = pool_block_size(nworkers);
    m->records = block;
    m->claims = (_Atomic uint64_t *)(m->records + nworkers);
    m->arena = (unsigned char *)block + m->size - (size_t)NSLOTS * SLOT_BYTES;
}

/* Slot s's inputs; its outputs follow them, on an ALIGN boundary, so that a
 * task can read an output of any type in place. */
static inline unsigned char *pool_slot_in(const struct pool_mem *m, int s)
{
    return m->arena + (size_t)s * SLOT_BYTES;
}

static inline unsigned char *pool_slot_out(const struct pool_mem *m, int s, long count,
                                           size_t in_size)
{
    size_t in_bytes = (size_t)count * in_size;
    return pool_slot_in(m, s) + (in_bytes + ALIGN - 1) / ALIGN * ALIGN;
}

/* What a worker is started with, as bytes (mp_process_args): under spawn
 * and forkserver a new program, it finds the pool by these descriptors,
 * passed to it under the same numbers (mp_process_pass_fd). */
struct worker_arg {
    int index, nworkers;
    int block_fd, tasks_fd, results_fd;
};

/* ---- The parent's alone ---- */

/* What the parent knows of one slot. */
struct slot {
    mp_async *call;                /* whose items are in it; NULL: free */
    size_t base;                   /* the call's index of the slot's item 0 */
    long count;                    /* items in the slot */
    long first;                    /* first item of the sending in flight */
    unsigned seq;                  /* that sending's number */
};

struct worker {
    mp_process proc;
    bool live;                     /* started and not yet found dead */
};

enum pool_state { RUN, CLOSE, TERMINATE };

struct mp_pool {
    /* Fixed at mp_pool_new. */
    int nworkers;
    struct worker *workers;
    struct pool_mem mem;
    char method[16];               /* the start method its workers start with */
    pid_t owner;                   /* the process that made the pool */

    /* Changed by the pool calls. */
    enum pool_state state;
    struct slot slots[NSLOTS];
    int free_slots[NSLOTS];        /* a stack of free slot numbers */
    int nfree;
    unsigned seq;                  /* the last sending's number */
    mp_async *calls, *last_call;   /* unfinished calls, oldest first */
    mp_async *unsent;              /* the first call with items not yet sent */
    size_t chunksize;              /* of the last map */
    double last_check;             /* when the workers were last looked at */
    mp_pool *next_pool;            /* every pool, for the exit handler */
};

struct mp_async {
    mp_pool *pool;                 /* NULL once finished */
    mp_task fn;
    const char *fn_name;           /* its registered name, when sent by name */
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

/* ---- What each part offers the ones above it, top first ---- */

/* pool_deaths.c: the workers as processes. */
enum mp_status pool_start_worker(mp_pool *p, int i);
void pool_check_workers(mp_pool *p);
void pool_terminate_workers(mp_pool *p);

/* pool_slots.c: the task slots, the tasks sent, the results taken in. */
void pool_free_slots(mp_pool *p);
void pool_send_new(mp_pool *p);
void pool_send_slot(mp_pool *p, int s);
void pool_collect(mp_pool *p, int s, long end, const struct result *r);
void pool_release(mp_pool *p, int s);
void pool_complete(mp_pool *p, const struct result *r);
int pool_drain_results(mp_pool *p);
void pool_fail_all(mp_pool *p, const char *why);

/* pool_calls.c: the unfinished calls (AsyncResult), their failures. */
mp_async *pool_new_call(mp_pool *p, mp_task fn, const void *in, size_t n, size_t in_size,
                        void *out, size_t out_size, size_t chunksize, bool copy_in);
void pool_note_failure(mp_async *c, size_t index, size_t count, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void pool_finish_call(mp_pool *p, mp_async *c);
void pool_fail_calls(mp_pool *p, const char *why);
void pool_free_call(mp_async *c);

/* pool_worker.c: the child's side: the tasks by name, and the worker. */
const char *pool_task_name(mp_task fn);
mp_task pool_task_by_name(const char *name);
bool pool_tasks_registered(void);
int pool_worker_main(void *arg);

#endif /* POOL_PARTS_H */
