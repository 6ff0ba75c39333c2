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
 *   - A call that can fail returns an enum mp_status: MP_OK, or MP_ERROR
 *     (and, where it waits, MP_TIMEOUT or MP_CLOSED); a call that makes
 *     something returns it, or NULL. mp_last_error() then says what went
 *     wrong in words (errno is set too), naming the rule where the library
 *     made one ("daemonic processes are not allowed to have children").
 *     Python raises an exception in each of these cases. A question
 *     (is_alive, empty, ready) returns a bool and cannot fail.
 *   - A child starts as a copy of its parent (Python's "fork" start method,
 *     the default here), sharing nothing but what was mapped MAP_SHARED before
 *     fork; mp_set_start_method picks "spawn" or "forkserver" instead (see
 *     "start methods" in the process layer).
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

/* What every call that can fail returns. */
enum mp_status {
    MP_OK = 0,    /* done */
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

/* Whether the demo takes --tick (default true). A lesson that never sleeps
 * sets it false before mp_parse_args: --tick is then neither listed nor
 * accepted, rather than accepted and ignored. */
extern bool mp_tick_option;

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
 * write whole). A line that cannot be written (standard output closed, a
 * full disk) is not ignored: like Python's print, which raises, it ends the
 * process with status 1. The first process of the program to find its
 * output unwritable says so on stderr ("prog: standard output: why"); the
 * others end quietly, and the main program's status is 1 even if it wrote
 * nothing itself (see the process layer). (A pipe whose reader has gone
 * ends the process with SIGPIPE first.) So it returns only on success, and
 * returns nothing. */
void mp_print(const char *fmt, ...) MP_PRINTF(1, 2);

/* print(result) for a list of whole numbers, the way Python prints a list:
 * "[1, 4, 9, 16]", as one line in one write(2), by mp_print. MP_OK, or
 * MP_ERROR (ENOMEM) if the memory for the line cannot be had: then nothing is
 * printed. */
enum mp_status mp_print_list(const long *values, size_t n);

/* The program's name, as shown in errors ("parallel: fork: ..."). Set by
 * mp_parse_args from argv[0]. */
extern const char *mp_prog;

/* A warning on standard error: "prog: message", one write(2). */
void mp_warn(const char *fmt, ...) MP_PRINTF(1, 2);

/* A runtime failure: "prog: message" on standard error, then exit status 1.
 * Child-safe: in a process started by mp_process_start (which tells this
 * layer so) it ends with _exit(1),
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
 * positional argument (argc if there are none). Called first thing in main,
 * it also makes sure a standard stream the shell closed (`demo >&-`) stays
 * unusable (EBADF), so that no file or socket opened later takes its number
 * and receives the output. */
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

/* The library's own part of each mp_process: what travels to a new program
 * (see the start methods, near the end of this page) and how it started. */
#define MP_ARG_MAX 256
#define MP_PASS_FDS_MAX 8
struct mp_process_lib {
    unsigned char args[MP_ARG_MAX];   /* mp_process_args: the argument's bytes */
    size_t args_size;
    int pass_fds[MP_PASS_FDS_MAX];    /* mp_process_pass_fd */
    int npass_fds;
    const struct mp_popen *popen;     /* its start method, once started */
    bool end_unknown;                 /* its forkserver died before saying */
};

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
    int sentinel;                 /* Process.sentinel: readable once the child ended (see join) */
    struct mp_process_lib lib;    /* the library's own */
};

/* Process.exitcode while there is none yet (Python's None): before start, and
 * while the child is still running. */
#define MP_NO_EXITCODE (-1000)

/* Process(target=target, args=(arg,)): names it "Process-N" (N counts the
 * mp_process_init calls, as Python counts Process objects), daemon false,
 * run = mp_process_run. Does not start it. */
void mp_process_init(mp_process *p, int (*target)(void *arg), void *arg);

/* The same, named "KIND-N" as Python names an instance of a subclass
 * (`class MyProcess(Process)` gives "MyProcess-1"; a Pool's workers are
 * "ForkPoolWorker-N"). N is the same count as mp_process_init's. */
void mp_process_init_as(mp_process *p, const char *kind, int (*target)(void *arg),
                        void *arg);

/* Process.run(): the default run, which calls target(arg) and returns what it
 * returns. A "subclass" that overrides run may call it, like super().run(). */
int mp_process_run(mp_process *self);

