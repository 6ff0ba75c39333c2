/* SPDX-License-Identifier: MIT */
/* What the library's layers share with each other but not with the demos. */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

#include "mp.h"

#include <stdbool.h>
#include <stddef.h>

/* --- shared memory (shm.c), for util and the layers above --- */

/* size bytes of zeroed memory, mapped MAP_SHARED from a new memfd, whose
 * descriptor goes to *fd. NULL with errno set on failure. */
void *mp_shm_new(size_t size, int *fd);

/* Maps all of the memory behind fd (its size to *size). NULL, errno. */
void *mp_shm_attach(int fd, size_t *size);

/* Memory that every process of the program must share whichever way it
 * starts (the timeline's table, the output flag), under a name: a new
 * program started by spawn or the forkserver gets each descriptor, under
 * the same number, and finds it by the same name. */
#define MP_SHM_MAX 4
struct mp_shm_name {
    char name[16];
    int fd;
};

/* Adds (or moves) name's descriptor. 0, or -1 (ENOSPC: too many, or the
 * name too long). */
int mp_shm_export(const char *name, int fd);

/* Drops name from the table and closes its descriptor (the memory stays
 * mapped where it is mapped). */
void mp_shm_forget(const char *name);

/* The descriptor exported under name, or -1 if none (in a new program:
 * if its parent had none). */
int mp_shm_find(const char *name);

/* Copies the table (MP_SHM_MAX entries) to out; returns how many. */
int mp_shm_exports(struct mp_shm_name *out);

/* --- util, for the layers above it --- */

/* Records the message mp_last_error() will return, and sets errno to err. */
void mp_set_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Forgets the last message, so mp_last_error() falls back to strerror(errno). */
void mp_clear_error(void);

/* write(2) all of buf to fd, going on after partial writes and EINTR. */
int mp_write_all(int fd, const char *buf, size_t len);

/* How mp_die (and a failed mp_print) ends the process: exit, the default,
 * or _exit, which the process layer sets in each child it starts (a child
 * must not run its parent's atexit handlers). */
void mp_set_die_exit(void (*how)(int status));

/* Moves the "standard output failed" flag into shared memory, so that every
 * process started afterwards shares it: the first process whose mp_print
 * fails reports it, the others end quietly. In a new program the library
 * started, maps its parent's flag instead. Returns 0, or -1 with errno. */
int mp_share_output_state(void);

/* Whether any process sharing the flag found standard output unwritable. */
bool mp_output_failed(void);

/* At exit, once every child has ended: says what a child found and could
 * not say itself (it was killed between finding and saying). */
void mp_output_report_lost(void);

/* --- start methods (start.c, forkserver.c), for the process layer --- */

#include <signal.h>
#include <sys/types.h>

struct mp_process;

/* How a program learns that the library started it (see start.c). */
#define MP_SPAWN_ENV "MP_SPAWNED_FD"       /* a spawned child: its data's pipe */
#define MP_SERVER_ENV "MP_FORKSERVER_FD"   /* the forkserver: its socket */

/* Descriptors a new program may get: MP_PASS_FDS_MAX, then the shared. */
#define MP_PREP_FDS (8 + MP_SHM_MAX)

/* What a new program needs to run a process: what fork would have copied,
 * sent as bytes (Python's "preparation data" and pickled Process). */
struct mp_prep {
    char target[64];                 /* the target's registered name */
    unsigned char args[256];         /* MP_ARG_MAX */
    size_t args_size;
    bool has_arg;                    /* arg was the args' copy (else NULL) */
    char cls[64];                    /* a "subclass": its registered run's name */
    unsigned char fields[256];       /* its own fields' bytes (MP_ARG_MAX) */
    size_t fields_size;
    char name[32];                   /* Process.name */
    char prog[32];                   /* mp_prog, for its messages */
    bool daemon;
    double tick;                     /* mp_tick, as main set it */
    char method[16];                 /* the start method, for its children */
    int sentinel;                    /* spawn: the sentinel's write end */
    pid_t parent;                    /* who started it (for PDEATHSIG) */
    int pass_fds[MP_PREP_FDS];       /* the process's own, then the shared */
    int npass_fds;
    struct mp_shm_name shared[MP_SHM_MAX]; /* which of them is which */
    int nshared;
};

/* Whether the start method is fork. */
bool mp_start_is_fork(void);

/* True in a program the library started, until it reached mp_main_guard. */
bool mp_bootstrapping(void);

/* Starts p by how ("spawn" or "forkserver") with the handled signals
 * blocked (mask: the mask to give the child). Sets *pid, *sentinel and
 * p->by_server. Returns 0, or -1 with mp_last_error() saying why. */
int mp_start_new(struct mp_process *p, const char *how, const sigset_t *mask, pid_t *pid,
                 int *sentinel);

/* mp_process_start by the given method rather than the one in use (a pool
 * starts every worker by the method it was made with, as Python's Pool
 * keeps its context). */
enum mp_status mp_process_start_by(struct mp_process *p, const char *how);

/* In a new program: p filled in from prep, runs it (the process layer's
 * run_child, with the given sentinel write end, or -1). */
_Noreturn void mp_run_child(struct mp_process *p, int sentinel, pid_t parent,
                            const sigset_t *mask);

/* Fills in a process from prep in a new program (its target by name) and
 * runs it; never returns. */
_Noreturn void mp_start_child(const struct mp_prep *prep, int sentinel, pid_t parent);

/* posix_spawn of this program with var=fd in its environment, keep[] open. */
pid_t mp_spawn_self(const char *var, int fd, const int *keep, int nkeep, const sigset_t *mask);

/* forkserver.c. */
int mp_forkserver_start(const struct mp_prep *prep, pid_t *pid, int *sentinel);
_Noreturn void mp_forkserver_serve(int ctl);

/* A forkserver child's end, read from its sentinel: 1 and the wait status in
 * *status (may be NULL) once it ended, 0 while it runs (only without wait).
 * Async-signal-safe. */
int mp_forkserver_reap(int sentinel, int *status, bool wait);

/* Ends the forkserver this process started, if any, and reaps it.
 * Async-signal-safe. */
void mp_forkserver_end(void);

#endif /* MP_INTERNAL_H */
