/* SPDX-License-Identifier: MIT */
/* process: mp_process, multiprocessing.Process on fork(2) and waitpid(2). */
#include "mp.h"
#include "mp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/*
 * The children this process started and has not reaped yet. The library keeps
 * its own record rather than pointers to the caller's mp_process structs, which
 * may be gone (a local in main) by the time the program exits. The signals the
 * library handles are blocked while the table changes, so the handler always
 * sees a whole table.
 */
#define MAX_CHILDREN 4096

struct child {
    pid_t pid;
    int sentinel;
    bool daemon;
};

static struct child children[MAX_CHILDREN];
static int nchildren;

static bool in_child;              /* started by mp_process_start */
static bool is_daemon;             /* ...with daemon set */
static char current_name[32] = "MainProcess";
static int counter;                /* mp_process_init calls in this process */
static bool hooks_installed;

/* SIGPIPE too: `demo | head -1` ends the main with it once head has gone,
 * and a child left running would keep the pipeline waiting for it. */
static const int handled_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
#define NHANDLED (int)(sizeof handled_signals / sizeof handled_signals[0])

bool mp_in_child(void)
{
    return in_child;
}

const char *mp_current_process_name(void)
{
    return current_name;
}

static void block_handled_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < NHANDLED; i++)
        sigaddset(&set, handled_signals[i]);
    sigprocmask(SIG_BLOCK, &set, old);
}

/* Reaps child pid (waitpid) and drops its record in one step, with the
 * handled signals blocked: on_signal must never find the record of a child
 * already reaped, whose PID the kernel may since have given to some other
 * process. With wait, first sleeps until the child has ended: waitid with
 * WNOWAIT leaves it unreaped, and signals still get through meanwhile, so
 * Ctrl-C works while the program waits. Returns what waitpid did: pid, 0
 * (still running; only without wait) or -1 (not our child: ECHILD). */
static pid_t reap_child(pid_t pid, int *status, bool wait)
{
    if (wait) {
        siginfo_t info;
        while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == -1 && errno == EINTR)
            ;
    }
    sigset_t old;
    block_handled_signals(&old);
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r != 0) {
        for (int i = 0; i < nchildren; i++) {
            if (children[i].pid == pid) {
                children[i] = children[nchildren - 1];
                nchildren--;
                break;
            }
        }
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return r;
}

/* --- the end of the program ---------------------------------------------- */

/* Python's multiprocessing.util._exit_function: at normal exit, terminate the
 * daemonic children, then wait for every child. */
static void exit_function(void)
{
    for (int i = 0; i < nchildren; i++)
        if (children[i].daemon)
            kill(children[i].pid, SIGTERM);
    while (nchildren > 0) {
        int sentinel = children[0].sentinel;
        reap_child(children[0].pid, NULL, true);
        close(sentinel);
    }
}

/* SIGINT, SIGTERM, SIGHUP or SIGPIPE: end every child, then die of the same signal.
 * Only async-signal-safe calls here (kill, waitpid, nanosleep, sigaction,
 * raise): the signal may have interrupted anything, even malloc. */
static void on_signal(int sig)
{
    int saved_errno = errno;
    for (int i = 0; i < nchildren; i++)
        kill(children[i].pid, SIGTERM);

    /* Give them up to a second to go, checking every 10 ms. */
    const struct timespec step = { 0, 10 * 1000 * 1000 };
    for (int tries = 0; tries < 100; tries++) {
        bool waiting = false;
        for (int i = 0; i < nchildren; i++) {
            if (children[i].pid <= 0)
                continue;
            pid_t r = waitpid(children[i].pid, NULL, WNOHANG);
            if (r == 0)
                waiting = true;
            else
                children[i].pid = 0;   /* reaped (or not ours any more) */
        }
        if (!waiting)
            break;
        nanosleep(&step, NULL);
    }
    for (int i = 0; i < nchildren; i++) {
        if (children[i].pid > 0) {
            kill(children[i].pid, SIGKILL);
            waitpid(children[i].pid, NULL, 0);
        }
    }
    nchildren = 0;

    /* Put back the default action and raise the signal again: it stays
     * pending until this handler returns, then ends the process the usual
     * way, so the shell sees "killed by SIGINT" (status 130). */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    raise(sig);
    errno = saved_errno;
}