/* Process.start(): flushes stdout and stderr (else the child would get a copy
 * of whatever is still buffered, and print it a second time), then fork(2)
 * (or, under another start method, spawns the child or asks the forkserver:
 * see "Start methods" below).
 * The child runs p->run(p) and leaves with _exit(status), where status is
 * what run returned (0 to 255). A daemonic child asks the kernel to kill it
 * when its parent dies (Linux: prctl(PR_SET_PDEATHSIG)), so it never outlives
 * a crashed parent either.
 *
 * MP_OK, or MP_ERROR: EINVAL if p was already started, EPERM if
 * the caller is itself daemonic ("daemonic processes are not allowed to have
 * children", Python's rule), EAGAIN if 4096 children are started and not
 * yet joined, or the error of pipe (EMFILE) or fork (EAGAIN: too many
 * processes). */
enum mp_status mp_process_start(mp_process *p);

/* Process.join(timeout): waits until the child ends, then reaps it with
 * waitpid(2) so no zombie is left. Without a timeout (MP_FOREVER) it sleeps
 * in the kernel until then (waitid(2)). With one, it sleeps in poll(2) on the
 * sentinel: a pipe whose write end only the child holds, so it becomes
 * readable (end of file) when the child is gone, or when the timeout runs
 * out. MP_OK once the child has ended (and is reaped: see exitcode);
 * MP_TIMEOUT if the timeout ran out first (the child is still running: join
 * again later); MP_ERROR if p was never started (EINVAL), or is not a child
 * of the calling process (ECHILD: e.g. a sibling, whose mp_process came with
 * the fork; only a parent can wait for its child), or its end could not be
 * learnt (its forkserver died). (Python refuses the sibling too: "can only
 * join a child process".)
 *
 * The sentinel (Process.sentinel) becomes readable, at end of file, once no
 * process holds the write end any more: when the child has ended, unless
 * the child forked a process of its own with plain fork(2), which inherits
 * the write end and holds it for as long as it lives (children started with
 * mp_process_start close it). join does not rely on it alone: it also asks
 * waitpid at least every 100 ms. */
enum mp_status mp_process_join(mp_process *p, double timeout);

/* Process.is_alive(): started, and not ended yet (waitpid with WNOHANG). */
bool mp_process_is_alive(mp_process *p);

/* Process.exitcode: MP_NO_EXITCODE while running or before start; else the
 * child's exit status (0 to 255), or -N if signal N ended it (as in Python:
 * -15 after terminate, -9 after kill). */
int mp_process_exitcode(mp_process *p);

/* Process.terminate() sends SIGTERM, Process.kill() SIGKILL. They do not
 * wait: join afterwards. Sending to a process that has already ended is not
 * an error. MP_OK, or MP_ERROR. */
enum mp_status mp_process_terminate(mp_process *p);
enum mp_status mp_process_kill(mp_process *p);

/* multiprocessing.current_process().name: "MainProcess" in the program you
 * started, the mp_process's name in a child. */
const char *mp_current_process_name(void);

/*
 * Start methods: how a new process comes to be (multiprocessing's
 * set_start_method). Python 3.14 made "forkserver" its default on Linux;
 * macOS has used "spawn" since Python 3.8, Windows has nothing else.
 *
 *   "fork"        fork(2): the child is a copy of the parent, with every
 *                 global, every pointer and every lock as they were at that
 *                 instant (the default here, and Python's before 3.14).
 *   "spawn"       the program's own executable is started again (posix_spawn
 *                 of /proc/self/exe), a new program that shares nothing with
 *                 its parent; the library sends it which target to run, by
 *                 name, and the argument's bytes, through a pipe.
 *   "forkserver"  on first use the library spawns a server (the program again,
 *                 in a clean state: no threads, nothing the main has set up
 *                 since); each new process is forked by that server on
 *                 request over a Unix socket, which also carries the
 *                 descriptors the child needs (SCM_RIGHTS), as Python's does.
 *
 * Under spawn and forkserver a child is a new program, so:
 *   - its target is found by name: register every target with MP_TARGET
 *     before mp_main_guard (Python pickles a function by its qualified name,
 *     and the child imports it; a function pointer means nothing in another
 *     program, whose addresses are randomised);
 *   - its argument travels as bytes: give it with mp_process_args (copied,
 *     at most MP_ARG_MAX bytes), as Python pickles the args; a plain pointer
 *     cannot be sent;
 *   - it sees none of main's globals as main changed them, only as the
 *     program starts them (the library sends the tick, the process's name
 *     and daemon flag, and the start method itself);
 *   - shared memory must be handed over: a queue by its descriptor
 *     (mp_queue_fd, mp_process_pass_fd, then mp_queue_attach in the child);
 *     the library's own (the timeline's table, the flag that says output
 *     failed) it hands over itself, to every child it starts;
 *   - a "subclass" is found by its run, and its own fields travel as bytes:
 *     register it with MP_CLASS (Python pickles an instance: its class by
 *     name, its attributes by value);
 *   - a pool's tasks are found by name too: register them with MP_TASK
 *     before mp_main_guard (see the pool layer).
 * join, is_alive, exitcode, terminate, daemon, Ctrl-C and the exit hook work
 * as under fork. A forkserver child is the server's child, not ours: the
 * server waits for it and sends its exit status back over the child's own
 * socket, which is then its sentinel (readable once the child ended).
 */

