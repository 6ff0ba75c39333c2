/* SPDX-License-Identifier: MIT */
/*
 * shared_queue - the same items through a shared queue: the workers divide them.
 *
 * Seed section 三.2 (进程中的队列, 2: Queue). The Python it re-builds:
 *
 *     def work3(q: Queue):
 *         time.sleep(0.5)
 *         print("这个是work3中的参数q的id: ", id(q))
 *         while not q.empty():
 *             print(f"work3 从q中获得了 {q.get()}")
 *     # work4: the same, printing "work4"
 *
 *     q = Queue()
 *     q.put('a')
 *     q.put('b')
 *     q.put('c')
 *     p1 = Process(target=work3, args=(q,))
 *     p2 = Process(target=work4, args=(q,))
 *     p1.start(); p2.start()
 *     p1.join(); p2.join()
 *     print(f'主进程运行完毕!')
 *
 * Compare with `list_copy`: there each child had its own copy of the list.
 * The queue lives in memory mapped MAP_SHARED before the fork, which fork
 * does not copy: every process sees the same queue, so each item is taken
 * once, by whichever worker gets to it first. The workers print the queue's
 * address, the same number in both, as list_copy's children did: an address
 * alone does not tell you whether memory is shared; how it was mapped does.
 *
 * The seed's work3 and work4 are one function written twice; here it is one
 * function started in each worker, which says its process name and PID. One
 * addition: after each item a worker "works" for a hundredth of a tick. Without
 * it the first worker to wake takes all three items before the other has
 * woken (as the seed's Python did when run for the reference: work3 got all
 * three), and the division of the work would not show.
 *
 * The seed's loop, `while not q.empty(): q.get()`, is a race: two workers
 * both see one item left, one takes it, and the other waits in get for ever
 * (the Python version hangs in a few runs out of a hundred). So by default
 * the main closes the queue after putting the items, and each worker calls
 * get until it says "closed": get hands out what is left, then tells every
 * worker there is no more. --racy runs the seed's loop instead, with a get
 * timeout of one tick so that it cannot hang, and prints when the race
 * happened. (Python's version has a second race this one lacks: its put
 * hands the item to a background thread, so empty() may still say True
 * right after a put. mp_queue_put has copied the item when it returns.)
 *
 * What to watch for:
 *   - a, b and c, each got exactly once, shared between the two workers:
 *     which one gets which is up to the scheduler.
 *   - --items 1000 --workers 4: every number once; the "done" lines say how
 *     many each worker got.
 *   - --racy: the race is rare, as the Python hang is (a few runs in a
 *     hundred here, more with many workers and one item). Run it many times
 *     and look for "lost the race":
 *       for i in $(seq 100); do build/bin/shared_queue --racy --items 1 \
 *           --workers 8 --tick 0.01; done | grep 'lost the race'
 *
 * Run it:   build/bin/shared_queue
 *           build/bin/shared_queue --items 1000 --workers 4
 *           build/bin/shared_queue --racy --items 1 --workers 8
 */
#include "mp.h"

#include <stdio.h>
#include <unistd.h>

#define MAX_WORKERS 64      /* a class on a laptop: plenty, and far below the
                               number of processes a user may have */
#define MAX_ITEMS 100000
#define WORK 0.01           /* ticks of work per item (not in the seed: see above) */

/* An item: text, like the seed's 'a', or a number "1" .. "100000". */
struct item {
    char text[8];
};

static mp_queue *q;         /* made before the workers are forked */
static bool racy;
static double start;        /* when main started the workers */

/* What a worker needs from main, sent as its argument's bytes: under fork
 * it has main's globals anyway, but a new program (--start-method spawn or
 * forkserver) has them only as the program starts them, and maps the queue
 * from its descriptor. */
struct job {
    int queue_fd;
    bool racy;
    double start;
};

/* The seed's loop: ask empty(), then get. Between the two another worker
 * may take the last item; Python's get would then wait for ever, ours gives
 * up after a tick and says what happened. Returns how many items it got. */
static int racy_loop(const char *name, long pid)
{
    int got = 0;
    struct item item;
    while (!mp_queue_empty(q)) {
        enum mp_status status = mp_queue_get(q, &item, mp_tick);
        if (status == MP_TIMEOUT) {
            mp_print(_("%s (PID %ld): lost the race: empty() said there was an item, "
                       "then get found none for a whole tick"), name, pid);
            break;
        }
        if (status != MP_OK)
            mp_die(N_("get: %s"), mp_last_error());
        mp_print(_("%s (PID %ld) got %s"), name, pid, item.text);
        mp_sleep_ticks(WORK);
        got++;
    }
    return got;
}

