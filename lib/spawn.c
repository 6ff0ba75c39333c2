/* SPDX-License-Identifier: MIT */
/*
 * spawn: what travels to a new program (spawn, forkserver), and the new
 * program's side of it: Python's spawn.py. The parent packs what fork would
 * have copied (Python's get_preparation_data and the pickled Process): the
 * target by name, the argument's bytes, the name, the daemon flag, the tick,
 * the start method, the descriptors. The new program runs main from the
 * top, registers its targets, and reaches mp_main_guard, which finds out
 * that it was started by the library, unpacks, and runs the process.
 *
 * The new program learns it was started by the library from one variable in
 * its environment, "FD:PID" (Python puts --multiprocessing-fork in argv
 * instead: a C program's main would see an argument it does not know before
 * the guard could take it away). A variable that is not one the library
 * wrote (typed in a shell, inherited by mistake) is refused in one line.
 */
#define _GNU_SOURCE             /* program_invocation_short_name */
#include "proc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(MP_ARG_MAX <= 0xffff, "struct mp_prep keeps sizes in 16 bits");

/* --- the parent's side --------------------------------------------------- */

/* A "subclass": its class by name and its own fields (the bytes after its
 * mp_process) by value, as Python pickles an instance: its class by
 * qualified name, its __dict__ by value. */
static enum mp_status pack_fields(const mp_process *p, struct mp_prep *prep)
{
    size_t size;
    const char *cls = mp_class_name(p->run, &size);
    if (cls == NULL) {
        mp_set_error(EINVAL, "%s: Can't pickle its own run: attribute lookup on __main__ "
                     "failed (register the subclass with MP_CLASS)", p->name);
        return MP_ERROR;
    }
    snprintf(prep->cls, sizeof prep->cls, "%s", cls);
    prep->fields_size = (unsigned short)(size - sizeof *p);
    memcpy(prep->fields, (const unsigned char *)p + sizeof *p, prep->fields_size);
    return MP_OK;
}

enum mp_status mp_prep_pack(const mp_process *p, struct mp_prep *prep)
{
    memset(prep, 0, sizeof *prep);
    const char *target = mp_target_name(p->target);
    if (p->target != NULL && target == NULL) {
        /* Printing a function pointer needs a cast through an object
         * pointer: fine on every system that has dlsym. */
        mp_set_error(EINVAL, "Can't pickle <function at %p>: attribute lookup on __main__ "
                     "failed (register it with MP_TARGET)", *(void **)(void *)&p->target);
        return MP_ERROR;
    }
    if (p->run != mp_process_run && pack_fields(p, prep) != MP_OK)
        return MP_ERROR;
    if (p->arg != NULL && p->arg != (const void *)p->lib.args) {
        mp_set_error(EINVAL, "%s: Can't pickle a pointer: a new program has its own memory "
                     "(give the argument's bytes with mp_process_args)", p->name);
        return MP_ERROR;
    }
    snprintf(prep->target, sizeof prep->target, "%s", target ? target : "");
    memcpy(prep->args, p->lib.args, p->lib.args_size);
    prep->args_size = (unsigned short)p->lib.args_size;
    prep->has_arg = p->arg != NULL;
    prep->daemon = p->daemon;
    snprintf(prep->name, sizeof prep->name, "%s", p->name);
    snprintf(prep->prog, sizeof prep->prog, "%s", mp_prog);
    snprintf(prep->method, sizeof prep->method, "%s", mp_get_start_method());
    prep->tick = mp_tick;
    memcpy(prep->pass_fds, p->lib.pass_fds, sizeof p->lib.pass_fds);
    prep->npass_fds = p->lib.npass_fds;
    /* And the memory every process of the program shares (the timeline's
     * table, the output flag), which fork would have copied. */
    prep->nshared = mp_shm_exports(prep->shared);
    for (int i = 0; i < prep->nshared; i++)
        prep->pass_fds[prep->npass_fds++] = prep->shared[i].fd;
    prep->sentinel = -1;
    prep->parent = getpid();
    return MP_OK;
}

/* --- the new program's side ---------------------------------------------- */