/* multiprocessing.set_start_method(method): "fork", "spawn" or "forkserver"
 * for the processes started from now on. MP_ERROR (EINVAL, "cannot find context
 * for 'x'") for any other name. */
enum mp_status mp_set_start_method(const char *method);

/* multiprocessing.get_start_method(): the method now in use. */
const char *mp_get_start_method(void);

/* --start-method NAME, for a demo's option table, and what it was given
 * ("fork" unless given). After mp_parse_args, mp_start_method_setup sets
 * it, or refuses a name that is not a method (one line, then the usage,
 * exit 2). */
extern const char *mp_start_method_name;
#define MP_START_METHOD_OPTION                                                    \
    { "--start-method", MP_OPT_TEXT, &mp_start_method_name, 0, 0, "NAME",         \
      "how children start: fork (the default), spawn or forkserver" }
void mp_start_method_setup(void);

/* Registers target under name, so that a spawned or forkserver child can
 * find it: MP_TARGET(work) registers work as "work". Call it for every
 * target at the top of main, before mp_main_guard: that part of main runs
 * in every new program too, as a Python module's top level (its `def`s)
 * runs again in a spawned child. At most 64 targets. MP_OK, or MP_ERROR
 * (ENOSPC) when the table is full. Starting a process whose target is not
 * registered fails under spawn and forkserver with Python's words: "Can't
 * pickle <function at 0x...>: attribute lookup on __main__ failed". */
enum mp_status mp_register_target(const char *name, int (*target)(void *arg));
#define MP_TARGET(fn) mp_register_target(#fn, fn)

/* Registers a "subclass" (a struct whose first member is an mp_process,
 * with its own run: see mp_process above) under its run's name, with the
 * size of its struct: MP_CLASS(struct my_process, my_run). Under spawn and
 * forkserver, starting one sends the class's name and the bytes of the
 * struct after its mp_process (at most MP_ARG_MAX); the new program makes
 * a struct of that size, copies them in, and calls run on it. So its
 * fields must be bytes that mean the same in another program: a char
 * array, not a pointer to a string. Like MP_TARGET, before mp_main_guard;
 * at most 16 classes. MP_OK, or MP_ERROR (EINVAL: fields too big; ENOSPC).
 * Starting a subclass that is not registered fails with "Can't pickle its
 * own run". */
enum mp_status mp_register_class(const char *name, int (*run)(mp_process *self), size_t size);
#define MP_CLASS(type, run) mp_register_class(#run, run, sizeof(type))

/* The C `if __name__ == '__main__':`. Call it at the top of main, after the
 * MP_TARGETs: in the program you started it returns at once, and main goes
 * on. In a program the library started (a spawned child, or the forkserver)
 * it never returns: it runs the target (or serves) and exits, so the rest of
 * main - the part Python puts under the guard - never runs there. A program
 * that starts a process in a spawned child before this call (as a Python
 * script without the guard does at import) gets Python's error: "An attempt
 * has been made to start a new process before the current process has
 * finished its bootstrapping phase." (Python's freeze_support() is the same
 * call for frozen Windows programs.) */
void mp_main_guard(void);

/* Process(args=(...)) as bytes: copies size bytes (at most MP_ARG_MAX) into
 * p->args and points p->arg at the copy. The child's target gets a pointer
 * to its own copy of the same bytes, under every start method. MP_OK, or
 * MP_ERROR (E2BIG). */
enum mp_status mp_process_args(mp_process *p, const void *bytes, size_t size);

/* Hands descriptor fd to the child under the same number (inherited under
 * spawn, sent with SCM_RIGHTS under forkserver; under fork the child has it
 * anyway). At most MP_PASS_FDS_MAX. MP_OK, or MP_ERROR (E2BIG). */
enum mp_status mp_process_pass_fd(mp_process *p, int fd);

