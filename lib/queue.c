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
 * Three POSIX objects live in that memory, each made for use across processes:
 *   lock         a mutex: one process at a time looks at or changes the ring;
 *   item_added   a semaphore: wake-up calls for processes asleep in get;
 *   room_made    a semaphore: wake-up calls for processes asleep in put.
 *
 * A process can die anywhere, even holding the lock (SIGKILL, a crash). Four
 * rules make that harmless:
 *   1. The lock is *robust*: when its holder dies, the kernel hands it to the
 *      next process that asks, with the answer EOWNERDEAD instead of 0.
 *   2. The ring is whole at every instant. put and get first copy the item,
 *      then commit with a single store, one count going up by one. A process
 *      killed before that store changed nothing the others can see; killed
 *      after it, it finished its put or get. So the next holder can simply
 *      carry on: nothing lost (except the item a killed consumer had already
 *      been handed), nothing duplicated, no half-written item.
 *   3. A process that has to wait counts itself in a field guarded by the
 *      lock, then sleeps on a semaphore outside it. A waker posts the
 *      semaphore, then uncounts one sleeper. A sleeper that dies, or a waker
 *      that dies between the two steps, only leaves a wake-up too many:
 *      someone wakes for nothing, looks at the queue again, sleeps again.
 *   4. Nobody sleeps more than a second at a time before looking again. This
 *      covers the one death rule 3 cannot: a process woken up, then killed
 *      before it could take the lock, takes its wake-up with it, and the item
 *      it was woken for would wait for the next put, get or close.
 * Why not a condition variable, the textbook tool? glibc's process-shared
 * condition variables (before glibc 2.40) keep counts of their waiters inside;
 * a waiter killed in pthread_cond_wait leaves them wrong for good. Tried on
 * glibc 2.36: after one waiter was killed, the next waiter was never woken,
 * and the process signalling it blocked in pthread_cond_signal. A semaphore
 * keeps no record of who waits.
 *
 * The fast path makes no system call: when nobody sleeps, put and get take
 * the lock (an atomic instruction when it is free), copy, commit, unlock.
 */
#include "mp.h"
#include "mp_internal.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/*
 * The fields every put and get touches come first, next to the lock: on
 * x86-64 Linux the lock (40 bytes) and they fill one 64-byte cache line, the
 * unit in which memory moves between the CPUs' caches. A process on another
 * CPU then fetches one line to take the lock and look at the ring, not two.
 */
struct mp_queue {
    /* Robust, process-shared: guards every field below it up to the
     * semaphores, and the contents of every slot. */
    pthread_mutex_t lock;

    /* Guarded by lock. */
    uint64_t puts;             /* items ever put; the next one goes into slot
                                  puts % capacity */
    uint64_t gets;             /* items ever taken; the oldest is in slot
                                  gets % capacity. puts - gets items are in
                                  the queue. (64 bits never wrap: at a
                                  billion items a second, 584 years.) */
    unsigned get_sleepers;     /* processes asleep in get not yet woken */
    unsigned put_sleepers;     /* processes asleep in put not yet woken */
    bool closed;               /* mp_queue_close was called */

    /* Fixed by mp_queue_new, before any fork; read without the lock. */
    size_t item_size;          /* bytes in one item */
    size_t capacity;           /* how many items fit (the number of slots) */
    size_t map_size;           /* bytes mapped, for munmap */

    /* Semaphores do their own locking. */
    sem_t item_added;          /* posted once per get-sleeper woken */
    sem_t room_made;           /* posted once per put-sleeper woken */

    unsigned char slots[];     /* capacity * item_size bytes, guarded by lock:
                                  the ring */
};

static unsigned char *slot(mp_queue *q, uint64_t n)
{
    return q->slots + (size_t)(n % q->capacity) * q->item_size;
}

/* --- waking and sleeping (all called with the lock held) ---------------- */

/* Wakes one process asleep on wakeup, if there is one. The post comes first:
 * a waker killed between the two lines leaves a wake-up too many (harmless),
 * never a sleeper that no one will wake. */
static void wake_one(sem_t *wakeup, unsigned *sleepers)
{
    if (*sleepers > 0) {
        sem_post(wakeup);
        (*sleepers)--;
    }
}

static void wake_all(sem_t *wakeup, unsigned *sleepers)
{
    while (*sleepers > 0)
        wake_one(wakeup, sleepers);
}

/* pthread_mutex_lock on the robust lock. EOWNERDEAD: the last holder died
 * holding it. Thanks to rule 2 the ring is whole, so we mark the lock
 * consistent (else it would become unusable for good once we unlock it) and
 * carry on. The dead process may have added an item or made room and died
 * before waking anyone, so every sleeper is woken to look again. */
