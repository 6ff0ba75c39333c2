/* SPDX-License-Identifier: MIT */
/* What the shared layer's files (lock.c, value.c) share with each other but
 * not with the demos: the lock's memory, so that a Value can hold one. */
#ifndef SHARED_INTERNAL_H
#define SHARED_INTERNAL_H

#include "mp.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to work across processes");

/* A Lock, in memory that every process using it maps MAP_SHARED: its own
 * memfd (mp_lock_new), or inside a Value's (mp_value_get_lock). */
struct mp_lock {
    pthread_mutex_t mutex;     /* robust, process-shared (lib/robust.c) */
    atomic_int holder;         /* the holder's PID, 0 when free: written by
                                  the holder only, read by release to name
                                  who holds it */
    bool holder_died;          /* guarded by mutex: the holder took it from
                                  a process that died holding it */
    int fd;                    /* a Lock's memfd: one number in every
                                  process; -1 for a Value's lock */
    size_t map_size;           /* bytes mapped, for munmap (a Lock's) */
};

/* Makes *lock a free lock, in shared memory (a Value's: fd -1). 0, or the
 * error number. */
int mp_lock_init(struct mp_lock *lock, int fd, size_t map_size);

#endif
