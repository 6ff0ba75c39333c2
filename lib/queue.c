/* SPDX-License-Identifier: MIT */
/*
 * queue: mp_queue, multiprocessing.Queue for fixed-size items, in memory
 * shared by every process that forks from the one that made it: a memfd
 * mapped MAP_SHARED (lib/shm.c), inherited by fork or mapped by a spawned
 * child from its descriptor, never copied on write. It holds the struct
 * below, then the ring of cells the items are copied into.
 *
 * The ring. Two counts say what is in it: puts, the items ever put, and
 * gets, the items ever taken. The queue holds puts - gets items; the oldest
 * is in cell gets % capacity, the next put goes into cell puts % capacity.
 * (64-bit counts never wrap: at a billion items a second, in 584 years.)
 *
 * Two locks, one for each end (the "two-lock queue" of Michael and Scott,
 * 1996): only the holder of the put end's lock writes puts and fills free
 * cells, only the get end's writes gets and empties cells, so producers and
 * consumers meet only through the two counts. A call that finds an item (a
 * free cell) makes no system call: lock, copy, commit with one store, wake
 * whoever sleeps at the other end, unlock. (Robust process-shared mutexes,
 * unnamed POSIX semaphores: Linux has both, macOS neither.)
 */
#include "mp.h"
#include "mp_internal.h"
#include "queue_spin.h"
#include "robust.h"

#include <errno.h>
#include <semaphore.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Shared by processes, atomics must be instructions on the memory itself,
 * not a lock hidden in one process's copy of the C library. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2
               && ATOMIC_BOOL_LOCK_FREE == 2, "the atomics must be lock-free");
enum { LINE = 64 };            /* a cache line on x86-64 and most ARM64 */

/*
 * Lines. Before a CPU writes a 64-byte line of memory, all other copies of
 * it are thrown away, and the next read elsewhere fetches it back: slower
 * than a whole put. So each end writes only its own lines, and reads the
 * other's count only when its copy (seen) says "empty" ("full").
 * Atomics. A consumer that loads the new puts must also see the item copied
 * before it, though compiler and CPU reorder plain accesses: a C11 atomic
 * store promises that. All are sequentially consistent (see wait_until).
 *
 * Crashes. A process can die anywhere (SIGKILL), even holding a lock. Five
 * rules make that harmless, each kept by the fields it names:
 *   1. lock is robust: when its holder dies, the kernel hands it to the
 *      next process that asks, with the answer EOWNERDEAD (lib/robust.c).
 *   2. count: the ring is whole at every instant. Put and get copy first,
 *      then commit with one store to their count: killed before it, a
 *      process changed nothing the others see (seen only ever lags behind).
 *      The next holder just carries on: nothing lost (but what a killed
 *      consumer had taken), nothing twice, no half item.
 *   3. lock, sleepers: the one told EOWNERDEAD wakes every sleeper at both
 *      ends: the dead one may have committed, then died before waking any.
 *   4. sleepers, wakeup: a waker posts first, then counts the sleeper off.
 *      A death in between, or a sleeper's, leaves a post or a count too
 *      many: someone wakes once for nothing, but no sleeper is forgotten.
 *   5. wakeup: nobody sleeps on it more than a second before looking again,
 *      for what 3 and 4 miss: a process woken, then killed before it takes
 *      the lock; one killed between its commit and its wake-ups (until the
 *      next lock); a close killed before its wake-ups.
 */
struct end {                   /* the producers' (q->put) or consumers' (q->get) */
    _Alignas(LINE) pthread_mutex_t lock;   /* only its holder writes this line (rules 1, 3) */
    atomic_ullong count;       /* puts (gets), read by the other end (rule 2) */
    unsigned long long seen;   /* the other end's count when last read */
    atomic_int cpu;            /* its last holder's CPU, SPIN_NO_CPU asleep */
    /* Second line: read by each call at the other end, written when one
     * sleeps here or is woken. No lock (an atomic, a semaphore). */
    _Alignas(LINE) atomic_uint sleepers;   /* asleep here, not yet woken (rules 3, 4) */
    sem_t wakeup;              /* posted once per sleeper woken (rules 4, 5) */
};

struct mp_queue {
    /* Fixed before any fork (closed: set once, holding put.lock). */
    size_t item_size, capacity;
    size_t map_size;           /* for munmap */
    int fd;                    /* the memfd, the same number everywhere */
    atomic_bool closed;        /* mp_queue_close was called */
    struct end put, get;
    _Alignas(LINE) unsigned char cells[];  /* filled under put.lock, emptied under get.lock */
};

static unsigned char *cell(mp_queue *q, unsigned long long n)
{
    return q->cells + (size_t)(n % q->capacity) * q->item_size;
}