/*
 * What happens when the program ends, as in Python (multiprocessing.util.
 * _exit_function, run at interpreter exit):
 *   - when main returns or anything calls exit(), daemonic children get
 *     SIGTERM (and SIGKILL after a second, should one ignore SIGTERM) and
 *     are reaped, and non-daemonic children are joined: the program only
 *     ends after them. If any process of the program could not write its
 *     output (mp_print), the program's exit status is 1;
 *   - on SIGINT (Ctrl-C), SIGTERM, SIGHUP or SIGPIPE (a write to a pipe
 *     whose reader has gone, as in `demo | head -1`) the library sends every
 *     child SIGTERM (SIGKILL to any still there after a second), reaps them
 *     all, then lets the signal end the program as it would have (status 130
 *     for Ctrl-C). Better than Python: no child is left behind even if only
 *     the parent got the signal. (Installed by the first mp_process_start,
 *     and only where the signal's action was the default: a program that
 *     handles SIGINT itself keeps its handler.)
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
 * holding one of the queue's locks: Python documents that its queue may then
 * be corrupted; this one is not, and the others never stay blocked because
 * of it (at worst, one wakes up to a second late). The locks are robust
 * mutexes (the kernel hands a lock on, saying its holder died; a process
 * asleep on one looks at it again every 10 ms, as a death at the wrong
 * moment can leave it asleep on a free lock), and put and
 * get copy the item first, then commit with one store, so the queue is
 * whole at every instant. A put cut short leaves no item, not even half a
 * one; a get cut short leaves its item in the queue, unless it had already
 * been handed over (then it is lost with the process that had it). The
 * other processes are told nothing: their calls go on and return MP_OK,
 * MP_TIMEOUT or MP_CLOSED as usual, because nothing went wrong for them.
 * (Learning that a worker died is the process layer's job: its exitcode.)
 *
 * Underneath: two robust, process-shared pthread mutexes, one that producers
 * take turns on and one that consumers take turns on, so that a producer and
 * a consumer never wait for each other; the two counts (items put, items
 * taken) are C11 atomics, through which the two ends see each other; and
 * two process-shared POSIX semaphores wake processes that wait. A process
 * that finds the queue empty (in get) or full (in put) looks again for up to
 * 50 microseconds, holding its end's lock, while a process at the other end
 * is awake: after a short pause if that one runs on another CPU, after a
 * sched_yield if it shares ours (so another call at its end, even one with
 * timeout 0, may wait that long for the lock); then it sleeps without the
 * lock. Yields are timed, and dropped for a while when a program computing
 * beside us takes the CPU for whole time slices. lib/queue.c explains each
 * choice, and why not condition variables. These need Linux (or another
 * system with robust mutexes and unnamed POSIX semaphores; macOS has
 * neither). */
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

/* Batches (no Python twin; the idea is Pool's chunksize): put_many puts the
 * n items at items (n * item_size bytes, in order), waiting while the queue
 * is full; get_many waits as get does until there is at least one item, then
 * takes what is there, up to max, into items. Each moves as many items as
 * it can under one lock and one commit, so the locking, the commit and any
 * wake-up are paid once per batch rather than once per item. Each item is
 * still taken exactly once, and a process killed in either call leaves the
 * queue whole, as with put and get. The items of one put_many stay in
 * order, but another producer's may come between them when the queue
 * fills. *put (may be NULL) says how many items went in: n with MP_OK,
 * fewer with MP_TIMEOUT, MP_CLOSED or MP_ERROR (n == 0 puts nothing:
 * MP_OK). *got says how many came out: at least 1 with MP_OK, 0 otherwise;
 * max == 0 is an error (MP_ERROR, EINVAL). */
enum mp_status mp_queue_put_many(mp_queue *q, const void *items, size_t n, size_t *put,
                                 double timeout);
enum mp_status mp_queue_get_many(mp_queue *q, void *items, size_t max, size_t *got,
                                 double timeout);

/* Queue.qsize(), Queue.empty(), Queue.full(): read without a lock, so they
 * never wait and never fail. Exact while nobody else uses the queue;
 * otherwise a moment's picture, which another process may change the next
 * moment, so never decide with them whether to call get (the seed's `while
 * not q.empty(): q.get()` race: two workers both see one item left, one
 * gets it, the other waits in get for ever). */
size_t mp_queue_qsize(mp_queue *q);
bool mp_queue_empty(mp_queue *q);
bool mp_queue_full(mp_queue *q);

/* Closes the queue for every process sharing it: put returns MP_CLOSED from
 * now on; get drains what is left, then returns MP_CLOSED; every process
 * waiting in put or get wakes up. (Python's Queue.close only closes the
 * calling process's end; this is the "no more items" signal workers need.)
 * Closing twice is harmless. MP_OK, or MP_ERROR if the producers' lock failed (then
 * nothing was closed; mp_last_error() says why). */
enum mp_status mp_queue_close(mp_queue *q);

/* The queue's memory is a memfd (an anonymous file), so it can reach a
 * process started with spawn or forkserver: mp_queue_fd gives the
 * descriptor (pass it with mp_process_pass_fd and put its number in the
 * argument's bytes), and the child maps the same memory with
 * mp_queue_attach(fd): another address, the very same queue. NULL with
 * errno set if fd holds no queue or cannot be mapped. */
