/* SPDX-License-Identifier: MIT */
/*
 * test_pool - the pool layer's behaviours, one per sub-command, each printing
 * what it saw for tests/pool.bats to check.
 *
 *     test_pool [fork|spawn|forkserver] order | chunksize | crash | kill | killed
 *               | kill-during-maps | task-error | timeout | join-running | terminate
 *               | exit | callbacks | abandon | bad-arguments | pids | ctrl-c
 *               | unregistered | late-task | no-task | names | keeps-method
 *
 * The first argument, if it is one, sets the start method (default fork);
 * kill shares memory and pipes with forked workers only.
 * With TEST_POOL_NO_TASKS set in the environment, main registers no task.
 */
#include "mp.h"
#include "status.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int square(const void *in, void *out)
{
    long x = *(const long *)in;
    *(long *)out = x * x;
    return 0;
}

static mp_pool *new_pool(int workers)
{
    mp_pool *pool = mp_pool_new(workers);
    if (pool == NULL)
        mp_die("pool: %s", mp_last_error());
    return pool;
}

/* in[i] = i + 1, out[i] = 0 */
static void fill(long *in, long *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        in[i] = (long)i + 1;
        out[i] = 0;
    }
}

/* How many out[i] hold the square of in[i]. */
static size_t count_squares(const long *in, const long *out, size_t n)
{
    size_t good = 0;
    for (size_t i = 0; i < n; i++)
        good += out[i] == in[i] * in[i];
    return good;
}

/* The children of process pid, from the kernel's list (zombies included:
 * a child is on it until reaped); at most max of them into pids. */
static int children_of(pid_t pid, pid_t *pids, int max)
{
    char path[64], list[4096];
    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)pid, (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;                      /* gone: no children */
    size_t len = fread(list, 1, sizeof list - 1, f);
    fclose(f);
    list[len] = '\0';
    int n = 0;
    for (char *tok = strtok(list, " \n"); tok != NULL && n < max; tok = strtok(NULL, " \n"))
        pids[n++] = (pid_t)atol(tok);
    return n;
}

/* How many of the pool's workers are still there, reaped or not: this
 * process's children, or under forkserver the server's (ours are then the
 * server alone). */
static int workers_left(void)
{
    pid_t kids[64];
    int n = children_of(getpid(), kids, 64);
    if (strcmp(mp_get_start_method(), "forkserver") != 0)
        return n;
    int workers = 0;
    for (int i = 0; i < n; i++) {
        pid_t grandchildren[64];
        workers += children_of(kids[i], grandchildren, 64);
    }
    return workers;
}

/* Whose children the pool's workers are: this process's, or under
 * forkserver the server's (then this process's only child). Called once
 * the pool is made. */
static pid_t workers_parent(void)
{
    pid_t kids[64];
    if (strcmp(mp_get_start_method(), "forkserver") != 0 || children_of(getpid(), kids, 64) != 1)
        return getpid();
    return kids[0];
}

/* Under forkserver, prints the server's PID (this process's only child
 * then), so that the test can check it is gone after the program. */
static void show_forkserver(void)
{
    pid_t kids[64];
    int n = children_of(getpid(), kids, 64);
    if (strcmp(mp_get_start_method(), "forkserver") == 0)
        for (int i = 0; i < n; i++)
            mp_print("forkserver PID %ld", (long)kids[i]);
}

/* map of 10,000 items returns each result at its own index, for several
 * chunksizes, including the default. */
static int order(void)
{
    enum { N = 10000 };
    static long in[N], out[N];
    mp_pool *pool = new_pool(4);
    const size_t sizes[] = { 0, 1, 7, 1000, N };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        fill(in, out, N);
        enum mp_status status = mp_pool_map(pool, square, in, N, sizeof *in, out, sizeof *out, sizes[k]);
        mp_print("chunksize %zu (used %zu): status=%d in order=%zu", sizes[k],
                 mp_pool_chunksize(pool), (int)status, count_squares(in, out, N));
    }
    mp_pool_free(pool);
    return 0;
}

