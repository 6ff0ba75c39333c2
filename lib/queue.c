/* SPDX-License-Identifier: MIT */
/*
 * queue: mp_queue, multiprocessing.Queue for fixed-size items, in memory
 * shared by every process that forks from the one that made it.
 *
 * One shared mapping holds everything: the struct below and, after it, the
 * ring of cells the items are copied into. It is mapped MAP_SHARED from a
 * memfd (lib/shm.c): fork gives the child the same mapping at the same
 * address, a spawned child maps the same file from its descriptor, and
 * MAP_SHARED means the pages are not copied (as the rest of memory is, on
 * write): every process reads and writes the very same bytes.
 *
 * The ring. Two counts say what is in it: puts, the items ever put, and
 * gets, the items ever taken. The queue holds puts - gets items; the oldest
 * is in cell gets % capacity, and the next put goes into cell
 * puts % capacity. (64-bit counts never wrap: at a billion items a second,
 * they would take 584 years.)
 *
 * Two locks, one for each end of the ring (the "two-lock queue" of Michael
 * and Scott, 1996): producers take turns on put_lock, and only its holder
 * writes puts and copies items into free cells; consumers take turns on
 * get_lock, and only its holder writes gets and copies items out. So a
 * producer never waits for a consumer's lock, nor a consumer for a
 * producer's: they meet only through the two counts.
 *
 * A call that finds an item (a free cell) makes no system call: it takes its
 * lock (one atomic instruction when the lock is free), copies, commits with
 * one store, looks whether anyone sleeps at the other end, and unlocks. A
 * call that must wait first looks again for a few microseconds, then
 * sleeps: see "Waiting" below.
 *
 * A process can die anywhere (SIGKILL, a crash), even holding a lock. The
 * rules that make that harmless are numbered 1 to 5 at the code each one
 * governs: robust locks (lock), a ring whole at every instant (put_some and
 * every commit), wake-ups after a death (lock), posts before counts (wake),
 * and naps of at most a second (sleep_on).
 */
#ifdef __linux__
#define _GNU_SOURCE            /* sched_getcpu */
#endif
#include "mp.h"
#include "mp_internal.h"
#include "robust.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* The atomics are shared by processes, not threads: that only works if each
 * is a real CPU instruction on the memory itself (lock-free), not a lock
 * hidden inside one process's copy of the C library. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "atomic_ullong must be lock-free to work across processes");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_uint must be lock-free to work across processes");
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "atomic_bool must be lock-free to work across processes");

/* The size of a cache line on x86-64 and most ARM64 CPUs. */
enum { LINE = 64 };

/* An end's cpu field when no process there is awake (see "Waiting"). */
enum { NO_CPU = -1 };

/*
 * Why the fields are spread over five cache lines. Memory moves between the
 * CPUs' caches in lines of 64 bytes. Before a CPU writes a line, every other
 * CPU's copy of it is thrown away; the next time one of them reads it, the
 * line travels back, which takes longer than a whole put. So each end's lock
 * and count share a line written only at that end; each end keeps its own
 * copy of the other end's count (gets_seen, puts_seen) and reads the real
 * one only when its copy says "full" or "empty" (the line then travels once
 * and brings news of many items); and what is read on every call but rarely
 * written lies on lines of its own. _Alignas(LINE) starts a new line. (mmap
 * returns memory aligned on a page, so the lines of the struct are the lines
 * of the memory. On x86-64 Linux a mutex takes 40 bytes.)
 *
 * Why atomics (<stdatomic.h>). A producer copies an item into a cell, then
 * adds one to puts. A consumer that sees the new puts must also see the bytes
 * copied before it; but the compiler and the CPU may reorder plain memory
 * accesses, and the consumer does not hold put_lock, whose instructions would
 * forbid that. So the counts are C11 atomics: a process that loads the value
 * an atomic store stored also sees everything written before that store.
 * Likewise, a consumer's copy out of a cell is over before the new gets lets
 * a producer write into that cell again. All the atomics here use the
 * default, strongest kind (sequentially consistent), which the wake-ups need.
 */