int mp_queue_fd(const mp_queue *q);
mp_queue *mp_queue_attach(int fd);

/* Unmaps the queue in the calling process. Every process that got it through
 * fork holds its own mapping; the memory is freed when the last one goes.
 * (The main program frees it too, after joining its children, so that a leak
 * checker finds nothing left.) */
void mp_queue_free(mp_queue *q);

/* ======================================================================== */
/* pool                                                                     */
/* ======================================================================== */

/* multiprocessing.Pool: a fixed team of worker processes, started once at
 * mp_pool_new, that run your function on the items you give them.
 *
 * A task is a C function that reads one input item and writes one output
 * item, both of fixed sizes (Python pickles any object; C copies bytes):
 *
 *     static int square(const void *in, void *out)
 *     {
 *         long x = *(const long *)in;
 *         *(long *)out = x * x;
 *         return 0;              // 0: done; anything else: this item failed
 *     }
 *
 * How the work travels: the parent copies the input items into task slots,
 * memory that the pool mapped MAP_SHARED (a memfd) before starting its
 * workers, each of which maps the same memory, so they see every byte
 * written there; then it puts a small description of each task (which
 * function, which slot, which items) on an mp_queue; a worker takes it,
 * runs the function on each item, writes the outputs into the same slot
 * and puts a small "done" on a second mp_queue; the parent copies the
 * outputs out.
 *
 * Which function: under fork, a plain pointer, since a forked worker runs
 * the same program at the same addresses. Under spawn and forkserver a
 * worker is a new program, whose addresses are randomised: the function
 * travels by name, as Python pickles it by its qualified name and the
 * worker looks it up. So register every task with MP_TASK at the top of
 * main, before mp_main_guard (see the process layer's start methods):
 *
 *     int main(int argc, char **argv)
 *     {
 *         MP_TASK(square);       // also registers the pool's worker
 *         mp_main_guard();       // a spawned worker stops here, and works
 *         ...
 *
 * The workers themselves are started by the start method in use when the
 * pool is made, and so is a worker started again after a crash (Python's
 * Pool keeps its context). Every guarantee below holds under all three.
 *
 * Differences from Python, on purpose:
 *   - The parent stays single-threaded. Python's Pool runs three threads in
 *     the parent (to hand out tasks, collect results, replace workers); a
 *     program that forks while other threads run can leave a lock held for
 *     ever in the child (the fork copies only the calling thread). Here that
 *     work is done by the caller, inside the pool calls: get, wait, ready,
 *     join, map and apply. So callbacks run in your own thread, inside one of
 *     those calls, and must not wait on the pool themselves. At most 1024
 *     tasks are handed to the workers at once; the rest of a big
 *     map_async / many apply_async calls are handed out as earlier tasks
 *     finish, while you are in one of those calls.
 *   - A worker that crashes (SIGSEGV...) or is killed (SIGKILL) fails only the
 *     item it was running, with an error naming the worker's PID and the
 *     signal; the pool starts a new worker and every other item still runs.
 *     CPython's Pool waits for ever in that case (python/cpython issue 66587).
 *     No item is lost and none runs twice, even for a worker killed inside
 *     mp_queue_get, when the task may be still in the queue or already gone
 *     with it: each sending of a task has a number, and a worker claims it
 *     (one compare-and-swap on the slot's claim word in shared memory)
 *     before it reads or writes the slot. When a worker dies without having
 *     claimed the sending it held, the parent takes the sending back the
 *     same way and sends the task anew under a new number; the old copy, if
 *     it was still in the queue, can no longer be claimed, and the worker
 *     that gets it drops it. So a slot is written only by the worker that
 *     owns its current sending, never by a stale copy after the slot went
 *     to another call.
 *   - A map does not stop at the first failed item: every other item still
 *     runs and gets its output; the call fails with the error of the first
 *     failed item (Python keeps only that error, and no results). A failed
 *     item's output is set to zero bytes.
 *   - Items of one task: Python cuts a map into chunks of chunksize items,
 *     and each chunk is one task. So does this pool, but one task slot holds
 *     16 KiB of inputs and outputs, so a bigger chunk travels as several
 *     tasks (for 8-byte inputs and outputs: 1023 items each). One input
 *     item plus one output item may take up to 16 KiB - 16 bytes.
 *
 * The workers are daemonic (so no worker outlives the program, and on Linux
 * none outlives a crashed parent) and ignore SIGINT: Ctrl-C reaches every
 * process of the terminal's process group, and is handled once, by the
 * parent, which ends the workers (see the process layer). When the program
 * ends (main returns, exit) with pools still running, their workers are
 * terminated, as Python's are; if tasks were still waiting or running, one
 * warning line on stderr says how many were dropped.
 */