/* Holding get.lock: items to take, up to want (puts read if seen is short). */
static size_t items_ready(mp_queue *q, size_t want)
{
    unsigned long long gets = atomic_load(&q->get.count);
    if (q->get.seen - gets < want)
        q->get.seen = atomic_load(&q->put.count);
    size_t n = (size_t)(q->get.seen - gets);
    return n < want ? n : want;
}

/* Holding put.lock: free cells, up to want; none once closed (which does
 * not change while we hold put.lock). */
static size_t room_ready(mp_queue *q, size_t want)
{
    if (atomic_load(&q->closed))
        return 0;
    unsigned long long puts = atomic_load(&q->put.count);
    if (q->capacity - (puts - q->put.seen) < want)
        q->put.seen = atomic_load(&q->get.count);
    size_t n = q->capacity - (size_t)(puts - q->put.seen);
    return n < want ? n : want;
}

/* Takes one off *count unless it is (or others make it) 0; says if it did. */
static bool count_down(atomic_uint *count)
{
    unsigned n = atomic_load(count);
    while (n > 0)
        if (atomic_compare_exchange_weak(count, &n, n - 1))
            return true;
    return false;
}

/* Wakes up to n of e's sleepers, one per item put (cell freed): post, then
 * count (rule 4). (sem_post fails only at SEM_VALUE_MAX posts: not here.) */
static void wake(struct end *e, size_t n)
{
    for (; n > 0 && atomic_load(&e->sleepers) > 0; n--) {
        sem_post(&e->wakeup);
        count_down(&e->sleepers);
    }
}

/* Wakes all asleep at both ends now (who comes later saw our change). */
static void wake_everyone(mp_queue *q)
{
    wake(&q->get, atomic_load(&q->get.sleepers));
    wake(&q->put, atomic_load(&q->put.sleepers));
}

/* Counts off a process that is not (any more) waiting. If a waker did that
 * first, take back its post (not there yet: rule 4 allows it, no error). */
static void uncount(struct end *e)
{
    if (!count_down(&e->sleepers))
        sem_trywait(&e->wakeup);
}

/* Takes e's lock (rules 1 and 3) and notes our CPU there for the other end's
 * waiters. MP_OK, or MP_ERROR (recorded), not held. mp_robust_unlock lets go. */
static enum mp_status lock(mp_queue *q, struct end *e)
{
    int err = mp_robust_lock(&e->lock, -1);
    if (err == EOWNERDEAD) {
        wake_everyone(q);
        err = 0;
    }
    if (err != 0) {
        mp_set_error(err, "queue lock: %s", strerror(err));
        return MP_ERROR;
    }
    spin_note_cpu(&e->cpu);
    return MP_OK;
}

/* Holding e's lock: waits until ready(q) finds an item (a free cell): MP_OK,
 * held; or never will: MP_CLOSED; MP_TIMEOUT; MP_ERROR. In two steps:
 *   1. Holding the lock, look again while spin_a_while (queue_spin.c) says
 *      one awake at the other end will soon make the change: a few tens of
 *      microseconds at most, while the others at this end (even a call with
 *      timeout 0) wait for the lock, asleep in the kernel.
 *   2. Count ourselves in sleepers, look once more, let go of the lock and
 *      sleep on wakeup until woken, a signal, the deadline or a second
 *      (rule 5); take the lock, look again (what woke us may be gone).
 * closed is read first: set holding put.lock, when no put is half-way, it
 * means the puts that ready reads next counts every item there will be.
 * No wake-up is lost: the sleeper stores sleepers, then loads the count;
 * the waker stores the count, then loads sleepers; sequentially consistent
 * atomics happen in one order, so one side sees the other's store. (Not a
 * condition variable: glibc's process-shared ones count their waiters
 * inside, wrong for good when one is killed waiting.) */
