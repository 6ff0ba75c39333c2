/* SPDX-License-Identifier: MIT */
/*
 * mp.h - forklore's helper library: Python's multiprocessing, re-built on fork.
 *
 * The course's API reference, one page: each call mirrors the Python call it
 * is named after, and says in a few lines what the OS does underneath. The
 * layers, each using only those above it on this page:
 *
 *   util      clock, tick-scaled sleep, whole-line output, errors, options
 *   process   mp_process    ~ multiprocessing.Process
 *   shared    mp_value, mp_lock, mp_conn ~ Value, Array, Lock, Pipe
 *   queue     mp_queue      ~ multiprocessing.Queue
 *   pool      mp_pool       ~ multiprocessing.Pool
 *   timeline  who was busy when, drawn after the run
 *   start methods (last): spawn and forkserver, and what they need
 * lib/README.md says in which order to read the .c files behind them.
 *
 * Conventions, everywhere:
 *   - A timeout is in seconds; MP_FOREVER (any negative value) waits forever,
 *     0 does not wait at all (Python's block=False).
 *   - A call that can fail returns an enum mp_status: MP_OK, or MP_ERROR
 *     (and, where it waits, MP_TIMEOUT or MP_CLOSED); a call that makes
 *     something returns it, or NULL. mp_last_error() then says what went
 *     wrong, in words (errno is set too). Python raises an exception in each
 *     of these cases. A question (is_alive, empty, ready) returns a bool.
 *   - A child starts as a copy of its parent (the "fork" start method, the
 *     default here), sharing nothing but what was mapped MAP_SHARED before
 *     the fork.
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

/* ==== util =============================================================== */

/* time.monotonic(): seconds on CLOCK_MONOTONIC, which never jumps back. */
double mp_now(void);

/* The seed's "one second", set with --tick (default 1; the tests use 0.02);
 * a lesson that never sleeps sets mp_tick_option false first. */
extern double mp_tick;
extern bool mp_tick_option;

/* time.sleep(seconds), and time.sleep(ticks * mp_tick): the whole time,
 * even if a signal interrupts nanosleep(2). */
void mp_sleep(double seconds);
void mp_sleep_ticks(double ticks);

/* print(...): one line, in one write(2): never printed twice after fork,
 * lost with a killed process or torn by another's line. A line that cannot
 * be written ends the process with status 1, as Python's print raises (the
 * first process to find out says "prog: standard output: why"). */
void mp_print(const char *fmt, ...) MP_PRINTF(1, 2);

/* print(result) for whole numbers, as Python prints a list: "[1, 4, 9]".
 * MP_ERROR (ENOMEM, nothing printed) if the line's memory cannot be had. */
enum mp_status mp_print_list(const long *values, size_t n);

/* The program's name in every message; set by mp_parse_args. */
extern const char *mp_prog;

/* "prog: message" on standard error; mp_die then exits with status 1 (in a
 * child, with _exit: no parent's atexit handler, no stdio copied at fork). */
void mp_warn(const char *fmt, ...) MP_PRINTF(1, 2);
_Noreturn void mp_die(const char *fmt, ...) MP_PRINTF(1, 2);

/* What the last failed call went wrong with, in words. */
const char *mp_last_error(void);

/* gettext's _("text"): Chinese (demos/zh/NAME.po) if LANGUAGE, else LC_ALL,
 * LC_MESSAGES or LANG, says "zh". N_("text"): for mp_die, mp_warn,
 * mp_usage_error and --help, which translate themselves. */
const char *mp_gettext(const char *msgid) __attribute__((format_arg(1)));
#define _(msgid) mp_gettext(msgid)
#define N_(msgid) msgid

/* Command-line options, Python's argparse in miniature. A demo's table:
 *
 *     long items = 4;
 *     const struct mp_option options[] = {
 *         { "--items", MP_OPT_INT, &items, 1, 100000, "N", "how many items" },
 *         { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }      (the end)
 *     };
 *     mp_parse_args(argc, argv, options, NULL, "What the demo shows.");
 *
 * --tick and --help are built in. Bad input is one line naming the option
 * and the text, then the usage, on stderr: exit 2. --help: exit 0. Returns
 * the index of the first positional argument (args names them, or NULL). */
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

int mp_parse_args(int argc, char **argv, const struct mp_option *options,
                  const char *args, const char *summary);

/* One line naming the problem, then the usage: exit 2. */
_Noreturn void mp_usage_error(const char *fmt, ...) MP_PRINTF(1, 2);

