/* SPDX-License-Identifier: MIT */
/*
 * robust.h - a mutex that processes share and that survives its holder's
 * death: the lock under the queue and under mp_lock. Private to the library.
 */
#ifndef ROBUST_H
#define ROBUST_H

#include <pthread.h>
#include <time.h>

/* Makes *m a robust, process-shared mutex, in memory every process maps
 * (MAP_SHARED). 0, or the error number. */
int mp_robust_init(pthread_mutex_t *m);

/* Takes m, waiting until deadline (seconds on mp_now()'s clock; negative:
 * no deadline). 0: held. EOWNERDEAD: held, but the last holder died
 * holding it (the mutex is usable again; what it guards may be half
 * changed). ETIMEDOUT: the deadline passed first, not held. Any other
 * number: an error, not held. */
int mp_robust_lock(pthread_mutex_t *m, double deadline);

/* Lets go of m, held by this process. */
void mp_robust_unlock(pthread_mutex_t *m);

/* Now plus seconds, as a time of day (CLOCK_REALTIME): the kind of
 * deadline pthread_mutex_timedlock and sem_timedwait take. */
struct timespec mp_time_of_day_in(double seconds);

#endif
