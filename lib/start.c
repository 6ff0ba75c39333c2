/* SPDX-License-Identifier: MIT */
/*
 * start: the start methods other than fork. "spawn" starts the program's own
 * executable again and tells it, through a pipe, which target to run with
 * which bytes; the forkserver (forkserver.c) is started the same way.
 *
 * The new program learns it was started by the library from one variable in
 * its environment (Python puts `--multiprocessing-fork` in argv instead): a
 * C program's main would otherwise see an argument it does not know, before
 * the guard could take it away.
 */
#define _GNU_SOURCE             /* pipe2 */
#include "mp.h"
#include "mp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;


_Static_assert(MP_PASS_FDS_MAX == 8, "struct mp_prep's pass_fds counts on it");

/* --- the start method ---------------------------------------------------- */

static char method[16] = "fork";

enum mp_status mp_set_start_method(const char *name)
{
    if (strcmp(name, "fork") != 0 && strcmp(name, "spawn") != 0 &&
        strcmp(name, "forkserver") != 0) {
        mp_set_error(EINVAL, "cannot find context for '%s'", name);
        return MP_ERROR;
    }
    snprintf(method, sizeof method, "%s", name);
    return MP_OK;
}

const char *mp_get_start_method(void)
{
    return method;
}

bool mp_start_is_fork(void)
{
    return strcmp(method, "fork") == 0;
}

const char *mp_start_method_name = "fork";

void mp_start_method_setup(void)
{
    if (mp_set_start_method(mp_start_method_name) != MP_OK)
        mp_usage_error("--start-method: '%s' is not fork, spawn or forkserver",
                       mp_start_method_name);
}

/* --- the registry of targets --------------------------------------------- */

#define MAX_TARGETS 64

static struct {
    const char *name;
    int (*fn)(void *arg);
} targets[MAX_TARGETS];
static int ntargets;

enum mp_status mp_register_target(const char *name, int (*target)(void *arg))
{
    if (ntargets == MAX_TARGETS) {
        mp_set_error(ENOSPC, "more than %d targets registered", MAX_TARGETS);
        return MP_ERROR;
    }
    targets[ntargets].name = name;
    targets[ntargets].fn = target;
    ntargets++;
    return MP_OK;
}

static const char *target_name(int (*fn)(void *arg))
{
    for (int i = 0; i < ntargets; i++)
        if (targets[i].fn == fn)
            return targets[i].name;
    return NULL;
}

static int (*target_by_name(const char *name))(void *arg)
{
    for (int i = 0; i < ntargets; i++)
        if (strcmp(targets[i].name, name) == 0)
            return targets[i].fn;
    return NULL;
}

/* --- the registry of "subclasses" ---------------------------------------- */

#define MAX_CLASSES 16

static struct {
    const char *name;
    int (*run)(mp_process *self);
    size_t size;
} classes[MAX_CLASSES];
static int nclasses;

enum mp_status mp_register_class(const char *name, int (*run)(mp_process *self), size_t size)
{
    if (size < sizeof(mp_process) || size - sizeof(mp_process) > MP_ARG_MAX) {
        mp_set_error(EINVAL, "%s: a subclass's own fields take 0 to %d bytes, not %zu", name,
                     MP_ARG_MAX, size < sizeof(mp_process) ? 0 : size - sizeof(mp_process));
        return MP_ERROR;
    }
    if (nclasses == MAX_CLASSES) {
        mp_set_error(ENOSPC, "more than %d classes registered", MAX_CLASSES);
        return MP_ERROR;
    }
    classes[nclasses].name = name;
    classes[nclasses].run = run;
    classes[nclasses].size = size;
    nclasses++;
    return MP_OK;
}

static int class_of(int (*run)(mp_process *self))
{
    for (int i = 0; i < nclasses; i++)
        if (classes[i].run == run)
            return i;
    return -1;
}

static int class_by_name(const char *name)
{
    for (int i = 0; i < nclasses; i++)
        if (strcmp(classes[i].name, name) == 0)
            return i;
    return -1;
}

