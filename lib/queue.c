/* SPDX-License-Identifier: MIT */
/*
 * queue: mp_queue, multiprocessing.Queue for fixed-size items, in memory
 * shared by every process that forks from the one that made it.
 *
 * One mmap(MAP_SHARED | MAP_ANONYMOUS) holds everything: the struct below and,
 * after it, the ring of slots the items are copied into. fork gives the child
 * the same mapping at the same address, and MAP_SHARED means the pages are
 * not copied (as the rest of memory is, on write): every process reads and
 * writes the very same bytes.
 *
 * The ring. Two counts say what is in it: puts, the items ever put, and
 * gets, the items ever taken. The queue holds puts - gets items; the oldest
 * is in slot gets % capacity, and the next put goes into slot
 * puts % capacity. (64-bit counts never wrap: at a billion items a second,
 * they would take 584 years.)
 *
 * Two locks, one for each end of the ring (the "two-lock queue" of Michael
 * and Scott, 1996):
 *   put_lock   producers take turns on it: only its holder writes puts and
 *              copies items into free slots;
 *   get_lock   consumers take turns on it: only its holder writes gets and
 *              copies items out of full slots.
 * So a producer never waits for a consumer's lock, nor a consumer for a
 * producer's: each works at its own end, and they meet only through the two
 * counts. Each count has one writer at a time, the holder of its lock, and
 * is read by the holder of the other lock.
 *
 * Why the fields are spread over five cache lines. Memory moves between the
 * CPUs' caches in lines of 64 bytes. Before a CPU writes a line, every other
 * CPU's copy of it is thrown away; the next time one of them reads it, the
 * line travels back, which takes longer than a whole put. With one lock for
 * the whole ring (this queue's first version), that lock's line travelled
 * twice per item between producer and consumer, and two CPUs moved about
 * 6 to 10 million items a second; on one CPU, 30 million. So here:
 *   - each end's lock and count share one line, written only at that end;
 *   - each end keeps its own copy of the other end's count (gets_seen,
 *     puts_seen) and reads the real one only when its copy says "full" or
 *     "empty": the line then travels once and brings news of many items;
 *   - what is read on every call but rarely written (sizes, closed, the
 *     sleeper counts) lies on lines of its own, so reading it costs nothing.
 *
 * Why atomics (<stdatomic.h>). A producer copies an item into a slot, then
 * adds one to puts. A consumer that sees the new puts must also see the bytes
 * copied before it; but the compiler and the CPU may reorder plain memory
 * accesses, and under one lock the lock's own instructions forbade that. The
 * consumer does not hold put_lock, so the counts are C11 atomics: a process
 * that loads the value an atomic store stored also sees everything written
 * before that store. Likewise, a consumer's copy out of a slot is over
 * before the new gets lets a producer write into that slot again. All the
 * atomics here use the default, strongest kind (sequentially consistent),
 * which the wake-ups below need.
 *
 * Waiting. A get on an empty queue, or a put on a full one:
 *   1. first gives its CPU away (sched_yield) and looks again, for up to
 *      YIELD_SECONDS, still holding its lock (the others at its end wait
 *      their turn for the lock, asleep in the kernel). The other end is
 *      usually only a moment away, and sleeping and waking would cost both
 *      ends system calls. Yielding rather than looking again at once gives
 *      the other end time to put (or take) a batch of items before we pull
 *      its line away from it, and lets it run if the two share one CPU.
 *      (Measured on the 2-CPU virtual machine this was written on: without
 *      this step, one producer and one consumer moved 3.5 to 6.5 million
 *      items a second; with it, 14 to 39 million, depending on the run.)
 *   2. then counts itself in get_sleepers (put_sleepers), looks once more,
 *      lets go of its lock and sleeps on the semaphore item_added
 *      (room_made), for at most a second; then takes the lock and looks
 *      again. Whoever adds an item (makes room) stores the new count, then
 *      looks at the sleeper count, and if it is not 0 posts the semaphore.
 * Why no wake-up is lost: both sides store first (the sleeper its count, the
 * waker the new puts or gets) and load second. Sequentially consistent
 * atomics happen in one single order, agreed by every CPU; whichever of the
 * two stores comes first in it, the other side's load comes after it and
 * sees it. So either the sleeper sees the new item (and does not sleep), or
 * the waker sees the sleeper (and wakes it); maybe both, and then one
 * wake-up is too many, which is harmless: the one it wakes looks again and
 * sleeps again if there is nothing for it. close does the same with closed.
 *
 * close sets closed holding put_lock: no put is then half-way through, so
 * every put either committed before or will see closed and refuse. A
 * consumer that finds the queue empty reads closed, then puts once more:
 * if closed was set, that puts counts every item ever put, and if it says
 * empty, no item will ever come.
 *
 * A process can die anywhere (SIGKILL, a crash), even holding a lock. Five
 * rules make that harmless:
 *   1. Both locks are *robust*: when the holder dies, the kernel hands the
 *      lock to the next process that asks, with the answer EOWNERDEAD.
 *   2. The ring is whole at every instant. put and get first copy the item,
 *      then commit with one store, their count going up by one. Killed
 *      before that store, a process changed nothing the others can see;
 *      after it, it finished. gets_seen and puts_seen can only lag behind
 *      the real counts, which makes the queue look fuller (emptier) than it
 *      is, never the other way round; and before sleeping a process reads
 *      the real count. So the next holder of the lock simply carries on:
 *      nothing lost (except the item a killed consumer already had), nothing
 *      duplicated, no half-written item.
 *   3. Whoever takes a lock with EOWNERDEAD wakes every sleeper: the dead
 *      process may have put or taken an item and died before waking anyone.
 *   4. A waker posts the semaphore first, then takes one off the sleeper
 *      count. A sleeper that dies leaves one count too many, a waker that
 *      dies between its two steps one post too many: either way someone
 *      wakes once for nothing, never a sleeper that no one will wake.
 *   5. Nobody sleeps more than a second at a time before looking again. This
 *      covers the deaths rules 3 and 4 cannot: a process woken, then killed
 *      before it took the lock, takes its wake-up with it; a process killed
 *      after its commit but before its wake-up wakes nobody until someone
 *      else takes that lock (rule 3); a close killed between setting closed
 *      and its wake-ups wakes nobody at all. What they left waits at most
 *      for a sleeper's next look.
 *
 * Why not a condition variable, the textbook tool? glibc's process-shared
 * condition variables (before glibc 2.40) keep counts of their waiters inside;
 * a waiter killed in pthread_cond_wait leaves them wrong for good. Tried on
 * glibc 2.36: after one waiter was killed, the next waiter was never woken,
 * and the process signalling it blocked in pthread_cond_signal. A semaphore
 * keeps no record of who waits.
 *
 * The fast path makes no system call: when there is an item (a free slot),
 * get (put) takes its lock (an atomic instruction when it is free), copies,
 * commits, looks at the sleeper count, unlocks.
 */
