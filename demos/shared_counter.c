/* SPDX-License-Identifier: MIT */
/*
 * shared_counter - one counter that several processes really share: the
 * updates lost without a lock, none lost with it, and what the lock costs.
 *
 * The seed's own question (section 二): "多进程会独享资源，2个进程不能共享变量
 * ... 如何实现共享资源那？" ("processes each have their own resources, two
 * processes cannot share a variable... how can they share?"). They can, on
 * purpose: memory mapped MAP_SHARED, which is what Python's Value is. The
 * Python it re-builds (the question every course meets next):
 *
 *     def count(counter, n):
 *         for _ in range(n):
 *             counter.value += 1             # loses updates
 *
 *     def count_locked(counter, n):
 *         for _ in range(n):
 *             with counter.get_lock():
 *                 counter.value += 1         # loses none
 *
 *     counter = Value('i', 0)
 *     workers = [Process(target=count, args=(counter, n)) for _ in range(4)]
 *     ...start, join...
 *     print(counter.value)                   # less than 4 * n
 *
 * Compare with `list_copy` (lesson 03): there fork copied the list, and
 * each child changed its own copy. Here the Value's memory is a memfd
 * mapped MAP_SHARED before the children start, so every one of them loads
 * and stores the very same int.
 *
 * Three rounds, each with fresh processes: without the lock, with
 * get_lock() around every increment, and adding locally first, then once
 * under the lock. Each worker notes when it began and ended counting in a
 * shared Array('d'), and the main prints the counting's wall time per
 * increment for each round.
 *
 * What to watch for:
 *   - without the lock, "lost" is not 0: `*value += 1` is a load, an add
 *     and a store, and two processes that load the same number both store
 *     that number plus one. (On one CPU too: a process interrupted between
 *     its load and its store stores an old number over the others' work.)
 *   - with the lock, none lost, at a price: every increment is a lock and
 *     an unlock of a mutex that the processes pass between their CPUs.
 *   - locally, then the lock once: none lost, and cheapest of all: share
 *     as little as you can, as seldom as you can.
 *   - --start-method spawn: the same, each worker mapping the Value and the
 *     Array from their descriptors.
 *
 * Run it:   build/bin/shared_counter
 *           build/bin/shared_counter --workers 2 --increments 1000000
 *           build/bin/shared_counter --start-method spawn
 */
#include "mp.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define MAX_WORKERS 64

enum round { UNLOCKED, LOCKED, LOCAL, ROUNDS };

static const char *round_name[ROUNDS] = {
    "without the lock", "with get_lock()", "locally, then get_lock() once",
};

static mp_value *counter;   /* Value('i', 0): the shared counter */
static mp_value *times;     /* Array('d', 2 * workers): each worker's start and end */
static mp_value *ready;     /* Value('i', 0): workers at the start line */
static mp_value *go;        /* Value('i', 0): main's signal to start */

/* What a worker needs, sent as its argument's bytes: under spawn and
 * forkserver it is a new program, without main's globals, and maps the
 * Values and the Array from their descriptors. */
struct job {
    int counter_fd, times_fd, ready_fd, go_fd;
    int index;              /* which worker: its two cells of times */
    long increments;
    enum round round;
};

/* volatile: the compiler must load and store the counter on every turn of
 * the loop, as Python does. Without it, -O2 keeps the count in a register
 * and stores once at the end, and the lesson would show something else. */
