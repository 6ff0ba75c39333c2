/* SPDX-License-Identifier: MIT */
/*
 * bootstrap: the child's life, whichever way it started (Python's
 * BaseProcess._bootstrap): it becomes the process it was made for, runs it,
 * and leaves with _exit. Also what every process knows of itself: its name,
 * whether it is daemonic, the write end of its own sentinel.
 */
#ifdef __linux__
#define _GNU_SOURCE            /* __fpending (stdio_ext.h) */
#endif
#include "proc.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <stdio_ext.h>
#include <sys/prctl.h>
#endif

/* What this process knows of itself, kept together: a new child rewrites
 * it all, and after fork every page a process writes costs it a page fault
 * (the kernel copies the page, shared until then, on the first write). */
static struct {
    char name[32];     /* mp_current_process_name() */
    int sentinel;      /* in a child: the sentinel's end it holds; else -1 */
    bool daemon;       /* started by mp_process_start with daemon set */
} me = { "MainProcess", -1, false };

const char *mp_current_process_name(void)
{
    return me.name;
}

bool mp_current_is_daemon(void)
{
    return me.daemon;
}

int mp_current_sentinel(void)
{
    return me.sentinel;
}

/* fflush writes to the stream's FILE even when it has nothing to send, and
 * after a fork that write costs a page fault; __fpending (glibc, musl)
 * tells, by reading only, whether there is anything to send. fflush's
 * errors are the caller's to see (ferror): the library's own lines never
 * wait in stdio (mp_print). */
void mp_flush_std_streams(void)
{
#ifdef __linux__
    if (__fpending(stdout) == 0 && __fpending(stderr) == 0)
        return;
#endif
    fflush(stdout);
    fflush(stderr);
}

_Noreturn void mp_bootstrap(mp_process *p, int sentinel, pid_t parent, const sigset_t *mask)
{
    /* Not the parent of its siblings: it drops their records (it could not
     * waitpid for them anyway) and closes their sentinels, and the sentinel
     * end its parent held (a grandchild must not hold that open). */
    mp_children_forget_all();
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
    if (p->daemon && parent > 0 &&
        (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent))
        _exit(1);
#else
    (void)parent;
#endif
    (void)pthread_sigmask(SIG_SETMASK, mask, NULL);  /* cannot fail: SIG_SETMASK */
    int status = p->run(p);
    /* Flush what the child itself printed with stdio, then _exit: exit()
     * would also run the parent's atexit handlers, copied by fork. The
     * kernel keeps the low 8 bits of the status (0 to 255). */
    mp_flush_std_streams();
    _exit(status);
}
