/* SPDX-License-Identifier: MIT */
/*
 * test_process - the process layer's behaviours, one per sub-command, each
 * printing what it saw for tests/process.bats to check.
 *
 *     test_process join-timeout | terminate | kill | exit-status | exit-call
 *                  | daemon-no-children | pdeathsig | exit-joins | names
 *                  | start-twice | join-unstarted | sigpipe | exit-reaps
 *                  | join-sibling | exit-stubborn-daemon | output-fails-in-child
 */
#include "mp.h"
#include "status.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static int sleep_long(void *arg)
{
    (void)arg;
    mp_sleep(10);
    return 0;
}

static int return_three(void *arg)
{
    (void)arg;
    return 3;
}

static int call_exit_four(void *arg)
{
    (void)arg;
    exit(4);
}

static void start_or_die(mp_process *p)
{
    if (mp_process_start(p) != MP_OK)
        mp_die("start %s: %s", p->name, mp_last_error());
}

static int join_timeout(void)
{
    mp_process p;
    mp_process_init(&p, sleep_long, NULL);
    start_or_die(&p);
    double t0 = mp_now();
    enum mp_status joined = mp_process_join(&p, 0.2);
    double took = mp_now() - t0;
    mp_print("join=%s took=%.3f alive=%d exitcode_is_none=%d", status_word(joined), took,
             mp_process_is_alive(&p), mp_process_exitcode(&p) == MP_NO_EXITCODE);
    mp_process_kill(&p);
    mp_process_join(&p, MP_FOREVER);
    return 0;
}

static int signal_exitcode(bool terminate)
{
    mp_process p;
    mp_process_init(&p, sleep_long, NULL);
    start_or_die(&p);
    if (terminate)
        mp_process_terminate(&p);
    else
        mp_process_kill(&p);
    enum mp_status joined = mp_process_join(&p, 5);
    mp_print("join=%s exitcode=%d alive=%d", status_word(joined), mp_process_exitcode(&p),
             mp_process_is_alive(&p));
    return 0;
}

static int exit_status(int (*target)(void *))
{
    mp_process p;
    mp_process_init(&p, target, NULL);
    start_or_die(&p);
    mp_process_join(&p, MP_FOREVER);
    mp_print("exitcode=%d", mp_process_exitcode(&p));
    return 0;
}

/* A daemonic child tries to start a child of its own. */
static int try_to_start(void *arg)
{
    (void)arg;
    mp_process grandchild;
    mp_process_init(&grandchild, return_three, NULL);
    if (mp_process_start(&grandchild) == MP_OK) {
        mp_print("started a grandchild: wrong");
        return 1;
    }
    mp_print("refused: errno=%s message=%s", errno == EPERM ? "EPERM" : "other",
             mp_last_error());
    return 0;
}

static int daemon_no_children(void)
{
    mp_process p;
    mp_process_init(&p, try_to_start, NULL);
    p.daemon = true;
    start_or_die(&p);
    mp_process_join(&p, MP_FOREVER);
    mp_print("exitcode=%d", mp_process_exitcode(&p));
    return 0;
}

/* The middle process starts a daemonic grandchild, reports its PID through
 * a pipe, then dies of SIGKILL, which runs no cleanup at all. */
static int pipe_fd[2];

static int middle(void *arg)
{
    (void)arg;
    mp_process grandchild;
    mp_process_init(&grandchild, sleep_long, NULL);
    grandchild.daemon = true;
    start_or_die(&grandchild);
    pid_t pid = grandchild.pid;
    if (write(pipe_fd[1], &pid, sizeof pid) != (ssize_t)sizeof pid)
        return 1;
    mp_sleep(0.05);    /* let the grandchild reach its prctl */
    kill(getpid(), SIGKILL);
    return 0;
}

