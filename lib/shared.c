/* SPDX-License-Identifier: MIT */
/*
 * shared: memory that other processes can share, whichever way they start.
 * mmap(MAP_SHARED | MAP_ANONYMOUS) would do for fork, which copies the
 * mapping into the child; a spawned program inherits no mapping at all, so
 * the memory is an anonymous file (memfd_create), whose descriptor can be
 * inherited or sent over a socket and then mapped by the new program.
 */
#define _GNU_SOURCE             /* memfd_create */
#include "mp_internal.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void *mp_shared_new(size_t size, int *fd)
{
    /* A new file starts empty; ftruncate makes it size bytes of zeros.
     * Close-on-exec: only a child the library starts gets it, by name. */
    *fd = memfd_create("forklore", MFD_CLOEXEC);
    if (*fd == -1)
        return NULL;
    void *mem = MAP_FAILED;
    if (ftruncate(*fd, (off_t)size) == 0)
        mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
    if (mem == MAP_FAILED) {
        int err = errno;
        close(*fd);             /* our own new file: close cannot fail */
        errno = err;
        return NULL;
    }
    return mem;
}

void *mp_shared_attach(int fd, size_t *size)
{
    struct stat st;
    if (fstat(fd, &st) == -1)
        return NULL;
    if (st.st_size <= 0) {
        errno = EINVAL;
        return NULL;
    }
    void *mem = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED)
        return NULL;
    *size = (size_t)st.st_size;
    return mem;
}