/* Python's default chunksize: ceil(n / (4 * workers)), 0 for no items. */
static int chunksize(void)
{
    static long in[1000000], out[1000000];
    mp_pool *pool = new_pool(2);
    const size_t ns[] = { 1000000, 9, 8, 1, 0 };
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        mp_pool_map(pool, square, in, ns[k], sizeof *in, out, sizeof *out, 0);
        mp_print("n=%zu chunksize=%zu", ns[k], mp_pool_chunksize(pool));
    }
    mp_pool_map(pool, square, in, 10, sizeof *in, out, sizeof *out, 3);
    mp_print("n=10 asked 3 chunksize=%zu", mp_pool_chunksize(pool));
    mp_pool_free(pool);
    return 0;
}

/* The task for the item 37 dereferences NULL: its worker dies of SIGSEGV. */
static int square_or_crash(const void *in, void *out)
{
    long x = *(const long *)in;
    if (x == 37) {
        /* volatile twice: the compiler may neither assume the pointer is
         * NULL nor drop the store through it. */
        volatile int *volatile nowhere = NULL;
        *nowhere = 1;
    }
    *(long *)out = x * x;
    return 0;
}

static int crash(void)
{
    enum { N = 100 };
    long in[N], out[N];
    mp_pool *pool = new_pool(4);
    fill(in, out, N);
    double t0 = mp_now();
    enum mp_status status = mp_pool_map(pool, square_or_crash, in, N, sizeof *in, out, sizeof *out, 0);
    mp_print("first map: error=%d took<2s=%d", status == MP_ERROR, mp_now() - t0 < 2);
    mp_print("message: %s", mp_last_error());
    mp_print("good results: %zu, out[36]=%ld", count_squares(in, out, N), out[36]);

    fill(in, out, N);
    status = mp_pool_map(pool, square, in, N, sizeof *in, out, sizeof *out, 0);
    mp_print("second map: ok=%d good results: %zu", status == MP_OK, count_squares(in, out, N));
    mp_pool_close(pool);
    mp_print("join: ok=%d", mp_pool_join(pool) == MP_OK);
    mp_pool_free(pool);
    return 0;
}

/* A pool made under forkserver keeps its method when the program's changes
 * (Python's Pool keeps its context): a worker started again after a crash
 * is still the server's child, not a fork of this process. */
static int keeps_method(void)
{
    enum { N = 100 };
    long in[N], out[N];
    mp_pool *pool = new_pool(2);
    pid_t server = workers_parent();
    mp_set_start_method("fork");         /* a name it knows: cannot fail */
    fill(in, out, N);
    enum mp_status status = mp_pool_map(pool, square_or_crash, in, N, sizeof *in, out,
                                        sizeof *out, 0);
    fill(in, out, N);
    if (status == MP_ERROR)
        status = mp_pool_map(pool, square, in, N, sizeof *in, out, sizeof *out, 0);
    pid_t kids[64];
    int ours = children_of(getpid(), kids, 64), servers = children_of(server, kids, 64);
    mp_print("after a crash and a map: ok=%d, children: main %d, server %d", status == MP_OK,
             ours, servers);
    mp_pool_free(pool);
    return 0;
}

/* The task for item 5 tells the test its worker's PID through a pipe, then
 * sleeps; the test SIGKILLs that worker in the middle of it. */
static int pid_pipe[2];

static int square_or_hang(const void *in, void *out)
{
    long x = *(const long *)in;
    if (x == 5) {
        pid_t me = getpid();
        if (write(pid_pipe[1], &me, sizeof me) != (ssize_t)sizeof me)
            return 1;
        mp_sleep(30);
    }
    *(long *)out = x * x;
    return 0;
}

static int kill_worker(void)
{
    enum { N = 20 };
    long in[N], out[N];
    if (pipe(pid_pipe) == -1)
        mp_die("pipe: %s", strerror(errno));
    mp_pool *pool = new_pool(2);
    fill(in, out, N);
    double t0 = mp_now();
    mp_async *r = mp_pool_map_async(pool, square_or_hang, in, N, sizeof *in, out, sizeof *out, 1,
                                    NULL, NULL, NULL);
    pid_t victim;
    if (read(pid_pipe[0], &victim, sizeof victim) != (ssize_t)sizeof victim)
        mp_die("read: %s", strerror(errno));
    kill(victim, SIGKILL);
    enum mp_status status = mp_async_get(r, 10);
    mp_print("get: error=%d took<5s=%d", status == MP_ERROR, mp_now() - t0 < 5);
    mp_print("victim %ld message: %s", (long)victim, mp_last_error());
    mp_print("good results: %zu", count_squares(in, out, N));
    mp_async_free(r);

    fill(in, out, N);
    in[4] = 6;                          /* no 5 this time: nothing sleeps */
    status = mp_pool_map(pool, square_or_hang, in, N, sizeof *in, out, sizeof *out, 0);
    mp_print("next map: ok=%d good results: %zu", status == MP_OK, count_squares(in, out, N));
    mp_pool_free(pool);
    return 0;
}