/* ==== process ============================================================ */

/* multiprocessing.Process. Fill one in with mp_process_init, change what you
 * like (daemon, name, run), then mp_process_start.
 *
 * The "subclass" (Python's `class MyProcess(Process): def run(self)`): put an
 * mp_process first in your own struct and point .run at your function; the
 * library calls p->run(p) in the child, and your run casts p back to your
 * struct, which is safe because the mp_process is its first member. */
typedef struct mp_process mp_process;

/* The library's own part of each mp_process: what travels to a new program
 * (see "start methods" at the end of this page), and how it started. */
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
    int sentinel;                 /* Process.sentinel: readable once the child ended */
    struct mp_process_lib lib;    /* the library's own */
};

/* Process.exitcode while there is none yet (Python's None). */
#define MP_NO_EXITCODE (-1000)

/* Process(target=target, args=(arg,)): named "Process-N" (N counts the
 * inits, as Python counts Process objects), daemon false. Starts nothing.
 * mp_process_init_as names it "KIND-N", as Python names a subclass's
 * instance ("MyProcess-1"). */
void mp_process_init(mp_process *p, int (*target)(void *arg), void *arg);
void mp_process_init_as(mp_process *p, const char *kind, int (*target)(void *arg),
                        void *arg);

/* Process.run(): calls target(arg), returns its result; an overriding run
 * may call it, like super().run(). */
int mp_process_run(mp_process *self);

/* Process.start(): flushes stdout and stderr (else the child would print
 * what they hold a second time), then fork(2). The child runs p->run(p) and
 * leaves with _exit(its result, 0 to 255). A daemonic child asks the kernel
 * to kill it when its parent dies (Linux: PR_SET_PDEATHSIG). MP_ERROR:
 * started already (EINVAL), a daemonic caller ("daemonic processes are not
 * allowed to have children", EPERM), or fork's own error (EAGAIN). */
enum mp_status mp_process_start(mp_process *p);

/* Process.join(timeout): sleeps until the child ends (waitid(2); with a
 * timeout, poll(2) on the sentinel, a pipe whose write end only the child
 * holds), then reaps it with waitpid(2), so no zombie is left. MP_OK: it
 * ended. MP_TIMEOUT: still running. MP_ERROR: never started, not our child
 * (a sibling: "can only join a child process"), or its end unknown. */
enum mp_status mp_process_join(mp_process *p, double timeout);

/* Process.is_alive(): started, and not ended yet (waitpid with WNOHANG). */
bool mp_process_is_alive(mp_process *p);

/* Process.exitcode: MP_NO_EXITCODE while it runs; then its exit status, or
 * -N if signal N ended it (-15 after terminate, -9 after kill). */
int mp_process_exitcode(mp_process *p);

/* Process.terminate() sends SIGTERM, Process.kill() SIGKILL; join after.
 * A child that has ended already is not an error. */
enum mp_status mp_process_terminate(mp_process *p);
enum mp_status mp_process_kill(mp_process *p);

/* multiprocessing.current_process().name: "MainProcess", or the child's. */
const char *mp_current_process_name(void);

/* At exit, as Python's util._exit_function: daemonic children get SIGTERM
 * (SIGKILL a second later), the others are joined. Better than Python: on
 * SIGINT (Ctrl-C), SIGTERM, SIGHUP or SIGPIPE every child is ended first,
 * then the program dies of the signal (130 for Ctrl-C). */

/* ==== shared state ======================================================= */

/* multiprocessing.Lock, Value, Array, Pipe: what processes share on purpose.
 * A Lock, Value or Array is memory mapped MAP_SHARED (a memfd), shared by
 * every process started after it was made: a forked child has it; under
 * spawn and forkserver pass its descriptor (mp_lock_fd, mp_value_fd, then
 * mp_process_pass_fd) and map it in the child (mp_lock_attach or
 * mp_value_attach: NULL if fd holds none). Free it in each process. */
typedef struct mp_lock mp_lock;
typedef struct mp_value mp_value;

mp_lock *mp_lock_new(void);    /* Lock(): a robust, process-shared mutex */

/* Lock.acquire(block, timeout); `with lock:` is acquire ... release.
 * MP_OK: held. MP_TIMEOUT: still held by another. MP_ERROR: EDEADLK if this
 * process holds it already (Python's would wait for ever). A holder that
 * died holding it does not keep it (the kernel hands a robust mutex on,
 * EOWNERDEAD): the next acquire gets it, and mp_lock_holder_died() says so
 * until release. The data it guards holds what the dead process stored,
 * perhaps half an update: put it right, then release. (Python's Lock stays
 * held for ever then.) */
