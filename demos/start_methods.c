/* SPDX-License-Identifier: MIT */
/*
 * start_methods - one small experiment under fork, spawn and forkserver.
 *
 * Beyond the seed: every seed program forks, but Python 3.14 made
 * "forkserver" the Linux default, macOS has used "spawn" since Python 3.8,
 * and Windows has only "spawn". The Python it re-builds:
 *
 *     counter = 1
 *     lock = threading.Lock()
 *
 *     def experiment(q, main_id):
 *         print(counter, id(q) == main_id, lock.acquire(timeout=1))
 *
 *     if __name__ == '__main__':
 *         counter = 2                  # main changes a global
 *         threading.Thread(target=hold, args=(lock,)).start()   # holds it
 *         for method in ('fork', 'spawn', 'forkserver'):
 *             ctx = multiprocessing.get_context(method)
 *             p = ctx.Process(target=experiment, args=(q, id(q)))
 *             p.start(); p.join()
 *
 * What to watch for, method by method:
 *   - counter: a forked child sees main's change (2), a spawned or forkserver
 *     child does not (1): it is a new program, which ran only the part of
 *     main above mp_main_guard, where counter is still 1.
 *   - the list: under fork the child reads main's list at main's address (a
 *     pointer is enough); under spawn and forkserver its bytes were sent and
 *     copied, and the child's copy lives at another address.
 *   - the lock: a thread of main holds it while each child starts. fork
 *     copies the locked lock but not the thread that would unlock it: the
 *     child would wait for ever (here it gives up after one tick, and says
 *     so). A spawned or forkserver child has a lock of its own, free.
 *   - the parent: main under fork and spawn, the forkserver under forkserver.
 *   - start+join: what one process costs under each method (fork copies the
 *     page tables; spawn loads and starts the whole program again; the
 *     forkserver forks a small, clean process, plus a round trip on a socket).
 *
 * Run it:   build/bin/start_methods                  (the lock waits 1 s)
 *           build/bin/start_methods --tick 0.1 --method spawn
 */
#include "mp.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int counter = 1;                      /* main sets it to 2 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t held;                           /* the thread has the lock */
static atomic_bool release;                  /* main: let it go now */

/* Python's list ['a', 'b', 'c'], and where main keeps it. */
struct list {
    char items[3];
    uintptr_t main_address;
};

/* Takes the lock with a timeout of one tick; the seconds it waited, or -1. */
static double try_lock(void)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);   /* cannot fail for this clock */
    double t = until.tv_sec + until.tv_nsec / 1e9 + mp_tick;
    until.tv_sec = (time_t)t;
    until.tv_nsec = (long)((t - (double)until.tv_sec) * 1e9);
    double start = mp_now();
    int err = pthread_mutex_timedlock(&lock, &until);
    if (err != 0)
        return -1;
    pthread_mutex_unlock(&lock);             /* ours: cannot fail */
    return mp_now() - start;
}

static int experiment(void *arg)
{
    const struct list *q = arg;
    long parent = (long)getppid();
    mp_print(_("  child PID %ld, parent PID %ld (%s)"), (long)getpid(), parent,
             strcmp(mp_get_start_method(), "forkserver") == 0 ? _("the forkserver") : _("main"));
    mp_print(_("  counter = %d: main's change %s"), counter,
             counter == 2 ? _("is seen") : _("is not seen"));
    mp_print(_("  list [%c, %c, %c] at %p: %s"), q->items[0], q->items[1], q->items[2],
             (const void *)q,
             (uintptr_t)q == q->main_address ? _("main's, at main's address") : _("a copy, elsewhere"));
    double waited = try_lock();
    if (waited < 0)
        mp_print(_("  lock: still held after %.2f s: its holder was not copied"), mp_tick);
    else
        mp_print(_("  lock: free, taken at once"));
    return 0;
}

static int nothing(void *arg)
{
    (void)arg;
    return 0;
}