static int pdeathsig(void)
{
#ifdef __linux__
    /* Become the grandchild's reaper when the middle dies, so that we can
     * waitpid for it and see what ended it. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (pipe(pipe_fd) == -1)
        mp_die("pipe: %s", strerror(errno));
    mp_process p;
    mp_process_init(&p, middle, NULL);
    start_or_die(&p);
    pid_t grandchild;
    if (read(pipe_fd[0], &grandchild, sizeof grandchild) != (ssize_t)sizeof grandchild)
        mp_die("read: %s", strerror(errno));
    mp_process_join(&p, MP_FOREVER);
    mp_print("middle exitcode=%d", mp_process_exitcode(&p));
    double t0 = mp_now();
    int status = 0;
    pid_t r = 0;
    while (r == 0 && mp_now() - t0 < 2) {
        r = waitpid(grandchild, &status, WNOHANG);
        if (r == 0)
            mp_sleep(0.01);
    }
    if (r == grandchild && WIFSIGNALED(status))
        mp_print("grandchild killed by signal %d after %.2f s", WTERMSIG(status), mp_now() - t0);
    else
        mp_print("grandchild still running");
    if (r == 0) {
        kill(grandchild, SIGKILL);
        waitpid(grandchild, NULL, 0);
    }
    return 0;
#else
    mp_print("skip: not Linux");
    return 0;
#endif
}

static int print_then_return(void *arg)
{
    mp_sleep(0.2);
    mp_print("non-daemonic child %s done", (const char *)arg);
    return 0;
}

static int exit_joins(void)
{
    mp_process d, n;
    mp_process_init(&d, sleep_long, NULL);
    d.daemon = true;
    mp_process_init(&n, print_then_return, "Process-2");
    start_or_die(&d);
    start_or_die(&n);
    mp_print("daemon PID %ld", (long)d.pid);
    mp_print("main returns");
    return 0;       /* exit: SIGTERM to d, join both */
}

static int print_name(void *arg)
{
    (void)arg;
    mp_print("in child: %s", mp_current_process_name());
    return 0;
}

static int names(void)
{
    mp_process a, b;
    mp_process_init(&a, print_name, NULL);
    mp_process_init(&b, print_name, NULL);
    mp_print("main: %s, a: %s, b: %s", mp_current_process_name(), a.name, b.name);
    start_or_die(&a);
    mp_process_join(&a, MP_FOREVER);
    start_or_die(&b);
    mp_process_join(&b, MP_FOREVER);
    return 0;
}

static int start_twice(void)
{
    mp_process p;
    mp_process_init(&p, return_three, NULL);
    start_or_die(&p);
    enum mp_status rc = mp_process_start(&p);
    mp_print("second start: %s errno=%s message=%s", status_word(rc),
             errno == EINVAL ? "EINVAL" : "other", mp_last_error());
    mp_process_join(&p, MP_FOREVER);
    return 0;
}

static int join_unstarted(void)
{
    mp_process p;
    mp_process_init(&p, return_three, NULL);
    enum mp_status joined = mp_process_join(&p, 1);
    mp_print("join=%s alive=%d message=%s", status_word(joined), mp_process_is_alive(&p),
             mp_last_error());
    return 0;
}

/* At exit, the library joins a, which ends at once, then b, which sleeps:
 * the test gives a's PID to a new process meanwhile, then sends SIGINT. */
static int exit_reaps(void)
{
    mp_process a, b;
    mp_process_init(&a, return_three, NULL);
    mp_process_init(&b, sleep_long, NULL);
    start_or_die(&a);
    start_or_die(&b);
    mp_print("a PID %ld", (long)a.pid);
    mp_print("b PID %ld", (long)b.pid);
    return 0;
}

/* The main writes to a pipe nobody reads any more (as `demo | head -1` can
 * make it) while a non-daemonic child runs: SIGPIPE ends the main. */
static int sigpipe(void)
{
    int fds[2];
    if (pipe(fds) == -1)
        mp_die("pipe: %s", strerror(errno));
    close(fds[0]);
    mp_process p;
    mp_process_init(&p, sleep_long, NULL);
    start_or_die(&p);
    mp_print("child PID %ld", (long)p.pid);
    if (write(fds[1], "x", 1) == -1)
        mp_print("write: %s (SIGPIPE did not end the main)", strerror(errno));
    return 1;
}