static void add_ones(volatile int *value, mp_lock *lock, long n, enum round round)
{
    if (round == UNLOCKED) {
        for (long i = 0; i < n; i++)
            *value += 1;            /* load, add, store: nothing stops another
                                       process between the load and the store */
    } else if (round == LOCKED) {
        for (long i = 0; i < n; i++) {
            if (mp_lock_acquire(lock, MP_FOREVER) != MP_OK)
                mp_die("acquire: %s", mp_last_error());
            *value += 1;            /* the three steps, with nobody between */
            if (mp_lock_release(lock) != MP_OK)
                mp_die("release: %s", mp_last_error());
        }
    } else {
        volatile int mine = 0;      /* the same three steps, in our own memory */
        for (long i = 0; i < n; i++)
            mine += 1;
        if (mp_lock_acquire(lock, MP_FOREVER) != MP_OK)
            mp_die("acquire: %s", mp_last_error());
        *value += mine;
        if (mp_lock_release(lock) != MP_OK)
            mp_die("release: %s", mp_last_error());
    }
}

/* The start line. Starting a process takes longer than counting to a
 * hundred thousand, so without it each worker would be done before the
 * next began, and no two would ever count at the same time. Each worker
 * says it is there (under ready's lock: the right way to add 1), then
 * looks every 0.2 ms, sleeping between looks, until main says go; main
 * says it once all are there. (A load of an int is one instruction: it
 * sees the old number or the new, so reading go needs no lock.) */
static void start_line(void)
{
    if (mp_lock_acquire(mp_value_get_lock(ready), MP_FOREVER) != MP_OK)
        mp_die("acquire: %s", mp_last_error());
    *(int *)mp_value_ptr(ready) += 1;
    if (mp_lock_release(mp_value_get_lock(ready)) != MP_OK)
        mp_die("release: %s", mp_last_error());
    const volatile int *started = mp_value_ptr(go);
    while (*started == 0)
        mp_sleep(0.0002);
}

static int count(void *arg)
{
    const struct job *job = arg;
    if (counter == NULL && ((counter = mp_value_attach(job->counter_fd)) == NULL ||
                            (times = mp_value_attach(job->times_fd)) == NULL ||
                            (ready = mp_value_attach(job->ready_fd)) == NULL ||
                            (go = mp_value_attach(job->go_fd)) == NULL))
        mp_die("attach: %s", mp_last_error());
    start_line();
    double *when = mp_value_ptr(times);
    when[2 * job->index] = mp_now();            /* the same clock in every process */
    add_ones(mp_value_ptr(counter), mp_value_get_lock(counter), job->increments, job->round);
    when[2 * job->index + 1] = mp_now();
    return 0;
}

/* One round: fresh workers, the counter back at 0. Returns the counting's
 * wall time: from the first worker's start to the last one's end. */
static double run_round(enum round round, long nworkers, long increments)
{
    int *value = mp_value_ptr(counter);
    volatile int *at_line = mp_value_ptr(ready), *started = mp_value_ptr(go);
    *value = *at_line = *started = 0;   /* no worker runs yet: no lock needed */
    mp_process workers[MAX_WORKERS];
    for (long i = 0; i < nworkers; i++) {
        struct job job = { mp_value_fd(counter), mp_value_fd(times), mp_value_fd(ready),
                           mp_value_fd(go), (int)i, increments, round };
        mp_process_init(&workers[i], count, NULL);
        if (mp_process_args(&workers[i], &job, sizeof job) != MP_OK ||
            mp_process_pass_fd(&workers[i], job.counter_fd) != MP_OK ||
            mp_process_pass_fd(&workers[i], job.times_fd) != MP_OK ||
            mp_process_pass_fd(&workers[i], job.ready_fd) != MP_OK ||
            mp_process_pass_fd(&workers[i], job.go_fd) != MP_OK)
            mp_die("%s", mp_last_error());
        if (mp_process_start(&workers[i]) != MP_OK)
            mp_die("start %s: %s", workers[i].name, mp_last_error());
    }
    while (*at_line < nworkers) {
        for (long i = 0; i < nworkers; i++)
            if (!mp_process_is_alive(&workers[i]))
                mp_die("%s ended before the start", workers[i].name);
        mp_sleep(0.001);
    }
    *started = 1;
    for (long i = 0; i < nworkers; i++) {
        if (mp_process_join(&workers[i], MP_FOREVER) != MP_OK)
            mp_die("join %s: %s", workers[i].name, mp_last_error());
        if (mp_process_exitcode(&workers[i]) != 0)
            mp_die("%s ended with exitcode %d", workers[i].name,
                   mp_process_exitcode(&workers[i]));
    }
    long expected = nworkers * increments;
    mp_print("%-29s expected %ld, got %d, lost %ld", round_name[round], expected,
             *value, expected - *value);

    const double *when = mp_value_ptr(times);
    double first = when[0], last = when[1];
    for (long i = 1; i < nworkers; i++) {
        if (when[2 * i] < first)
            first = when[2 * i];
        if (when[2 * i + 1] > last)
            last = when[2 * i + 1];
    }
    return last - first;
}