static void install_hooks(void)
{
    if (hooks_installed)
        return;
    hooks_installed = true;
    atexit(exit_function);
    for (int i = 0; i < NHANDLED; i++) {
        struct sigaction old, sa;
        sigaction(handled_signals[i], NULL, &old);
        if (old.sa_handler != SIG_DFL)
            continue;   /* ignored, or the program's own handler: leave it */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (int j = 0; j < NHANDLED; j++)
            sigaddset(&sa.sa_mask, handled_signals[j]);
        sigaction(handled_signals[i], &sa, NULL);
    }
}

/* --- Process ------------------------------------------------------------- */

void mp_process_init(mp_process *p, int (*target)(void *arg), void *arg)
{
    memset(p, 0, sizeof *p);
    p->run = mp_process_run;
    p->target = target;
    p->arg = arg;
    p->daemon = false;
    snprintf(p->name, sizeof p->name, "Process-%d", ++counter);
    p->pid = 0;
    p->exitcode = MP_NO_EXITCODE;
    p->sentinel = -1;
}

void mp_process_set_class(mp_process *p, const char *class_name)
{
    const char *number = strrchr(p->name, '-');
    char old[sizeof p->name];
    snprintf(old, sizeof old, "%s", number != NULL ? number : "");
    snprintf(p->name, sizeof p->name, "%s%s", class_name, old);
}

int mp_process_run(mp_process *self)
{
    if (self->target == NULL)
        return 0;
    return self->target(self->arg);
}

/* In the new child, before run: it is not the parent of its siblings, so it
 * drops their records (it could not waitpid for them anyway). */
static void become_child(mp_process *p, pid_t parent)
{
    for (int i = 0; i < nchildren; i++)
        close(children[i].sentinel);
    nchildren = 0;
    in_child = true;
    is_daemon = p->daemon;
    snprintf(current_name, sizeof current_name, "%s", p->name);
#ifdef __linux__
    if (p->daemon) {
        /* Ask the kernel to SIGKILL us when the parent dies. If it died
         * already (before this line), the request came too late: go now. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
    }
#else
    (void)parent;
#endif
}

int mp_process_start(mp_process *p)
{
    mp_clear_error();
    if (p->pid != 0) {
        mp_set_error(EINVAL, "%s: cannot start a process twice", p->name);
        return -1;
    }
    if (is_daemon) {
        mp_set_error(EPERM, "daemonic processes are not allowed to have children");
        return -1;
    }
    if (nchildren == MAX_CHILDREN) {
        mp_set_error(EAGAIN, "more than %d children not yet joined", MAX_CHILDREN);
        return -1;
    }
    install_hooks();

    /* The sentinel: the child keeps the write end and never writes to it;
     * when the child ends, the kernel closes it and the parent's read end
     * reports end of file. Close-on-exec, so no program the child may exec
     * inherits it. */
    int fds[2];
    if (pipe(fds) == -1)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);

    /* Whatever sits in stdio's buffers now would be copied into the child and
     * printed by both processes: send it out first. */
    fflush(stdout);
    fflush(stderr);

    /* Signals stay blocked across fork, so that neither process runs the
     * handler before its table of children is right. */
    pid_t parent = getpid();
    sigset_t old;
    block_handled_signals(&old);
    pid_t pid = fork();
    switch (pid) {
    case -1: {                           /* no child: out of processes or memory */
        int err = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(fds[0]);
        close(fds[1]);
        errno = err;
        return -1;
    }
    case 0: {                            /* the child: a copy of the parent */
        close(fds[0]);
        become_child(p, parent);
        sigprocmask(SIG_SETMASK, &old, NULL);
        int status = p->run(p);
        /* Flush what the child itself printed with stdio, then _exit: exit()
         * would also run the parent's atexit handlers, copied by fork. The
         * kernel keeps the low 8 bits of the status (0 to 255). */
        fflush(stdout);
        fflush(stderr);
        _exit(status);
    }
    default:                             /* the parent */
        close(fds[1]);
        p->pid = pid;
        p->sentinel = fds[0];
        p->exitcode = MP_NO_EXITCODE;
        children[nchildren].pid = pid;
        children[nchildren].sentinel = fds[0];
        children[nchildren].daemon = p->daemon;
        nchildren++;
        sigprocmask(SIG_SETMASK, &old, NULL);
        return 0;
    }
}

