/* SPDX-License-Identifier: MIT */
/*
 * mp.h - forklore's helper library: Python's multiprocessing, re-built on fork.
 *
 * This header is the course's API reference. Each function mirrors the Python
 * call it is named after; the comment above it says what the OS does underneath.
 * The library is layered, each layer using only those above it on this page:
 *
 *   util     clock, tick-scaled sleep, option parsing, errors, whole-line output
 *   process  mp_process     ~ multiprocessing.Process
 *   queue    mp_queue       ~ multiprocessing.Queue
 *   pool     mp_pool        ~ multiprocessing.Pool
 *   timeline busy spans recorded by every process, drawn as a chart afterwards
 *
 * Conventions, everywhere:
 *   - A timeout is in seconds; MP_FOREVER (any negative value) waits forever,
 *     0 does not wait at all (Python's block=False).
 *   - A call that can fail returns -1 (or NULL) and sets errno; mp_last_error()
 *     then says what went wrong in words, naming the rule where the library
 *     made one (e.g. "daemonic processes are not allowed to have children").
 *   - Only fork is used (Python's "fork" start method): a child starts as a copy
 *     of its parent, sharing nothing but what was mapped MAP_SHARED before fork.
 */
#ifndef MP_H
#define MP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#if defined(__GNUC__) || defined(__clang__)
#define MP_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#else
#define MP_PRINTF(fmt, first)
#endif

#define MP_FOREVER (-1.0)

/* What a blocking call of the queue and the pool returns. */
enum mp_status {
    MP_OK = 0,
    MP_TIMEOUT,   /* the timeout ran out first (Python: queue.Empty, queue.Full,
                     multiprocessing.TimeoutError) */
    MP_CLOSED,    /* the queue is closed (and, for get, drained) */
    MP_ERROR,     /* something failed: mp_last_error() says what */
};

/* ======================================================================== */
/* util                                                                     */
/* ======================================================================== */

/* time.monotonic(): seconds from an arbitrary start, never jumping backwards
 * (CLOCK_MONOTONIC), so a wall-clock change cannot spoil a measured time. */
double mp_now(void);

/* The seed's programs sleep "one second" at a time. Every demo scales that by
 * the tick, set with --tick (default 1.0, so a class sees real seconds; the
 * tests use e.g. 0.02 to stay fast). */
extern double mp_tick;

/* time.sleep(seconds): sleeps the whole time even if a signal interrupts it
 * (nanosleep is restarted with the time that was left). */
void mp_sleep(double seconds);

/* time.sleep(ticks): mp_sleep(ticks * mp_tick). */
void mp_sleep_ticks(double ticks);

/* print(...): formats one line, adds the newline and hands it to the kernel in
 * a single write(2) on standard output. Nothing waits in a stdio buffer, so a
 * line is never printed twice after fork, never lost when a process is killed,
 * and never torn in the middle by another process's line (one write(2) of a
 * line on a pipe is atomic up to PIPE_BUF bytes; on a file, Linux keeps each
 * write whole). Returns 0, or -1 if the write failed. */
int mp_print(const char *fmt, ...) MP_PRINTF(1, 2);

/* The program's name, as shown in errors ("parallel: fork: ..."). Set by
 * mp_parse_args from argv[0]. */
extern const char *mp_prog;

/* A warning on standard error: "prog: message", one write(2). */
void mp_warn(const char *fmt, ...) MP_PRINTF(1, 2);

/* A runtime failure: "prog: message" on standard error, then exit status 1.
 * Child-safe: in a process started by mp_process_start it ends with _exit(1),
 * so the child never runs its parent's atexit handlers nor flushes stdio
 * buffers it inherited from the parent (which would print them twice). */
_Noreturn void mp_die(const char *fmt, ...) MP_PRINTF(1, 2);

/* What the last failed library call went wrong with, in words: the library's
 * own message where it made one, else strerror(errno). */
const char *mp_last_error(void);

/* Command-line options. Every demo describes its options in a table and hands
 * it to mp_parse_args, which also knows --tick SECONDS and --help:
 *
 *     static bool timeline;
 *     static long items = 4;
 *     const struct mp_option options[] = {
 *         { "--items", MP_OPT_INT, &items, 1, 100000, "N", "how many items (default 4)" },
 *         { "--timeline", MP_OPT_FLAG, &timeline, 0, 0, NULL, "draw who was busy when" },
 *         { NULL }
 *     };
 *     mp_parse_args(argc, argv, options, NULL, "What the demo shows, in one line.");
 *
 * Bad input (an unknown option, a missing value, a value that is not a number
 * or out of range) prints one line naming the option and the offending text,
 * then the usage line, on standard error, and exits 2 (as Python's argparse
 * does). --help prints the usage and the options on standard output, exit 0. */
enum mp_opt_type {
    MP_OPT_FLAG,    /* bool: present or not */
    MP_OPT_INT,     /* long: a whole number from min to max */
    MP_OPT_SECONDS, /* double: a number of seconds from min to max */
    MP_OPT_TEXT,    /* const char *: any text */
};

