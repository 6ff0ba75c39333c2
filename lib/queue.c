/* SPDX-License-Identifier: MIT */
/*
 * queue: mp_queue, multiprocessing.Queue for fixed-size items, in memory
 * shared by every process that forks from the one that made it.
 *
 * One mapping holds everything: the struct below and, after it, the ring
 * of cells the items are copied into. It is mapped MAP_SHARED from a memfd
 * (lib/shm.c): fork gives the child the same mapping at the same address,
 * a spawned child maps the same file from its descriptor, and MAP_SHARED
 * means the pages are not copied on write, as the rest of memory is:
 * every process reads and writes the very same bytes.
 *
 * The ring. Two counts say what is in it: puts, the items ever put, and
 * gets, the items ever taken. The queue holds puts - gets items; the oldest
 * is in cell gets % capacity, and the next put goes into cell
 * puts % capacity. (64-bit counts never wrap: at a billion items a second,
 * they would take 584 years.)
 *
 * Two locks, one for each end of the ring (the "two-lock queue" of Michael
 * and Scott, 1996): producers take turns on the put end's lock, and only
 * its holder writes puts and copies items into free cells; consumers take
 * turns on the get end's lock, and only its holder writes gets and copies
 * items out. So a producer never waits for a consumer's lock, nor a
 * consumer for a producer's: they meet only through the two counts.
 *
 * A call that finds an item (a free cell) makes no system call: it takes
 * its lock (one atomic instruction when the lock is free), copies, commits
 * with one store, looks whether anyone sleeps at the other end, and
 * unlocks. A call that must wait looks again for a few microseconds, then
 * sleeps: see "waiting" below.
 *
 * This needs robust process-shared mutexes and unnamed POSIX semaphores:
 * Linux has both; macOS has neither.
 */
#include "mp.h"
#include "mp_internal.h"
#include "queue_spin.h"
#include "robust.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The atomics are shared by processes, not threads: that only works if each
 * is a real CPU instruction on the memory itself (lock-free), not a lock
 * hidden inside one process's copy of the C library. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "atomic_ullong must be lock-free to work across processes");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_uint must be lock-free to work across processes");
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "atomic_bool must be lock-free to work across processes");

/* The size of a cache line on x86-64 and most ARM64 CPUs. */
enum { LINE = 64 };

/*
 * Why the fields lie on lines of their own. Memory moves between the CPUs'
 * caches in lines of 64 bytes. Before a CPU writes a line, every other
 * CPU's copy of it is thrown away; the next time one of them reads it, the
 * line travels back, which takes longer than a whole put. So each end's
 * lock and count share a line written only at that end; each end keeps its
 * own copy of the other end's count (seen) and reads the real one only when
 * its copy says "empty" or "full" (the line then travels once and brings
 * news of many items); and what is read on every call but rarely written
 * lies on lines of its own. _Alignas(LINE) starts a new line (mmap returns
 * memory aligned on a page; on x86-64 Linux a mutex takes 40 bytes).
 *
 * Why atomics (<stdatomic.h>). A producer copies an item into a cell, then
 * adds one to puts. A consumer that sees the new puts must also see the
 * bytes copied before it; but the compiler and the CPU may reorder plain
 * memory accesses, and the consumer does not hold the put end's lock, whose
 * instructions would forbid that. A process that loads the value an atomic
 * store stored also sees everything written before that store. Likewise, a
 * copy out of a cell is over before the new gets lets a producer write into
 * it again. All are of the default, strongest kind (sequentially
 * consistent), which the wake-ups need (see wait_until).
 *
 * A process can die anywhere (SIGKILL, a crash), even holding a lock. Five
 * rules make that harmless, each kept by the fields it names:
 *   1. lock is robust: when its holder dies, the kernel hands it to the
 *      next process that asks, with the answer EOWNERDEAD (lib/robust.c).
 *   2. count: the ring is whole at every instant. Put and get first copy,
 *      then commit with one store to their count. Killed before that store,
 *      a process changed nothing the others can see; after it, it finished.
 *      seen only lags behind the other count, which makes the queue look
 *      emptier (fuller) than it is, never the other way round, and before
 *      sleeping a process reads the real count. So the next holder of the
 *      lock simply carries on: nothing lost (but what a killed consumer had
 *      already taken), nothing duplicated, no half item.
 *   3. lock, sleepers: the process that gets EOWNERDEAD wakes every sleeper
 *      at both ends, since the dead one may have committed and died before
 *      waking anyone; then it carries on (rule 2).
 *   4. sleepers, wakeup: a waker posts first, then counts the sleeper off.
 *      A sleeper that dies leaves one count too many, a waker that dies
 *      between its two steps one post too many: either way someone wakes
 *      once for nothing, never a sleeper that no one will wake.
 *   5. wakeup: nobody sleeps on it more than a second before looking again.
 *      That covers what 3 and 4 cannot: a process woken, then killed before
 *      it took the lock, takes its wake-up with it; one killed after its
 *      commit but before its wake-ups wakes nobody until the next holder of
 *      that lock (rule 3); a close killed before its wake-ups wakes nobody.
 *      What they left waits at most for a sleeper's next look.
 */

