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

/* ======================================================================== */
/* util                                                                     */
/* ======================================================================== */

/* time.monotonic(): seconds on CLOCK_MONOTONIC, which never jumps back. */
double mp_now(void);

/* The seed's "one second": every demo sleeps in ticks, set with --tick
 * (default 1, real seconds for a class; the tests use 0.02). A lesson that
 * never sleeps sets mp_tick_option false before mp_parse_args. */
extern double mp_tick;
extern bool mp_tick_option;

/* time.sleep(seconds), and time.sleep(ticks * mp_tick): the whole time,
 * even if a signal interrupts nanosleep(2). */
void mp_sleep(double seconds);
void mp_sleep_ticks(double ticks);

/* print(...): one line, newline added, handed to the kernel in one write(2).
 * Nothing waits in a stdio buffer, so a line is never printed twice after
 * fork, never lost when a process is killed, never torn by another
 * process's line. A line that cannot be written ends the process with
 * status 1, as Python's print raises: the first process to find out says
 * "prog: standard output: why", the others end quietly. */
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

/* ======================================================================== */
/* process                                                                  */
/* ======================================================================== */

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

/* The end of the program, as Python's util._exit_function: at exit,
 * daemonic children get SIGTERM (SIGKILL a second later) and the others are
 * joined. Better than Python: on SIGINT (Ctrl-C), SIGTERM, SIGHUP or SIGPIPE
 * every child is ended, then the program dies of the signal (130 for
 * Ctrl-C), so no child is left. If any process could not write its output,
 * the program's status is 1. */

/* ======================================================================== */
/* shared state                                                             */
/* ======================================================================== */

/* multiprocessing.Lock, Value, Array, Pipe: what processes share on purpose.
 * A Lock, Value or Array is memory mapped MAP_SHARED (a memfd), shared by
 * every process started after it was made: a forked child has it; under
 * spawn and forkserver pass its descriptor (mp_lock_fd, mp_value_fd, then
 * mp_process_pass_fd) and map it in the child (mp_lock_attach or
 * mp_value_attach: NULL if fd holds none). Free it in each process. */
typedef struct mp_lock mp_lock;
typedef struct mp_value mp_value;

mp_lock *mp_lock_new(void);    /* Lock(): a robust, process-shared mutex */

/* Lock.acquire(block, timeout); `with lock:` is acquire ... release. Waits
 * at most timeout seconds (0: block=False). MP_OK: held. MP_TIMEOUT: still
 * held by another. MP_ERROR: EDEADLK if this process holds it already (not
 * re-entrant: Python's would wait for ever). A holder that died holding it
 * (SIGKILL, a crash) does not keep it: the next acquire gets it (the kernel
 * hands a robust mutex on, EOWNERDEAD), and mp_lock_holder_died() then says
 * true until release. What the lock guards holds what the dead process had
 * stored, perhaps half an update (a Value: the old number or the new; an
 * Array: some items changed, some not): put it right, then release.
 * Python's Lock (a semaphore) stays held for ever: every acquire waits. */
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

/* ======================================================================== */
/* start methods (lesson 11)                                                */
/* ======================================================================== */

/* How a new process comes to be (multiprocessing.set_start_method):
 *   "fork"        fork(2): a copy of the parent, every global, pointer and
 *                 lock as they were at that instant (the default here).
 *   "spawn"       the program's own executable started again (posix_spawn
 *                 of /proc/self/exe), a new program; it is told through a
 *                 pipe which target to run, by name, with which bytes.
 *   "forkserver"  a clean server (this program again, started on first use)
 *                 forks each child on request over a Unix socket, which also
 *                 carries the descriptors the child needs (SCM_RIGHTS). The
 *                 child is the server's: it sends back how it ended.
 * Python 3.14 made "forkserver" its Linux default; macOS and Windows spawn.
 *
 * Under spawn and forkserver a child is a new program, so: its target is
 * found by name (register it with MP_TARGET above mp_main_guard); its
 * argument travels as bytes (mp_process_args); it sees main's globals only
 * as the program starts them; shared memory reaches it by descriptor
 * (mp_process_pass_fd: a queue's, a value's); a "subclass" is found by its
 * run, its own fields sent as bytes (MP_CLASS); a pool's tasks by name
 * (MP_TASK). join, exitcode, terminate, daemon, Ctrl-C and the exit work as
 * under fork. */

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

/* Registers target under name (MP_TARGET(work): "work"), at the top of
 * main, before mp_main_guard: that part of main runs in every new program
 * too, as a module's top level (its defs) runs again in a spawned child.
 * An unregistered target fails at start, in Python's words: "Can't pickle
 * <function at 0x...>: attribute lookup on __main__ failed". */
enum mp_status mp_register_target(const char *name, int (*target)(void *arg));
#define MP_TARGET(fn) mp_register_target(#fn, fn)

/* Registers a "subclass" by its run, with its struct's size:
 * MP_CLASS(struct my_process, my_run). Its fields after the mp_process
 * (at most MP_ARG_MAX bytes) travel as bytes: a char array, not a pointer. */
enum mp_status mp_register_class(const char *name, int (*run)(mp_process *self), size_t size);
#define MP_CLASS(type, run) mp_register_class(#run, run, sizeof(type))

/* The C `if __name__ == '__main__':`, at the top of main after the
 * MP_TARGETs. In the program you started it returns at once. In a program
 * the library started it runs the child (or the forkserver) and never
 * returns. A process started before it, in such a program, gets Python's
 * "An attempt has been made to start a new process before the current
 * process has finished its bootstrapping phase". */
void mp_main_guard(void);

/* Process(args=(...)) as bytes (at most MP_ARG_MAX): copied into p, and
 * p->arg points at the copy; the child gets its own copy under every
 * method. And a descriptor the child must have under the same number (at
 * most MP_PASS_FDS_MAX). MP_ERROR: E2BIG. */
enum mp_status mp_process_args(mp_process *p, const void *bytes, size_t size);
enum mp_status mp_process_pass_fd(mp_process *p, int fd);

#endif /* MP_H */
