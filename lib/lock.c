/* SPDX-License-Identifier: MIT */
/*
 * lock: mp_lock, multiprocessing.Lock, for processes that share memory.
 *
 * A lock is a robust, process-shared pthread mutex (lib/robust.c) in memory
 * mapped MAP_SHARED from a memfd, as the queue's are: fork gives the child
 * the same mapping, a spawned child maps the same file from its descriptor.
 * Every process then takes turns on the very same word of memory.
 *
 * Python's Lock is a POSIX semaphore of value 1. A semaphore has no owner,
 * so when its holder is killed, nobody can tell, and every later acquire
 * waits for ever. A robust mutex has an owner, which the kernel knows: when
 * the owner dies holding it, the next process to ask gets it, with the
 * answer EOWNERDEAD. Here that answer becomes holder_died, which the new
 * holder reads to learn that the data the lock guards may be half changed.
 *
 * The holder's PID is kept beside the mutex, written by the holder alone:
 * release uses it to refuse a process that does not hold the lock (with
 * Python's words), acquire to refuse a process that holds it already
 * (which would wait for ever on itself), and a timed-out acquire to say
 * who holds it.
 */
#include "mp.h"
#include "mp_internal.h"
#include "robust.h"
#include "shared_internal.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* This process's PID, asked once: getpid(2) is a system call, and on a
 * virtual machine a costly one (3.4 us here, twenty times a whole lock and
 * unlock), and a lock is taken millions of times. A forked child inherits
 * the parent's memory, this variable too, so fork forgets it in the child
 * (pthread_atfork; a spawned child is a new program and starts at 0). */
static pid_t self;             /* 0: not known yet */
static bool forks_watched;

static void forget_self(void)
{
    self = 0;
}

static void watch_forks(void)
{
    forks_watched = pthread_atfork(NULL, NULL, forget_self) == 0;   /* or ENOMEM */
}

static pid_t my_pid(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    if (self != 0)
        return self;
    pthread_once(&once, watch_forks);
    pid_t pid = getpid();
    if (forks_watched)
        self = pid;           /* else asked every time: never a stale one */
    return pid;
}

int mp_lock_init(struct mp_lock *lock, int fd, size_t map_size)
{
    atomic_store(&lock->holder, 0);
    lock->holder_died = false;
    lock->fd = fd;
    lock->map_size = map_size;
    return mp_robust_init(&lock->mutex);
}

mp_lock *mp_lock_new(void)
{
    mp_clear_error();
    /* A new memfd starts zeroed; the mutex is then made robust and shared. */
    int fd;
    mp_lock *lock = mp_shm_new(sizeof *lock, &fd);
    if (lock == NULL)
        return NULL;
    int err = mp_lock_init(lock, fd, sizeof *lock);
    if (err != 0) {
        munmap(lock, sizeof *lock);    /* our own new mapping: cannot fail */
        close(fd);
        mp_set_error(err, "lock: %s", strerror(err));
        return NULL;
    }
    return lock;
}

/* The deadline is kept on the monotonic clock (mp_robust_lock looks at it
 * after every nap), and read only for a timed wait: MP_FOREVER costs no
 * clock reading, and a free lock costs one atomic instruction. */
enum mp_status mp_lock_acquire(mp_lock *lock, double timeout)
{
    if (atomic_load(&lock->holder) == my_pid()) {
        mp_set_error(EDEADLK, "this process holds the lock already: a Lock is not "
                     "re-entrant (Python's would wait for ever; an RLock is re-entrant)");
        return MP_ERROR;
    }
    int err = mp_robust_lock(&lock->mutex, timeout < 0 ? -1.0 : mp_now() + timeout);
    if (err == ETIMEDOUT) {
        mp_set_error(EAGAIN, "the lock is still held by PID %d", (int)atomic_load(&lock->holder));
        return MP_TIMEOUT;
    }
    if (err != 0 && err != EOWNERDEAD) {
        mp_set_error(err, "lock: %s", strerror(err));
        return MP_ERROR;
    }
    /* Held. EOWNERDEAD: the mutex is consistent again (mp_robust_lock saw
     * to it); the data is whatever the dead holder left. */
    lock->holder_died = err == EOWNERDEAD;
    atomic_store(&lock->holder, my_pid());
    return MP_OK;
}

bool mp_lock_holder_died(const mp_lock *lock)
{
    return lock->holder_died;
}

/* holder is ours only if we wrote it: then we hold the mutex. The unlock is
 * still checked: a dead holder's PID given again to a new process would let
 * it through the first test, but never the mutex's (it knows its owner). */
enum mp_status mp_lock_release(mp_lock *lock)
{
    pid_t holder = atomic_load(&lock->holder);
    if (holder != my_pid()) {
        if (holder == 0)
            mp_set_error(EPERM, "semaphore or lock released too many times");
        else
            mp_set_error(EPERM, "the lock is held by PID %d: only its holder can release it",
                         (int)holder);
        return MP_ERROR;
    }
    lock->holder_died = false;
    atomic_store(&lock->holder, 0);
    int err = pthread_mutex_unlock(&lock->mutex);
    if (err != 0) {
        atomic_store(&lock->holder, holder);
        mp_set_error(err, "release: %s", strerror(err));
        return MP_ERROR;
    }
    return MP_OK;
}

int mp_lock_fd(const mp_lock *lock)
{
    return lock->fd;
}

mp_lock *mp_lock_attach(int fd)
{
    mp_clear_error();
    size_t size;
    mp_lock *lock = mp_shm_attach(fd, &size);
    if (lock == NULL)
        return NULL;
    if (size != sizeof *lock || lock->fd != fd || lock->map_size != size) {
        munmap(lock, size);
        mp_set_error(EINVAL, "descriptor %d holds no lock", fd);
        return NULL;
    }
    return lock;
}

/* Only this process's mapping and descriptor go: the others may still use
 * the lock (on Linux the mutex is just a word of memory, freed with the
 * last mapping, so there is nothing to destroy). A Value's lock goes with
 * its Value. */
void mp_lock_free(mp_lock *lock)
{
    if (lock == NULL || lock->fd == -1)
        return;
    close(lock->fd);               /* this process's descriptor: cannot fail */
    munmap(lock, lock->map_size);
}