/* One end of the ring: the producers' (q->put) or the consumers' (q->get). */
struct end {
    /* Its first line: written only by the holder of lock. */
    _Alignas(LINE) pthread_mutex_t lock;   /* robust, process-shared */
    atomic_ullong count;       /* puts (gets): read by the other end */
    unsigned long long seen;   /* the other end's count as this end last
                                  read it (<= that count) */
    atomic_int cpu;            /* the CPU of the last process to take lock,
                                  SPIN_NO_CPU while it sleeps (queue_spin.c) */

    /* Its second line: read by every call at the other end, written only
     * when a process sleeps here or is woken. No lock: an atomic count, and
     * a semaphore (it does its own locking). */
    _Alignas(LINE) atomic_uint sleepers;   /* asleep here, not yet woken */
    sem_t wakeup;              /* posted once per sleeper woken */
};

struct mp_queue {
    /* Fixed by mp_queue_new before any fork, but closed, set once holding
     * put.lock. Read on every call, so every CPU keeps a copy of this line. */
    size_t item_size;          /* bytes in one item */
    size_t capacity;           /* how many items fit (the number of cells) */
    size_t map_size;           /* bytes mapped, for munmap */
    int fd;                    /* the memfd: one number in every process */
    atomic_bool closed;        /* mp_queue_close was called */

    struct end put, get;

    /* The ring, capacity * item_size bytes: a free cell is written only by
     * the holder of put.lock, a full one read only by the holder of get.lock. */
    _Alignas(LINE) unsigned char cells[];
};

static unsigned char *cell(mp_queue *q, unsigned long long n)
{
    return q->cells + (size_t)(n % q->capacity) * q->item_size;
}

/* --- each end's look at the other end ------------------------------------ */

/* Holding get.lock: how many items are there to take, up to want? Only when
 * our copy of puts shows fewer do we read the real puts, on the line the
 * producers write. */
static size_t items_ready(mp_queue *q, size_t want)
{
    unsigned long long gets = atomic_load(&q->get.count);
    if (q->get.seen - gets < want)
        q->get.seen = atomic_load(&q->put.count);
    size_t n = (size_t)(q->get.seen - gets);
    return n < want ? n : want;
}

/* Holding put.lock: how many free cells are there, up to want? */
static size_t room_ready(mp_queue *q, size_t want)
{
    unsigned long long puts = atomic_load(&q->put.count);
    if (q->capacity - (puts - q->put.seen) < want)
        q->put.seen = atomic_load(&q->get.count);
    size_t n = q->capacity - (size_t)(puts - q->put.seen);
    return n < want ? n : want;
}

/* Holding get.lock: will no item ever come? A close sets closed holding
 * put.lock, so no put is then half-way through: every put either committed
 * before it or will see closed and refuse. So we read closed first, then
 * puts: if closed was set, that puts counts every item ever put. */