struct mp_option {
    const char *name;      /* "--items" */
    enum mp_opt_type type;
    void *value;           /* bool *, long *, double * or const char ** */
    double min, max;       /* allowed range for MP_OPT_INT and MP_OPT_SECONDS */
    const char *metavar;   /* what the value is called in the usage: "N" */
    const char *help;      /* one line for --help */
};

/* Parses argv against options (terminated by an entry whose name is NULL), plus
 * the built-in --tick and --help. Accepts "--name value" and "--name=value".
 * args names the positional arguments for the usage line ("URL...") or is
 * NULL when the demo takes none. Returns the index in argv of the first
 * positional argument (argc if there are none). */
int mp_parse_args(int argc, char **argv, const struct mp_option *options,
                  const char *args, const char *summary);

/* Prints the usage line and the "one line naming the problem" to stderr and
 * exits 2: for the checks a demo makes itself after parsing. */
_Noreturn void mp_usage_error(const char *fmt, ...) MP_PRINTF(1, 2);

/* ======================================================================== */
/* process                                                                  */
/* ======================================================================== */

/* multiprocessing.Process. Fill one in with mp_process_init, change what you
 * like (daemon, name, run), then mp_process_start.
 *
 * The "subclass" idiom (Python's `class MyProcess(Process): def run(self)`):
 * put an mp_process first in your own struct and point .run at your function;
 * the library calls p->run(p) in the child, and your run casts the pointer
 * back to your struct, which is safe because the mp_process is its first
 * member. */
typedef struct mp_process mp_process;

struct mp_process {
    /* Set by mp_process_init; yours to change before start. */
    int (*run)(mp_process *self); /* Process.run: default mp_process_run */
    int (*target)(void *arg);     /* Process(target=...) */
    void *arg;                    /* Process(args=...) */
    bool daemon;                  /* Process.daemon */
    char name[32];                /* Process.name: "Process-1", ... */

    /* Set by the library. */
    pid_t pid;                    /* Process.pid: 0 until started */
    int exitcode;                 /* read it with mp_process_exitcode() */
    int sentinel;                 /* Process.sentinel: readable once the child ended */
};

/* Process.exitcode while there is none yet (Python's None): before start, and
 * while the child is still running. */
#define MP_NO_EXITCODE (-1000)

/* Process(target=target, args=(arg,)): names it "Process-N" (N counts the
 * mp_process_init calls, as Python counts Process objects), daemon false,
 * run = mp_process_run. Does not start it. */
void mp_process_init(mp_process *p, int (*target)(void *arg), void *arg);

/* Process.run(): the default run, which calls target(arg) and returns what it
 * returns. A "subclass" that overrides run may call it, like super().run(). */
int mp_process_run(mp_process *self);

/* Process.start(): flushes stdout and stderr (else the child would get a copy
 * of whatever is still buffered, and print it a second time), then fork(2).
 * The child runs p->run(p) and leaves with _exit(status), where status is
 * what run returned (0 to 255). A daemonic child asks the kernel to kill it
 * when its parent dies (Linux: prctl(PR_SET_PDEATHSIG)), so it never outlives
 * a crashed parent either.
 *
 * Returns 0, or -1 with errno set: EINVAL if p was already started, EPERM if
 * the caller is itself daemonic ("daemonic processes are not allowed to have
 * children", Python's rule), or fork's error (EAGAIN: too many processes). */
int mp_process_start(mp_process *p);

/* Process.join(timeout): waits until the child ends, then reaps it with
 * waitpid(2) so no zombie is left. Waiting is a poll(2) on the sentinel: a
 * pipe whose write end only the child holds, so it becomes readable (end of
 * file) when the child is gone. Returns true if the child has ended, false if
 * the timeout ran out first (the child is still running: join again later). */
bool mp_process_join(mp_process *p, double timeout);

/* Process.is_alive(): started, and not ended yet (waitpid with WNOHANG). */
bool mp_process_is_alive(mp_process *p);

/* Process.exitcode: MP_NO_EXITCODE while running or before start; else the
 * child's exit status (0 to 255), or -N if signal N ended it (as in Python:
 * -15 after terminate, -9 after kill). */
int mp_process_exitcode(mp_process *p);

/* Process.terminate() sends SIGTERM, Process.kill() SIGKILL. They do not
 * wait: join afterwards. Sending to a process that has already ended is not
 * an error. Return 0, or -1 with errno set. */
int mp_process_terminate(mp_process *p);
int mp_process_kill(mp_process *p);

/* multiprocessing.current_process().name: "MainProcess" in the program you
 * started, the mp_process's name in a child. */
const char *mp_current_process_name(void);

