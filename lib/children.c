/* SPDX-License-Identifier: MIT */
/*
 * children: the children this process started and has not reaped yet, and
 * what happens to them when the program ends. Python's
 * multiprocessing.util._exit_function at exit, and, better than Python, a
 * handler for the signals that end a program, so that no child outlives a
 * Ctrl-C.
 *
 * The library keeps its own record of each child rather than a pointer to
 * the caller's mp_process, which may be gone (a local in main) by the time
 * the program exits.
 *
 * Who may look at the table, and when: a thread that changes it (or starts a
 * child, which it must record before anyone looks) first blocks the handled
 * signals in itself, then takes `busy`. The signal handler takes `busy`
 * too, so it never sees a table half changed, even when the signal arrives
 * in another thread of the program (a signal goes to any thread that does
 * not block it, and pthread_sigmask blocks only in the calling thread).
 * The holder always has the signals blocked, so a handler that waits for
 * `busy` waits for another thread, which lets go in moments.
 */
#include "proc.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 4096

struct child {
    pid_t pid;
    int sentinel;
    bool daemon;
    const struct mp_popen *popen;  /* how it started: how to reap it */
    char name[32];
};

static struct child children[MAX_CHILDREN];  /* guarded by busy */
static int nchildren;                        /* guarded by busy */
static atomic_int busy;                      /* 1 while a thread uses the table */
static void (*at_end)(bool hard);            /* the forkserver's end, if any */
static bool installed;
static bool lost_told;                       /* a join said an end is unknown */

/* SIGPIPE too: `demo | head -1` ends the main with it once head has gone,
 * and a child left running would keep the pipeline waiting for it. */
static const int handled_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
#define NHANDLED (int)(sizeof handled_signals / sizeof handled_signals[0])

/* Sleeps 1 ms at a time until `busy` is ours. nanosleep is safe in a
 * signal handler; an interrupted one only looks sooner. */
static void take_busy(void)
{
    const struct timespec ms = { 0, 1000 * 1000 };
    while (atomic_exchange(&busy, 1))
        nanosleep(&ms, NULL);
}

/* pthread_sigmask fails only for a bad `how` (EINVAL), impossible here, nor
 * can sigaddset fail with these numbers: their results are not checked. */
void mp_children_lock(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < NHANDLED; i++)
        sigaddset(&set, handled_signals[i]);
    (void)pthread_sigmask(SIG_BLOCK, &set, old);
    take_busy();
}

void mp_children_unlock(const sigset_t *old)
{
    atomic_store(&busy, 0);
    (void)pthread_sigmask(SIG_SETMASK, old, NULL);
}

void mp_children_add(const mp_process *p)
{
    struct child *c = &children[nchildren++];
    c->pid = p->pid;
    c->sentinel = p->sentinel;
    c->daemon = p->daemon;
    c->popen = p->lib.popen;
    memcpy(c->name, p->name, sizeof c->name);
}

void mp_children_remove(pid_t pid)
{
    for (int i = 0; i < nchildren; i++) {
        if (children[i].pid == pid) {
            children[i] = children[--nchildren];
            return;
        }
    }
}

bool mp_children_full(void)
{
    return nchildren == MAX_CHILDREN;
}

void mp_children_told_lost(void)
{
    lost_told = true;
}

/* Only if there is something to drop: after fork, writing even the same
 * value costs the child a page fault (the kernel copies the page, shared
 * until then, on the first write). */
void mp_children_forget_all(void)
{
    if (nchildren == 0 && !atomic_load(&busy) && at_end == NULL)
        return;
    for (int i = 0; i < nchildren; i++)
        close(children[i].sentinel);     /* our copy of our parent's pipe */
    nchildren = 0;
    atomic_store(&busy, 0);              /* the parent's hold, copied by fork */
    at_end = NULL;                       /* the parent's forkserver, not ours */
}

void mp_children_at_end(void (*end)(bool hard))
{
    at_end = end;
}

/* Whether child i has gone; reaps it if so. */
static bool gone(int i)
{
    int status;
    return children[i].pid == 0 ||
           children[i].popen->reap(children[i].pid, children[i].sentinel, &status) != 0;
}

/* Checks every 10 ms, for at most a second, until every chosen child has
 * gone; marks each one gone (pid 0) as it goes. */
static void wait_gone(bool daemonic_only)
{
    const struct timespec step = { 0, 10 * 1000 * 1000 };
    for (int tries = 0; tries < 100; tries++) {
        bool waiting = false;
        for (int i = 0; i < nchildren; i++) {
            if (daemonic_only && !children[i].daemon)
                continue;
            if (gone(i))
                children[i].pid = 0;
            else
                waiting = true;
        }
        if (!waiting)
            return;
        nanosleep(&step, NULL);
    }
}