static bool closed_and_drained(mp_queue *q)
{
    return atomic_load(&q->closed) && items_ready(q, 1) == 0;
}

static bool is_closed(mp_queue *q)
{
    return atomic_load(&q->closed);
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

/* Wakes up to n of e's sleepers, one per item added (or cell freed), fewer
 * if fewer sleep: the post first, then the count (rule 4). (sem_post fails
 * only with EOVERFLOW, at SEM_VALUE_MAX posts nobody took: impossible, each
 * post has its sleeper.) */
static void wake(struct end *e, size_t n)
{
    for (; n > 0 && atomic_load(&e->sleepers) > 0; n--) {
        sem_post(&e->wakeup);
        count_down(&e->sleepers);
    }
}

/* Wakes every process asleep at e now (not those that come to sleep while
 * we wake these: they have looked at the queue after our change). */
static void wake_all(struct end *e)
{
    wake(e, atomic_load(&e->sleepers));
}

/* A process counted in e's sleepers that is not waiting (any more) takes
 * itself off the count. If a waker got there first, it has posted a wake-up
 * meant for us, or is about to: take it back if it is there, so it does not
 * wake someone for nothing later. (If it is not there yet, it will be: one
 * wake-up for nothing, which rule 4 allows; so EAGAIN is no error here.) */
static void uncount(struct end *e)
{
    if (!count_down(&e->sleepers))
        sem_trywait(&e->wakeup);
}

/* --- the locks ----------------------------------------------------------- */

/* Takes e's lock (rule 1), after a holder's death waking every sleeper
 * (rule 3), and notes our CPU at e for the other end's waiters. MP_OK, or
 * MP_ERROR (recorded), not holding it. Letting go is mp_robust_unlock. */
static enum mp_status lock(mp_queue *q, struct end *e)
{
    int err = mp_robust_lock(&e->lock, -1);
    if (err == EOWNERDEAD) {
        wake_all(&q->get);
        wake_all(&q->put);
        err = 0;
    }
    if (err != 0) {
        mp_set_error(err, "queue lock: %s", strerror(err));
        return MP_ERROR;
    }
    spin_note_cpu(&e->cpu);
    return MP_OK;
}

/* --- waiting -------------------------------------------------------------
 *
 * A get on an empty queue, or a put on a full one, waits in two steps:
 *
 *   1. Holding its end's lock (the others at its end wait their turn for
 *      it, asleep in the kernel; even a call with timeout 0), it looks
 *      again for as long as spin_a_while (lib/queue_spin.c) says it is
 *      worth it: a few tens of microseconds at most, while a process at
 *      the other end is awake to make the change it waits for.
 *   2. It sleeps: counts itself in its end's sleepers, looks once more,
 *      lets go of the lock and sleeps on wakeup; then takes the lock and
 *      looks again. Whoever adds items (frees cells) stores the new count,
 *      then looks at the other end's sleepers and posts their wakeup, once
 *      per item.
 *
 * Why a semaphore and not a condition variable, the textbook tool? glibc's
 * process-shared condition variables (before glibc 2.40) keep counts of
 * their waiters inside; a waiter killed in pthread_cond_wait leaves them
 * wrong for good, and the next waiter may never be woken. A semaphore keeps
 * no record of who waits.
 */

/* A timeout in seconds -> a deadline on mp_now()'s clock (-1: none). */
static double deadline_of(double timeout)
{
    return timeout < 0 ? -1.0 : mp_now() + timeout;
}

/* Step 2. Holding e's lock, counted in its sleepers: lets go of the lock
 * and sleeps on e's wakeup until woken, interrupted by a signal, a second
 * has passed (rule 5) or deadline; then takes the lock again, no longer
 * counted. MP_OK (held): look again, as a wake-up says the queue changed,
 * not that the change is still there for us. MP_TIMEOUT (the deadline had
 * passed: nothing slept), MP_ERROR: not held. */
static enum mp_status sleep_on(mp_queue *q, struct end *e, double deadline)
{
    double nap = 1.0;
    if (deadline >= 0) {
        double left = deadline - mp_now();
        if (!(left > 0)) {
            uncount(e);
            mp_robust_unlock(&e->lock);
            return MP_TIMEOUT;
        }
        if (left < nap)
            nap = left;
    }
    atomic_store(&e->cpu, SPIN_NO_CPU);    /* the other end: do not wait for us */
    mp_robust_unlock(&e->lock);
    struct timespec until = mp_time_of_day_in(nap);
    if (sem_timedwait(&e->wakeup, &until) == -1)
        uncount(e);                        /* timed out or EINTR: nobody woke us */
    return lock(q, e);
}

/* Holding e's lock: waits (steps 1 and 2, as often as needed) until ready(q)
 * says the call can go on, or stop(q) says it never will. MP_OK: ready, lock
 * held. MP_CLOSED (stop), MP_TIMEOUT, MP_ERROR: not held.
 * Why no wake-up is lost: both sides store first (the sleeper its count in
 * sleepers, the waker the new puts or gets) and load second. Sequentially
 * consistent atomics happen in one single order, agreed by every CPU;
 * whichever of the two stores comes first in it, the other side's load
 * comes after it and sees it. So either the sleeper sees the change (and
 * does not sleep), or the waker sees the sleeper (and wakes it); maybe both,
 * and then one wake-up is too many, which is harmless: the one it wakes
 * looks again and sleeps again if there is nothing for it. close does the
 * same with closed. */
static enum mp_status wait_until(mp_queue *q, struct end *e, struct end *other, double deadline,
                                 size_t (*ready)(mp_queue *, size_t), bool (*stop)(mp_queue *))
{
    double since = mp_now();
    for (;;) {
        if (stop(q)) {
            mp_robust_unlock(&e->lock);
            return MP_CLOSED;
        }
        if (ready(q, 1) > 0)
            return MP_OK;
        if (spin_a_while(&other->cpu, &other->count, since, deadline))
            continue;                      /* step 1 */
        atomic_fetch_add(&e->sleepers, 1);  /* step 2 */
        if (atomic_load(&q->closed) || ready(q, 1) > 0) {
            uncount(e);
            continue;
        }
        enum mp_status status = sleep_on(q, e, deadline);
        if (status != MP_OK)
            return status;
        since = mp_now();                  /* woken: the other end is awake */
    }
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
    atomic_store(&q->put.cpu, SPIN_NO_CPU);
    atomic_store(&q->get.cpu, SPIN_NO_CPU);

    int err = mp_robust_init(&q->put.lock);
    if (err == 0)
        err = mp_robust_init(&q->get.lock);
    if (err == 0 && (sem_init(&q->put.wakeup, 1, 0) == -1 || sem_init(&q->get.wakeup, 1, 0) == -1))
        err = errno;           /* sem_init's second argument 1: process-shared */
    if (err != 0) {
        munmap(q, size);       /* undoing our own mmap cannot fail */
        close(fd);
        mp_set_error(err, "queue: %s", strerror(err));
        return NULL;
    }
    return q;
}

/* Holding put.lock, with room for at least one item: copies up to n items
 * from items into the ring, commits them (rule 2), wakes as many sleeping
 * consumers. Returns how many it put. */
static size_t put_some(mp_queue *q, const unsigned char *items, size_t n)
{
    n = room_ready(q, n);
    unsigned long long puts = atomic_load(&q->put.count);
    for (size_t i = 0; i < n; i++)
        memcpy(cell(q, puts + i), items + i * q->item_size, q->item_size);
    atomic_store(&q->put.count, puts + n);           /* the commit */
    wake(&q->get, n);
    return n;
}

/* Holding get.lock, with at least one item there: copies up to max items
 * out of the ring into items, commits, wakes as many sleeping producers.
 * Returns how many it took. */
static size_t get_some(mp_queue *q, unsigned char *items, size_t max)
{
    size_t n = items_ready(q, max);
    unsigned long long gets = atomic_load(&q->get.count);
    for (size_t i = 0; i < n; i++)
        memcpy(items + i * q->item_size, cell(q, gets + i), q->item_size);
    atomic_store(&q->get.count, gets + n);           /* the commit */
    wake(&q->put, n);
    return n;
}

enum mp_status mp_queue_put_many(mp_queue *q, const void *items, size_t n, size_t *put,
                                 double timeout)
{
    double deadline = deadline_of(timeout);
    size_t done = 0;
    enum mp_status status = MP_OK;
    if (n > 0 && (status = lock(q, &q->put)) == MP_OK) {
        while (done < n && (status = wait_until(q, &q->put, &q->get, deadline, room_ready,
                                                is_closed)) == MP_OK)
            done += put_some(q, (const unsigned char *)items + done * q->item_size, n - done);
        if (status == MP_OK)
            mp_robust_unlock(&q->put.lock);
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
    if (lock(q, &q->put) != MP_OK)
        return MP_ERROR;
    if (atomic_load(&q->closed) || room_ready(q, 1) == 0) {
        mp_robust_unlock(&q->put.lock);
        return mp_queue_put_many(q, item, 1, NULL, timeout);
    }
    unsigned long long puts = atomic_load(&q->put.count);
    memcpy(cell(q, puts), item, q->item_size);
    atomic_store(&q->put.count, puts + 1);           /* the commit */
    wake(&q->get, 1);
    mp_robust_unlock(&q->put.lock);
    return MP_OK;
}

enum mp_status mp_queue_get_many(mp_queue *q, void *items, size_t max, size_t *got,
                                 double timeout)
{
    double deadline = deadline_of(timeout);
    *got = 0;
    if (max == 0) {
        mp_set_error(EINVAL, "get_many of 0 items");
        return MP_ERROR;
    }
    if (lock(q, &q->get) != MP_OK)
        return MP_ERROR;
    enum mp_status status = wait_until(q, &q->get, &q->put, deadline, items_ready,
                                       closed_and_drained);
    if (status == MP_OK) {
        *got = get_some(q, items, max);
        mp_robust_unlock(&q->get.lock);
    }
    if (status == MP_TIMEOUT)
        mp_set_error(EAGAIN, "the queue is still empty (Python: queue.Empty)");
    return status;
}

/* One item, likewise written out; get_many waits when it must. */
enum mp_status mp_queue_get(mp_queue *q, void *item, double timeout)
{
    if (lock(q, &q->get) != MP_OK)
        return MP_ERROR;
    if (items_ready(q, 1) == 0) {
        mp_robust_unlock(&q->get.lock);
        size_t got;
        return mp_queue_get_many(q, item, 1, &got, timeout);
    }
    unsigned long long gets = atomic_load(&q->get.count);
    memcpy(item, cell(q, gets), q->item_size);
    atomic_store(&q->get.count, gets + 1);           /* the commit */
    wake(&q->put, 1);
    mp_robust_unlock(&q->get.lock);
    return MP_OK;
}

/* No lock: gets is read first, then puts, which can only have grown since,
 * so the difference is never negative. Items taken and put again between
 * the two reads can make it larger than the queue ever was: hence the
 * ceiling. */
size_t mp_queue_qsize(mp_queue *q)
{
    unsigned long long gets = atomic_load(&q->get.count);
    size_t n = (size_t)(atomic_load(&q->put.count) - gets);
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

/* closed is set holding put.lock (see closed_and_drained); the wake-ups come
 * after, without it: a sleeper needs no lock to be woken. */
enum mp_status mp_queue_close(mp_queue *q)
{
    if (lock(q, &q->put) != MP_OK)
        return MP_ERROR;
    atomic_store(&q->closed, true);
    mp_robust_unlock(&q->put.lock);
    wake_all(&q->get);
    wake_all(&q->put);
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