struct mp_queue {
    /* Line 1: fixed by mp_queue_new before any fork, and closed, written
     * once. Read on every call, so every CPU keeps a copy of this line. */
    size_t item_size;          /* bytes in one item */
    size_t capacity;           /* how many items fit (the number of cells) */
    size_t map_size;           /* bytes mapped, for munmap */
    int fd;                    /* the memfd: one number in every process (mp_queue_fd) */
    atomic_bool closed;        /* mp_queue_close was called; set holding
                                  put_lock, read by producers (holding it)
                                  and consumers (not) */

    /* Line 2: the producers' end, written only by the holder of put_lock. */
    _Alignas(LINE) pthread_mutex_t put_lock;   /* robust, process-shared */
    atomic_ullong puts;             /* items ever put; read by consumers */
    unsigned long long gets_seen;   /* guarded by put_lock: gets as a
                                       producer last read it (<= gets) */
    atomic_int put_cpu;             /* the CPU of the last producer to take
                                       put_lock, NO_CPU while it sleeps */

    /* Line 3: the consumers' end, written only by the holder of get_lock. */
    _Alignas(LINE) pthread_mutex_t get_lock;   /* robust, process-shared */
    atomic_ullong gets;             /* items ever taken; read by producers */
    unsigned long long puts_seen;   /* guarded by get_lock: puts as a
                                       consumer last read it (<= puts) */
    atomic_int get_cpu;             /* the same for consumers */

    /* Line 4: read by every put; written only when a get sleeps or is woken.
     * No lock: an atomic count, and a semaphore (it does its own locking). */
    _Alignas(LINE) atomic_uint get_sleepers;   /* processes asleep in get,
                                                  not yet woken */
    sem_t item_added;          /* posted once per get-sleeper woken */

    /* Line 5: the same for put, read by every get. */
    _Alignas(LINE) atomic_uint put_sleepers;   /* processes asleep in put,
                                                  not yet woken */
    sem_t room_made;           /* posted once per put-sleeper woken */

    /* The ring, capacity * item_size bytes: a free cell is written only by
     * the holder of put_lock, a full one read only by the holder of
     * get_lock. */
    _Alignas(LINE) unsigned char cells[];
};

static unsigned char *cell(mp_queue *q, unsigned long long n)
{
    return q->cells + (size_t)(n % q->capacity) * q->item_size;
}

/* --- each end's look at the other end ------------------------------------ */

/* Holding get_lock: how many items are there to take, up to want? Only when
 * our copy of puts shows fewer do we read the real puts, on the line the
 * producers write. */
static size_t items_ready(mp_queue *q, size_t want)
{
    unsigned long long gets = atomic_load(&q->gets);
    if (q->puts_seen - gets < want)
        q->puts_seen = atomic_load(&q->puts);
    size_t n = (size_t)(q->puts_seen - gets);
    return n < want ? n : want;
}

/* Holding put_lock: how many free cells are there, up to want? */
static size_t room_ready(mp_queue *q, size_t want)
{
    unsigned long long puts = atomic_load(&q->puts);
    if (q->capacity - (puts - q->gets_seen) < want)
        q->gets_seen = atomic_load(&q->gets);
    size_t n = q->capacity - (size_t)(puts - q->gets_seen);
    return n < want ? n : want;
}

/* Holding get_lock: will no item ever come? A close sets closed holding
 * put_lock, so no put is then half-way through: every put either committed
 * before it or will see closed and refuse. So we read closed first, then
 * puts: if closed was set, that puts counts every item ever put. */
static bool closed_and_drained(mp_queue *q)
{
    return atomic_load(&q->closed) && items_ready(q, 1) == 0;
}

/* --- waking -------------------------------------------------------------- */

/* Takes one off *count unless it is 0; says whether it did. Other processes
 * may change the count between our load and our store, so the store is a
 * compare-exchange: it stores n - 1 only if the count is still n, else it
 * loads the new n into n, and we try again. */
static bool count_down(atomic_uint *count)
{
    unsigned n = atomic_load(count);
    while (n > 0)
        if (atomic_compare_exchange_weak(count, &n, n - 1))
            return true;
    return false;
}

/* Wakes up to n processes asleep on wakeup, one per item added (or cell
 * freed), fewer if fewer sleep.
 * Rule 4: for each, the post comes first, then the count. A sleeper that
 * dies leaves one count too many, a waker that dies between its two steps
 * one post too many: either way someone wakes once for nothing, never a
 * sleeper that no one will wake. (sem_post fails only with EOVERFLOW, at
 * SEM_VALUE_MAX posts nobody took: impossible, each post has its sleeper.) */