/* A sibling, which got a's mp_process through fork, tries to join a: only
 * a's parent can, so join says ECHILD instead of claiming a ended. */
static int join_a_sibling(void *arg)
{
    mp_process *a = arg;
    enum mp_status joined = mp_process_join(a, MP_FOREVER);
    mp_print("sibling join: %s errno=%s", status_word(joined), errno == ECHILD ? "ECHILD" : "other");
    joined = mp_process_join(a, 0.05);
    mp_print("sibling join(0.05): %s errno=%s", status_word(joined),
             errno == ECHILD ? "ECHILD" : "other");
    return 0;
}

static int join_sibling(void)
{
    mp_process a, b;
    mp_process_init(&a, sleep_long, NULL);
    mp_process_init(&b, join_a_sibling, &a);
    start_or_die(&a);
    start_or_die(&b);
    mp_process_join(&b, MP_FOREVER);
    mp_process_kill(&a);
    mp_process_join(&a, MP_FOREVER);
    mp_print("a exitcode=%d", mp_process_exitcode(&a));
    return 0;
}

/* A daemonic child that ignores SIGTERM: at exit it gets SIGKILL after a
 * second, instead of keeping the program waiting. */
static int ready_pipe[2];

static int ignore_sigterm(void *arg)
{
    (void)arg;
    if (signal(SIGTERM, SIG_IGN) == SIG_ERR || write(ready_pipe[1], "r", 1) != 1)
        return 1;
    mp_sleep(10);
    return 0;
}

static int exit_stubborn_daemon(void)
{
    if (pipe(ready_pipe) == -1)
        mp_die("pipe: %s", strerror(errno));
    mp_process d;
    mp_process_init(&d, ignore_sigterm, NULL);
    d.daemon = true;
    start_or_die(&d);
    char c;
    if (read(ready_pipe[0], &c, 1) != 1)
        mp_die("the daemon did not get ready");
    mp_print("daemon PID %ld ignores SIGTERM", (long)d.pid);
    return 0;
}

/* Only a child writes, and its standard output fails (>/dev/full): the
 * program still ends with status 1, and the error is said once. */
static int say_hello(void *arg)
{
    (void)arg;
    mp_print("hello from the child");
    return 0;
}

static int output_fails_in_child(void)
{
    mp_process a, b;
    mp_process_init(&a, say_hello, NULL);
    mp_process_init(&b, say_hello, NULL);
    start_or_die(&a);
    start_or_die(&b);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "join-timeout") == 0)       return join_timeout();
    if (strcmp(cmd, "terminate") == 0)          return signal_exitcode(true);
    if (strcmp(cmd, "kill") == 0)               return signal_exitcode(false);
    if (strcmp(cmd, "exit-status") == 0)        return exit_status(return_three);
    if (strcmp(cmd, "exit-call") == 0)          return exit_status(call_exit_four);
    if (strcmp(cmd, "daemon-no-children") == 0) return daemon_no_children();
    if (strcmp(cmd, "pdeathsig") == 0)          return pdeathsig();
    if (strcmp(cmd, "exit-joins") == 0)         return exit_joins();
    if (strcmp(cmd, "names") == 0)              return names();
    if (strcmp(cmd, "start-twice") == 0)        return start_twice();
    if (strcmp(cmd, "join-unstarted") == 0)     return join_unstarted();
    if (strcmp(cmd, "sigpipe") == 0)            return sigpipe();
    if (strcmp(cmd, "exit-reaps") == 0)         return exit_reaps();
    if (strcmp(cmd, "join-sibling") == 0)       return join_sibling();
    if (strcmp(cmd, "exit-stubborn-daemon") == 0) return exit_stubborn_daemon();
    if (strcmp(cmd, "output-fails-in-child") == 0) return output_fails_in_child();
    fprintf(stderr, "usage: test_process COMMAND (see the source)\n");
    return 2;
}