enum mp_status mp_lock_acquire(mp_lock *lock, double timeout);
bool mp_lock_holder_died(const mp_lock *lock);

/* Lock.release(). MP_ERROR (EPERM) unless this process holds it: "semaphore
 * or lock released too many times" (Python lets another process release). */
enum mp_status mp_lock_release(mp_lock *lock);
int mp_lock_fd(const mp_lock *lock);
mp_lock *mp_lock_attach(int fd);
void mp_lock_free(mp_lock *lock);

/* Value(typecode, 0), Array(typecode, n): n zeroed items of Python's type
 * ('i' int, 'l' long, 'd' double, 'c' char...), each with its own lock.
 * NULL if no memory, or EINVAL: n 0, "this type has no size". */
mp_value *mp_value_new(char typecode);
mp_value *mp_array_new(char typecode, size_t n);

/* v.value, a[i]: the items themselves, in the shared memory. Loads and
 * stores through the pointer are single instructions, but `+= 1` is three
 * (load, add, store): two processes doing it at once lose updates unless
 * each holds get_lock() around it. (RawValue, lock=False: the same memory,
 * its lock left alone.) */
void *mp_value_ptr(mp_value *v);
size_t mp_value_len(const mp_value *v);           /* len(a): n */
mp_lock *mp_value_get_lock(mp_value *v);          /* v.get_lock() */
int mp_value_fd(const mp_value *v);
mp_value *mp_value_attach(int fd);
void mp_value_free(mp_value *v);

/* One end of a Pipe, Python's Connection: plain data (spawn, forkserver:
 * pass fd, copy the struct into the argument's bytes). */
typedef struct mp_conn {
    int fd;                    /* a socket or one end of a pipe; -1: closed */
    bool readable, writable;   /* Connection.readable, .writable */
} mp_conn;

/* Pipe(duplex): two joined ends. duplex: socketpair(2), both send and
 * receive; else pipe(2): a receives, b sends. A pipe holds 64 KiB (Linux):
 * a send that does not fit waits in write(2) until the reader reads. End of
 * file comes once every copy of the other end is closed: close in each
 * process the ends it does not use. MP_OK, or MP_ERROR (EMFILE). */
enum mp_status mp_pipe(mp_conn *a, mp_conn *b, bool duplex);

/* Connection.send_bytes(buf): its length (4 bytes, as Python's), then the
 * bytes, all of them. MP_OK; MP_CLOSED: no reader left (Python raises
 * BrokenPipeError; no SIGPIPE here); MP_ERROR ("connection is read-only"). */
enum mp_status mp_conn_send(mp_conn *c, const void *buf, size_t len);

/* Connection.recv_bytes(maxlength), with a timeout: one message into buf
 * (at most size bytes), its length to *len. MP_OK; MP_TIMEOUT: none began
 * in time; MP_CLOSED: end of file, every holder of the other end closed it
 * or died (Python: EOFError); MP_ERROR: "bad message length", "got end of
 * file during message", a timeout mid-message (then the connection is closed). */
enum mp_status mp_conn_recv(mp_conn *c, void *buf, size_t size, size_t *len, double timeout);

/* Connection.poll(timeout): MP_OK (a message), MP_CLOSED (end of file), MP_TIMEOUT. */
enum mp_status mp_conn_poll(mp_conn *c, double timeout);

/* Connection.close(): this process's copy of the end; twice is harmless. */
void mp_conn_close(mp_conn *c);

/* ==== queue ============================================================== */

/* multiprocessing.Queue, for items of one fixed size (their bytes are copied
 * in and out: no pickling). Its memory is mapped MAP_SHARED, so a queue made
 * *before* fork is the very same queue in every child. Any number of
 * processes may put and get: each item is taken exactly once, each
 * producer's items come out in its order. A worker stops when get returns
 * MP_CLOSED (main called mp_queue_close) or at a "poison pill" item, as
 * Python's Pool does; never on mp_queue_empty() (see qsize).
 * A process killed in the middle of a call, even holding the queue's lock,
 * leaves it whole, and the others never stay blocked (at worst one wakes a
 * second late): a put cut short leaves no item, a get cut short leaves its
 * item there, unless it had taken it; the others' calls go on as usual (a
 * death shows in the process's exitcode). Python documents that its queue
 * may be corrupted then. lib/queue.c tells how: robust mutexes, semaphores. */
