/* SPDX-License-Identifier: MIT */
/*
 * popen_spawn: the "spawn" start method (CPython's popen_spawn_posix.py).
 * The program's own executable is started again (posix_spawn), a new
 * program that shares nothing with its parent; a pipe carries it what to
 * run (lib/spawn.c). The child is ours, so it is waited for and reaped as
 * a forked one is (lib/popen_fork.c), its sentinel a pipe in the same way.
 */
#define _GNU_SOURCE             /* pipe2 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The data pipe holds 64 KiB and the prep is far smaller: the write never
 * blocks, even before the child reads. Close errors of our own new pipes'
 * ends cannot happen: unchecked. */
static enum mp_status launch(mp_process *p, const sigset_t *mask)
{
    struct mp_prep prep;
    if (mp_prep_pack(p, &prep) != MP_OK)
        return MP_ERROR;
    int data[2], sent[2];
    if (pipe2(data, O_CLOEXEC) == -1) {
        mp_set_error(errno, "spawn: pipe: %s", strerror(errno));
        return MP_ERROR;
    }
    if (pipe2(sent, O_CLOEXEC) == -1) {
        mp_set_error(errno, "spawn: pipe: %s", strerror(errno));
        close(data[0]);
        close(data[1]);
        return MP_ERROR;
    }
    prep.sentinel = sent[1];
    int keep[2 + MP_PREP_FDS] = { data[0], sent[1] };
    for (int i = 0; i < prep.npass_fds; i++)
        keep[2 + i] = prep.pass_fds[i];
    char value[32];
    snprintf(value, sizeof value, "%d:%ld", data[0], (long)getpid());
    pid_t pid = mp_spawn_self(MP_SPAWN_ENV, value, keep, 2 + prep.npass_fds, mask);
    int err = errno;
    /* A write that fails leaves the child reading end of file: it says so
     * and ends, and join sees it. */
    if (pid != -1)
        (void)mp_write_all(data[1], (const char *)&prep, sizeof prep);
    close(data[0]);
    close(data[1]);
    close(sent[1]);
    if (pid == -1) {
        close(sent[0]);
        mp_set_error(err, "spawn: %s", strerror(err));
        return MP_ERROR;
    }
    p->pid = pid;
    p->sentinel = sent[0];
    return MP_OK;
}

static void wait_end(pid_t pid, int sentinel)
{
    mp_popen_fork.wait(pid, sentinel);
}

static int reap(pid_t pid, int sentinel, int *status)
{
    return mp_popen_fork.reap(pid, sentinel, status);
}

const struct mp_popen mp_popen_spawn = { "spawn", launch, wait_end, reap, true };