/* --- arguments ----------------------------------------------------------- */

enum mp_status mp_process_args(mp_process *p, const void *bytes, size_t size)
{
    if (size > MP_ARG_MAX) {
        mp_set_error(E2BIG, "%s: an argument of %zu bytes (at most %d)", p->name, size,
                     MP_ARG_MAX);
        return MP_ERROR;
    }
    memcpy(p->args, bytes, size);
    p->args_size = size;
    p->arg = p->args;
    return MP_OK;
}

enum mp_status mp_process_pass_fd(mp_process *p, int fd)
{
    if (p->npass_fds == MP_PASS_FDS_MAX) {
        mp_set_error(E2BIG, "%s: more than %d descriptors to pass", p->name, MP_PASS_FDS_MAX);
        return MP_ERROR;
    }
    p->pass_fds[p->npass_fds++] = fd;
    return MP_OK;
}

/* A "subclass": its class by name and its own fields (the bytes after its
 * mp_process) by value, as Python pickles an instance: its class by
 * qualified name, its __dict__ by value. */
static int pack_fields(const mp_process *p, struct mp_prep *prep)
{
    int c = class_of(p->run);
    if (c == -1) {
        mp_set_error(EINVAL, "%s: Can't pickle its own run: attribute lookup on __main__ "
                     "failed (register the subclass with MP_CLASS)", p->name);
        return -1;
    }
    snprintf(prep->cls, sizeof prep->cls, "%s", classes[c].name);
    prep->fields_size = classes[c].size - sizeof *p;
    memcpy(prep->fields, (const unsigned char *)p + sizeof *p, prep->fields_size);
    return 0;
}

/* Python's get_preparation_data and the pickling of the Process: what the
 * new program must be told. Fails, in Python's words, where the target or
 * the argument cannot be sent. */
static int prepare(const mp_process *p, struct mp_prep *prep)
{
    memset(prep, 0, sizeof *prep);
    const char *name = target_name(p->target);
    if (p->target != NULL && name == NULL) {
        /* Printing a function pointer needs a cast through an object
         * pointer: fine on every system that has dlsym. */
        mp_set_error(EINVAL, "Can't pickle <function at %p>: attribute lookup on __main__ "
                     "failed (register it with MP_TARGET)", *(void **)(void *)&p->target);
        return -1;
    }
    if (p->run != mp_process_run && pack_fields(p, prep) == -1)
        return -1;
    if (p->arg != NULL && p->arg != (const void *)p->args) {
        mp_set_error(EINVAL, "%s: Can't pickle a pointer: a new program has its own memory "
                     "(give the argument's bytes with mp_process_args)", p->name);
        return -1;
    }
    snprintf(prep->target, sizeof prep->target, "%s", name ? name : "");
    memcpy(prep->args, p->args, p->args_size);
    prep->args_size = p->args_size;
    prep->has_arg = p->arg != NULL;
    snprintf(prep->name, sizeof prep->name, "%s", p->name);
    snprintf(prep->prog, sizeof prep->prog, "%s", mp_prog);
    prep->daemon = p->daemon;
    prep->tick = mp_tick;
    snprintf(prep->method, sizeof prep->method, "%s", method);
    memcpy(prep->pass_fds, p->pass_fds, sizeof p->pass_fds);
    prep->npass_fds = p->npass_fds;
    /* And the memory every process of the program shares (the timeline's
     * table, the output flag), which fork would have copied. */
    prep->nshared = mp_shm_exports(prep->shared);
    for (int i = 0; i < prep->nshared; i++)
        prep->pass_fds[prep->npass_fds++] = prep->shared[i].fd;
    prep->sentinel = -1;
    prep->parent = getpid();
    return 0;
}

/* --- spawn --------------------------------------------------------------- */

