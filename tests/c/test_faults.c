/* SPDX-License-Identifier: MIT */
/*
 * test_faults - the process layer when what is around it misbehaves, one
 * case per sub-command, printing what it saw for tests/start_faults.bats.
 *
 *     test_faults METHOD thread-storm   children start in a loop beside an
 *                                       idle thread, until a signal ends us
 *     test_faults METHOD lost-server    the forkserver SIGKILLed under a
 *                                       running child and a daemonic one
 *     test_faults fork forged-prep      a spawned child sent a process with
 *                                       a flag byte no parent writes
 *     test_faults fork forged-fd        a spawned child told to read from a
 *                                       file, not the pipe the library makes
 *     test_faults fork emfile           the first start with no descriptor
 *                                       left to open
 */
#include "mp.h"
#include "proc.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* A child only the library can end: it ignores SIGINT, which a terminal's
 * Ctrl-C sends to every process of the group, and sleeps. */
static int stubborn(void *arg)
{
    (void)arg;
    signal(SIGINT, SIG_IGN);             /* cannot fail for SIGINT */
    mp_print("child %ld parent %ld", (long)getpid(), (long)getppid());
    mp_sleep(30);
    return 0;
}

static int sleeper(void *arg)
{
    (void)arg;
    mp_print("sleeper %ld parent %ld", (long)getpid(), (long)getppid());
    mp_sleep(0.6);
    return 0;
}

/* An idle thread that blocks no signal: the kernel may hand it a signal
 * sent to the process, while main is in the middle of starting a child. */
static void *idle(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static int thread_storm(void)
{
    pthread_t t;
    int err = pthread_create(&t, NULL, idle, NULL);
    if (err != 0)
        mp_die("pthread_create: %s", strerror(err));
    mp_print("main %ld", (long)getpid());
    for (int i = 0; i < 200; i++) {
        mp_process p;
        mp_process_init(&p, stubborn, NULL);
        if (mp_process_start(&p) != MP_OK)
            mp_die("start: %s", mp_last_error());
    }
    mp_sleep(30);
    return 0;
}

/* The server is the children's parent: SIGKILL it under a running child
 * and a daemonic one, then join both, then try to start another. */
static int lost_server(void)
{
    mp_process a, d;
    mp_process_init(&a, sleeper, NULL);
    mp_process_init(&d, sleeper, NULL);
    d.daemon = true;
    if (mp_process_start(&a) != MP_OK || mp_process_start(&d) != MP_OK)
        mp_die("start: %s", mp_last_error());
    mp_sleep(0.2);
    /* The child's parent, from /proc/PID/stat: "pid (name) state ppid". */
    pid_t server = 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)a.pid);
    FILE *s = fopen(path, "r");
    long ppid = 0;
    if (s != NULL && fscanf(s, "%*d %*s %*c %ld", &ppid) == 1)
        server = (pid_t)ppid;
    if (s != NULL)
        fclose(s);
    if (server <= 0 || server == getpid())
        mp_die("no forkserver found");
    kill(server, SIGKILL);
    double t0 = mp_now();
    enum mp_status ja = mp_process_join(&a, 5);
    mp_print("join: %s after>=0.3s=%d message: %s", status_word(ja), mp_now() - t0 >= 0.3,
             mp_last_error());
    mp_print("exitcode=%d alive=%d", mp_process_exitcode(&a), mp_process_is_alive(&a));
    enum mp_status jd = mp_process_join(&d, 5);
    mp_print("daemonic join: %s", status_word(jd));
    mp_process b;
    mp_process_init(&b, sleeper, NULL);
    enum mp_status sb = mp_process_start(&b);
    mp_print("next start: %s: %s", status_word(sb), mp_last_error());
    return 0;
}

/* Starts this program again as the library would, with MP_SPAWNED_FD
 * naming fd, and prints how it ended. */
static void spawn_self_with(int fd, int close_after)
{
    char setting[64];
    snprintf(setting, sizeof setting, "MP_SPAWNED_FD=%d:%ld", fd, (long)getpid());
    char *envp[] = { setting, NULL };
    char *argv[] = { "test_faults", NULL };
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fd, fd);   /* kept open, as the library does */
    pid_t pid;
    int err = posix_spawn(&pid, "/proc/self/exe", &actions, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0)
        mp_die("posix_spawn: %s", strerror(err));
    if (close_after >= 0)
        close(close_after);
    int status;
    waitpid(pid, &status, 0);
    mp_print("child: exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* A whole prep, as a parent would write it, but for one flag byte. */
static int forged_prep(void)
{
    struct mp_prep prep;
    memset(&prep, 0, sizeof prep);
    snprintf(prep.name, sizeof prep.name, "Process-1");
    snprintf(prep.prog, sizeof prep.prog, "test_faults");
    snprintf(prep.method, sizeof prep.method, "spawn");
    prep.tick = 1;
    prep.sentinel = -1;
    prep.parent = getpid();
    prep.has_arg = 7;                    /* neither 0 nor 1 */
    int fds[2];
    if (pipe(fds) == -1 || mp_write_all(fds[1], (const char *)&prep, sizeof prep) == -1)
        mp_die("pipe: %s", strerror(errno));
    close(fds[1]);
    spawn_self_with(fds[0], fds[0]);
    return 0;
}

static int forged_fd(void)
{
    int fd = open("/dev/null", O_RDONLY);
    if (fd == -1)
        mp_die("/dev/null: %s", strerror(errno));
    spawn_self_with(fd, fd);
    return 0;
}

/* No new descriptor can be opened (the limit is the lowest free number):
 * the first start needs one for the shared "output failed" flag. */
static int emfile(void)
{
    int fd = dup(0);
    if (fd == -1)
        mp_die("dup: %s", strerror(errno));
    close(fd);
    /* only the soft limit, so that it can be raised again: the sanitizer
     * build's leak check opens files at exit */
    struct rlimit old;
    if (getrlimit(RLIMIT_NOFILE, &old) == -1)
        mp_die("getrlimit: %s", strerror(errno));
    struct rlimit r = { (rlim_t)fd, old.rlim_max };
    if (setrlimit(RLIMIT_NOFILE, &r) == -1)
        mp_die("setrlimit: %s", strerror(errno));
    mp_process p;
    mp_process_init(&p, sleeper, NULL);
    enum mp_status s = mp_process_start(&p);
    mp_print("start: %s: %s", status_word(s), mp_last_error());
    if (setrlimit(RLIMIT_NOFILE, &old) == -1)
        mp_die("setrlimit: %s", strerror(errno));
    return 0;
}

int main(int argc, char **argv)
{
    MP_TARGET(stubborn);
    MP_TARGET(sleeper);
    mp_main_guard();
    if (argc != 3 || mp_set_start_method(argv[1]) != MP_OK) {
        fprintf(stderr, "usage: test_faults fork|spawn|forkserver CASE\n");
        return 2;
    }
    const char *c = argv[2];
    if (strcmp(c, "thread-storm") == 0)
        return thread_storm();
    if (strcmp(c, "lost-server") == 0)
        return lost_server();
    if (strcmp(c, "forged-prep") == 0)
        return forged_prep();
    if (strcmp(c, "forged-fd") == 0)
        return forged_fd();
    if (strcmp(c, "emfile") == 0)
        return emfile();
    fprintf(stderr, "test_faults: unknown case %s\n", c);
    return 2;
}