#include "mp.h"
#include "mp_internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/* The atomics are shared by processes, not threads: that only works if each
 * is a real CPU instruction on the memory itself (lock-free), not a lock
 * hidden inside one process's copy of the C library. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "atomic_ullong must be lock-free to work across processes");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_uint must be lock-free to work across processes");
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "atomic_bool must be lock-free to work across processes");

/* The size of a cache line on x86-64 and most ARM64 CPUs. */
enum { LINE = 64 };

/* How long a process that cannot go on yields before it sleeps (step 1 of
 * "Waiting" above): about a hundred sched_yield calls on a virtual machine,
 * a few hundred on bare metal. */
static const double YIELD_SECONDS = 50e-6;

/*
 * _Alignas(LINE) starts a new cache line: each group of fields below has its
 * line(s) to itself. (mmap returns memory aligned on a page, so the lines of
 * the struct are the lines of the memory.) On x86-64 Linux a mutex takes 40
 * bytes, so a lock and its two counts fit in one line.
 */
struct mp_queue {
    /* Line 1: fixed by mp_queue_new before any fork, and closed, written
     * once. Read on every call, so every CPU keeps a copy of this line. */
    size_t item_size;          /* bytes in one item */
    size_t capacity;           /* how many items fit (the number of slots) */
    size_t map_size;           /* bytes mapped, for munmap */
    atomic_bool closed;        /* mp_queue_close was called; set holding
                                  put_lock, read by producers (holding it)
                                  and consumers (not) */