static enum mp_status wait_until(mp_queue *q, struct end *e, struct end *other, double deadline,
                                 size_t (*ready)(mp_queue *, size_t))
{
    double since = -1;                         /* step 1 not begun */
    for (;;) {
        bool closed = atomic_load(&q->closed);
        if (ready(q, 1) > 0)
            return MP_OK;
        double left = deadline < 0 ? 1.0 : deadline - mp_now();
        if (closed || !(left > 0)) {
            mp_robust_unlock(&e->lock);
            return closed ? MP_CLOSED : MP_TIMEOUT;
        }
        if (spin_a_while(&other->cpu, &other->count, q->capacity, &since, deadline))
            continue;                          /* step 1 */
        atomic_fetch_add(&e->sleepers, 1);     /* step 2 */
        if (atomic_load(&q->closed) || ready(q, 1) > 0) {
            uncount(e);
            continue;
        }
        atomic_store(&e->cpu, SPIN_NO_CPU);    /* the other end: don't wait for us */
        mp_robust_unlock(&e->lock);
        struct timespec until = mp_time_of_day_in(left < 1.0 ? left : 1.0);   /* rule 5 */
        if (sem_timedwait(&e->wakeup, &until) == -1)
            uncount(e);                        /* timed out or EINTR: not woken */
        if (lock(q, e) != MP_OK)
            return MP_ERROR;
        since = -1;                            /* woken: step 1 again */
    }
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
    /* A new memfd is zeros: counts 0, nobody asleep, not closed. */
    size_t size = sizeof(mp_queue) + capacity * item_size;
    int fd;
    mp_queue *q = mp_shm_new(size, &fd);
    if (q == NULL)
        return NULL;
    q->item_size = item_size;
    q->capacity = capacity;
    q->map_size = size;
    q->fd = fd;
    atomic_store(&q->put.cpu, SPIN_NO_CPU);
    atomic_store(&q->get.cpu, SPIN_NO_CPU);
    int err = mp_robust_init(&q->put.lock);
    if (err == 0)
        err = mp_robust_init(&q->get.lock);
    if (err == 0 && (sem_init(&q->put.wakeup, 1, 0) == -1 || sem_init(&q->get.wakeup, 1, 0) == -1))
        err = errno;           /* the 1: shared between processes */
    if (err != 0) {
        munmap(q, size);       /* our own mapping, our own file: cannot fail */
        close(fd);
        mp_set_error(err, "queue: %s", strerror(err));
        return NULL;
    }
    return q;
}

/* Holding put.lock, with room for one item at least: copies up to n items
 * in, commits (rule 2), wakes as many consumers. Returns how many it put. */
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

/* Holding get.lock, with one item at least: the same the other way. */
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
    double deadline = timeout < 0 ? -1.0 : mp_now() + timeout;
    size_t done = 0;
    enum mp_status status = MP_OK;
    if (n > 0 && (status = lock(q, &q->put)) == MP_OK) {
        while (done < n && (status = wait_until(q, &q->put, &q->get, deadline,
                                                room_ready)) == MP_OK)
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

/* One item, the call made millions of times: straight to put_some when
 * there is room, to put_many only to wait. */
enum mp_status mp_queue_put(mp_queue *q, const void *item, double timeout)
{
    if (lock(q, &q->put) != MP_OK)
        return MP_ERROR;
    size_t done = room_ready(q, 1) > 0 ? put_some(q, item, 1) : 0;
    mp_robust_unlock(&q->put.lock);
    return done == 1 ? MP_OK : mp_queue_put_many(q, item, 1, NULL, timeout);
}

enum mp_status mp_queue_get_many(mp_queue *q, void *items, size_t max, size_t *got,
                                 double timeout)
{
    double deadline = timeout < 0 ? -1.0 : mp_now() + timeout;
    *got = 0;
    if (max == 0) {
        mp_set_error(EINVAL, "get_many of 0 items");
        return MP_ERROR;
    }
    if (lock(q, &q->get) != MP_OK)
        return MP_ERROR;
    enum mp_status status = wait_until(q, &q->get, &q->put, deadline, items_ready);
    if (status == MP_OK) {
        *got = get_some(q, items, max);
        mp_robust_unlock(&q->get.lock);
    }
    if (status == MP_TIMEOUT)
        mp_set_error(EAGAIN, "the queue is still empty (Python: queue.Empty)");
    return status;
}

/* One item, likewise. */
enum mp_status mp_queue_get(mp_queue *q, void *item, double timeout)
{
    if (lock(q, &q->get) != MP_OK)
        return MP_ERROR;
    size_t got = items_ready(q, 1) > 0 ? get_some(q, item, 1) : 0;
    mp_robust_unlock(&q->get.lock);
    return got == 1 ? MP_OK : mp_queue_get_many(q, item, 1, &got, timeout);
}

/* No lock: gets first, then puts, which can only have grown: never below 0,
 * but maybe above capacity (items taken and put between the reads). */
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

/* closed is set holding put.lock (see wait_until); the wake-ups need none. */
enum mp_status mp_queue_close(mp_queue *q)
{
    if (lock(q, &q->put) != MP_OK)
        return MP_ERROR;
    atomic_store(&q->closed, true);
    mp_robust_unlock(&q->put.lock);
    wake_everyone(q);
    return MP_OK;
}

int mp_queue_fd(const mp_queue *q)
{
    return q->fd;
}

mp_queue *mp_queue_attach(int fd)
{
    size_t size;
    mp_clear_error();
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

/* This process's descriptor and mapping only (neither call can fail). */
void mp_queue_free(mp_queue *q)
{
    if (q == NULL)
        return;
    close(q->fd);
    munmap(q, q->map_size);
}