static void wake(sem_t *wakeup, atomic_uint *sleepers, size_t n)
{
    for (; n > 0 && atomic_load(sleepers) > 0; n--) {
        sem_post(wakeup);
        count_down(sleepers);
    }
}

/* Wakes every process asleep on wakeup now (not those that come to sleep
 * while we wake these: they have looked at the queue after our change). */
static void wake_all(sem_t *wakeup, atomic_uint *sleepers)
{
    wake(wakeup, sleepers, atomic_load(sleepers));
}

/* A process counted in sleepers that is not waiting for a wake-up (any more)
 * takes itself off the count. If a waker got there first, it has posted a
 * wake-up meant for us, or is about to: take it back if it is there, so it
 * does not wake someone for nothing later. (If it is not there yet, it will
 * be: one wake-up for nothing, which rule 4 allows; so sem_trywait's EAGAIN
 * is no error here.) */
static void uncount(sem_t *wakeup, atomic_uint *sleepers)
{
    if (!count_down(sleepers))
        sem_trywait(wakeup);
}

/* --- the locks ----------------------------------------------------------- */

/* Takes one of the two robust locks (lib/robust.c); 0, or -1 (with the
 * error recorded) not holding it.
 * Rule 1: both locks are *robust*: when the holder dies, the kernel hands
 * the lock to the next process that asks, with the answer EOWNERDEAD.
 * Rule 3: the ring is whole (rule 2), so that process (the lock already
 * marked consistent) wakes every sleeper (the dead process may have put or
 * taken items and died before waking anyone) and carries on. */
static int lock(mp_queue *q, pthread_mutex_t *m)
{
    int err = mp_robust_lock(m, -1);
    if (err == EOWNERDEAD) {
        wake_all(&q->item_added, &q->get_sleepers);
        wake_all(&q->room_made, &q->put_sleepers);
        err = 0;
    }
    if (err != 0) {
        mp_set_error(err, "queue lock: %s", strerror(err));
        return -1;
    }
    return 0;
}

static void unlock(pthread_mutex_t *m)
{
    mp_robust_unlock(m);
}

/* --- waiting -------------------------------------------------------------
 *
 * A get on an empty queue, or a put on a full one, waits in two steps,
 * holding its end's lock for the first (the others at its end wait their
 * turn for the lock, asleep in the kernel):
 *
 *   1. For at most FIRST_STEP_SECONDS, while a process at the other end is
 *      awake (each end notes its CPU in put_cpu / get_cpu on every call, and
 *      NO_CPU when it goes to sleep), it looks again after
 *        - a pause of a fraction of a microsecond, without any system call,
 *          if that process is on another CPU: it is likely to make the
 *          change we wait for within microseconds, while sleeping and waking
 *          would cost both ends system calls;
 *        - a sched_yield if it is on our CPU: it cannot run while we do, so
 *          we give it the CPU; it fills (empties) the ring, then yields back.
 *   2. It sleeps: counts itself in get_sleepers (put_sleepers), looks once
 *      more, lets go of its lock and sleeps on the semaphore item_added
 *      (room_made); then takes the lock and looks again. Whoever adds items
 *      (makes room) stores the new count, then looks at the sleeper count,
 *      and if it is not 0 posts the semaphore, once per item.
 *
 * The catch with sched_yield. It gives the CPU to whatever else is runnable
 * there, and Linux puts the process that yields behind all of them. When
 * that is the other end of the queue, good. When it is a program computing
 * beside us (same session, or any process where the kernel does not group
 * them), that program keeps the CPU for the rest of its time slice, a
 * millisecond or more, while the queue moves a handful of items: the queue
 * then runs hundreds of times slower. A sleep does not have that cost: the
 * process that wakes a sleeper hands it the CPU within microseconds. So each
 * yield is timed: one that took longer than YIELD_COST per item it brought
 * means someone else computes on this CPU, and the process sleeps instead
 * of yielding for its next few waits (1, then 2, 4 ... up to MAX_SKIPS
 * while that goes on), then tries a yield again.
 */

/* Step 1's limit: a few hundred looks. */
static const double FIRST_STEP_SECONDS = 50e-6;