typedef struct mp_pool mp_pool;

/* multiprocessing.pool.AsyncResult: what map_async and apply_async return. */
typedef struct mp_async mp_async;

/* A task: reads the item at in, writes its result at out; returns 0, or an
 * error code of your choice that makes this item fail. */
typedef int (*mp_task)(const void *in, void *out);

/* callback=...: called once the whole call succeeded, with the arg you gave;
 * the outputs are in your out array by then. */
typedef void (*mp_callback)(void *arg);

/* error_callback=...: called once the whole call ended with an item failed,
 * with the error in words (the first failed item's) and the arg you gave. */
typedef void (*mp_error_callback)(const char *error, void *arg);

/* Registers fn as a pool task under name, so that a worker that is a new
 * program (spawn, forkserver) can find it: MP_TASK(square) registers square
 * as "square". Call it for every task at the top of main, before
 * mp_main_guard: that part of main runs in every new program too. The first
 * call also registers the pool's own worker as a target (mp_register_target,
 * named "PoolWorker"), so that registering the tasks before the guard
 * registers the worker too. At most 64 tasks, names of at most
 * MP_TASK_NAME_MAX characters. MP_OK (also for the same name and
 * function again), or MP_ERROR: ENAMETOOLONG, EEXIST (the name is another
 * function's), ENOSPC (the table is full), EINVAL (no name or function).
 * Under fork registering is harmless and not needed.
 *
 * A map or apply of a function not registered, under spawn or forkserver,
 * fails at once (MP_ERROR, or NULL for the async calls) in Python's words:
 * "Can't pickle <function at 0x...>: attribute lookup on __main__ failed".
 * A name the worker does not know (registered in the parent only after
 * mp_main_guard) fails the items it was given, naming it: "Can't get
 * attribute 'name' on <module '__main__'>". */
#define MP_TASK_NAME_MAX 31
enum mp_status mp_register_task(const char *name, mp_task fn);
#define MP_TASK(fn) mp_register_task(#fn, fn)

/* How many workers a pool may have: 1 to MP_POOL_MAX_WORKERS. */
#define MP_POOL_MAX_WORKERS 256

/* Pool(processes): starts the workers now (forks them, under the default
 * start method), each a daemonic mp_process named as Python names them:
 * "ForkPoolWorker-N", "SpawnPoolWorker-N" or "ForkServerPoolWorker-N".
 * processes 0 means one per online CPU (Python's Pool(None),
 * os.cpu_count()), capped at MP_POOL_MAX_WORKERS.
 * Returns NULL with errno set: EINVAL if processes is below 0 or above
 * MP_POOL_MAX_WORKERS (Python: ValueError), or under spawn and forkserver
 * if no task was registered with MP_TASK (so neither was the worker: each
 * would die at its start), EPERM in a daemonic process (a pool worker
 * included: they may not have children, as in Python), or why the memory
 * or a worker's start could not be had (no worker is left running then). */
mp_pool *mp_pool_new(int processes);

/* Pool.map(fn, in, chunksize): runs fn on each of the n items of in
 * (in_size bytes each) and writes the n results to out (out_size bytes each),
 * in input order, whichever worker ran which. Blocks until all are done.
 * chunksize 0 means Python's default: n / (4 * workers), rounded up; ask
 * mp_pool_chunksize() which one was used. Returns MP_OK, or MP_ERROR if an
 * item failed (its task returned non-zero, or its worker died: mp_last_error()
 * says which item and why; every other output is still written) or the pool
 * is not running (closed or terminated: Python's "Pool not running"). */
enum mp_status mp_pool_map(mp_pool *pool, mp_task fn, const void *in, size_t n,
                           size_t in_size, void *out, size_t out_size, size_t chunksize);

/* Pool.map_async(fn, in, chunksize, callback, error_callback): as map, but
 * returns at once with a result to get() later (NULL if the pool is not
 * running). The input items are copied now; out must stay valid until the
 * result is ready. callback, error_callback and arg may be NULL. */
mp_async *mp_pool_map_async(mp_pool *pool, mp_task fn, const void *in, size_t n,
                            size_t in_size, void *out, size_t out_size, size_t chunksize,
                            mp_callback callback, mp_error_callback error_callback, void *arg);

/* The chunksize the last map or map_async on this pool used (0 before any,
 * and for an empty map, as in Python). */
size_t mp_pool_chunksize(const mp_pool *pool);

/* Pool.apply(fn, args): runs fn once, on one item, in one worker, and blocks
 * until it ran. MP_OK, or MP_ERROR as for map. */
enum mp_status mp_pool_apply(mp_pool *pool, mp_task fn, const void *in, size_t in_size,
                             void *out, size_t out_size);