/* How many times each item of the current map ran, in memory shared with
 * the workers: a file (unlinked at once) mapped before the pool starts
 * them. A forked worker has the mapping; a worker that is a new program
 * (spawn, forkserver) inherits the descriptor, which is not close-on-exec,
 * and finds its number in the environment. */
#define RUNS_FD_ENV "TEST_POOL_RUNS_FD"
#define RUNS_MAX 20000
static _Atomic int *runs;

static void make_runs(void)
{
    char path[] = "/tmp/test_pool_runs.XXXXXX", fd_text[16];
    int fd = mkstemp(path);
    if (fd == -1 || unlink(path) == -1 || ftruncate(fd, RUNS_MAX * sizeof *runs) == -1)
        mp_die("runs: %s", strerror(errno));
    runs = mmap(NULL, RUNS_MAX * sizeof *runs, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (runs == MAP_FAILED)
        mp_die("runs: mmap: %s", strerror(errno));
    snprintf(fd_text, sizeof fd_text, "%d", fd);
    if (setenv(RUNS_FD_ENV, fd_text, 1) == -1)
        mp_die("runs: setenv: %s", strerror(errno));
}

/* In a worker that is a new program: maps what make_runs made. */
static void find_runs(void)
{
    const char *fd_text = getenv(RUNS_FD_ENV);
    if (fd_text == NULL)
        mp_die("runs: no %s in the environment", RUNS_FD_ENV);
    runs = mmap(NULL, RUNS_MAX * sizeof *runs, PROT_READ | PROT_WRITE, MAP_SHARED,
                atoi(fd_text), 0);
    if (runs == MAP_FAILED)
        mp_die("runs: mmap: %s", strerror(errno));
}

/* 3x + 1, after a microsecond or so of work (so that a kill often lands in
 * a task): never 0 for x > 0, so a zero output can only be a failed item's.
 * Counts its run of item x (x = map * 1000003 + index + 1). */
static int three_x_plus_one(const void *in, void *out)
{
    if (runs == NULL)
        find_runs();
    atomic_fetch_add(&runs[(*(const long *)in - 1) % 1000003], 1);
    volatile long spin = 0;
    for (int k = 0; k < 500; k++)
        spin += k;
    *(long *)out = 3 * *(const long *)in + 1 + spin - spin;
    return 0;
}

/* SIGKILLs one of parent's children (the pool's workers), picked at random,
 * and returns its PID (0 if there is none). The kernel lists the children;
 * when they are ours, none of them can be reaped (and its PID reused)
 * before the kill, since only this process reaps them, and it is here.
 * The forkserver reaps its children itself: one may be gone by the time of
 * the kill (ESRCH), and counts as no kill. */
static pid_t kill_random_child(pid_t parent)
{
    pid_t pids[64];
    int n = children_of(parent, pids, 64);
    if (n == 0)
        return 0;
    pid_t victim = pids[rand() % n];
    if (kill(victim, SIGKILL) == 0)
        return victim;
    if (errno != ESRCH || parent == getpid())
        mp_die("kill %ld: %s", (long)victim, strerror(errno));
    return 0;
}

/* How many items the call's error says failed: "(K of N items failed)", or
 * one when it names a single item. */
static size_t failed_items(void)
{
    size_t k;
    const char *paren = strrchr(mp_last_error(), '(');
    if (paren != NULL && sscanf(paren, "(%zu of", &k) == 1)
        return k;
    return 1;
}

/* How long close and join may take before the watchdog steps in. */
enum { WATCH = 5 };

/* Prints /proc/PID/NAME on stderr, one line. */
static void show_proc(pid_t pid, const char *name)
{
    char path[64], text[2048];
    snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;                        /* gone meanwhile: nothing to show */
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    for (char *c = text; *c != '\0'; c++)
        if (*c == '\n')
            *c = '|';
    fprintf(stderr, "  %s: %s\n", name, text);
}

/* A plain child that, unless killed first, wakes after WATCH seconds, shows
 * where each other child of parent (the workers' parent) sleeps and
 * SIGKILLs it. */
static pid_t start_watchdog(pid_t parent)
{
    pid_t pid = fork();
    if (pid == -1)
        mp_die("fork: %s", strerror(errno));
    if (pid > 0)
        return pid;
    mp_sleep(WATCH);
    pid_t kids[64];
    int n = children_of(parent, kids, 64);
    for (int i = 0; i < n; i++) {
        pid_t child = kids[i];
        if (child == getpid())
            continue;
        fprintf(stderr, "watchdog: worker %ld still there after %d s\n", (long)child, WATCH);
        show_proc(child, "wchan");
        show_proc(child, "syscall");
        show_proc(child, "stack");
        kill(child, SIGKILL);          /* ESRCH if it just left: fine */
    }
    _exit(0);
}

static void stop_watchdog(pid_t pid)
{
    kill(pid, SIGKILL);                /* ESRCH cannot be: it is not reaped yet */
    if (waitpid(pid, NULL, 0) == -1)
        mp_die("waitpid: %s", strerror(errno));
}

/* Many large maps, of varying chunksizes (so a slot's layout changes from
 * task to task), while the main SIGKILLs a worker every millisecond or so,
 * up to KILLS times a map: in the middle of a task, in mp_queue_get, while
 * it starts, anywhere. (Without the cap a spawned worker, which takes far
 * longer to start on the sanitizer build, is killed again and again before
 * it takes a task, and the maps crawl.) Every output must be
 * the right one or, for an item its worker died on, zero; and the zeros
 * must be exactly the items the calls said failed, and no item may run
 * twice. */
static int kill_during_maps(void)
{
    enum { MAPS = 30, N = 20000, KILLS = 10 };
    static long in[N], out[N];
    srand((unsigned)getpid());
    _Static_assert(N <= RUNS_MAX, "runs has room for every item");
    make_runs();
    mp_pool *pool = new_pool(3);
    pid_t parent = workers_parent();
    size_t kills = 0, wrong = 0, zeros = 0, failed = 0, twice = 0, uncounted = 0;
    for (int m = 0; m < MAPS; m++) {
        size_t n = N - (size_t)m * 97;
        for (size_t i = 0; i < n; i++) {
            in[i] = (long)m * 1000003 + (long)i + 1;
            out[i] = -1;
            atomic_store(&runs[i], 0);
        }
        mp_async *r = mp_pool_map_async(pool, three_x_plus_one, in, n, sizeof *in, out,
                                        sizeof *out, (size_t)(m % 5) * 3 + 1, NULL, NULL, NULL);
        if (r == NULL)
            mp_die("map_async: %s", mp_last_error());
        size_t this_map = 0;
        while (!mp_async_wait(r, 0.0005 + (rand() % 20) / 10000.0))
            if (this_map < KILLS)
                this_map += kill_random_child(parent) != 0;
        kills += this_map;
        if (mp_async_get(r, 0) == MP_ERROR)
            failed += failed_items();
        mp_async_free(r);
        for (size_t i = 0; i < n; i++) {
            zeros += out[i] == 0;
            twice += atomic_load(&runs[i]) > 1;
            uncounted += out[i] != 0 && atomic_load(&runs[i]) == 0;
            wrong += out[i] != 0 && out[i] != 3 * in[i] + 1;
        }
    }
    /* uncounted: a right output whose run the count missed (the count is
     * not shared with the workers, and "twice" would prove nothing) */
    mp_print("kills>0=%d wrong=%zu zeros=failed=%d ran twice=%zu uncounted=%zu", kills > 0,
             wrong, zeros == failed, twice, uncounted);
    mp_print("kills=%zu failed=%zu", kills, failed);
    fill(in, out, 100);
    enum mp_status status = mp_pool_map(pool, square, in, 100, sizeof *in, out, sizeof *out, 0);
    mp_print("next map: ok=%d good results: %zu", status == MP_OK, count_squares(in, out, 100));
    /* close and join must end by themselves: no worker may be left asleep
     * for ever on a queue after all those SIGKILLs. A watchdog turns a hang
     * into a failure: after WATCH seconds it shows where each worker still
     * there sleeps, on stderr, and kills it, so join returns late. */
    double t0 = mp_now();
    pid_t watchdog = start_watchdog(parent);
    mp_pool_close(pool);
    bool joined = mp_pool_join(pool) == MP_OK;
    double took = mp_now() - t0;
    stop_watchdog(watchdog);
    mp_print("close and join: ok=%d, in time: %d", joined, took < WATCH);
    mp_pool_free(pool);
    mp_print("no worker left: %d", workers_left() == 0);
    return 0;
}

/* A task that fails by its return value: the others still run. */
static int fail_on_odd_tens(const void *in, void *out)
{
    long x = *(const long *)in;
    if (x == 5 || x == 7)
        return 3;
    *(long *)out = x * x;
    return 0;
}

static int task_error(void)
{
    enum { N = 10 };
    long in[N], out[N];
    mp_pool *pool = new_pool(2);
    fill(in, out, N);
    for (int i = 0; i < N; i++)
        out[i] = -1;
    enum mp_status status = mp_pool_map(pool, fail_on_odd_tens, in, N, sizeof *in, out, sizeof *out, 0);
    mp_print("error=%d message: %s", status == MP_ERROR, mp_last_error());
    mp_print("good results: %zu, out[4]=%ld out[6]=%ld", count_squares(in, out, N), out[4], out[6]);
    mp_pool_free(pool);
    return 0;
}

static int sleep_then_square(const void *in, void *out)
{
    mp_sleep(1);
    return square(in, out);
}

/* get with a timeout on a task still running returns MP_TIMEOUT on time;
 * terminate then does not wait for the task. */
static int timeout(void)
{
    mp_pool *pool = new_pool(1);
    long x = 3, y = 0;
    mp_async *r = mp_pool_apply_async(pool, sleep_then_square, &x, sizeof x, &y, sizeof y,
                                      NULL, NULL, NULL);
    double t0 = mp_now();
    enum mp_status status = mp_async_get(r, 0.1);
    double took = mp_now() - t0;
    char why[200];
    snprintf(why, sizeof why, "%s", mp_last_error());
    mp_print("timeout=%d took=%.3f", status == MP_TIMEOUT, took);
    bool ready = mp_async_ready(r);
    enum mp_status successful = mp_async_successful(r);
    mp_print("ready=%d not ready yet=%d errno=%s", ready, successful == MP_TIMEOUT,
             errno == EAGAIN ? "EAGAIN" : "other");
    t0 = mp_now();
    mp_pool_terminate(pool);
    status = mp_async_get(r, MP_FOREVER);
    mp_print("after terminate: error=%d message: %s", status == MP_ERROR, mp_last_error());
    mp_print("terminate took<0.5s=%d", mp_now() - t0 < 0.5);
    mp_print("get's timeout: %s", why);
    mp_async_free(r);
    mp_pool_free(pool);
    return 0;
}

/* join before close is an error, as in Python; after close it waits for the
 * work given and then for the workers. */
static int join_running(void)
{
    mp_pool *pool = new_pool(2);
    enum mp_status rc = mp_pool_join(pool);
    mp_print("join: error=%d errno=%s message=%s", rc == MP_ERROR, errno == EINVAL ? "EINVAL" : "other",
             mp_last_error());
    long in[3] = { 1, 2, 3 }, out[3] = { 0 };
    mp_async *r = mp_pool_map_async(pool, square, in, 3, sizeof *in, out, sizeof *out, 0,
                                    NULL, NULL, NULL);
    mp_pool_close(pool);
    enum mp_status status = mp_pool_map(pool, square, in, 3, sizeof *in, out, sizeof *out, 0);
    mp_print("map after close: error=%d (%s)", status == MP_ERROR, mp_last_error());
    rc = mp_pool_join(pool);
    mp_print("join after close: ok=%d ready=%d out=%ld,%ld,%ld workers left=%d", rc == MP_OK,
             mp_async_ready(r), out[0], out[1], out[2], workers_left());
    mp_async_free(r);
    mp_pool_free(pool);
    return 0;
}

static int sleep_long(const void *in, void *out)
{
    (void)in;
    (void)out;
    mp_sleep(30);
    return 0;
}

/* terminate ends the workers at once, in the middle of their tasks. */
static int terminate(void)
{
    mp_pool *pool = new_pool(3);
    long in[6] = { 0 }, out[6];
    mp_async *r = mp_pool_map_async(pool, sleep_long, in, 6, sizeof *in, out, sizeof *out, 1,
                                    NULL, NULL, NULL);
    mp_sleep(0.1);
    mp_print("before: workers=%d", workers_left());
    double t0 = mp_now();
    mp_pool_terminate(pool);
    mp_print("after: workers left=%d took<1s=%d", workers_left(), mp_now() - t0 < 1);
    mp_print("get: error=%d", mp_async_get(r, MP_FOREVER) == MP_ERROR);
    mp_async_free(r);
    mp_pool_free(pool);
    return 0;
}

static int pid_after_a_while(const void *in, void *out)
{
    (void)in;
    mp_sleep(0.05);
    *(long *)out = (long)getpid();
    return 0;
}

/* Returns from main with unfinished work: one warning line, and the
 * workers (whose PIDs it prints) are terminated. */
static int at_exit(void)
{
    mp_pool *pool = new_pool(2);
    long in[4] = { 0 }, pids[4];
    if (mp_pool_map(pool, pid_after_a_while, in, 4, sizeof *in, pids, sizeof *pids, 1) != MP_OK)
        mp_die("map: %s", mp_last_error());
    for (int i = 0; i < 4; i++)
        mp_print("worker PID %ld", pids[i]);
    show_forkserver();
    static long out[6];
    mp_pool_map_async(pool, sleep_long, in, 4, sizeof *in, out, sizeof *out, 1, NULL, NULL, NULL);
    mp_pool_apply_async(pool, sleep_long, in, sizeof *in, out, sizeof *out, NULL, NULL, NULL);
    mp_pool_apply_async(pool, sleep_long, in, sizeof *in, out, sizeof *out, NULL, NULL, NULL);
    mp_print("main returns");
    return 0;
}

/* Callbacks run in the caller, inside get or ready, never before. */
static int calls;

static void on_done(void *arg)
{
    calls++;
    mp_print("callback (%s)", (const char *)arg);
}

static void on_error(const char *error, void *arg)
{
    calls++;
    mp_print("error_callback (%s): %s", (const char *)arg, error);
}

static int callbacks(void)
{
    mp_pool *pool = new_pool(2);
    long x = 7, y = 0;
    mp_async *r = mp_pool_apply_async(pool, square, &x, sizeof x, &y, sizeof y, on_done, on_error, "apply");
    mp_sleep(0.1);                       /* long done in the worker... */
    mp_print("after apply_async: callbacks run=%d", calls);   /* ...not yet collected */
    enum mp_status status = mp_async_get(r, MP_FOREVER);
    mp_print("get: ok=%d y=%ld", status == MP_OK, y);
    mp_print("after get: callbacks run=%d successful=%d", calls, mp_async_successful(r) == MP_OK);
    mp_async_free(r);

    long in[10], out[10];
    fill(in, out, 10);
    in[2] = 5;
    r = mp_pool_map_async(pool, fail_on_odd_tens, in, 10, sizeof *in, out, sizeof *out, 0,
                          on_done, on_error, "map");
    while (!mp_async_ready(r))
        mp_sleep(0.01);
    enum mp_status successful = mp_async_successful(r);
    mp_print("after ready: callbacks run=%d successful=%d", calls, successful == MP_OK);
    mp_async_free(r);
    mp_pool_free(pool);
    return 0;
}

/* A result freed before it is ready: its tasks still run, but nothing is
 * written to its out array, freed meanwhile (AddressSanitizer, under make
 * check, would catch a write). map_async hands the tasks out; their results
 * are only collected inside join, after the frees. */
static int abandon(void)
{
    enum { N = 1000 };
    static long in[N];
    long *out = malloc(N * sizeof *out);
    if (out == NULL)
        mp_die("out of memory");
    fill(in, out, N);
    mp_pool *pool = new_pool(2);
    mp_async *r = mp_pool_map_async(pool, square, in, N, sizeof *in, out, sizeof *out, 1,
                                    on_done, on_error, "abandoned");
    mp_async_free(r);
    free(out);
    mp_pool_close(pool);
    mp_print("join: ok=%d callbacks run=%d", mp_pool_join(pool) == MP_OK, calls);
    mp_pool_free(pool);
    return 0;
}

static int bad_arguments(void)
{
    mp_pool *pool = mp_pool_new(-1);
    mp_print("-1: %s errno=%s: %s", pool == NULL ? "NULL" : "pool",
             errno == EINVAL ? "EINVAL" : "other", mp_last_error());
    pool = mp_pool_new(MP_POOL_MAX_WORKERS + 1);
    mp_print("%d: %s: %s", MP_POOL_MAX_WORKERS + 1, pool == NULL ? "NULL" : "pool", mp_last_error());
    pool = new_pool(1);
    static char big[20000];
    int status = mp_pool_apply(pool, square, big, sizeof big, big, 8);
    mp_print("big item: %d: %s", status, mp_last_error());
    /* sizes whose sum wraps around to a small number */
    status = mp_pool_map(pool, square, big, 1, SIZE_MAX, big, 2, 0);
    mp_print("wrapping sizes: %d: %s", status, mp_last_error());
    mp_pool_free(pool);
    return 0;
}

/* The task for item 5 prints its worker's PID, then the worker SIGKILLs
 * itself: the same death as a kill from outside, under every method. */
static int square_or_die(const void *in, void *out)
{
    long x = *(const long *)in;
    if (x == 5) {
        mp_print("victim %ld", (long)getpid());
        raise(SIGKILL);
    }
    *(long *)out = x * x;
    return 0;
}

/* A worker SIGKILLed in the middle of a task fails that item only; the
 * next map runs in the workers left and the one started in its place. */
static int killed(void)
{
    enum { N = 20 };
    long in[N], out[N];
    mp_pool *pool = new_pool(2);
    fill(in, out, N);
    enum mp_status status = mp_pool_map(pool, square_or_die, in, N, sizeof *in, out,
                                        sizeof *out, 1);
    mp_print("map: error=%d message: %s", status == MP_ERROR, mp_last_error());
    mp_print("good results: %zu, out[4]=%ld", count_squares(in, out, N), out[4]);
    long pids[12];
    status = mp_pool_map(pool, pid_after_a_while, in, 12, sizeof *in, pids, sizeof *pids, 1);
    mp_print("next map: ok=%d", status == MP_OK);
    for (int i = 0; i < 12; i++)
        mp_print("worker PID %ld", pids[i]);
    mp_pool_free(pool);
    return 0;
}

/* Which processes run the tasks: the main's PID, then the worker's of each
 * of 12 items (each takes a little while, so that every worker gets some). */
static int pids(void)
{
    mp_pool *pool = new_pool(3);
    long in[12] = { 0 }, out[12];
    enum mp_status status = mp_pool_map(pool, pid_after_a_while, in, 12, sizeof *in, out,
                                        sizeof *out, 1);
    mp_print("map: ok=%d main PID %ld", status == MP_OK, (long)getpid());
    for (int i = 0; i < 12; i++)
        mp_print("worker PID %ld", out[i]);
    mp_pool_free(pool);
    return 0;
}

static int sleep_loud(const void *in, void *out)
{
    mp_print("sleeping in worker PID %ld", (long)getpid());
    return sleep_long(in, out);
}

/* A map that runs until Ctrl-C: each of the three workers prints its PID
 * as it starts its task. */
static int ctrl_c(void)
{
    mp_pool *pool = new_pool(3);
    show_forkserver();
    long in[3] = { 0 }, out[3];
    mp_pool_map(pool, sleep_loud, in, 3, sizeof *in, out, sizeof *out, 1);
    mp_print("map returned");
    return 0;
}

/* Not registered with MP_TASK: a worker that is a new program cannot be
 * told which function to run. */
static int not_registered(const void *in, void *out)
{
    return square(in, out);
}

static int unregistered(void)
{
    mp_pool *pool = new_pool(1);
    long in[3] = { 1, 2, 3 }, out[3] = { 0 };
    enum mp_status status = mp_pool_map(pool, not_registered, in, 3, sizeof *in, out,
                                        sizeof *out, 0);
    mp_print("map: status=%d out=%ld,%ld,%ld%s%s", (int)status, out[0], out[1], out[2],
             status == MP_OK ? "" : " message: ", status == MP_OK ? "" : mp_last_error());
    mp_async *r = mp_pool_apply_async(pool, not_registered, in, sizeof *in, out, sizeof *out,
                                      NULL, NULL, NULL);
    mp_print("apply_async: %s", r != NULL ? "a result" : "NULL");
    mp_async_free(r);
    mp_pool_free(pool);
    return 0;
}

/* Registered in the main only after mp_main_guard: a worker that is a new
 * program stopped at the guard before registering it. */
static int late_square(const void *in, void *out)
{
    return square(in, out);
}

static int late_task(void)
{
    if (MP_TASK(late_square) != MP_OK)
        mp_die("MP_TASK: %s", mp_last_error());
    mp_pool *pool = new_pool(1);
    long in[3] = { 1, 2, 3 }, out[3] = { -1, -1, -1 };
    enum mp_status status = mp_pool_map(pool, late_square, in, 3, sizeof *in, out,
                                        sizeof *out, 0);
    mp_print("map: status=%d out=%ld,%ld,%ld%s%s", (int)status, out[0], out[1], out[2],
             status == MP_OK ? "" : " message: ", status == MP_OK ? "" : mp_last_error());
    status = mp_pool_map(pool, square, in, 3, sizeof *in, out, sizeof *out, 0);
    mp_print("next map: status=%d out=%ld,%ld,%ld", (int)status, out[0], out[1], out[2]);
    mp_pool_free(pool);
    return 0;
}

/* mp_pool_new in a program that registered no task. */
static int no_task(void)
{
    mp_pool *pool = mp_pool_new(2);
    mp_print("pool: %s errno=%s: %s", pool != NULL ? "made" : "NULL",
             errno == EINVAL ? "EINVAL" : "other", pool != NULL ? "" : mp_last_error());
    mp_pool_free(pool);
    return 0;
}

/* What mp_register_task refuses. */
static int names(void)
{
    enum mp_status rc = mp_register_task("a_name_that_is_longer_than_31_chars", square);
    mp_print("long: error=%d %s: %s", rc == MP_ERROR, errno == ENAMETOOLONG ? "ENAMETOOLONG" : "other",
             mp_last_error());
    rc = mp_register_task("square", late_square);
    mp_print("taken: error=%d %s: %s", rc == MP_ERROR, errno == EEXIST ? "EEXIST" : "other", mp_last_error());
    mp_print("again: ok=%d", MP_TASK(square) == MP_OK);
    return 0;
}

int main(int argc, char **argv)
{
    mp_prog = "test_pool";                /* in warnings: "test_pool: ..." */
    /* By name, for workers that are new programs; and the pool's worker
     * with them. A spawned worker stops at the guard and works. */
    if (getenv("TEST_POOL_NO_TASKS") == NULL) {
        MP_TASK(square);
        MP_TASK(square_or_crash);
        MP_TASK(square_or_die);
        MP_TASK(pid_after_a_while);
        MP_TASK(fail_on_odd_tens);
        MP_TASK(sleep_then_square);
        MP_TASK(sleep_long);
        MP_TASK(sleep_loud);
        MP_TASK(three_x_plus_one);
    }
    mp_main_guard();
    if (argc > 2 && mp_set_start_method(argv[1]) == MP_OK) {
        argc--;
        argv++;
    }
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "order") == 0)         return order();
    if (strcmp(cmd, "chunksize") == 0)     return chunksize();
    if (strcmp(cmd, "crash") == 0)         return crash();
    if (strcmp(cmd, "keeps-method") == 0)  return keeps_method();
    if (strcmp(cmd, "kill") == 0)          return kill_worker();
    if (strcmp(cmd, "kill-during-maps") == 0) return kill_during_maps();
    if (strcmp(cmd, "task-error") == 0)    return task_error();
    if (strcmp(cmd, "timeout") == 0)       return timeout();
    if (strcmp(cmd, "join-running") == 0)  return join_running();
    if (strcmp(cmd, "terminate") == 0)     return terminate();
    if (strcmp(cmd, "exit") == 0)          return at_exit();
    if (strcmp(cmd, "callbacks") == 0)     return callbacks();
    if (strcmp(cmd, "abandon") == 0)       return abandon();
    if (strcmp(cmd, "bad-arguments") == 0) return bad_arguments();
    if (strcmp(cmd, "killed") == 0)        return killed();
    if (strcmp(cmd, "pids") == 0)          return pids();
    if (strcmp(cmd, "ctrl-c") == 0)        return ctrl_c();
    if (strcmp(cmd, "unregistered") == 0)  return unregistered();
    if (strcmp(cmd, "late-task") == 0)     return late_task();
    if (strcmp(cmd, "no-task") == 0)       return no_task();
    if (strcmp(cmd, "names") == 0)         return names();
    fprintf(stderr, "usage: test_pool COMMAND (see the source)\n");
    return 2;
}