/* A yield is worth it while it brings an item (a free cell) per this many
 * seconds at least: about what waking a sleeper costs. */
static const double YIELD_COST = 5e-6;
enum { MAX_SKIPS = 1024 };

/* Per process (the CPU it shares is its own affair): how many more waits go
 * without a yield, and how many the next costly yield will skip. */
static unsigned yields_to_skip, skips_after_costly = 1;

/* The CPU this process runs on now. glibc reads it from memory the kernel
 * keeps up to date (rseq), with no system call. Elsewhere: 0, as if all
 * processes shared one CPU (so a waiter yields, never pauses). If it
 * fails: -1 == NO_CPU, so step 1 is skipped. */
static int this_cpu(void)
{
#ifdef __linux__
    return sched_getcpu();
#else
    return 0;
#endif
}

/* Holding an end's lock: notes our CPU in that end's cpu field. Asking
 * costs a few nanoseconds, a tenth of a put, so a process asks on every
 * 64th call only (it rarely moves to another CPU), and at once when the
 * field says NO_CPU (it has just woken up, or another process at its end
 * has gone to sleep). */
static void note_cpu(atomic_int *cpu)
{
    static unsigned calls;             /* per process */
    if (calls++ % 64 != 0 && atomic_load(cpu) != NO_CPU)
        return;
    int now = this_cpu();
    if (atomic_load(cpu) != now)
        atomic_store(cpu, now);
}

/* Tells the CPU that we are spinning (x86 PAUSE, ARM YIELD): it slows the
 * loop down a little and leaves more of the core to a hyperthread sibling. */
static void pause_a_moment(void)
{
    for (int i = 0; i < 16; i++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield");
#endif
    }
}

/* A timeout in seconds -> a deadline on mp_now()'s clock (-1: none). */
static double deadline_of(double timeout)
{
    return timeout < 0 ? -1.0 : mp_now() + timeout;
}

enum step { PAUSE, YIELD, SLEEP };

/* Which step comes next. other_cpu is the other end's cpu field; *until is
 * when step 1 ends, -1 until the first call sets it. Never past the
 * deadline: a timeout of 0 does not wait at all. */
static enum step next_step(atomic_int *other_cpu, double *until, double deadline)
{
    int other = atomic_load(other_cpu);
    if (other == NO_CPU)
        return SLEEP;
    double now = mp_now();
    if (*until < 0)
        *until = now + FIRST_STEP_SECONDS;
    if (now >= *until || (deadline >= 0 && now >= deadline))
        return SLEEP;
    if (other != this_cpu())
        return PAUSE;
    if (yields_to_skip > 0) {
        yields_to_skip--;
        return SLEEP;
    }
    return YIELD;
}

/* Gives the CPU away once, and judges the yield by how long it took and how
 * many items (free cells) the other end made meanwhile (see "The catch"). */
static void yield_and_judge(mp_queue *q, size_t (*ready)(mp_queue *, size_t))
{
    double start = mp_now();
    sched_yield();                     /* cannot fail on Linux */
    double took = mp_now() - start;
    if (took > YIELD_COST * (double)(ready(q, q->capacity) + 1)) {
        yields_to_skip = skips_after_costly;
        if (skips_after_costly < MAX_SKIPS)
            skips_after_costly *= 2;
    } else
        skips_after_costly = 1;
}

/* One end of the queue, as the waiting code sees it: the lock held, where
 * this end notes its CPU, and what it sleeps on; and the other end's CPU. */
struct end {
    pthread_mutex_t *lock;
    atomic_int *cpu, *other_cpu;
    sem_t *wakeup;
    atomic_uint *sleepers;
};

/* Step 2, the sleep. Called holding e->lock and already counted in
 * e->sleepers. Lets go of the lock and sleeps on e->wakeup until woken,
 * interrupted by a signal, a second has passed, or deadline (seconds on
 * mp_now()'s clock; negative: none); then returns holding the lock again,
 * no longer counted. MP_OK means "look again": a wake-up says the queue
 * changed, not that what changed is still there for us. MP_TIMEOUT: the
 * deadline had passed, nothing slept (the lock still held). MP_ERROR: the
 * lock could not be taken again (not held).
 * Rule 5: nobody sleeps more than a second before looking again. This covers
 * the deaths rules 3 and 4 cannot: a process woken, then killed before it
 * took the lock, takes its wake-up with it; a process killed after its
 * commit but before its wake-up wakes nobody until someone else takes that
 * lock (rule 3); a close killed between setting closed and its wake-ups
 * wakes nobody at all. What they left waits at most for a sleeper's next
 * look.
 * Why a semaphore and not a condition variable, the textbook tool? glibc's
 * process-shared condition variables (before glibc 2.40) keep counts of
 * their waiters inside; a waiter killed in pthread_cond_wait leaves them
 * wrong for good, and the next waiter may never be woken. A semaphore keeps
 * no record of who waits. */