static int lock(mp_queue *q)
{
    int err = pthread_mutex_lock(&q->lock);
    if (err == EOWNERDEAD) {
        err = pthread_mutex_consistent(&q->lock);
        wake_all(&q->item_added, &q->get_sleepers);
        wake_all(&q->room_made, &q->put_sleepers);
    }
    if (err != 0) {
        mp_set_error(err, "queue lock: %s", strerror(err));
        return -1;
    }
    return 0;
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

/* Called with the lock held when the caller cannot go on (get: the queue is
 * empty; put: it is full). Sleeps on wakeup until woken, interrupted by a
 * signal, a second has passed (rule 4) or deadline (seconds on mp_now()'s
 * clock; negative: none), and returns with the lock held again. MP_OK means
 * "look again": a wake-up says the queue changed, not that what changed is
 * still there for us. MP_TIMEOUT: the deadline had passed, nothing slept.
 * MP_ERROR: the lock could not be taken again. */
static enum mp_status sleep_on(mp_queue *q, sem_t *wakeup, unsigned *sleepers,
                               double deadline)
{
    double nap = 1.0;
    if (deadline >= 0) {
        double left = deadline - mp_now();
        if (!(left > 0))
            return MP_TIMEOUT;
        if (left < nap)
            nap = left;
    }
    /* Counted while we still hold the lock: a put or get that comes after
     * our unlock sees the count and posts, and the semaphore keeps that post
     * even if we have not reached sem_timedwait yet. No wake-up is missed. */
    (*sleepers)++;
    pthread_mutex_unlock(&q->lock);

    struct timespec until = time_of_day_in(nap);
    int rc = sem_timedwait(wakeup, &until);

    if (lock(q) == -1)
        return MP_ERROR;
    if (rc == -1) {
        /* Timed out or interrupted (EINTR): nobody woke us, so uncount
         * ourselves. If a waker got there first and already uncounted us,
         * its wake-up is waiting in the semaphore: take it back. */
        if (*sleepers > 0)
            (*sleepers)--;
        else
            sem_trywait(wakeup);
    }
    return MP_OK;
}

/* A timeout in seconds -> a deadline on mp_now()'s clock (-1: none). */
static double deadline_of(double timeout)
{
    return timeout < 0 ? -1.0 : mp_now() + timeout;
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

    /* Shared with every process forked from now on. Anonymous memory starts
     * zeroed: counts 0, no sleepers, not closed. */
    mp_queue *q = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED)
        return NULL;
    q->item_size = item_size;
    q->capacity = capacity;
    q->map_size = size;

    pthread_mutexattr_t attr;
    int err = pthread_mutexattr_init(&attr);
    if (err == 0)
        err = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (err == 0)
        err = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (err == 0)
        err = pthread_mutex_init(&q->lock, &attr);
    pthread_mutexattr_destroy(&attr);
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
    double deadline = deadline_of(timeout);
    if (lock(q) == -1)
        return MP_ERROR;
    for (;;) {
        if (q->closed) {
            pthread_mutex_unlock(&q->lock);
            mp_set_error(EPIPE, "put on a closed queue");
            return MP_CLOSED;
        }
        if (q->puts - q->gets < q->capacity)
            break;                                   /* there is room */
        enum mp_status status = sleep_on(q, &q->room_made, &q->put_sleepers, deadline);
        if (status == MP_ERROR)
            return MP_ERROR;
        if (status == MP_TIMEOUT) {
            pthread_mutex_unlock(&q->lock);
            mp_set_error(EAGAIN, "the queue is still full (Python: queue.Full)");
            return MP_TIMEOUT;
        }
    }
    memcpy(slot(q, q->puts), item, q->item_size);
    /* A compiler barrier: the copy above must be in memory before the count
     * below says the item is there (the compiler could otherwise swap them,
     * which only matters if we are killed between the two). */
    atomic_signal_fence(memory_order_release);
    q->puts++;                                       /* the commit */
    wake_one(&q->item_added, &q->get_sleepers);
    pthread_mutex_unlock(&q->lock);
    return MP_OK;
}

enum mp_status mp_queue_get(mp_queue *q, void *item, double timeout)
{
    double deadline = deadline_of(timeout);
    if (lock(q) == -1)
        return MP_ERROR;
    while (q->puts == q->gets) {                     /* empty */
        if (q->closed) {
            pthread_mutex_unlock(&q->lock);
            return MP_CLOSED;
        }
        enum mp_status status = sleep_on(q, &q->item_added, &q->get_sleepers, deadline);
        if (status == MP_ERROR)
            return MP_ERROR;
        if (status == MP_TIMEOUT) {
            pthread_mutex_unlock(&q->lock);
            mp_set_error(EAGAIN, "the queue is still empty (Python: queue.Empty)");
            return MP_TIMEOUT;
        }
    }
    memcpy(item, slot(q, q->gets), q->item_size);
    atomic_signal_fence(memory_order_release);       /* as in put */
    q->gets++;                                       /* the commit */
    wake_one(&q->room_made, &q->put_sleepers);
    pthread_mutex_unlock(&q->lock);
    return MP_OK;
}

size_t mp_queue_qsize(mp_queue *q)
{
    if (lock(q) == -1)
        return 0;
    size_t n = (size_t)(q->puts - q->gets);
    pthread_mutex_unlock(&q->lock);
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

void mp_queue_close(mp_queue *q)
{
    if (lock(q) == -1)
        return;
    q->closed = true;
    wake_all(&q->item_added, &q->get_sleepers);
    wake_all(&q->room_made, &q->put_sleepers);
    pthread_mutex_unlock(&q->lock);
}

void mp_queue_free(mp_queue *q)
{
    if (q == NULL)
        return;
    /* Only this process's mapping goes: others may still be using the queue,
     * so the lock and semaphores are not destroyed (on Linux there is nothing
     * to destroy: they are just words of memory, gone with the last mapping). */
    munmap(q, q->map_size);
}
