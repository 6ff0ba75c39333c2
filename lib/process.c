/* SPDX-License-Identifier: MIT */
/*
 * process: mp_process, multiprocessing.Process, in the order a student
 * meets it: init, start, join, is_alive, exitcode, terminate. It knows no
 * start method: each is a struct mp_popen (lib/popen_fork.c,
 * lib/popen_spawn.c, lib/popen_forkserver.c) that launches a child, waits
 * for its end, and reaps it; the children a process started are kept in
 * lib/children.c, which also ends them with the program.
 */
#include "proc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int counter;                /* mp_process_init calls in this process */

void mp_process_init_as(mp_process *p, const char *kind, int (*target)(void *arg), void *arg)
{
    memset(p, 0, sizeof *p);
    p->run = mp_process_run;
    p->target = target;
    p->arg = arg;
    snprintf(p->name, sizeof p->name, "%s-%d", kind, ++counter);
    p->exitcode = MP_NO_EXITCODE;
    p->sentinel = -1;
}

void mp_process_init(mp_process *p, int (*target)(void *arg), void *arg)
{
    mp_process_init_as(p, "Process", target, arg);
}

int mp_process_run(mp_process *self)
{
    if (self->target == NULL)
        return 0;
    return self->target(self->arg);
}

/* --- start --------------------------------------------------------------- */

/* Whether p may be started now; if not, says why (mp_last_error). */
static bool can_start(const mp_process *p)
{
    if (p->pid != 0) {
        mp_set_error(EINVAL, "%s: cannot start a process twice", p->name);
        return false;
    }
    if (mp_current_is_daemon()) {
        mp_set_error(EPERM, "daemonic processes are not allowed to have children");
        return false;
    }
    if (mp_bootstrapping()) {
        mp_set_error(EPERM, "An attempt has been made to start a new process before the "
                     "current process has finished its bootstrapping phase (call "
                     "mp_main_guard at the top of main)");
        return false;
    }
    if (mp_children_full()) {
        mp_set_error(EAGAIN, "too many children not yet joined");
        return false;
    }
    return true;
}

static const struct mp_popen *popen_named(const char *how)
{
    const struct mp_popen *methods[] = { &mp_popen_fork, &mp_popen_spawn, &mp_popen_forkserver };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(methods[i]->name, how) == 0)
            return methods[i];
    return NULL;
}

enum mp_status mp_process_start(mp_process *p)
{
    return mp_process_start_by(p, mp_get_start_method());
}

/* Whatever sits in stdio's buffers would be copied into a forked child and
 * printed by both processes: it goes out first. The handled signals stay
 * blocked from the launch until the child is recorded, so that no handler
 * (in this thread or another) ends the program's children without it. */
enum mp_status mp_process_start_by(mp_process *p, const char *how)
{
    mp_clear_error();
    const struct mp_popen *popen = popen_named(how);
    if (popen == NULL) {
        mp_set_error(EINVAL, "cannot find context for '%s'", how);
        return MP_ERROR;
    }
    if (!can_start(p) || mp_children_install() != MP_OK)
        return MP_ERROR;
    mp_flush_std_streams();
    sigset_t old;
    mp_children_lock(&old);
    enum mp_status status = popen->launch(p, &old);
    if (status == MP_OK) {
        p->lib.popen = popen;
        p->exitcode = MP_NO_EXITCODE;
        mp_children_add(p);
    }
    mp_children_unlock(&old);
    return status;
}

/* --- join ---------------------------------------------------------------- */

/* Reaps p if it has ended, and records its exitcode the way Python reports
 * it: the exit status, or -N for signal N. The record goes in the same
 * step, with the signals blocked: a handler must never find a child already
 * reaped, whose PID the kernel may since have given to another process.
 * 1 once reaped, 0 while it runs, -1 if its end cannot be learnt (said). */
static int reap(mp_process *p)
{
    if (p->exitcode != MP_NO_EXITCODE)
        return p->lib.end_unknown ? -1 : 1;
    int status;
    sigset_t old;
    mp_children_lock(&old);
    int r = p->lib.popen->reap(p->pid, p->sentinel, &status);
    int err = errno;
    if (r != 0)
        mp_children_remove(p->pid);
    mp_children_unlock(&old);
    if (r == 0)
        return 0;
    if (r == -1 && err == ECHILD) {
        mp_set_error(err, "%s: not a child of this process (PID %ld): %s", p->name,
                     (long)getpid(), strerror(err));
        return -1;                       /* not ours: nothing recorded */
    }
    close(p->sentinel);                  /* our own pipe or socket: cannot fail */
    p->sentinel = -1;
    p->lib.end_unknown = r == -1;
    /* Python's forkserver says 255 when the server cannot tell. */
    p->exitcode = r == -1 ? 255 : WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
    return r == -1 ? -1 : 1;
}