/* Pool.apply_async(fn, args, callback, error_callback): as apply, but returns
 * at once with a result to get() later (NULL if the pool is not running).
 * The input item is copied now; out must stay valid until the result is
 * ready. */
mp_async *mp_pool_apply_async(mp_pool *pool, mp_task fn, const void *in, size_t in_size,
                              void *out, size_t out_size, mp_callback callback,
                              mp_error_callback error_callback, void *arg);

/* AsyncResult.get(timeout): waits until every item of the call is done.
 * MP_OK: all succeeded, the outputs are in out. MP_TIMEOUT: not done yet
 * (Python's multiprocessing.TimeoutError; call get again later). MP_ERROR:
 * an item failed or the pool was terminated first; mp_last_error() says
 * which and why. Runs callbacks that are due, of this and other calls. */
enum mp_status mp_async_get(mp_async *result, double timeout);

/* AsyncResult.wait(timeout): waits like get, returns whether it is ready
 * (Python returns None; ask ready() there). */
bool mp_async_wait(mp_async *result, double timeout);

/* AsyncResult.ready(): whether the call has finished, well or not. Does not
 * wait, but collects what the workers have finished so far. */
bool mp_async_ready(mp_async *result);

/* AsyncResult.successful(): MP_OK if the call finished and every item
 * succeeded, MP_ERROR if it finished with an item failed (mp_last_error()
 * says which), MP_TIMEOUT (errno EAGAIN) if it has not finished yet (Python
 * raises ValueError). */
enum mp_status mp_async_successful(mp_async *result);

/* Frees a result (Python: when the last reference goes). Freeing one that is
 * not ready does not stop its tasks; their outputs and callbacks are
 * dropped, and out is no longer written. */
void mp_async_free(mp_async *result);

/* Pool.close(): no new calls; the work already given still runs. */
void mp_pool_close(mp_pool *pool);

/* Pool.join(): waits until every call given to the pool has finished and
 * every worker has ended. Only after close (or terminate): on a running pool
 * it returns MP_ERROR with errno EINVAL ("pool is still running", Python's
 * ValueError). MP_OK once done. */
enum mp_status mp_pool_join(mp_pool *pool);

/* Pool.terminate(): ends the workers now (SIGTERM, then SIGKILL for any
 * still there after a second) and reaps them. Calls not finished fail: their
 * get returns MP_ERROR ("the pool was terminated"); no callback runs. */
void mp_pool_terminate(mp_pool *pool);

/* Terminates the pool if it still has workers, and frees it (Python: del
 * pool, or leaving `with Pool() as pool:`). Results you still hold stay
 * yours to free. */
void mp_pool_free(mp_pool *pool);

/* ======================================================================== */
/* timeline                                                                 */
/* ======================================================================== */

/* Who was busy when, drawn after the run. (No Python counterpart in
 * multiprocessing; a tracing profiler such as viztracer draws the same.)
 *
 * Every process marks its busy spans; the library writes each span (the
 * role you give, the job it works on, the process's PID, start and end on
 * the monotonic clock, which is the same clock in every process) into a
 * table in shared memory, created by mp_timeline_init *before* the children
 * start, so every child writes into the same table: a forked child through
 * the mapping it inherits, a new program (spawn, forkserver) by mapping
 * the descriptor the library hands it, at its first span.
 * A span takes its slot with one atomic add on a shared counter
 * (<stdatomic.h>): no lock, so no process ever waits for another, whatever
 * they are doing. The table holds MP_TIMELINE_MAX_SPANS spans; once it is
 * full, further spans are not recorded but counted, and the chart says how
 * many are missing.
 *
 * A demo takes the timeline's options with the others, marks its spans
 * unconditionally, and draws what the options ask for at the end; without
 * the options every timeline call does nothing:
 *
 *     const struct mp_option options[] = {
 *         MP_TIMELINE_OPTIONS,
 *         { NULL }
 *     };
 *     mp_parse_args(argc, argv, options, NULL, "...");
 *     if (mp_timeline_setup(argc, argv, MP_TIMELINE_TICKS) != MP_OK)
 *         mp_die("timeline: %s", mp_last_error());
 *     ...                            in any process:
 *     mp_timeline_begin("p1", "music");
 *     mp_sleep_ticks(5);             the busy work
 *     mp_timeline_end();
 *     ...                            in the main, once the children are joined:
 *     mp_timeline_show();
 *
 * A pool's workers are charted the same way: set up the timeline before
 * mp_pool_new, and let the task function mark its span (it runs in the
 * worker), so each worker that ran a task gets a row, as in pool_map and
 * pool_apply. The pool marks nothing itself: it comes before this layer on
 * this page, and only your task knows what its work is. One span per item:
 * a map over more items than the table holds draws the first ones only.
 *
 * The scale. So that two charts can be compared at a glance, a column stands
 * for a fixed time: by default a fifth of a tick (the seed's ten-tick serial
 * run then takes 50 columns, parallel's five ticks 25), or what
 * --timeline-scale says. A run too long for the 56 columns a chart has is
 * drawn 2, 3, ... times coarser, and the chart says so. Demos whose work
 * takes no ticks (a download, a task that only prints) fit the chart to the
 * run instead, unless --timeline-scale is given.
 */
