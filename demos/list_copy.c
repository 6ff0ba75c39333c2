/* SPDX-License-Identifier: MIT */
/*
 * list_copy - a list handed to two children is copied: both do all the work.
 *
 * Seed section 三.1 (进程中的队列, 1: a list, no Queue). The Python it re-builds:
 *
 *     def work1(q):
 *         print("这个是work2中的参数q的id: ", id(q))
 *         while q:
 *             print(f"work1 从q中获得了 {q.pop()}")
 *     # work2: the same, printing "work2"
 *
 *     q = ['a', 'b', 'c']
 *     p1 = Process(target=work1, args=(q,))
 *     p2 = Process(target=work2, args=(q,))
 *     p1.start()
 *     p2.start()
 *     print(f'主进程运行完毕!')
 *
 * fork makes each child a copy of the parent: its own copy of all of the
 * parent's memory, the list among it. So each child pops a, b and c from its
 * own list, and the work is done twice (see `shared_queue` for the fix).
 *
 * A correction to the seed: its comments say the two children's q have
 * different ids. Under fork they have the same one, and this demo prints the
 * same address in all three processes. A child's memory is a copy of its
 * parent's *at the same addresses* (virtual memory: each process has its own
 * map from addresses to physical memory). The copy is lazy, "copy on write":
 * after fork the two maps point at the same physical pages, marked
 * read-only; the first write to a page (a child popping from the list) makes
 * the kernel give that process a private copy of the page. Same address,
 * separate memory. (Python's "spawn" start method does print different ids:
 * each child is a new program that builds a new list.) The seed's work1 also
 * calls itself work2 in its first line; here each child says its own name.
 *
 * What to watch for:
 *   - Six "got" lines: c, b, a from work1 and c, b, a from work2 (pop takes
 *     from the end), from two different PIDs.
 *   - One address, printed by main, work1 and work2.
 *   - "main process done!" can come first: main does not join. The program
 *     still ends only after both children (the library joins them at exit).
 *
 * With --start-method spawn or forkserver each child gets the list's bytes,
 * copied at another address: main's address is no longer printed by the
 * children (Python's "spawn" prints different ids, as the seed says).
 *
 * Run it:   build/bin/list_copy
 *           build/bin/list_copy --start-method spawn
 */
#include "mp.h"

#include <string.h>
#include <unistd.h>

/* Python's list ['a', 'b', 'c'], as plain C: the items and how many are left. */
struct list {
    char items[3];
    int len;
};

static int work(const char *name, struct list *q)
{
    long pid = (long)getpid();
    mp_print(_("%s (PID %ld): q is at %p"), name, pid, (void *)q);
    while (q->len > 0) {                   /* while q: */
        q->len--;                          /* q.pop(): a write, so the kernel */
        char item = q->items[q->len];      /* copies the page for this child */
        mp_print(_("%s (PID %ld) got %c"), name, pid, item);
    }
    return 0;
}

static int work1(void *arg)
{
    return work("work1", arg);
}

static int work2(void *arg)
{
    return work("work2", arg);
}

int main(int argc, char **argv)
{
    MP_TARGET(work1);             /* by name, for --start-method spawn and */
    MP_TARGET(work2);             /* forkserver (lesson 11) */
    mp_main_guard();              /* if __name__ == '__main__': */

    mp_tick_option = false;       /* no sleep in this lesson: no --tick */
    const struct mp_option options[] = {
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL,
                  N_("Seed 3.1: a list handed to two children is copied, so both pop all of it."));
    mp_start_method_setup();

    struct list q = { { 'a', 'b', 'c' }, 3 };
    mp_print(_("main (PID %ld): q = [a, b, c] is at %p"), (long)getpid(), (void *)&q);

    mp_process p1, p2;
    mp_process_init(&p1, work1, &q);       /* args=(q,): a pointer to main's q, */
    mp_process_init(&p2, work2, &q);       /* valid in the child's copy too */
    /* A new program (spawn, forkserver) has no such address: send the
     * list's bytes, which it copies to an address of its own. */
    if (strcmp(mp_get_start_method(), "fork") != 0 &&
        (mp_process_args(&p1, &q, sizeof q) != MP_OK || mp_process_args(&p2, &q, sizeof q) != MP_OK))
        mp_die(N_("args: %s"), mp_last_error());
    if (mp_process_start(&p1) != MP_OK)
        mp_die(N_("start %s: %s"), p1.name, mp_last_error());
    if (mp_process_start(&p2) != MP_OK)
        mp_die(N_("start %s: %s"), p2.name, mp_last_error());

    mp_print(_("main process done!"));
    /* No join, as in the seed: returning from main calls exit(), and the
     * library's exit handler waits for both children. */
    return 0;
}