static enum mp_status sleep_on(mp_queue *q, const struct end *e, double deadline)
{
    double nap = 1.0;
    if (deadline >= 0) {
        double left = deadline - mp_now();
        if (!(left > 0)) {
            uncount(e->wakeup, e->sleepers);
            return MP_TIMEOUT;
        }
        if (left < nap)
            nap = left;
    }
    atomic_store(e->cpu, NO_CPU);      /* asleep: step 1 would wait for us in vain */
    unlock(e->lock);

    struct timespec until = mp_time_of_day_in(nap);
    if (sem_timedwait(e->wakeup, &until) == -1)
        uncount(e->wakeup, e->sleepers);   /* timed out or EINTR: nobody woke us */

    if (lock(q, e->lock) == -1)
        return MP_ERROR;
    note_cpu(e->cpu);
    return MP_OK;
}

/* Holding e->lock: waits (steps 1 and 2, as often as needed) until ready(q)
 * says the call can go on, or stop(q) says it never will. MP_OK: ready, lock
 * held. MP_CLOSED (stop), MP_TIMEOUT: lock let go. MP_ERROR: lock lost.
 * Why no wake-up is lost: both sides store first (the sleeper its count,
 * the waker the new puts or gets) and load second. Sequentially consistent
 * atomics happen in one single order, agreed by every CPU; whichever of the
 * two stores comes first in it, the other side's load comes after it and
 * sees it. So either the sleeper sees the change (and does not sleep), or
 * the waker sees the sleeper (and wakes it); maybe both, and then one
 * wake-up is too many, which is harmless: the one it wakes looks again and
 * sleeps again if there is nothing for it. close does the same with closed. */
static enum mp_status wait_until(mp_queue *q, const struct end *e, double deadline,
                                 size_t (*ready)(mp_queue *, size_t), bool (*stop)(mp_queue *))
{
    double first_step_until = -1;
    for (;;) {
        if (stop(q)) {
            unlock(e->lock);
            return MP_CLOSED;
        }
        if (ready(q, 1) > 0)
            return MP_OK;
        enum step step = next_step(e->other_cpu, &first_step_until, deadline);
        if (step == PAUSE) {
            pause_a_moment();
            continue;
        }
        if (step == YIELD) {
            yield_and_judge(q, ready);
            continue;
        }
        atomic_fetch_add(e->sleepers, 1);
        if (atomic_load(&q->closed) || ready(q, 1) > 0) {
            uncount(e->wakeup, e->sleepers);
            continue;
        }
        enum mp_status status = sleep_on(q, e, deadline);
        if (status == MP_ERROR)
            return MP_ERROR;
        if (status == MP_TIMEOUT) {
            unlock(e->lock);
            return MP_TIMEOUT;
        }
        first_step_until = -1;         /* woken: the other end is awake again */
    }
}

static bool is_closed(mp_queue *q)
{
    return atomic_load(&q->closed);
}

static struct end put_end(mp_queue *q)
{
    return (struct end){ &q->put_lock, &q->put_cpu, &q->get_cpu, &q->room_made, &q->put_sleepers };
}

static struct end get_end(mp_queue *q)
{
    return (struct end){ &q->get_lock, &q->get_cpu, &q->put_cpu, &q->item_added, &q->get_sleepers };
}

/* --- the queue ----------------------------------------------------------- */