#define MP_TIMELINE_MAX_SPANS 4096

/* What the timeline options ask for; MP_TIMELINE_OPTIONS fills it in. */
struct mp_timeline_options {
    bool draw;          /* --timeline: the chart on standard output */
    const char *svg;    /* --timeline-svg FILE: the same chart as an SVG picture */
    double scale;       /* --timeline-scale SECONDS: one column; 0 = the default */
};
extern struct mp_timeline_options mp_timeline_options;

/* The three options, for a demo's option table (see above). */
#define MP_TIMELINE_OPTIONS                                                       \
    { "--timeline", MP_OPT_FLAG, &mp_timeline_options.draw, 0, 0, NULL,           \
      "after the run, draw which process was busy when" },                        \
    { "--timeline-svg", MP_OPT_TEXT, &mp_timeline_options.svg, 0, 0, "FILE",      \
      "the same chart as an SVG picture, written to FILE" },                      \
    { "--timeline-scale", MP_OPT_SECONDS, &mp_timeline_options.scale, 1e-6, 3600, \
      "SECONDS", "one column of the chart lasts SECONDS" }

/* True if --timeline or --timeline-svg was given. */
bool mp_timeline_asked(void);

/* The chart's scale unless --timeline-scale sets one: a fifth of a tick, so
 * charts of one tick compare, or fitted to the run. */
enum mp_timeline_scale { MP_TIMELINE_TICKS, MP_TIMELINE_FIT };

/* After mp_parse_args: if --timeline or --timeline-svg was given, checks
 * that the picture's directory can be written (so a bad FILE fails before
 * the run, not after it), remembers the command line for the picture's
 * title and calls mp_timeline_init; else does nothing. MP_OK, or MP_ERROR
 * with errno set and mp_last_error() naming the file. */
enum mp_status mp_timeline_setup(int argc, char **argv, enum mp_timeline_scale scale);

/* Maps the shared span table (a memfd) and starts the clock the chart
 * counts from. Call it in the main program, before starting the processes
 * to chart. MP_OK, or MP_ERROR (EINVAL if it was already
 * called, or the error of memfd_create or mmap). */
enum mp_status mp_timeline_init(void);

/* Marks the calling process busy from now on with job, in the row labelled
 * with role. role is a short word such as "main", "p1" or "worker", shown
 * with the PID (a process's row takes the role of its first span); job (at
 * most 15 characters, or NULL) says what it works on: the chart draws the
 * span with the job's first letter (the next free letter if another job has
 * it) and names it in a legend. A span already open in this process is
 * ended first: spans do not nest. A child does not inherit its parent's
 * open span. */
void mp_timeline_begin(const char *role, const char *job);

/* Called in the parent right after starting process pid: marks pid busy
 * from now on, until pid's own first mp_timeline_begin. A child that is
 * ended before it marks anything itself (a daemonic child at exit) still
 * gets its row, drawn cut short. */
void mp_timeline_begin_for(pid_t pid, const char *role, const char *job);

/* Ends the calling process's open span (if any). */
void mp_timeline_end(void);

/* Draws the chart on standard output, at most 80 columns wide: one row per
 * process that marked a span, in the order they first got busy, its job's
 * letter where busy, a time axis in s, ms or µs, the legend and the scale.
 * Call it once the charted processes have ended (joined): a span still
 * open then - its process was killed in the middle of it - is drawn up to
 * the moment of drawing and ends in '>'. */
void mp_timeline_print(void);

/* Writes the same chart as an SVG picture to path: a row per process with
 * its role and PID, a bar per span coloured by job, the legend, the time
 * axis and a title naming the demo and its options. The picture is written
 * to a temporary file next to path, then renamed: path is never left half
 * written. MP_OK, or MP_ERROR with mp_last_error() saying why. */
enum mp_status mp_timeline_write_svg(const char *path);

/* At the end of a demo: what the options asked for. The chart if
 * --timeline, the picture if --timeline-svg (a picture that cannot be
 * written ends the program through mp_die), then mp_timeline_free. */
void mp_timeline_show(void);

/* Unmaps the table in the calling process and closes its descriptor
 * (each child's mapping goes when the child ends). */
void mp_timeline_free(void);

#endif /* MP_H */