typedef struct mp_queue mp_queue;

/* Queue(maxsize): room for capacity items of item_size bytes (both >= 1).
 * NULL if the memory cannot be had. */
mp_queue *mp_queue_new(size_t item_size, size_t capacity);

/* Queue.put(item, timeout=...): copies the item in, waiting while the queue
 * is full. MP_OK; MP_TIMEOUT (still full); MP_CLOSED (the queue is closed:
 * not put); MP_ERROR. */
enum mp_status mp_queue_put(mp_queue *q, const void *item, double timeout);

/* Queue.get(timeout=...): copies the oldest item out, waiting while the queue
 * is empty. MP_OK; MP_TIMEOUT (still empty); MP_CLOSED once it is closed
 * *and* drained (what was put before close is still handed out); MP_ERROR. */
enum mp_status mp_queue_get(mp_queue *q, void *item, double timeout);

/* Batches (no Python twin; Pool's chunksize idea): one lock and one commit
 * for many items. put_many puts the n items at items, in order, waiting while
 * full; *put (may be NULL) says how many went in. get_many waits as get does,
 * then takes what is there, up to max (>= 1); *got says how many came out. */
enum mp_status mp_queue_put_many(mp_queue *q, const void *items, size_t n, size_t *put,
                                 double timeout);
enum mp_status mp_queue_get_many(mp_queue *q, void *items, size_t max, size_t *got,
                                 double timeout);

/* Queue.qsize(), empty(), full(): read without a lock, never wait or fail; a
 * moment's picture that another process may change the next moment (the
 * seed's `while not q.empty(): q.get()` race: two workers see one item, one
 * gets it, the other waits in get for ever). */
size_t mp_queue_qsize(mp_queue *q);
bool mp_queue_empty(mp_queue *q);
bool mp_queue_full(mp_queue *q);

/* "No more items", for every process (Python's close only closes the caller's
 * end): put returns MP_CLOSED from now on, get drains then returns MP_CLOSED,
 * every waiter wakes. Twice is harmless. MP_OK or MP_ERROR (nothing closed). */
enum mp_status mp_queue_close(mp_queue *q);

/* For spawn and forkserver: the queue's descriptor, to pass to the child
 * (mp_process_pass_fd), which maps the same queue with mp_queue_attach
 * (NULL if fd holds no queue). */
int mp_queue_fd(const mp_queue *q);
mp_queue *mp_queue_attach(int fd);

/* Unmaps the queue in this process (each one maps its own; the memory goes
 * with the last). */
void mp_queue_free(mp_queue *q);

/* ==== pool =============================================================== */

/* multiprocessing.Pool: worker processes, started once by mp_pool_new, that
 * run a task function on the items you give them. A task function reads one
 * input item and writes one output item, both of fixed sizes (Python pickles
 * any object; C copies bytes), and returns 0, or a code of your choice that
 * fails that item. The workers are daemonic mp_processes that ignore SIGINT
 * (Ctrl-C is the parent's to handle); they are terminated when the program
 * ends. How the work travels: the top of lib/pool.c. Unlike Python:
 *   - The parent has no threads (Python's Pool runs three). Their work is done
 *     inside the pool calls that wait (get, wait, ready, join, map, apply), so
 *     callbacks run in the caller, inside one of them.
 *   - A worker that crashes or is killed fails only the item it was running
 *     (the error names its PID and signal) and is replaced; every other
 *     item runs, exactly once. Python's Pool hangs for ever there
 *     (python/cpython issue 66587).
 *   - A map does not stop at the first failed item: every other item still
 *     runs and gets its output (a failed one's is zero bytes).
 *   - Under spawn and forkserver a worker is a new program: a task travels by
 *     name, as Python pickles a function. Register each with MP_TASK at the
 *     top of main, before mp_main_guard (under fork it is harmless). */
typedef struct mp_pool mp_pool;
typedef struct mp_async mp_async;       /* multiprocessing.pool.AsyncResult */
typedef int (*mp_task)(const void *in, void *out);
/* callback=, error_callback=: once the call succeeded, or an item failed. */
typedef void (*mp_callback)(void *arg);
typedef void (*mp_error_callback)(const char *error, void *arg);

/* MP_TASK(square) registers square under the name "square": at most 64
 * names of at most MP_TASK_NAME_MAX characters, one function each. */
#define MP_TASK_NAME_MAX 31
#define MP_TASK(fn) mp_register_task(#fn, fn)
enum mp_status mp_register_task(const char *name, mp_task fn);

