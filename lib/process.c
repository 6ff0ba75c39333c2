/* SPDX-License-Identifier: MIT */
/*
 * process: mp_process, multiprocessing.Process on fork(2) and waitpid(2).
 *
 * Two system calls are not checked anywhere here: close(2) of a sentinel
 * pipe end this process holds (its errors, EBADF and EINTR, cannot happen
 * for a descriptor we opened, and a pipe has no data to lose), and
 * fflush(3) of the caller's stdio streams, made only so that a child does
 * not inherit them full: their errors are the caller's to see (ferror), and
 * the library's own lines never wait in stdio (mp_print).
 */
#define _GNU_SOURCE            /* pipe2 (POSIX.1-2024; glibc still asks for this) */
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
#include <stdio_ext.h>
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
    bool by_server;    /* the forkserver's child: its end comes on the sentinel */
};

static struct child children[MAX_CHILDREN];
static int nchildren;

/* What this process knows of itself, kept together: a new child rewrites
 * it all, and after fork every page a process writes costs it a page fault
 * (the kernel copies the page, shared until then, on the first write). */
static struct {
    char name[32];     /* mp_current_process_name() */
    int sentinel;      /* in a child: its end of its sentinel pipe; else -1 */
    bool daemon;       /* started by mp_process_start with daemon set */
} me = { "MainProcess", -1, false };

static int counter;                /* mp_process_init calls in this process */
static bool hooks_installed;

/* SIGPIPE too: `demo | head -1` ends the main with it once head has gone,
 * and a child left running would keep the pipeline waiting for it. */
static const int handled_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
#define NHANDLED (int)(sizeof handled_signals / sizeof handled_signals[0])

const char *mp_current_process_name(void)
{
    return me.name;
}

/* pthread_sigmask, the call POSIX defines for every program (sigprocmask's
 * effect is unspecified once there are threads). It fails only for a bad
 * `how` (EINVAL), impossible here; nor can sigaddset fail, with signal
 * numbers from the table: their results are not checked. Unlike
 * sigprocmask, it never sets errno, so callers need not save it. */
static void block_handled_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < NHANDLED; i++)
        sigaddset(&set, handled_signals[i]);
    (void)pthread_sigmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
    (void)pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* reap_child for a forkserver's child, which is not ours to waitpid for:
 * the server sends its wait status on the sentinel. */
static pid_t reap_server_child(int i, int *status, bool wait)
{
    pid_t pid = children[i].pid;
    if (mp_forkserver_reap(children[i].sentinel, status, wait) == 0)
        return 0;
    sigset_t old;
    block_handled_signals(&old);
    children[i] = children[nchildren - 1];
    nchildren--;
    restore_signals(&old);
    return pid;
}

/* Whether child i has ended, reaping it if so (the handler's view of it). */
static bool child_gone(int i, bool wait)
{
    if (children[i].by_server)
        return mp_forkserver_reap(children[i].sentinel, NULL, wait) == 1;
    return waitpid(children[i].pid, NULL, wait ? 0 : WNOHANG) != 0;
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
    int i = 0;
    while (i < nchildren && children[i].pid != pid)
        i++;
    if (i < nchildren && children[i].by_server)
        return reap_server_child(i, status, wait);
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
    restore_signals(&old);
    return r;
}

/* --- the end of the program ---------------------------------------------- */

/* Sends SIGTERM to the children (only the daemonic ones, or all), gives them
 * up to a second to go, SIGKILLs any still there, and reaps them all,
 * dropping their records. Only async-signal-safe calls (kill, waitpid,
 * nanosleep, close): on_signal calls it, and a signal may have interrupted
 * anything, even malloc. The caller blocks the handled signals. Errors are
 * not checked: a child already gone makes kill and waitpid fail (ESRCH,
 * ECHILD), which is what this wants anyway, and nanosleep cut short by a
 * signal only checks sooner. */