mp_queue *mp_queue_new(size_t item_size, size_t capacity)
{
    mp_clear_error();
    if (item_size == 0 || capacity == 0) {
        mp_set_error(EINVAL, "a queue needs an item size and a capacity of at least 1");
        return NULL;
    }
    if (capacity > (SIZE_MAX - sizeof(mp_queue)) / item_size) {
        mp_set_error(ENOMEM, "a queue of %zu items of %zu bytes is too big", capacity, item_size);
        return NULL;
    }
    size_t size = sizeof(mp_queue) + capacity * item_size;

    /* Shared with every process forked from now on, and with any process
     * given the descriptor (spawn, forkserver). A new memfd starts zeroed:
     * counts 0, no sleepers, not closed. (All-zero bytes are a valid 0 or
     * false for lock-free atomics.) */
    int fd;
    mp_queue *q = mp_shm_new(size, &fd);
    if (q == NULL)
        return NULL;
    q->fd = fd;
    q->item_size = item_size;
    q->capacity = capacity;
    q->map_size = size;
    atomic_store(&q->put_cpu, NO_CPU);
    atomic_store(&q->get_cpu, NO_CPU);

    int err = mp_robust_init(&q->put_lock);
    if (err == 0)
        err = mp_robust_init(&q->get_lock);
    if (err == 0 && (sem_init(&q->item_added, 1, 0) == -1 || sem_init(&q->room_made, 1, 0) == -1))
        err = errno;           /* sem_init's second argument 1: process-shared */
    if (err != 0) {
        munmap(q, size);       /* undoing our own mmap cannot fail */
        close(fd);
        mp_set_error(err, "queue: %s", strerror(err));
        return NULL;
    }
    return q;
}

/* Holding put_lock, with room for at least one item: copies up to n items
 * from items into the ring, commits them, wakes as many sleeping consumers.
 * Returns how many it put.
 * Rule 2: the ring is whole at every instant. Put and get first copy, then
 * commit with one store, their count going up by the items moved. Killed
 * before that store, a process changed nothing the others can see; after
 * it, it finished. gets_seen and puts_seen can only lag behind the real
 * counts, which makes the queue look fuller (emptier) than it is, never the
 * other way round, and before sleeping a process reads the real count. So
 * the next holder of the lock simply carries on: nothing lost (except what
 * a killed consumer had already taken), nothing duplicated, no half item. */
static size_t put_some(mp_queue *q, const unsigned char *items, size_t n)
{
    n = room_ready(q, n);
    unsigned long long puts = atomic_load(&q->puts);
    for (size_t i = 0; i < n; i++)
        memcpy(cell(q, puts + i), items + i * q->item_size, q->item_size);
    atomic_store(&q->puts, puts + n);                /* the commit */
    wake(&q->item_added, &q->get_sleepers, n);
    return n;
}

/* Holding get_lock, with at least one item there: copies up to max items
 * out of the ring into items, commits, wakes as many sleeping producers.
 * Returns how many it took. */
static size_t get_some(mp_queue *q, unsigned char *items, size_t max)
{
    size_t n = items_ready(q, max);
    unsigned long long gets = atomic_load(&q->gets);
    for (size_t i = 0; i < n; i++)
        memcpy(items + i * q->item_size, cell(q, gets + i), q->item_size);
    atomic_store(&q->gets, gets + n);                /* the commit */
    wake(&q->room_made, &q->put_sleepers, n);
    return n;
}

enum mp_status mp_queue_put_many(mp_queue *q, const void *items, size_t n, size_t *put,
                                 double timeout)
{
    double deadline = deadline_of(timeout);
    struct end e = put_end(q);
    size_t done = 0;
    enum mp_status status = MP_OK;
    if (n > 0 && lock(q, e.lock) == -1)
        status = MP_ERROR;
    else if (n > 0) {
        note_cpu(e.cpu);
        while (done < n && (status = wait_until(q, &e, deadline, room_ready, is_closed)) == MP_OK)
            done += put_some(q, (const unsigned char *)items + done * q->item_size, n - done);
        if (status == MP_OK)
            unlock(e.lock);
    }
    if (status == MP_CLOSED)
        mp_set_error(EPIPE, "put on a closed queue");
    if (status == MP_TIMEOUT)
        mp_set_error(EAGAIN, "the queue is still full (Python: queue.Full)");
    if (put != NULL)
        *put = done;
    return status;
}

/* One item: put_some and put_many for n = 1, written out, because this is
 * the call programs make millions of times and the general loops cost a
 * third more. When it must wait, put_many does (and looks again). */