    /* Line 2: the producers' end, written only by the holder of put_lock. */
    _Alignas(LINE) pthread_mutex_t put_lock;   /* robust, process-shared */
    atomic_ullong puts;             /* items ever put; read by consumers */
    unsigned long long gets_seen;   /* guarded by put_lock: gets as a
                                       producer last read it (<= gets) */

    /* Line 3: the consumers' end, written only by the holder of get_lock. */
    _Alignas(LINE) pthread_mutex_t get_lock;   /* robust, process-shared */
    atomic_ullong gets;             /* items ever taken; read by producers */
    unsigned long long puts_seen;   /* guarded by get_lock: puts as a
                                       consumer last read it (<= puts) */

    /* Line 4: read by every put; written only when a get sleeps or is woken.
     * No lock: an atomic count, and a semaphore (it does its own locking). */
    _Alignas(LINE) atomic_uint get_sleepers;   /* processes asleep in get,
                                                  not yet woken */
    sem_t item_added;          /* posted once per get-sleeper woken */

    /* Line 5: the same for put, read by every get. */
    _Alignas(LINE) atomic_uint put_sleepers;   /* processes asleep in put,
                                                  not yet woken */
    sem_t room_made;           /* posted once per put-sleeper woken */

    /* The ring, capacity * item_size bytes: a free slot is written only by
     * the holder of put_lock, a full one read only by the holder of
     * get_lock. */
    _Alignas(LINE) unsigned char slots[];
};

static unsigned char *slot(mp_queue *q, unsigned long long n)
{
    return q->slots + (size_t)(n % q->capacity) * q->item_size;
}

/* --- each end's look at the other end ------------------------------------ */

/* Holding get_lock: is there an item to take? Only when our copy of puts
 * says empty do we read the real puts, on the line the producers write. */
static bool item_ready(mp_queue *q)
{
    unsigned long long gets = atomic_load(&q->gets);
    if (gets == q->puts_seen)
        q->puts_seen = atomic_load(&q->puts);
    return gets != q->puts_seen;
}

/* Holding get_lock: will no item ever come? closed is read first, then
 * puts (see close, above). */
static bool closed_and_drained(mp_queue *q)
{
    return atomic_load(&q->closed) && !item_ready(q);
}

/* Holding put_lock: is there a free slot? Only when our copy of gets says
 * full do we read the real gets, on the line the consumers write. */
static bool room_ready(mp_queue *q)
{
    unsigned long long puts = atomic_load(&q->puts);
    if (puts - q->gets_seen == q->capacity)
        q->gets_seen = atomic_load(&q->gets);
    return puts - q->gets_seen < q->capacity;
}

/* --- waking and sleeping ------------------------------------------------- */

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

/* Wakes one process asleep on wakeup, if there is one: the post first, then
 * the count (rule 4). */
static void wake_one(sem_t *wakeup, atomic_uint *sleepers)
{
    if (atomic_load(sleepers) > 0) {
        sem_post(wakeup);
        count_down(sleepers);
    }
}

static void wake_all(sem_t *wakeup, atomic_uint *sleepers)
{
    for (unsigned n = atomic_load(sleepers); n > 0; n--)
        wake_one(wakeup, sleepers);
}

/* A process counted in sleepers that is not waiting for a wake-up (any more)
 * takes itself off the count. If a waker got there first, it has posted a
 * wake-up meant for us, or is about to: take it back if it is there, so it
 * does not wake someone for nothing later. */
static void uncount(sem_t *wakeup, atomic_uint *sleepers)
{
    if (!count_down(sleepers))
        sem_trywait(wakeup);
}

/* pthread_mutex_lock on one of the two robust locks. EOWNERDEAD: the last
 * holder died holding it. The ring is whole (rule 2), so we mark the lock
 * consistent (else it would become unusable for good once we unlock it),
 * wake every sleeper (rule 3) and carry on. */
static int lock(mp_queue *q, pthread_mutex_t *m)
{
    int err = pthread_mutex_lock(m);
    if (err == EOWNERDEAD) {
        err = pthread_mutex_consistent(m);
        wake_all(&q->item_added, &q->get_sleepers);
        wake_all(&q->room_made, &q->put_sleepers);
    }
    if (err != 0) {
        mp_set_error(err, "queue lock: %s", strerror(err));
        return -1;
    }
    return 0;
}

