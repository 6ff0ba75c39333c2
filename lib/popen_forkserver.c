/* SPDX-License-Identifier: MIT */
/*
 * popen_forkserver: the "forkserver" start method (CPython's
 * popen_forkserver.py). The server (lib/forkserver.c) forks the child on
 * request, so the child is the server's, not ours: we cannot waitpid for
 * it. The server sends its wait status instead, on a socket whose other end
 * the server and the child both hold; ours is the child's sentinel.
 */
#include "proc.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

static enum mp_status launch(mp_process *p, const sigset_t *mask)
{
    (void)mask;                          /* the server's children start unblocked */
    struct mp_prep prep;
    if (mp_prep_pack(p, &prep) != MP_OK)
        return MP_ERROR;
    return mp_forkserver_request(&prep, &p->pid, &p->sentinel);
}

/* The sentinel is readable once the status came, or at end of file. */
static void wait_end(pid_t pid, int sentinel)
{
    struct pollfd pfd = { .fd = sentinel, .events = POLLIN };
    (void)pid;
    (void)poll(&pfd, 1, -1);             /* EINTR: the caller looks again */
}

/* The status, 4 bytes the server writes at once after reaping the child.
 * End of file without it: the server died first, and how the child ended
 * (with it: the child holds the socket too) cannot be known: EPIPE. */
static int reap(pid_t pid, int sentinel, int *status)
{
    struct pollfd pfd = { .fd = sentinel, .events = POLLIN };
    (void)pid;
    if (poll(&pfd, 1, 0) != 1)
        return 0;
    ssize_t r;
    while ((r = read(sentinel, status, sizeof *status)) == -1 && errno == EINTR)
        ;
    if (r == (ssize_t)sizeof *status)
        return 1;
    errno = EPIPE;
    return -1;
}

const struct mp_popen mp_popen_forkserver = { "forkserver", launch, wait_end, reap, false };