int main(int argc, char **argv)
{
    MP_TARGET(count);       /* by name, for a worker that is a new program */
    mp_main_guard();        /* if __name__ == '__main__': */

    long nworkers = 4, increments = 1000000;
    const char *only = NULL;
    const struct mp_option options[] = {
        { "--workers", MP_OPT_INT, &nworkers, 1, MAX_WORKERS, "N",
          "how many processes count (default 4, at most 64)" },
        { "--increments", MP_OPT_INT, &increments, 1, 100000000, "M",
          "how many times each adds 1 (default 1000000)" },
        { "--only", MP_OPT_TEXT, &only, 0, 0, "ROUND",
          "run one round: unlocked, locked or local (default: all three)" },
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_tick_option = false;     /* nothing here sleeps */
    mp_parse_args(argc, argv, options, NULL,
                  "N processes add 1 to one shared counter: without the lock, with it.");
    mp_start_method_setup();
    if (nworkers * increments > INT_MAX)    /* the counter is a C int, Python's 'i' */
        mp_usage_error("--workers times --increments is %ld, more than an int holds (%d)",
                       nworkers * increments, INT_MAX);
    bool run[ROUNDS] = { true, true, true };
    if (only != NULL) {
        const char *names[ROUNDS] = { "unlocked", "locked", "local" };
        for (int r = 0; r < ROUNDS; r++)
            run[r] = strcmp(only, names[r]) == 0;
        if (!run[UNLOCKED] && !run[LOCKED] && !run[LOCAL])
            mp_usage_error("--only: '%s' is not unlocked, locked or local", only);
    }

    counter = mp_value_new('i');
    times = mp_array_new('d', (size_t)(2 * nworkers));
    ready = mp_value_new('i');
    go = mp_value_new('i');
    if (counter == NULL || times == NULL || ready == NULL || go == NULL)
        mp_die("Value: %s", mp_last_error());

    mp_print("%ld processes (%s) each add 1 to one shared counter %ld times", nworkers,
             mp_get_start_method(), increments);
    double seconds[ROUNDS];
    for (int r = 0; r < ROUNDS; r++)
        if (run[r])
            seconds[r] = run_round((enum round)r, nworkers, increments);
    mp_print("Why: adding 1 is three steps: load the number, add 1, store it back.");
    mp_print("Two processes that load the same number both store it plus 1: one");
    mp_print("update is lost. The lock lets one process at a time do all three.");

    double total = (double)(nworkers * increments);
    mp_print("Cost per increment (the counting's wall time / %.0f):", total);
    for (int r = 0; r < ROUNDS; r++) {
        if (!run[r])
            continue;
        char ratio[32] = "";
        if (r != UNLOCKED && run[UNLOCKED] && seconds[UNLOCKED] > 0)
            snprintf(ratio, sizeof ratio, "  %.1fx", seconds[r] / seconds[UNLOCKED]);
        mp_print("  %-29s %8.1f ns%s", round_name[r], seconds[r] / total * 1e9, ratio);
    }
    mp_value_free(counter);
    mp_value_free(times);
    mp_value_free(ready);
    mp_value_free(go);
    return 0;
}