/* A timeout in seconds -> a deadline on mp_now()'s clock (-1: none). */
static double deadline_of(double timeout)
{
    return timeout < 0 ? -1.0 : mp_now() + timeout;
}

/* Step 1 of waiting: whether to yield once more rather than go on to sleep.
 * *until is when yielding stops, -1 until the first call sets it. Never past
 * the deadline: a timeout of 0 does not wait at all. */
static bool yield_again(double *until, double deadline)
{
    double now = mp_now();
    if (*until < 0)
        *until = now + YIELD_SECONDS;
    return now < *until && (deadline < 0 || now < deadline);
}

/* sem_timedwait wants the deadline as a time of day (CLOCK_REALTIME): now plus
 * the seconds to sleep. The caller keeps its own deadline on the monotonic
 * clock and looks again after each wake-up, so a change of the time of day
 * can only make one sleep end early (we then sleep again) or late. */
static struct timespec time_of_day_in(double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)seconds;
    ts.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    return ts;
}

/* Step 2 of waiting, the sleep. Called holding *held (put_lock or get_lock)
 * and already counted in *sleepers. Lets go of the lock and sleeps on wakeup
 * until woken, interrupted by a signal, a second has passed (rule 5) or
 * deadline (seconds on mp_now()'s clock; negative: none); then returns
 * holding *held again, no longer counted. MP_OK means "look again": a wake-up
 * says the queue changed, not that what changed is still there for us.
 * MP_TIMEOUT: the deadline had passed, nothing slept. MP_ERROR: the lock
 * could not be taken again. */
static enum mp_status sleep_on(mp_queue *q, pthread_mutex_t *held, sem_t *wakeup,
                               atomic_uint *sleepers, double deadline)
{
    double nap = 1.0;
    if (deadline >= 0) {
        double left = deadline - mp_now();
        if (!(left > 0)) {
            uncount(wakeup, sleepers);
            return MP_TIMEOUT;
        }
        if (left < nap)
            nap = left;
    }
    pthread_mutex_unlock(held);

    struct timespec until = time_of_day_in(nap);
    if (sem_timedwait(wakeup, &until) == -1)
        uncount(wakeup, sleepers);     /* timed out or EINTR: nobody woke us */

    if (lock(q, held) == -1)
        return MP_ERROR;
    return MP_OK;
}

/* --- the queue ----------------------------------------------------------- */

static int robust_mutex_init(pthread_mutex_t *m)
{
    pthread_mutexattr_t attr;
    int err = pthread_mutexattr_init(&attr);
    if (err == 0)
        err = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (err == 0)
        err = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (err == 0)
        err = pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);
    return err;
}

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

    /* Shared with every process forked from now on. Anonymous memory starts
     * zeroed: counts 0, no sleepers, not closed. (All-zero bytes are a valid
     * 0 or false for lock-free atomics.) */
    mp_queue *q = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED)
        return NULL;
    q->item_size = item_size;
    q->capacity = capacity;
    q->map_size = size;

    int err = robust_mutex_init(&q->put_lock);
    if (err == 0)
        err = robust_mutex_init(&q->get_lock);
    if (err == 0 && (sem_init(&q->item_added, 1, 0) == -1 || sem_init(&q->room_made, 1, 0) == -1))
        err = errno;           /* sem_init's second argument 1: process-shared */
    if (err != 0) {
        munmap(q, size);
        mp_set_error(err, "queue: %s", strerror(err));
        return NULL;
    }
    return q;
}

