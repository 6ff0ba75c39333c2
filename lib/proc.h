/* SPDX-License-Identifier: MIT */
/*
 * proc.h - what the files of the process layer share, and nothing else
 * sees. In the order lib/README.md reads them, each using only those above
 * it in this list:
 *
 *   children.c        the children a process started, and the program's end
 *   bootstrap.c       the child's life: who it is, then run, then _exit
 *   names.c           targets and "subclasses" registered by name
 *   context.c         the start method in use, by name
 *   spawn_self.c      posix_spawn of this very program
 *   forkserver.c      the forkserver: its start, and the server itself
 *   spawn.c           what travels to a new program, and mp_main_guard
 *   popen_fork.c      one start method each, behind struct mp_popen
 *   popen_spawn.c
 *   popen_forkserver.c
 *   process.c         mp_process: init, start, join, is_alive, terminate
 */
#ifndef PROC_H
#define PROC_H

#include "mp.h"
#include "mp_internal.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* --- a start method, as the process layer sees it (CPython's Popen) ----- */

struct mp_popen {
    const char *name;                  /* "fork", "spawn", "forkserver" */
    /* Starts p as a new child, the handled signals blocked (mask: the mask
     * the child is to run with). Sets p->pid and p->sentinel. */
    enum mp_status (*launch)(mp_process *p, const sigset_t *mask);
    /* Sleeps until the child has ended, without reaping it; a signal may cut
     * the sleep short. */
    void (*wait)(pid_t pid, int sentinel);
    /* Reaps the child if it has ended: 1 and its wait status in *status, 0
     * while it runs, -1 if its end cannot be known (not our child: ECHILD;
     * its forkserver died first). Never waits; async-signal-safe. */
    int (*reap)(pid_t pid, int sentinel, int *status);
    bool ours;                         /* our child (fork, spawn), not the server's */
};

/* Sends out what stdio holds for stdout and stderr (before fork, and in a
 * child before _exit), writing nothing when nothing is held. */
void mp_flush_std_streams(void);

extern const struct mp_popen mp_popen_fork, mp_popen_spawn, mp_popen_forkserver;

/* --- children.c ---------------------------------------------------------- */

/* While a thread changes the table of children (or starts a child), the
 * handled signals are blocked in it and no other thread, nor a signal
 * handler in one, may look at the table. old gets the mask to restore. */
void mp_children_lock(sigset_t *old);
void mp_children_unlock(const sigset_t *old);

/* Records (locked) the child just started, or forgets (locked) one reaped. */
void mp_children_add(const mp_process *p);
void mp_children_remove(pid_t pid);
bool mp_children_full(void);

/* A join has told the caller that a child's end is unknown (its forkserver
 * died): the exit handler need not say it again. */
void mp_children_told_lost(void);

/* Before the first child starts: the exit handler, the signal handlers,
 * the shared "output failed" flag. MP_OK or MP_ERROR. */
enum mp_status mp_children_install(void);

/* In a new child: the parent's children are not ours (we could not reap
 * them): their records and sentinels go, and the table is ours unlocked. */
void mp_children_forget_all(void);

/* What must end after every child, at exit and on a signal: the forkserver.
 * hard: on a signal, end it now (SIGKILL), however it is. */
void mp_children_at_end(void (*end)(bool hard));

/* --- bootstrap.c --------------------------------------------------------- */

/* In a new child, whichever way it started: becomes p (its name, daemon
 * flag, sentinel write end), drops its parent's children, restores mask,
 * runs p->run(p), and leaves with _exit(its result). With parent (> 0), a
 * daemonic child asks to be killed when parent dies. */
_Noreturn void mp_bootstrap(mp_process *p, int sentinel, pid_t parent, const sigset_t *mask);

/* Whether this process is daemonic, and its sentinel's write end (or -1). */
bool mp_current_is_daemon(void);
int mp_current_sentinel(void);

/* --- names.c ------------------------------------------------------------- */

/* The registered name of target (or NULL), and the target of a name. */
const char *mp_target_name(int (*target)(void *arg));
int (*mp_target_by_name(const char *name))(void *arg);

/* A registered "subclass": by its run, or by name; its struct's size. */
const char *mp_class_name(int (*run)(mp_process *self), size_t *size);
int (*mp_class_by_name(const char *name, size_t *size))(mp_process *self);

/* --- spawn_self.c -------------------------------------------------------- */

/* posix_spawn of this program, with var=value added to its environment
 * and the descriptors keep[0..nkeep) left open under their numbers, the
 * signal mask mask. The PID, or -1 with errno set. */
pid_t mp_spawn_self(const char *var, const char *value, const int *keep, int nkeep,
                    const sigset_t *mask);

/* --- what travels to a new program (spawn.c) ----------------------------- */

/* How a program learns that the library started it: one variable in its
 * environment, "FD:PID" (the descriptor it reads from, the PID that
 * started it). Python puts --multiprocessing-fork in argv instead. */
#define MP_SPAWN_ENV "MP_SPAWNED_FD"
#define MP_SERVER_ENV "MP_FORKSERVER_FD"

/* Descriptors a new program may get: the process's own, then the shared. */
#define MP_PREP_FDS (MP_PASS_FDS_MAX + MP_SHM_MAX)

/* What a new program needs to run a process: what fork would have copied,
 * sent as bytes (Python's preparation data and pickled Process). */
struct mp_prep {
    char target[64];                 /* the target's registered name, or "" */
    char cls[64];                    /* a "subclass": its registered name, or "" */
    unsigned char args[MP_ARG_MAX];  /* the argument's bytes */
    unsigned short args_size;
    unsigned char has_arg;           /* 1: arg is those bytes; 0: NULL */
    unsigned char daemon;
    unsigned char fields[MP_ARG_MAX];/* a subclass's own fields' bytes */
    unsigned short fields_size;
    char name[32];                   /* Process.name */
    char prog[32];                   /* mp_prog, for its messages */
    char method[16];                 /* the start method, for its children */
    double tick;                     /* mp_tick, as main set it */
    int sentinel;                    /* spawn: the sentinel's write end */
    pid_t parent;                    /* who started it */
    int pass_fds[MP_PREP_FDS];       /* the process's own, then the shared */
    int npass_fds;
    struct mp_shm_name shared[MP_SHM_MAX]; /* which of them is which */
    int nshared;
};

/* In the parent: what p's new program must be told, or MP_ERROR, in
 * Python's words, where it cannot be sent. */
enum mp_status mp_prep_pack(const mp_process *p, struct mp_prep *prep);

/* True in a program the library started, until it reached mp_main_guard. */
bool mp_bootstrapping(void);

/* --- forkserver.c -------------------------------------------------------- */

/* The parent's side: asks the server (started on first use) for a child
 * running prep; its PID to *pid, our end of its status socket to *sentinel. */
enum mp_status mp_forkserver_request(const struct mp_prep *prep, pid_t *pid, int *sentinel);

/* The server's side: serves main_pid's requests on ctl until it has gone,
 * then exits. Returns only in a child it forked, with prep filled in. */
void mp_forkserver_serve(int ctl, pid_t main_pid, struct mp_prep *prep);

#endif /* PROC_H */