/* posix_spawn of the running program's own file, with one more variable
 * (var=fd) in its environment and the descriptors keep[] left open under the
 * same numbers. Linux names the running program /proc/self/exe; other
 * systems need its path otherwise (macOS: _NSGetExecutablePath; FreeBSD:
 * sysctl KERN_PROC_PATHNAME); Python runs sys.executable, the interpreter.
 * mask is the signal mask the child starts with. Returns the PID or -1. */
pid_t mp_spawn_self(const char *var, int fd, const int *keep, int nkeep, const sigset_t *mask)
{
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    char **envp = malloc((n + 2) * sizeof *envp);
    char setting[64];
    if (envp == NULL)
        return -1;
    snprintf(setting, sizeof setting, "%s=%d", var, fd);
    memcpy(envp, environ, n * sizeof *envp);
    envp[n] = setting;
    envp[n + 1] = NULL;

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int err = posix_spawn_file_actions_init(&actions);
    if (err == 0 && (err = posix_spawnattr_init(&attr)) != 0)
        posix_spawn_file_actions_destroy(&actions);
    if (err != 0) {
        free(envp);
        errno = err;
        return -1;
    }
    /* dup2 of a descriptor onto itself clears close-on-exec (glibc 2.29,
     * POSIX 2024): the child gets exactly these, not every pipe we hold. */
    for (int i = 0; err == 0 && i < nkeep; i++)
        err = posix_spawn_file_actions_adddup2(&actions, keep[i], keep[i]);
    if (err == 0)
        err = posix_spawnattr_setsigmask(&attr, mask);
    if (err == 0)
        err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    pid_t pid = -1;
    char *argv[] = { (char *)mp_prog, NULL };
    if (err == 0)
        err = posix_spawn(&pid, "/proc/self/exe", &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    free(envp);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return pid;
}

/* Writes all of prep to fd (a pipe, which holds 64 KiB: it never blocks). */
static int send_prep(int fd, const struct mp_prep *prep)
{
    return mp_write_all(fd, (const char *)prep, sizeof *prep);
}

/* Spawns p: a pipe carries prep to the child; the sentinel's write end and
 * the descriptors to pass are inherited under their numbers. */
static int spawn(struct mp_prep *prep, const sigset_t *mask, pid_t *pid, int *sentinel)
{
    int data[2], sent[2];
    if (pipe2(data, O_CLOEXEC) == -1)
        return -1;
    if (pipe2(sent, O_CLOEXEC) == -1) {
        int err = errno;
        close(data[0]);
        close(data[1]);
        errno = err;
        return -1;
    }
    prep->sentinel = sent[1];
    int keep[2 + MP_PREP_FDS] = { data[0], sent[1] };
    for (int i = 0; i < prep->npass_fds; i++)
        keep[2 + i] = prep->pass_fds[i];
    /* Close errors of our own pipe ends are not possible (see process.c). */
    int err = 0;
    *pid = mp_spawn_self(MP_SPAWN_ENV, data[0], keep, 2 + prep->npass_fds, mask);
    if (*pid == -1)
        err = errno;
    else if (send_prep(data[1], prep) == -1)
        err = errno;            /* the child reads EOF and ends: join it */
    close(data[0]);
    close(data[1]);
    close(sent[1]);
    if (*pid == -1) {
        close(sent[0]);
        mp_set_error(err, "spawn: %s", strerror(err));
        return -1;
    }
    (void)err;
    *sentinel = sent[0];
    return 0;
}

int mp_start_new(mp_process *p, const char *how, const sigset_t *mask, pid_t *pid,
                 int *sentinel)
{
    struct mp_prep prep;
    if (prepare(p, &prep) == -1)
        return -1;
    p->by_server = strcmp(how, "forkserver") == 0;
    if (p->by_server)
        return mp_forkserver_start(&prep, pid, sentinel);
    return spawn(&prep, mask, pid, sentinel);
}

/* --- in the new program -------------------------------------------------- */

/* In the new program: the process prep describes, rebuilt (Python's
 * unpickling): its target and class found by name, its argument and own
 * fields copied. Kept for the program's life, as the child's own. */
static mp_process *unpack(const struct mp_prep *prep)
{
    int c = prep->cls[0] != '\0' ? class_by_name(prep->cls) : -1;
    if (prep->cls[0] != '\0' && (c == -1 || classes[c].size != sizeof(mp_process) +
                                                 prep->fields_size))
        mp_die("Can't get attribute '%s' on <module '__main__'> (MP_CLASS must come "
               "before mp_main_guard)", prep->cls);
    static mp_process *p;
    p = calloc(1, sizeof *p + prep->fields_size);
    if (p == NULL)
        mp_die("spawn: out of memory");
    memcpy((unsigned char *)p + sizeof *p, prep->fields, prep->fields_size);
    p->run = c == -1 ? mp_process_run : classes[c].run;
    p->target = target_by_name(prep->target);
    if (prep->target[0] != '\0' && p->target == NULL)
        mp_die("Can't get attribute '%s' on <module '__main__'> (MP_TARGET must come "
               "before mp_main_guard)", prep->target);
    memcpy(p->args, prep->args, prep->args_size);
    p->args_size = prep->args_size;
    p->arg = prep->has_arg ? p->args : NULL;
    p->daemon = prep->daemon;
    snprintf(p->name, sizeof p->name, "%s", prep->name);
    p->exitcode = MP_NO_EXITCODE;
    p->sentinel = -1;
    return p;
}

_Noreturn void mp_start_child(const struct mp_prep *prep, int sentinel, pid_t parent)
{
    if (prep->args_size > MP_ARG_MAX || prep->fields_size > MP_ARG_MAX ||
        prep->nshared < 0 || prep->nshared > MP_SHM_MAX)
        mp_die("spawn: the parent sent a process that is not one");
    static char prog[32];
    snprintf(prog, sizeof prog, "%s", prep->prog);
    mp_prog = prog;
    mp_process *p = unpack(prep);
    for (int i = 0; i < prep->nshared; i++)
        (void)mp_shm_export(prep->shared[i].name, prep->shared[i].fd); /* room: as many as sent */
    /* The parent's "output failed" flag, so that one message is printed
     * for the whole program. Should it not map, this child keeps a flag of
     * its own: the worst is a second message. */
    (void)mp_share_output_state();
    mp_tick = prep->tick;
    snprintf(method, sizeof method, "%s", prep->method);
    sigset_t mask;
    sigemptyset(&mask);
    mp_run_child(p, sentinel, parent, &mask);
}

/* Reads the whole prep from fd; false at an early end of file. */
static bool read_prep(int fd, struct mp_prep *prep)
{
    size_t got = 0;
    while (got < sizeof *prep) {
        ssize_t r = read(fd, (char *)prep + got, sizeof *prep - got);
        if (r == -1 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

/* The variable's descriptor, or -1 when the program was not started so. */
static int env_fd(const char *var)
{
    const char *v = getenv(var);
    return v == NULL ? -1 : atoi(v);
}

bool mp_bootstrapping(void)
{
    return env_fd(MP_SPAWN_ENV) != -1 || env_fd(MP_SERVER_ENV) != -1;
}

void mp_main_guard(void)
{
    int fd = env_fd(MP_SPAWN_ENV);
    int ctl = env_fd(MP_SERVER_ENV);
    /* Gone from the environment, so that this program's own children do not
     * take themselves for spawned ones. unsetenv fails only for a bad name. */
    (void)unsetenv(MP_SPAWN_ENV);
    (void)unsetenv(MP_SERVER_ENV);
    if (ctl != -1)
        mp_forkserver_serve(ctl);
    if (fd == -1)
        return;                      /* __name__ == '__main__': main goes on */
    struct mp_prep prep;
    if (!read_prep(fd, &prep))
        mp_die("spawn: the parent sent no process to run");
    close(fd);                       /* our own pipe: close cannot fail */
    mp_start_child(&prep, prep.sentinel, prep.parent);
}