static void end_children(bool daemonic_only)
{
    for (int i = 0; i < nchildren; i++)
        if (children[i].daemon || !daemonic_only)
            kill(children[i].pid, SIGTERM);

    /* Check every 10 ms whether they have gone. */
    const struct timespec step = { 0, 10 * 1000 * 1000 };
    for (int tries = 0; tries < 100; tries++) {
        bool waiting = false;
        for (int i = 0; i < nchildren; i++) {
            if (children[i].pid <= 0 || (daemonic_only && !children[i].daemon))
                continue;
            if (!child_gone(i, false))
                waiting = true;
            else
                children[i].pid = 0;   /* reaped (or not ours any more) */
        }
        if (!waiting)
            break;
        nanosleep(&step, NULL);
    }
    int kept = 0;
    for (int i = 0; i < nchildren; i++) {
        if (children[i].pid > 0 && (children[i].daemon || !daemonic_only)) {
            kill(children[i].pid, SIGKILL);   /* it ignored SIGTERM: no choice left */
            child_gone(i, true);
            children[i].pid = 0;
        }
        if (children[i].pid == 0)
            close(children[i].sentinel);
        else
            children[kept++] = children[i];
    }
    nchildren = kept;
}

/* Python's multiprocessing.util._exit_function: at normal exit, terminate the
 * daemonic children (SIGKILL after a second for one that ignores SIGTERM),
 * then wait for every other child. If any process of the program could not
 * write its output, the program ends with status 1, whatever main returned:
 * exit's status can no longer be changed, so it ends here with _exit, once
 * stdio is flushed. */
static void exit_function(void)
{
    sigset_t old;
    block_handled_signals(&old);
    end_children(true);
    restore_signals(&old);
    while (nchildren > 0) {
        int sentinel = children[0].sentinel;
        reap_child(children[0].pid, NULL, true);
        close(sentinel);
    }
    mp_forkserver_end();
    if (mp_output_failed()) {
        fflush(NULL);
        _exit(1);
    }
}

/* SIGINT, SIGTERM, SIGHUP or SIGPIPE: end every child, then die of the same
 * signal. */