enum mp_status mp_queue_put(mp_queue *q, const void *item, double timeout)
{
    if (lock(q, &q->put_lock) == -1)
        return MP_ERROR;
    note_cpu(&q->put_cpu);
    if (atomic_load(&q->closed) || room_ready(q, 1) == 0) {
        unlock(&q->put_lock);
        return mp_queue_put_many(q, item, 1, NULL, timeout);
    }
    unsigned long long puts = atomic_load(&q->puts);
    memcpy(cell(q, puts), item, q->item_size);
    atomic_store(&q->puts, puts + 1);                /* the commit */
    wake(&q->item_added, &q->get_sleepers, 1);
    unlock(&q->put_lock);
    return MP_OK;
}

enum mp_status mp_queue_get_many(mp_queue *q, void *items, size_t max, size_t *got,
                                 double timeout)
{
    double deadline = deadline_of(timeout);
    struct end e = get_end(q);
    *got = 0;
    if (max == 0) {
        mp_set_error(EINVAL, "get_many of 0 items");
        return MP_ERROR;
    }
    if (lock(q, e.lock) == -1)
        return MP_ERROR;
    note_cpu(e.cpu);
    enum mp_status status = wait_until(q, &e, deadline, items_ready, closed_and_drained);
    if (status == MP_OK) {
        *got = get_some(q, items, max);
        unlock(e.lock);
    }
    if (status == MP_TIMEOUT)
        mp_set_error(EAGAIN, "the queue is still empty (Python: queue.Empty)");
    return status;
}

/* One item, likewise written out; get_many waits when it must. */
enum mp_status mp_queue_get(mp_queue *q, void *item, double timeout)
{
    if (lock(q, &q->get_lock) == -1)
        return MP_ERROR;
    note_cpu(&q->get_cpu);
    if (items_ready(q, 1) == 0) {
        unlock(&q->get_lock);
        size_t got;
        return mp_queue_get_many(q, item, 1, &got, timeout);
    }
    unsigned long long gets = atomic_load(&q->gets);
    memcpy(item, cell(q, gets), q->item_size);
    atomic_store(&q->gets, gets + 1);                /* the commit */
    wake(&q->room_made, &q->put_sleepers, 1);
    unlock(&q->get_lock);
    return MP_OK;
}

/* No lock: gets is read first, then puts, which can only have grown since,
 * so the difference is never negative. Items taken and put again between
 * the two reads can make it larger than the queue ever was: hence the
 * ceiling. */
size_t mp_queue_qsize(mp_queue *q)
{
    unsigned long long gets = atomic_load(&q->gets);
    size_t n = (size_t)(atomic_load(&q->puts) - gets);
    return n < q->capacity ? n : q->capacity;
}

bool mp_queue_empty(mp_queue *q)
{
    return mp_queue_qsize(q) == 0;
}

bool mp_queue_full(mp_queue *q)
{
    return mp_queue_qsize(q) == q->capacity;
}

/* closed is set holding put_lock (see closed_and_drained); the wake-ups come
 * after, without it: a sleeper needs no lock to be woken. */
enum mp_status mp_queue_close(mp_queue *q)
{
    if (lock(q, &q->put_lock) == -1)
        return MP_ERROR;
    atomic_store(&q->closed, true);
    unlock(&q->put_lock);
    wake_all(&q->item_added, &q->get_sleepers);
    wake_all(&q->room_made, &q->put_sleepers);
    return MP_OK;
}

int mp_queue_fd(const mp_queue *q)
{
    return q->fd;
}

mp_queue *mp_queue_attach(int fd)
{
    size_t size;
    mp_queue *q = mp_shm_attach(fd, &size);
    if (q == NULL)
        return NULL;
    if (size < sizeof *q || q->map_size != size || q->fd != fd) {
        munmap(q, size);
        mp_set_error(EINVAL, "descriptor %d holds no queue", fd);
        return NULL;
    }
    return q;
}

void mp_queue_free(mp_queue *q)
{
    if (q == NULL)
        return;
    close(q->fd);              /* this process's descriptor: cannot fail */
    /* Only this process's mapping goes: others may still be using the queue,
     * so the locks and semaphores are not destroyed (on Linux there is
     * nothing to destroy: they are just words of memory, gone with the last
     * mapping). munmap of our own mapping cannot fail. */
    munmap(q, q->map_size);
}