enum mp_status mp_queue_put(mp_queue *q, const void *item, double timeout)
{
    double deadline = deadline_of(timeout), yield_until = -1;
    if (lock(q, &q->put_lock) == -1)
        return MP_ERROR;
    for (;;) {
        if (atomic_load(&q->closed)) {
            pthread_mutex_unlock(&q->put_lock);
            mp_set_error(EPIPE, "put on a closed queue");
            return MP_CLOSED;
        }
        if (room_ready(q))
            break;
        if (yield_again(&yield_until, deadline)) {
            sched_yield();
            continue;
        }
        /* Full: count ourselves as a sleeper, then look once more (see
         * "Waiting"). From the count on, a get or a close wakes us. */
        atomic_fetch_add(&q->put_sleepers, 1);
        if (atomic_load(&q->closed) || room_ready(q)) {
            uncount(&q->room_made, &q->put_sleepers);
            continue;
        }
        enum mp_status status = sleep_on(q, &q->put_lock, &q->room_made, &q->put_sleepers, deadline);
        if (status == MP_ERROR)
            return MP_ERROR;
        if (status == MP_TIMEOUT) {
            pthread_mutex_unlock(&q->put_lock);
            mp_set_error(EAGAIN, "the queue is still full (Python: queue.Full)");
            return MP_TIMEOUT;
        }
    }
    unsigned long long puts = atomic_load(&q->puts);
    memcpy(slot(q, puts), item, q->item_size);
    atomic_store(&q->puts, puts + 1);                /* the commit */
    wake_one(&q->item_added, &q->get_sleepers);
    pthread_mutex_unlock(&q->put_lock);
    return MP_OK;
}

enum mp_status mp_queue_get(mp_queue *q, void *item, double timeout)
{
    double deadline = deadline_of(timeout), yield_until = -1;
    if (lock(q, &q->get_lock) == -1)
        return MP_ERROR;
    for (;;) {
        if (item_ready(q))
            break;
        if (closed_and_drained(q)) {
            pthread_mutex_unlock(&q->get_lock);
            return MP_CLOSED;
        }
        if (yield_again(&yield_until, deadline)) {
            sched_yield();
            continue;
        }
        /* Empty: count ourselves as a sleeper, then look once more (see
         * "Waiting"). From the count on, a put or a close wakes us. */
        atomic_fetch_add(&q->get_sleepers, 1);
        if (atomic_load(&q->closed) || item_ready(q)) {
            uncount(&q->item_added, &q->get_sleepers);
            continue;
        }
        enum mp_status status = sleep_on(q, &q->get_lock, &q->item_added, &q->get_sleepers, deadline);
        if (status == MP_ERROR)
            return MP_ERROR;
        if (status == MP_TIMEOUT) {
            pthread_mutex_unlock(&q->get_lock);
            mp_set_error(EAGAIN, "the queue is still empty (Python: queue.Empty)");
            return MP_TIMEOUT;
        }
    }
    unsigned long long gets = atomic_load(&q->gets);
    memcpy(item, slot(q, gets), q->item_size);
    atomic_store(&q->gets, gets + 1);                /* the commit */
    wake_one(&q->room_made, &q->put_sleepers);
    pthread_mutex_unlock(&q->get_lock);
    return MP_OK;
}

/* Holding get_lock, gets cannot change; puts only grows, and is read once:
 * puts - gets is the size of the queue at the moment puts was read. */
size_t mp_queue_qsize(mp_queue *q)
{
    if (lock(q, &q->get_lock) == -1)
        return 0;
    size_t n = (size_t)(atomic_load(&q->puts) - atomic_load(&q->gets));
    pthread_mutex_unlock(&q->get_lock);
    return n;
}

bool mp_queue_empty(mp_queue *q)
{
    return mp_queue_qsize(q) == 0;
}

bool mp_queue_full(mp_queue *q)
{
    return mp_queue_qsize(q) == q->capacity;
}

/* closed is set holding put_lock (see "close sets closed" above); the
 * wake-ups come after, without it: a sleeper needs no lock to be woken. */
void mp_queue_close(mp_queue *q)
{
    if (lock(q, &q->put_lock) == -1)
        return;
    atomic_store(&q->closed, true);
    pthread_mutex_unlock(&q->put_lock);
    wake_all(&q->item_added, &q->get_sleepers);
    wake_all(&q->room_made, &q->put_sleepers);
}

void mp_queue_free(mp_queue *q)
{
    if (q == NULL)
        return;
    /* Only this process's mapping goes: others may still be using the queue,
     * so the locks and semaphores are not destroyed (on Linux there is
     * nothing to destroy: they are just words of memory, gone with the last
     * mapping). */
    munmap(q, q->map_size);
}
