/* SPDX-License-Identifier: MIT */
/*
 * shm: memory that other processes can share, whichever way they start.
 * mmap(MAP_SHARED | MAP_ANONYMOUS) would do for fork, which copies the
 * mapping into the child; a spawned program inherits no mapping at all, so
 * the memory is an anonymous file (memfd_create), whose descriptor can be
 * inherited or sent over a socket and then mapped by the new program.
 */
#define _GNU_SOURCE             /* memfd_create */
#include "mp_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void *mp_shm_new(size_t size, int *fd)
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

void *mp_shm_attach(int fd, size_t *size)
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

/* The memory every new program must share, by name. fork copies the
 * mappings into a child, so under fork the table is never read; spawn and
 * the forkserver hand each child the descriptors, and the child's layers
 * look theirs up by name (mp_shm_find) and map it themselves. */
static struct mp_shm_name exported[MP_SHM_MAX];
static int nexported;

int mp_shm_export(const char *name, int fd)
{
    for (int i = 0; i < nexported; i++) {
        if (strcmp(exported[i].name, name) == 0) {
            exported[i].fd = fd;
            return 0;
        }
    }
    if (nexported == MP_SHM_MAX || strlen(name) >= sizeof exported[0].name) {
        errno = ENOSPC;
        return -1;
    }
    snprintf(exported[nexported].name, sizeof exported[0].name, "%s", name);
    exported[nexported].fd = fd;
    nexported++;
    return 0;
}

void mp_shm_forget(const char *name)
{
    for (int i = 0; i < nexported; i++) {
        if (strcmp(exported[i].name, name) == 0) {
            close(exported[i].fd);   /* a descriptor of ours: cannot fail */
            exported[i] = exported[--nexported];
            return;
        }
    }
}

int mp_shm_find(const char *name)
{
    for (int i = 0; i < nexported; i++)
        if (strcmp(exported[i].name, name) == 0)
            return exported[i].fd;
    return -1;
}

int mp_shm_exports(struct mp_shm_name *out)
{
    memcpy(out, exported, sizeof exported);
    return nexported;
}