/* The safe loop: get until the queue is closed and drained. */
static int closed_loop(const char *name, long pid)
{
    int got = 0;
    struct item item;
    enum mp_status status;
    while ((status = mp_queue_get(q, &item, MP_FOREVER)) == MP_OK) {
        mp_print(_("%s (PID %ld) got %s"), name, pid, item.text);
        mp_sleep_ticks(WORK);
        got++;
    }
    if (status != MP_CLOSED)
        mp_die(N_("get: %s"), mp_last_error());
    return got;
}

static int work(void *arg)
{
    const struct job *job = arg;
    if (q == NULL && (q = mp_queue_attach(job->queue_fd)) == NULL)
        mp_die(N_("queue: %s"), mp_last_error());
    racy = job->racy;
    start = job->start;
    const char *name = mp_current_process_name();
    long pid = (long)getpid();
    /* The seed's time.sleep(0.5), counted from when main started the
     * workers, so that they all wake together and race for the items. */
    mp_sleep(start + 0.5 * mp_tick - mp_now());
    mp_print(_("%s (PID %ld): q is at %p"), name, pid, (void *)q);
    int got = racy ? racy_loop(name, pid) : closed_loop(name, pid);
    mp_print(_("%s (PID %ld): done, %d item%s"), name, pid, got, got == 1 ? "" : "s");
    return 0;
}

int main(int argc, char **argv)
{
    MP_TARGET(work);        /* by name, for a worker that is a new program */
    mp_main_guard();        /* if __name__ == '__main__': */

    long nitems = 0, nworkers = 2;
    const struct mp_option options[] = {
        { "--items", MP_OPT_INT, &nitems, 1, MAX_ITEMS, "N",
          N_("put the numbers 1 .. N (default: the seed's a, b, c)") },
        { "--workers", MP_OPT_INT, &nworkers, 1, MAX_WORKERS, "N",
          N_("how many worker processes (default 2, at most 64)") },
        { "--racy", MP_OPT_FLAG, &racy, 0, 0, NULL,
          N_("the seed's `while not q.empty(): q.get()` loop, with a get timeout") },
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL,
                  N_("Seed 3.2: items in a shared queue, divided between worker processes."));
    mp_start_method_setup();

    /* Room for every item, so that main can put them all before it starts
     * the workers, as the seed does. */
    bool letters = nitems == 0;
    size_t count = letters ? 3 : (size_t)nitems;
    q = mp_queue_new(sizeof(struct item), count);
    if (q == NULL)
        mp_die(N_("queue: %s"), mp_last_error());
    for (size_t i = 0; i < count; i++) {
        struct item item;
        if (letters)
            snprintf(item.text, sizeof item.text, "%c", (char)('a' + i));
        else
            snprintf(item.text, sizeof item.text, "%zu", i + 1);
        if (mp_queue_put(q, &item, 0) != MP_OK)
            mp_die(N_("put: %s"), mp_last_error());
    }
    if (letters)
        mp_print(_("main (PID %ld): put a, b, c into q"), (long)getpid());
    else
        mp_print(_("main (PID %ld): put 1 .. %zu into q"), (long)getpid(), count);
    /* "No more items": the workers' get drains the queue, then says closed.
     * The seed never says so: its workers guess with empty(), as --racy does. */
    if (!racy && mp_queue_close(q) != MP_OK)
        mp_die(N_("close the queue: %s"), mp_last_error());

    mp_process workers[MAX_WORKERS];
    start = mp_now();
    struct job job = { mp_queue_fd(q), racy, start };
    for (long i = 0; i < nworkers; i++) {
        mp_process_init(&workers[i], work, NULL);
        if (mp_process_args(&workers[i], &job, sizeof job) != MP_OK ||
            mp_process_pass_fd(&workers[i], job.queue_fd) != MP_OK)
            mp_die("%s", mp_last_error());
        if (mp_process_start(&workers[i]) != MP_OK)
            mp_die(N_("start %s: %s"), workers[i].name, mp_last_error());
    }
    for (long i = 0; i < nworkers; i++)
        if (mp_process_join(&workers[i], MP_FOREVER) != MP_OK)
            mp_die(N_("join %s: %s"), workers[i].name, mp_last_error());

    mp_print(_("main process done!"));
    mp_queue_free(q);
    return 0;
}