static void on_signal(int sig)
{
    int saved_errno = errno;
    end_children(false);
    mp_forkserver_end();

    /* Put back the default action and raise the signal again: it stays
     * pending until this handler returns, then ends the process the usual
     * way, so the shell sees "killed by SIGINT" (status 130). Neither call
     * can fail with a valid signal number. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    raise(sig);
    errno = saved_errno;
}

/* Before the first fork: the exit handler, the signal handlers (only where
 * the action is still the default), and the shared "output failed" flag. */
static int install_hooks(void)
{
    if (hooks_installed)
        return 0;
    if (mp_share_output_state() == -1 || atexit(exit_function) != 0) {
        mp_set_error(ENOMEM, "cannot set up the exit handler: out of memory");
        return -1;
    }
    hooks_installed = true;
    for (int i = 0; i < NHANDLED; i++) {
        struct sigaction old, sa;
        if (sigaction(handled_signals[i], NULL, &old) == -1)
            return -1;
        if (old.sa_handler != SIG_DFL)
            continue;   /* ignored, or the program's own handler: leave it */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (int j = 0; j < NHANDLED; j++)
            sigaddset(&sa.sa_mask, handled_signals[j]);
        if (sigaction(handled_signals[i], &sa, NULL) == -1)
            return -1;
    }
    return 0;
}

/* --- Process ------------------------------------------------------------- */

void mp_process_init_as(mp_process *p, const char *kind, int (*target)(void *arg), void *arg)
{
    memset(p, 0, sizeof *p);
    p->run = mp_process_run;
    p->target = target;
    p->arg = arg;
    p->daemon = false;
    snprintf(p->name, sizeof p->name, "%s-%d", kind, ++counter);
    p->pid = 0;
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

/* Whether p may be started now; if not, says why (mp_last_error). */
static bool can_start(const mp_process *p)
{
    if (p->pid != 0) {
        mp_set_error(EINVAL, "%s: cannot start a process twice", p->name);
        return false;
    }
    if (me.daemon) {
        mp_set_error(EPERM, "daemonic processes are not allowed to have children");
        return false;
    }
    if (mp_bootstrapping()) {
        mp_set_error(EPERM, "An attempt has been made to start a new process before the "
                     "current process has finished its bootstrapping phase (call "
                     "mp_main_guard at the top of main)");
        return false;
    }
    if (nchildren == MAX_CHILDREN) {
        mp_set_error(EAGAIN, "more than %d children not yet joined", MAX_CHILDREN);
        return false;
    }
    return true;
}

/* The sentinel: the child keeps the write end and never writes to it; when
 * the child ends, the kernel closes it and the parent's read end reports end
 * of file. Close-on-exec, so no program the child may exec inherits it;
 * pipe2 sets that in the same system call that makes the pipe. */
static int make_sentinel(int fds[2])
{
    return pipe2(fds, O_CLOEXEC);
}

/* Sends out what stdio holds for stdout and stderr. fflush writes to the
 * stream's FILE even when it has nothing to send, and after a fork that
 * write costs a page fault; __fpending (glibc, musl) tells, by reading
 * only, whether there is anything to send. */
static void flush_std_streams(void)
{
#ifdef __linux__
    if (__fpending(stdout) == 0 && __fpending(stderr) == 0)
        return;
#endif
    fflush(stdout);
    fflush(stderr);
}

/* In the new child: it is not the parent of its siblings, so it drops their
 * records (it could not waitpid for them anyway) and closes their sentinels,
 * and its parent's end of its own (a grandchild must not hold that pipe
 * open), then runs p and leaves with _exit. */
static _Noreturn void run_child(mp_process *p, int sentinel, pid_t parent, const sigset_t *old)
{
    if (nchildren > 0) {               /* else the table's page stays shared */
        for (int i = 0; i < nchildren; i++)
            close(children[i].sentinel);
        nchildren = 0;
    }
    if (me.sentinel != -1)
        close(me.sentinel);
    me.sentinel = sentinel;
    me.daemon = p->daemon;
    /* A plain copy, not snprintf, whose code and deep stack would cost the
     * child more pages. */
    memcpy(me.name, p->name, sizeof me.name);
    me.name[sizeof me.name - 1] = '\0';
    mp_set_die_exit(_exit);
#ifdef __linux__
    /* Ask the kernel to SIGKILL a daemonic child when the parent dies. If it
     * died already (before this line), the request came too late: go now. */
    if (p->daemon && (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent))
        _exit(1);
#else
    (void)parent;
#endif
    restore_signals(old);
    int status = p->run(p);
    /* Flush what the child itself printed with stdio, then _exit: exit()
     * would also run the parent's atexit handlers, copied by fork. The
     * kernel keeps the low 8 bits of the status (0 to 255). */
    flush_std_streams();
    _exit(status);
}

_Noreturn void mp_run_child(mp_process *p, int sentinel, pid_t parent, const sigset_t *old)
{
    run_child(p, sentinel, parent, old);
}

/* Start by spawn or forkserver (start.c), recorded like a forked child. */
static enum mp_status start_new(mp_process *p, const char *how)
{
    fflush(stdout);
    fflush(stderr);
    sigset_t old;
    block_handled_signals(&old);
    pid_t pid;
    int sentinel;
    int r = mp_start_new(p, how, &old, &pid, &sentinel);
    if (r == 0) {
        p->pid = pid;
        p->sentinel = sentinel;
        p->exitcode = MP_NO_EXITCODE;
        children[nchildren++] = (struct child){ pid, sentinel, p->daemon, p->by_server };
    }
    restore_signals(&old);
    return r == 0 ? MP_OK : MP_ERROR;
}

enum mp_status mp_process_start(mp_process *p)
{
    return mp_process_start_by(p, mp_get_start_method());
}

enum mp_status mp_process_start_by(mp_process *p, const char *how)
{
    mp_clear_error();
    int fds[2];
    if (!can_start(p) || install_hooks() == -1)
        return MP_ERROR;
    if (strcmp(how, "fork") != 0)
        return start_new(p, how);
    if (make_sentinel(fds) == -1) {
        mp_set_error(errno, "%s: pipe: %s", p->name, strerror(errno));
        return MP_ERROR;
    }

    /* Whatever sits in stdio's buffers now would be copied into the child and
     * printed by both processes: send it out first. */
    flush_std_streams();

    /* Signals stay blocked across fork, so that neither process runs the
     * handler before its table of children is right. */
    pid_t parent = p->daemon ? getpid() : 0;   /* only PR_SET_PDEATHSIG needs it */
    sigset_t old;
    block_handled_signals(&old);
    pid_t pid = fork();
    switch (pid) {
    case -1: {                           /* no child: out of processes or memory */
        int err = errno;
        restore_signals(&old);
        close(fds[0]);
        close(fds[1]);
        mp_set_error(err, "%s: fork: %s", p->name, strerror(err));
        return MP_ERROR;
    }
    case 0:                              /* the child: a copy of the parent */
        close(fds[0]);
        run_child(p, fds[1], parent, &old);
    default:                             /* the parent */
        close(fds[1]);
        p->pid = pid;
        p->sentinel = fds[0];
        p->exitcode = MP_NO_EXITCODE;
        children[nchildren++] = (struct child){ pid, fds[0], p->daemon, false };
        restore_signals(&old);
        return MP_OK;
    }
}

/* waitpid for p (flags 0 or WNOHANG). Returns 1 once p has been reaped, and
 * records its exitcode the way Python reports it; 0 while it runs; -1 with
 * errno ECHILD if p is not this process's child (a sibling's, got through
 * fork): only its parent can wait for it. */
static int reap(mp_process *p, int flags)
{
    if (p->exitcode != MP_NO_EXITCODE)
        return 1;                        /* reaped already */
    int status;
    pid_t r = reap_child(p->pid, &status, flags == 0);
    if (r == 0)
        return 0;                        /* still running */
    if (r == -1) {
        mp_set_error(errno, "%s: not a child of this process (PID %ld): %s", p->name,
                     (long)getpid(), strerror(errno));
        return -1;
    }
    if (WIFSIGNALED(status))
        p->exitcode = -WTERMSIG(status);
    else
        p->exitcode = WEXITSTATUS(status);
    close(p->sentinel);
    p->sentinel = -1;
    return 1;
}

/* What reap's result means to join. */
static enum mp_status joined(int r)
{
    return r == 1 ? MP_OK : r == 0 ? MP_TIMEOUT : MP_ERROR;
}

enum mp_status mp_process_join(mp_process *p, double timeout)
{
    mp_clear_error();
    if (p->pid == 0) {
        mp_set_error(EINVAL, "%s: can only join a started process", p->name);
        return MP_ERROR;
    }
    /* No timeout: sleep in the kernel (waitid, in reap_child) until the
     * child ends, as Python's Popen.wait does in waitpid. The kernel wakes
     * us the moment the child is reapable, so a join costs microseconds,
     * not a polling period. */
    if (timeout < 0)
        return joined(reap(p, 0));
    double deadline = mp_now() + timeout;
    for (;;) {
        int r = reap(p, WNOHANG);
        if (r != 0)
            return joined(r);
        /* Sleep in poll(2) until the sentinel reports the child's end, the
         * timeout runs out, or 100 ms pass: a grandchild that inherited the
         * pipe could hold it open after the child itself has ended. poll's
         * own failure (EINTR: a signal) only means looking again. */
        int wait_ms = 100;
        double left = deadline - mp_now();
        if (left <= 0)
            return MP_TIMEOUT;
        if (left < 0.1)
            wait_ms = (int)(left * 1000) + 1;
        struct pollfd pfd = { .fd = p->sentinel, .events = POLLIN };
        if (poll(&pfd, 1, wait_ms) > 0 && reap(p, WNOHANG) == 0)
            mp_sleep(0.001);    /* closed, not yet reapable: the child is exiting */
    }
}

bool mp_process_is_alive(mp_process *p)
{
    if (p->pid == 0 || p->exitcode != MP_NO_EXITCODE)
        return false;
    return reap(p, WNOHANG) == 0;
}

int mp_process_exitcode(mp_process *p)
{
    if (p->pid != 0 && p->exitcode == MP_NO_EXITCODE)
        reap(p, WNOHANG);
    return p->exitcode;
}

/* Until it is reaped, an ended child stays a zombie and keeps its PID, so the
 * signal cannot reach some other process that got the number. A forkserver
 * child is the server's to reap, which it does at once, then sends us its
 * end: from then on its PID is free for any new process, so look for that
 * end first. (Between the server's reaping and its message there is still
 * a moment; Python's forkserver has the same.) */
static enum mp_status send_signal(mp_process *p, int sig)
{
    mp_clear_error();
    if (p->pid == 0) {
        mp_set_error(EINVAL, "%s: not started", p->name);
        return MP_ERROR;
    }
    if (p->by_server)
        (void)mp_process_exitcode(p);    /* reads the end, if the server sent it */
    if (p->exitcode != MP_NO_EXITCODE)
        return MP_OK;                    /* reaped already: nothing to signal */
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