/* What reap's result means to join. */
static enum mp_status joined(mp_process *p, int r)
{
    if (r == -1 && p->lib.end_unknown) {
        mp_set_error(EPIPE, "the forkserver died before it could say how PID %ld ended",
                     (long)p->pid);
        mp_children_told_lost();
    }
    return r == 1 ? MP_OK : r == 0 ? MP_TIMEOUT : MP_ERROR;
}

/* No timeout: the method's wait sleeps in the kernel until the child ends
 * (a signal only wakes it to look again). With one: poll(2) on the
 * sentinel, at most 100 ms at a time, since a grandchild that inherited the
 * pipe could hold it open after the child itself has ended. */
enum mp_status mp_process_join(mp_process *p, double timeout)
{
    mp_clear_error();
    if (p->pid == 0) {
        mp_set_error(EINVAL, "%s: can only join a started process", p->name);
        return MP_ERROR;
    }
    double deadline = mp_now() + timeout;
    for (;;) {
        int r = reap(p);
        if (r != 0)
            return joined(p, r);
        if (timeout < 0) {
            p->lib.popen->wait(p->pid, p->sentinel);
            continue;
        }
        double left = deadline - mp_now();
        if (left <= 0)
            return MP_TIMEOUT;
        int wait_ms = left < 0.1 ? (int)(left * 1000) + 1 : 100;
        struct pollfd pfd = { .fd = p->sentinel, .events = POLLIN };
        /* poll's own failure (EINTR: a signal) only means looking again. */
        if (poll(&pfd, 1, wait_ms) > 0 && reap(p) == 0)
            mp_sleep(0.001);             /* closed, not yet reapable: it is exiting */
    }
}

bool mp_process_is_alive(mp_process *p)
{
    if (p->pid == 0 || p->exitcode != MP_NO_EXITCODE)
        return false;
    return reap(p) == 0;
}

int mp_process_exitcode(mp_process *p)
{
    if (p->pid != 0 && p->exitcode == MP_NO_EXITCODE)
        reap(p);
    return p->exitcode;
}

/* --- terminate ----------------------------------------------------------- */

/* Until it is reaped, an ended child stays a zombie and keeps its PID, so
 * the signal cannot reach some other process that got the number. A
 * forkserver child is the server's to reap, which it does at once, then
 * sends us its end: from then on its PID is free for any new process, so
 * look for that end first. (Between the server's reaping and its message
 * there is still a moment; Python's forkserver has the same.) */
static enum mp_status send_signal(mp_process *p, int sig)
{
    mp_clear_error();
    if (p->pid == 0) {
        mp_set_error(EINVAL, "%s: not started", p->name);
        return MP_ERROR;
    }
    if (!p->lib.popen->ours)
        (void)mp_process_exitcode(p);    /* reads the end, if the server sent it */
    if (p->exitcode != MP_NO_EXITCODE)
        return MP_OK;                    /* ended already: nothing to signal */
    if (kill(p->pid, sig) == -1) {
        mp_set_error(errno, "%s: kill: %s", p->name, strerror(errno));
        return MP_ERROR;
    }
    return MP_OK;
}

enum mp_status mp_process_terminate(mp_process *p)
{
    return send_signal(p, SIGTERM);
}

enum mp_status mp_process_kill(mp_process *p)
{
    return send_signal(p, SIGKILL);
}

/* --- what travels to a new program --------------------------------------- */

enum mp_status mp_process_args(mp_process *p, const void *bytes, size_t size)
{
    if (size > MP_ARG_MAX) {
        mp_set_error(E2BIG, "%s: an argument of %zu bytes (at most %d)", p->name, size,
                     MP_ARG_MAX);
        return MP_ERROR;
    }
    memcpy(p->lib.args, bytes, size);
    p->lib.args_size = size;
    p->arg = p->lib.args;
    return MP_OK;
}

enum mp_status mp_process_pass_fd(mp_process *p, int fd)
{
    if (p->lib.npass_fds == MP_PASS_FDS_MAX) {
        mp_set_error(E2BIG, "%s: more than %d descriptors to pass", p->name, MP_PASS_FDS_MAX);
        return MP_ERROR;
    }
    p->lib.pass_fds[p->lib.npass_fds++] = fd;
    return MP_OK;
}