/* Pool(processes): starts the workers now, by the start method in use (which
 * the pool keeps), named as Python's: ForkPoolWorker-1... 0: one per CPU.
 * NULL if processes is out of range, under spawn or forkserver if no task is
 * registered, in a daemonic process (a pool's worker too, as in Python), or
 * if a worker cannot start (none is left running then). */
#define MP_POOL_MAX_WORKERS 256
mp_pool *mp_pool_new(int processes);

/* pool.map(fn, in, chunksize): fn on each of the n items of in, the results
 * to out in input order; blocks. chunksize 0: Python's, n / (4 * workers)
 * rounded up (mp_pool_chunksize says which was used). An input plus an output
 * item fit in 16 KiB - 16 bytes. MP_ERROR if an item failed (mp_last_error():
 * the first failed item's error) or the pool is not running. */
enum mp_status mp_pool_map(mp_pool *pool, mp_task fn, const void *in, size_t n,
                           size_t in_size, void *out, size_t out_size, size_t chunksize);
size_t mp_pool_chunksize(const mp_pool *pool);

/* pool.map_async(fn, in, chunksize, callback, error_callback): as map, but
 * returns at once (NULL if it cannot start). in is copied; out must last until
 * the result is ready. Each callback, or NULL, gets arg. */
mp_async *mp_pool_map_async(mp_pool *pool, mp_task fn, const void *in, size_t n,
                            size_t in_size, void *out, size_t out_size, size_t chunksize,
                            mp_callback callback, mp_error_callback error_callback, void *arg);

/* pool.apply(fn, (x,)) and pool.apply_async(...): the same for one item. */
enum mp_status mp_pool_apply(mp_pool *pool, mp_task fn, const void *in, size_t in_size,
                             void *out, size_t out_size);
mp_async *mp_pool_apply_async(mp_pool *pool, mp_task fn, const void *in, size_t in_size,
                              void *out, size_t out_size, mp_callback callback,
                              mp_error_callback error_callback, void *arg);

/* result.get(timeout): MP_OK (outputs in out), MP_TIMEOUT (Python's
 * TimeoutError), or MP_ERROR (an item failed, or the pool was terminated).
 * result.wait(timeout), result.ready(): whether it has finished.
 * result.successful(): MP_OK, MP_ERROR, or MP_TIMEOUT if not ready yet.
 * mp_async_free: one not ready still runs; its outputs are dropped. */
enum mp_status mp_async_get(mp_async *result, double timeout);
bool mp_async_wait(mp_async *result, double timeout);
bool mp_async_ready(mp_async *result);
enum mp_status mp_async_successful(mp_async *result);
void mp_async_free(mp_async *result);

/* pool.close(): no new calls. pool.join(): after close, waits for every call
 * and every worker (MP_ERROR on a running pool). pool.terminate(): ends the
 * workers now (SIGTERM, then SIGKILL); unfinished calls fail. mp_pool_free:
 * terminates, then frees (leaving `with Pool() as pool:`). */
void mp_pool_close(mp_pool *pool);
enum mp_status mp_pool_join(mp_pool *pool);
void mp_pool_terminate(mp_pool *pool);
void mp_pool_free(mp_pool *pool);

/* ==== timeline =========================================================== */

/* Who was busy when, drawn after the run (no Python counterpart; a tracing
 * profiler such as viztracer draws the same). Each process marks its busy
 * spans in a table in shared memory that its children share; the chart has
 * a row per process, the job's letter where it was busy, a time axis, the
 * legend and the scale: a column is a fifth of a tick, so that charts of one
 * tick compare, or the run fitted to 56 columns. Without the options every
 * call does nothing. How it works: lib/timeline.c. */

/* --timeline, --timeline-svg FILE, --timeline-scale SECONDS, for a demo's
 * option table; what they asked for lands in mp_timeline_options. */
struct mp_timeline_options { bool draw; const char *svg; double scale; };
extern struct mp_timeline_options mp_timeline_options;
#define MP_TIMELINE_OPTIONS                                                       \
    { "--timeline", MP_OPT_FLAG, &mp_timeline_options.draw, 0, 0, NULL,           \
      "after the run, draw which process was busy when" },                        \
    { "--timeline-svg", MP_OPT_TEXT, &mp_timeline_options.svg, 0, 0, "FILE",      \
      "the same chart as an SVG picture, written to FILE" },                      \
    { "--timeline-scale", MP_OPT_SECONDS, &mp_timeline_options.scale, 1e-6, 3600, \
      "SECONDS", "one column of the chart lasts SECONDS" }

