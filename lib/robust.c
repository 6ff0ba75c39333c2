/* SPDX-License-Identifier: MIT */
/*
 * robust: a process-shared mutex that a dying holder cannot take with it.
 *
 * An ordinary mutex held by a process that is killed stays locked for ever:
 * nobody is left to unlock it. A *robust* mutex (pthread_mutexattr_setrobust)
 * is handed by the kernel to the next process that asks, with the answer
 * EOWNERDEAD: "yours now, but its holder died holding it". That process
 * marks it consistent (else it becomes unusable for good once unlocked),
 * puts right what the lock guards, and carries on.
 *
 * Why a process asleep on the lock wakes every NAP to look again
 * (pthread_mutex_timedlock), rather than sleeping until woken
 * (pthread_mutex_lock): a death can leave it asleep on a free lock for
 * ever, and nothing in user space can prevent that. The lock is a word of
 * memory: 0 when free, else the holder's thread id, plus a bit that says
 * "someone sleeps here" (FUTEX_WAITERS). An unlock stores 0 and, if that
 * bit was set, asks the kernel to wake one sleeper (FUTEX_WAKE); the woken
 * one sets the word to its id, with the bit again. Now a process dies
 * after the 0 is stored and before a woken sleeper takes the lock: the
 * unlocker before its FUTEX_WAKE, or the woken sleeper itself. The kernel,
 * cleaning up after the dead process, wakes the next sleeper only if the
 * word is still 0. But a third process may have taken the lock meanwhile
 * (the word 0 -> its id, without the bit: it did not wait), and its unlock
 * then wakes nobody. The sleepers stay asleep on a lock that is free
 * (glibc 2.36, Linux 6: tests/c/test_queue.c lock-wake-lost builds that
 * exact sequence). A sleeper that looks again finds the lock free and
 * takes it, or sets the bit and sleeps, now sure to be woken.
 */
#include "robust.h"
#include "mp.h"

#include <errno.h>

/* How long a process asleep on the lock sleeps before it looks again. */
static const double NAP = 0.01;

int mp_robust_init(pthread_mutex_t *m)
{
    pthread_mutexattr_t attr;
    int err = pthread_mutexattr_init(&attr);
    if (err == 0)
        err = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (err == 0)
        err = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (err == 0)
        err = pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);   /* cannot fail for an initialised attr */
    return err;
}

/* The try first keeps a free lock at one atomic instruction, without
 * reading the clock. */
int mp_robust_lock(pthread_mutex_t *m, double deadline)
{
    int err = pthread_mutex_trylock(m);
    while (err == EBUSY || err == ETIMEDOUT) {
        double nap = NAP;
        if (deadline >= 0) {
            double left = deadline - mp_now();
            if (!(left > 0))
                return ETIMEDOUT;
            if (left < nap)
                nap = left;
        }
        struct timespec until = mp_time_of_day_in(nap);
        err = pthread_mutex_timedlock(m, &until);
    }
    if (err == EOWNERDEAD) {
        int e = pthread_mutex_consistent(m);
        if (e != 0) {
            /* Unusable now: every later lock fails with ENOTRECOVERABLE,
             * and every caller sees an error rather than data nobody can
             * vouch for. */
            pthread_mutex_unlock(m);
            return e;
        }
    }
    return err;
}

/* Unlocking a robust mutex we hold cannot fail (EPERM is for a mutex held
 * by another), so its result is not checked. */
void mp_robust_unlock(pthread_mutex_t *m)
{
    pthread_mutex_unlock(m);
}

/* The caller keeps its own deadline on the monotonic clock and looks again
 * after each wake-up, so a change of the time of day can only make one
 * sleep end early (it sleeps again) or late. (clock_gettime fails only for
 * a clock the system lacks; every POSIX system has CLOCK_REALTIME.) */
struct timespec mp_time_of_day_in(double seconds)
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