/* waitpid for p (flags 0 or WNOHANG). Returns true once p has been reaped, and
 * records its exitcode the way Python reports it. */
static bool reap(mp_process *p, int flags)
{
    if (p->exitcode != MP_NO_EXITCODE)
        return true;                     /* reaped already */
    int status;
    pid_t r = reap_child(p->pid, &status, flags == 0);
    if (r == 0)
        return false;                    /* still running */
    if (r == -1)
        p->exitcode = 255;               /* ECHILD: reaped elsewhere, status unknown */
    else if (WIFSIGNALED(status))
        p->exitcode = -WTERMSIG(status);
    else
        p->exitcode = WEXITSTATUS(status);
    close(p->sentinel);
    p->sentinel = -1;
    return true;
}

bool mp_process_join(mp_process *p, double timeout)
{
    mp_clear_error();
    if (p->pid == 0) {
        mp_set_error(EINVAL, "%s: can only join a started process", p->name);
        return false;
    }
    if (p->exitcode != MP_NO_EXITCODE)
        return true;
    /* No timeout: sleep in the kernel (waitid, in reap_child) until the
     * child ends, as Python's Popen.wait does in waitpid. The kernel wakes
     * us the moment the child is reapable, so a join costs microseconds,
     * not a polling period. */
    if (timeout < 0)
        return reap(p, 0);
    double deadline = mp_now() + timeout;
    for (;;) {
        if (reap(p, WNOHANG))
            return true;
        /* Sleep in poll(2) until the sentinel reports the child's end, the
         * timeout runs out, or 100 ms pass: a grandchild that inherited the
         * pipe could hold it open after the child itself has ended. */
        int wait_ms = 100;
        double left = deadline - mp_now();
        if (left <= 0)
            return false;
        if (left < 0.1)
            wait_ms = (int)(left * 1000) + 1;
        struct pollfd pfd = { .fd = p->sentinel, .events = POLLIN };
        if (poll(&pfd, 1, wait_ms) > 0 && !reap(p, WNOHANG))
            mp_sleep(0.001);    /* closed, not yet reapable: the child is exiting */
    }
}

bool mp_process_is_alive(mp_process *p)
{
    if (p->pid == 0 || p->exitcode != MP_NO_EXITCODE)
        return false;
    return !reap(p, WNOHANG);
}

int mp_process_exitcode(mp_process *p)
{
    if (p->pid != 0 && p->exitcode == MP_NO_EXITCODE)
        reap(p, WNOHANG);
    return p->exitcode;
}

/* Until it is reaped, an ended child stays a zombie and keeps its PID, so the
 * signal cannot reach some other process that got the number. */
static int send_signal(mp_process *p, int sig)
{
    mp_clear_error();
    if (p->pid == 0) {
        mp_set_error(EINVAL, "%s: not started", p->name);
        return -1;
    }
    if (p->exitcode != MP_NO_EXITCODE)
        return 0;                        /* reaped already: nothing to signal */
    return kill(p->pid, sig);
}

int mp_process_terminate(mp_process *p)
{
    return send_signal(p, SIGTERM);
}

int mp_process_kill(mp_process *p)
{
    return send_signal(p, SIGKILL);
}