/*
 * What happens when the program ends, as in Python (multiprocessing.util.
 * _exit_function, run at interpreter exit):
 *   - when main returns or anything calls exit(), daemonic children get
 *     SIGTERM and are joined, and non-daemonic children are joined: the
 *     program only ends after them;
 *   - on SIGINT (Ctrl-C), SIGTERM or SIGHUP the library sends every child
 *     SIGTERM (SIGKILL to any still there after a second), reaps them all,
 *     then lets the signal end the program as it would have (status 130 for
 *     Ctrl-C). Better than Python: no child is left behind even if only the
 *     parent got the signal. (Installed only where the signal's action was
 *     the default: a program that handles SIGINT itself keeps its handler.)
 */

/* ======================================================================== */
/* queue                                                                    */
/* ======================================================================== */

/* multiprocessing.Queue, for items of one fixed size (no pickling: the bytes
 * of the item are copied in and out). It lives in memory mapped MAP_SHARED,
 * so create it *before* fork and every child shares the very same queue.
 * Any number of processes may put and get at once: each item is taken
 * exactly once, and the items of any one producer come out in the order it
 * put them.
 *
 * A worker knows there is no more work in one of two ways:
 *
 *     while (mp_queue_get(q, &item, MP_FOREVER) == MP_OK)   // the main
 *         work(item);                      // calls mp_queue_close when done
 *
 *     while (mp_queue_get(q, &item, MP_FOREVER) == MP_OK && item != PILL)
 *         work(item);                      // the main puts one PILL per worker
 *
 * (the second is the "poison pill" Python's own Pool uses). Never decide
 * with mp_queue_empty() whether to call get: see below.
 *
 * When a process dies in the middle of a call (SIGKILL, a crash), even while
 * holding the queue's lock: Python documents that its queue may then be
 * corrupted; this one is not, and the others never stay blocked because of
 * it (at worst, one wakes up to a second late). The lock is a robust mutex (the kernel hands it on, saying its holder
 * died), and put and get copy the item first, then commit with one store, so
 * the queue is whole at every instant. A put cut short leaves no item, not
 * even half a one; a get cut short leaves its item in the queue, unless it
 * had already been handed over (then it is lost with the process that had
 * it). The other processes are told nothing: their calls go on and return
 * MP_OK, MP_TIMEOUT or MP_CLOSED as usual, because nothing went wrong for
 * them. (Learning that a worker died is the process layer's job: its
 * exitcode.) Underneath: a robust, process-shared pthread mutex, and two
 * process-shared POSIX semaphores for waking processes that wait; lib/queue.c
 * says why not condition variables. These need Linux (or another system with
 * robust mutexes and unnamed POSIX semaphores; macOS has neither). */
typedef struct mp_queue mp_queue;

/* Queue(maxsize): a queue of at most capacity items of item_size bytes each
 * (both at least 1). Returns NULL with errno set if the memory cannot be had. */
mp_queue *mp_queue_new(size_t item_size, size_t capacity);

/* Queue.put(item, timeout=...): copies item_size bytes from item into the
 * queue, waiting while it is full. MP_OK, MP_TIMEOUT if still full when the
 * timeout ran out, MP_CLOSED if the queue was closed (the item is not put:
 * an error, which mp_last_error() names), MP_ERROR if the lock failed. */
enum mp_status mp_queue_put(mp_queue *q, const void *item, double timeout);

/* Queue.get(timeout=...): copies the oldest item into item, waiting while the
 * queue is empty. MP_OK, MP_TIMEOUT if still empty when the timeout ran out,
 * MP_CLOSED once the queue is closed *and* empty: after close, get still
 * hands out what is left, then tells every consumer, waiting or not, that no
 * more will come. MP_ERROR if the lock failed. */
enum mp_status mp_queue_get(mp_queue *q, void *item, double timeout);

/* Queue.qsize(), Queue.empty(), Queue.full(): true when asked, but another
 * process may change it the next moment, so never decide with them whether
 * to call get (the seed's `while not q.empty(): q.get()` race: two workers
 * both see one item left, one gets it, the other waits in get for ever). */
size_t mp_queue_qsize(mp_queue *q);
bool mp_queue_empty(mp_queue *q);
bool mp_queue_full(mp_queue *q);

/* Closes the queue for every process sharing it: put returns MP_CLOSED from
 * now on; get drains what is left, then returns MP_CLOSED; every process
 * waiting in put or get wakes up. (Python's Queue.close only closes the
 * calling process's end; this is the "no more items" signal workers need.)
 * Closing twice is harmless. */
void mp_queue_close(mp_queue *q);

/* Unmaps the queue in the calling process. Every process that got it through
 * fork holds its own mapping; the memory is freed when the last one goes.
 * (The main program frees it too, after joining its children, so that a leak
 * checker finds nothing left.) */
void mp_queue_free(mp_queue *q);

/* ======================================================================== */
/* pool                                                                     */
/* ======================================================================== */

/* ======================================================================== */
/* timeline                                                                 */
/* ======================================================================== */

#endif /* MP_H */