/* SIGTERM to the children (only the daemonic ones, or all), up to a second
 * for them to go, SIGKILL to any still there, and their records dropped:
 * all reaped, but a forkserver's child whose server will not say (it is
 * stopped, say) after another second. hard: the forkserver too, after its
 * children were told, so that their ends reach us. Only async-signal-safe
 * calls: on_signal calls it, and a signal may have interrupted anything.
 * kill's errors (ESRCH: gone already) are what this wants anyway. */
static void end_children(bool daemonic_only, bool hard)
{
    for (int i = 0; i < nchildren; i++)
        if ((children[i].daemon || !daemonic_only) && !gone(i))
            kill(children[i].pid, SIGTERM);
    wait_gone(daemonic_only);
    for (int i = 0; i < nchildren; i++)
        if ((children[i].daemon || !daemonic_only) && children[i].pid != 0)
            kill(children[i].pid, SIGKILL);  /* it ignored SIGTERM: no choice left */
    if (hard && at_end != NULL)
        at_end(true);
    wait_gone(daemonic_only);
    int kept = 0;
    for (int i = 0; i < nchildren; i++) {
        struct child *c = &children[i];
        bool chosen = c->daemon || !daemonic_only;
        if (chosen && c->pid != 0 && c->popen->ours)
            c->popen->wait(c->pid, c->sentinel);   /* SIGKILLed: it goes now */
        if (chosen)
            close(c->sentinel);
        else
            children[kept++] = *c;
    }
    nchildren = kept;
}

/* The first child's end, at exit: waits for it, reaps it, drops it. False
 * if how it ended cannot be known (it was not ours, or its forkserver died),
 * which is said once, unless a join said it already. */
static bool join_first(void)
{
    struct child c = children[0];
    c.popen->wait(c.pid, c.sentinel);
    sigset_t old;
    int status;
    mp_children_lock(&old);
    int r = c.popen->reap(c.pid, c.sentinel, &status);
    int err = errno;
    if (r != 0) {
        mp_children_remove(c.pid);
        close(c.sentinel);
    }
    mp_children_unlock(&old);
    if (r == -1 && !lost_told)
        mp_warn("exit: %s (PID %ld): how it ended is unknown: %s", c.name, (long)c.pid,
                err == EPIPE ? "its forkserver died first" : strerror(err));
    if (r == -1)
        lost_told = true;
    return r != -1;
}

/* Python's _exit_function: at normal exit, terminate the daemonic children
 * (SIGKILL after a second for one that ignores SIGTERM), then wait for
 * every other child, then end the forkserver. If any process of the
 * program could not write its output, or a child's end could not be
 * learnt, the program ends with status 1 whatever main returned: exit's
 * status can no longer be changed, so it ends here with _exit, once stdio
 * is flushed. */
static void exit_function(void)
{
    sigset_t old;
    mp_children_lock(&old);
    end_children(true, false);
    mp_children_unlock(&old);
    bool known = true;
    while (nchildren > 0)
        known &= join_first();
    if (at_end != NULL)
        at_end(false);
    mp_output_report_lost();
    if (mp_output_failed() || !known) {
        fflush(NULL);
        _exit(1);
    }
}

/* SIGINT, SIGTERM, SIGHUP or SIGPIPE: end every child, then die of the same
 * signal. */
static void on_signal(int sig)
{
    take_busy();                     /* kept: the process ends below */
    end_children(false, true);

    /* Put back the default action and raise the signal again: it stays
     * pending until this handler returns, then ends the process the usual
     * way, so the shell sees "killed by SIGINT" (status 130). Neither call
     * can fail with a valid signal number. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

/* The handler goes only where the action is still the default: a program
 * that ignores the signal, or handles it itself, keeps its choice. 0 or -1. */
static int install_handler(int sig)
{
    struct sigaction old, sa;
    if (sigaction(sig, NULL, &old) == -1)
        return -1;
    if (old.sa_handler != SIG_DFL)
        return 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int j = 0; j < NHANDLED; j++)
        sigaddset(&sa.sa_mask, handled_signals[j]);
    return sigaction(sig, &sa, NULL);
}

enum mp_status mp_children_install(void)
{
    if (installed)
        return MP_OK;
    if (mp_share_output_state() == -1) {
        mp_set_error(errno, "cannot share the output flag with the children: %s",
                     strerror(errno));
        return MP_ERROR;
    }
    if (atexit(exit_function) != 0) {
        mp_set_error(ENOMEM, "cannot set up the exit handler: out of memory");
        return MP_ERROR;
    }
    installed = true;
    for (int i = 0; i < NHANDLED; i++) {
        if (install_handler(handled_signals[i]) == -1) {
            mp_set_error(errno, "sigaction: %s", strerror(errno));
            return MP_ERROR;
        }
    }
    return MP_OK;
}
