/* SPDX-License-Identifier: MIT */
/*
 * popen_fork: the "fork" start method (CPython's popen_fork.py). The child
 * is a copy of the parent, made by fork(2), and runs its target at once;
 * the parent reaps it with waitpid(2).
 *
 * The sentinel: a pipe whose write end only the child holds and never
 * writes to; when the child ends, the kernel closes it and the parent's
 * read end reports end of file (Process.sentinel). Close-on-exec, so no
 * program the child may exec inherits it; pipe2 sets that in the same
 * system call that makes the pipe.
 */
#define _GNU_SOURCE            /* pipe2 (POSIX.1-2024; glibc still asks for this) */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Close errors of our own new pipe's ends cannot happen (EBADF, EINTR are
 * for descriptors we do not hold, or that have data to lose): unchecked. */
static enum mp_status launch(mp_process *p, const sigset_t *mask)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == -1) {
        mp_set_error(errno, "pipe: %s", strerror(errno));
        return MP_ERROR;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    switch (pid) {
    case -1: {                           /* no child: out of processes or memory */
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        mp_set_error(err, "fork: %s", strerror(err));
        return MP_ERROR;
    }
    case 0:                              /* the child: a copy of the parent */
        close(fds[0]);
        mp_bootstrap(p, fds[1], parent, mask);
    default:                             /* the parent */
        close(fds[1]);
        p->pid = pid;
        p->sentinel = fds[0];
        return MP_OK;
    }
}

/* waitid with WNOWAIT sleeps in the kernel until the child has ended and
 * leaves it unreaped, so a join costs microseconds, not a polling period;
 * a signal (EINTR) only ends the sleep early. */
static void wait_end(pid_t pid, int sentinel)
{
    siginfo_t info;
    (void)sentinel;
    (void)waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT);
}

static int reap(pid_t pid, int sentinel, int *status)
{
    (void)sentinel;
    pid_t r = waitpid(pid, status, WNOHANG);
    return r > 0 ? 1 : r == 0 ? 0 : -1;
}

const struct mp_popen mp_popen_fork = { "fork", launch, wait_end, reap, true };