static bool is_string(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

/* Whether prep holds only what mp_prep_pack could have written: every size
 * and count in range, every name ended, every flag 0 or 1. */
static bool prep_valid(const struct mp_prep *prep)
{
    bool ok = is_string(prep->target, sizeof prep->target) &&
              is_string(prep->cls, sizeof prep->cls) &&
              is_string(prep->name, sizeof prep->name) &&
              is_string(prep->prog, sizeof prep->prog) &&
              is_string(prep->method, sizeof prep->method) &&
              prep->args_size <= MP_ARG_MAX && prep->fields_size <= MP_ARG_MAX &&
              prep->has_arg <= 1 && prep->daemon <= 1 && prep->tick > 0 &&
              prep->npass_fds >= 0 && prep->npass_fds <= MP_PREP_FDS &&
              prep->nshared >= 0 && prep->nshared <= MP_SHM_MAX &&
              prep->nshared <= prep->npass_fds;
    for (int i = 0; ok && i < prep->npass_fds; i++)
        ok = prep->pass_fds[i] >= 0;
    for (int i = 0; ok && i < prep->nshared; i++)
        ok = is_string(prep->shared[i].name, sizeof prep->shared[i].name);
    return ok;
}

/* The process prep describes, rebuilt (Python's unpickling): its target and
 * class found by name, its argument and own fields copied. Kept for the
 * program's life, as the child's own. */
static mp_process *unpack(const struct mp_prep *prep)
{
    size_t size = sizeof(mp_process);
    int (*run)(mp_process *) = mp_process_run;
    if (prep->cls[0] != '\0') {
        run = mp_class_by_name(prep->cls, &size);
        if (run == NULL || size != sizeof(mp_process) + prep->fields_size)
            mp_die("Can't get attribute '%s' on <module '__main__'> (MP_CLASS must come "
                   "before mp_main_guard)", prep->cls);
    }
    mp_process *p = calloc(1, size);
    if (p == NULL)
        mp_die("spawn: out of memory");
    memcpy((unsigned char *)p + sizeof *p, prep->fields, prep->fields_size);
    p->run = run;
    p->target = mp_target_by_name(prep->target);
    if (prep->target[0] != '\0' && p->target == NULL)
        mp_die("Can't get attribute '%s' on <module '__main__'> (MP_TARGET must come "
               "before mp_main_guard)", prep->target);
    memcpy(p->lib.args, prep->args, prep->args_size);
    p->lib.args_size = prep->args_size;
    p->arg = prep->has_arg ? p->lib.args : NULL;
    p->daemon = prep->daemon;
    snprintf(p->name, sizeof p->name, "%s", prep->name);
    p->exitcode = MP_NO_EXITCODE;
    p->sentinel = -1;
    return p;
}

/* Becomes the process prep describes, with what fork would have given it:
 * the program's name, the shared memory, the tick, the start method. */
static _Noreturn void run_prep(const struct mp_prep *prep)
{
    if (!prep_valid(prep))
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
    if (mp_set_start_method(prep->method) != MP_OK)
        mp_die("spawn: %s", mp_last_error());
    sigset_t none;
    sigemptyset(&none);
    mp_bootstrap(p, prep->sentinel, prep->parent, &none);
}

/* Reads the whole prep from the pipe, which the parent fills at once; a
 * parent that sends nothing for 10 s is given up. */
static void read_prep(int fd, struct mp_prep *prep)
{
    size_t got = 0;
    while (got < sizeof *prep) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int ready = poll(&pfd, 1, 10 * 1000);
        ssize_t r = ready == 1 ? read(fd, (char *)prep + got, sizeof *prep - got) : -1;
        if (ready == -1 && errno == EINTR)
            continue;
        if (r <= 0)
            mp_die("spawn: the parent sent no process to run");
        got += (size_t)r;
    }
}

/* The descriptor the variable names, -1 if it is not set. A value that is
 * not "FD:PID" with FD a descriptor of the right kind (a pipe for spawn, a
 * packet socket for the forkserver) and PID our parent is refused. */
static int env_fd(const char *var, bool socket)
{
    const char *v = getenv(var);
    if (v == NULL)
        return -1;
    int fd, n = 0, type = 0;
    long parent;
    struct stat st;
    socklen_t len = sizeof type;
    bool ok = sscanf(v, "%d:%ld%n", &fd, &parent, &n) == 2 && v[n] == '\0' &&
              strspn(v, "0123456789:") == strlen(v) && fd > 2 && parent == (long)getppid() &&
              fstat(fd, &st) == 0;
    if (ok && socket)
        ok = S_ISSOCK(st.st_mode) && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
             type == SOCK_SEQPACKET;
    else if (ok)
        ok = S_ISFIFO(st.st_mode);
    if (!ok)
        mp_die("%s='%s': not a value the library set for this program (unset it)", var, v);
    return fd;
}

bool mp_bootstrapping(void)
{
    return getenv(MP_SPAWN_ENV) != NULL || getenv(MP_SERVER_ENV) != NULL;
}

void mp_main_guard(void)
{
    if (!mp_bootstrapping())
        return;                      /* __name__ == '__main__': main goes on */
#ifdef __linux__
    mp_prog = program_invocation_short_name;   /* until the parent's comes */
#endif
    int fd = env_fd(MP_SPAWN_ENV, false);
    int ctl = env_fd(MP_SERVER_ENV, true);
    /* Gone from the environment, so that this program's own children do not
     * take themselves for new programs. unsetenv fails only for a bad name. */
    (void)unsetenv(MP_SPAWN_ENV);
    (void)unsetenv(MP_SERVER_ENV);
    struct mp_prep prep;
    if (ctl != -1) {
        mp_forkserver_serve(ctl, getppid(), &prep);  /* returns in each child */
    } else {
        read_prep(fd, &prep);
        close(fd);                   /* our own pipe: close cannot fail */
    }
    run_prep(&prep);
}