/* The other thread: takes the lock and holds it until main says. */
static void *hold(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);               /* free and ours: cannot fail */
    sem_post(&held);                         /* cannot overflow: posted once */
    while (!atomic_load(&release))
        mp_sleep(0.001);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void start_join(mp_process *p)
{
    if (mp_process_start(p) != MP_OK)
        mp_die(N_("start (%s): %s"), mp_get_start_method(), mp_last_error());
    if (mp_process_join(p, MP_FOREVER) != MP_OK)
        mp_die(N_("join (%s): %s"), mp_get_start_method(), mp_last_error());
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median time of n start+joins of a process that does nothing. */
static double cost(int n)
{
    double *t = malloc((size_t)n * sizeof *t);
    if (t == NULL)
        mp_die(N_("out of memory"));
    for (int i = 0; i < n; i++) {
        mp_process p;
        mp_process_init(&p, nothing, NULL);
        double start = mp_now();
        start_join(&p);
        t[i] = mp_now() - start;
    }
    qsort(t, (size_t)n, sizeof *t, by_value);
    double median = t[n / 2];
    free(t);
    return median;
}

/* The experiment under one method. Under fork the child gets a pointer to
 * main's list; the others cannot: they get its bytes. */
static void run(const char *method, struct list *q, long starts)
{
    if (mp_set_start_method(method) != MP_OK)
        mp_die("%s", mp_last_error());
    mp_print("%s:", method);
    mp_process p;
    mp_process_init(&p, experiment, q);
    if (strcmp(method, "fork") != 0 && mp_process_args(&p, q, sizeof *q) != MP_OK)
        mp_die("%s", mp_last_error());
    start_join(&p);
    mp_print(_("  start+join: %.2f ms (median of %ld)"), cost((int)starts) * 1000, starts);
}

int main(int argc, char **argv)
{
    /* Above the guard: what every program of this demo runs, the main and
     * any the library starts (Python's module top level: its defs). */
    MP_TARGET(experiment);
    MP_TARGET(nothing);
    mp_main_guard();                         /* if __name__ == '__main__': */

    const char *method = "all";
    long starts = 20;
    const struct mp_option options[] = {
        { "--method", MP_OPT_TEXT, &method, 0, 0, "NAME",
          N_("fork, spawn, forkserver or all (default all)") },
        { "--starts", MP_OPT_INT, &starts, 1, 10000, "N",
          N_("start+join N processes per method for the cost (default 20)") },
        { NULL }
    };
    mp_parse_args(argc, argv, options, NULL,
                  N_("The same child under fork, spawn and forkserver: what each sees and costs."));
    const char *all[] = { "fork", "spawn", "forkserver" };
    int first = 0, last = 2;
    for (int i = 0; i < 3; i++)
        if (strcmp(method, all[i]) == 0)
            first = last = i;
    if (strcmp(method, "all") != 0 && first != last)
        mp_usage_error(N_("--method: '%s' is not fork, spawn, forkserver or all"), method);

    counter = 2;
    struct list q = { { 'a', 'b', 'c' }, 0 };
    q.main_address = (uintptr_t)&q;
    pthread_t thread;
    if (sem_init(&held, 0, 0) == -1)
        mp_die("sem_init: %s", strerror(errno));
    int err = pthread_create(&thread, NULL, hold, NULL);
    if (err != 0)
        mp_die("pthread_create: %s", strerror(err));
    while (sem_wait(&held) == -1)            /* only EINTR: wait again */
        ;
    mp_print(_("main PID %ld: counter = 2, list [a, b, c] at %p"), (long)getpid(), (void *)&q);
    mp_print(_("main: a thread holds the lock"));
    for (int i = first; i <= last; i++)
        run(all[i], &q, starts);
    atomic_store(&release, true);
    pthread_join(thread, NULL);              /* our own thread: cannot fail */
    return 0;
}