/* After mp_parse_args: if an option asked, checks that FILE can take a
 * picture (before the run, not after it) and starts the table. MP_OK or
 * MP_ERROR. mp_timeline_asked: whether an option asked. */
enum mp_timeline_scale { MP_TIMELINE_TICKS, MP_TIMELINE_FIT };
enum mp_status mp_timeline_setup(int argc, char **argv, enum mp_timeline_scale scale);
bool mp_timeline_asked(void);

/* In any process: busy with job (drawn with its letter) in the row role,
 * until the next begin or end. begin_for, in the parent: the child pid is
 * busy from its start until its own first begin. */
void mp_timeline_begin(const char *role, const char *job);
void mp_timeline_begin_for(pid_t pid, const char *role, const char *job);
void mp_timeline_end(void);

/* In the main, once the children are joined: what the options asked for
 * (a picture that cannot be written ends the program), then the table freed.
 * Or by hand: init, then print and/or write_svg (MP_OK or MP_ERROR), free. */
void mp_timeline_show(void);
enum mp_status mp_timeline_init(void);
void mp_timeline_print(void);
enum mp_status mp_timeline_write_svg(const char *path);
void mp_timeline_free(void);

/* ==== start methods (lesson 11) ========================================== */

/* How a new process comes to be (multiprocessing.set_start_method):
 *   "fork"        fork(2): a copy of the parent (the default here).
 *   "spawn"       this program's executable started again (posix_spawn),
 *                 told through a pipe which target to run with which bytes.
 *   "forkserver"  a clean server (this program again, started on first use)
 *                 forks each child on request over a Unix socket, which
 *                 also carries its descriptors; it sends back how it ended.
 * Under spawn and forkserver a child is a new program: its target is found
 * by name (MP_TARGET), its argument travels as bytes (mp_process_args), it
 * sees main's globals as the program starts them, shared memory reaches it
 * by descriptor (mp_process_pass_fd), a subclass's fields go as bytes
 * (MP_CLASS), a pool's tasks by name (MP_TASK). Python 3.14 made
 * forkserver its Linux default; macOS and Windows spawn. */

/* set_start_method(method) and get_start_method(). MP_ERROR (EINVAL,
 * "cannot find context for 'x'") for a name that is not a method. */
enum mp_status mp_set_start_method(const char *method);
const char *mp_get_start_method(void);

/* --start-method NAME for a demo's table; after mp_parse_args,
 * mp_start_method_setup sets it, or refuses another name (exit 2). */
extern const char *mp_start_method_name;
#define MP_START_METHOD_OPTION                                                    \
    { "--start-method", MP_OPT_TEXT, &mp_start_method_name, 0, 0, "NAME",         \
      "how children start: fork (the default), spawn or forkserver" }
void mp_start_method_setup(void);

/* Registers target under name (MP_TARGET(work): "work") at the top of
 * main, before mp_main_guard: that part of main runs in every new program,
 * as a module's defs run again in a spawned child. An unregistered target
 * fails at start: "Can't pickle <function at 0x...>: attribute lookup...". */
enum mp_status mp_register_target(const char *name, int (*target)(void *arg));
#define MP_TARGET(fn) mp_register_target(#fn, fn)

/* Registers a "subclass" by its run, with its struct's size:
 * MP_CLASS(struct my_process, my_run). Its fields after the mp_process
 * (at most MP_ARG_MAX bytes) travel as bytes: a char array, not a pointer. */
enum mp_status mp_register_class(const char *name, int (*run)(mp_process *self), size_t size);
#define MP_CLASS(type, run) mp_register_class(#run, run, sizeof(type))

/* The C `if __name__ == '__main__':`, after the MP_TARGETs. In the program
 * you started it returns at once; in one the library started it runs the
 * child (or the forkserver) and never returns. Starting a process before
 * it there is Python's "...before the current process has finished its
 * bootstrapping phase" error. */
void mp_main_guard(void);

/* Process(args=(...)) as bytes (at most MP_ARG_MAX): copied into p, and
 * p->arg points at the copy; the child gets its own copy under every
 * method. And a descriptor the child must have under the same number (at
 * most MP_PASS_FDS_MAX). MP_ERROR: E2BIG. */
enum mp_status mp_process_args(mp_process *p, const void *bytes, size_t size);
enum mp_status mp_process_pass_fd(mp_process *p, int fd);

#endif /* MP_H */
