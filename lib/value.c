/* SPDX-License-Identifier: MIT */
/*
 * value: mp_value, multiprocessing.Value and Array: typed memory that
 * processes share on purpose, with a lock beside it.
 *
 * One memfd (lib/shm.c) mapped MAP_SHARED holds the struct below, the lock,
 * and then the items themselves, as the queue's memory holds its ring. The
 * processes started after the Value was made map the very same pages (fork
 * copies the mapping, a spawned child maps the descriptor), so a store by
 * one is seen by every other: no copy, no message, no system call.
 *
 * The items are plain memory: mp_value_ptr hands out a pointer to them, and
 * the caller loads and stores through it. Nothing makes `*p += 1` atomic:
 * it is a load, an add and a store, and two processes doing it at once lose
 * updates unless they hold the lock around the three (lesson 12). Python's
 * Value is the same memory (a ctypes object in an mmap), and its `.value`
 * takes the lock for the load and again for the store, but not across the
 * two: `v.value += 1` loses updates there too.
 */
#include "mp.h"
#include "mp_internal.h"
#include "shared_internal.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Fixed by mp_array_new before any process starts; only the lock and the
 * items change afterwards. */
struct mp_value {
    size_t map_size;           /* bytes mapped, for munmap */
    int fd;                    /* the memfd: one number in every process */
    char typecode;             /* Python's: 'i', 'd', ... */
    size_t item_size, n;       /* bytes in one item; how many items */
    struct mp_lock lock;       /* get_lock(): guards nothing by itself; the
                                  items are guarded by whoever holds it */
    _Alignas(max_align_t) unsigned char items[];   /* n * item_size bytes */
};

/* Python's typecodes (the array module's, which multiprocessing.sharedctypes
 * maps to ctypes types) and the C type each stands for. */
static size_t size_of(char typecode)
{
    switch (typecode) {
    case 'c': return sizeof(char);
    case 'b': return sizeof(signed char);
    case 'B': return sizeof(unsigned char);
    case 'h': return sizeof(short);
    case 'H': return sizeof(unsigned short);
    case 'i': return sizeof(int);
    case 'I': return sizeof(unsigned int);
    case 'l': return sizeof(long);
    case 'L': return sizeof(unsigned long);
    case 'q': return sizeof(long long);
    case 'Q': return sizeof(unsigned long long);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    }
    return 0;
}

mp_value *mp_array_new(char typecode, size_t n)
{
    mp_clear_error();
    size_t item_size = size_of(typecode);
    if (item_size == 0) {
        mp_set_error(EINVAL, "typecode '%c': this type has no size "
                     "(typecodes: c b B h H i I l L q Q f d)", typecode);
        return NULL;
    }
    if (n == 0 || n > (SIZE_MAX - sizeof(mp_value)) / item_size) {
        mp_set_error(n == 0 ? EINVAL : ENOMEM, "an Array of %zu items", n);
        return NULL;
    }
    size_t size = sizeof(mp_value) + n * item_size;
    /* A new memfd is zeros: every item starts as 0 (Python's Array('d', n)). */
    int fd;
    mp_value *v = mp_shm_new(size, &fd);
    if (v == NULL)
        return NULL;
    v->map_size = size;
    v->fd = fd;
    v->typecode = typecode;
    v->item_size = item_size;
    v->n = n;
    int err = mp_lock_init(&v->lock, -1, 0);
    if (err != 0) {
        munmap(v, size);           /* our own new mapping: cannot fail */
        close(fd);
        mp_set_error(err, "value's lock: %s", strerror(err));
        return NULL;
    }
    return v;
}

mp_value *mp_value_new(char typecode)
{
    return mp_array_new(typecode, 1);
}

void *mp_value_ptr(mp_value *v)
{
    return v->items;
}

size_t mp_value_len(const mp_value *v)
{
    return v->n;
}

mp_lock *mp_value_get_lock(mp_value *v)
{
    return &v->lock;
}

int mp_value_fd(const mp_value *v)
{
    return v->fd;
}

/* What was fixed before any process started is checked against the file's
 * size, so that a descriptor of something else is refused, not misread. */
mp_value *mp_value_attach(int fd)
{
    mp_clear_error();
    size_t size;
    mp_value *v = mp_shm_attach(fd, &size);
    if (v == NULL)
        return NULL;
    if (size < sizeof *v || v->map_size != size || v->fd != fd || size_of(v->typecode) == 0 ||
        v->item_size != size_of(v->typecode) || sizeof *v + v->n * v->item_size != size) {
        munmap(v, size);
        mp_set_error(EINVAL, "descriptor %d holds no Value or Array", fd);
        return NULL;
    }
    return v;
}

void mp_value_free(mp_value *v)
{
    if (v == NULL)
        return;
    close(v->fd);                  /* this process's descriptor: cannot fail */
    munmap(v, v->map_size);        /* this process's mapping only */
}
