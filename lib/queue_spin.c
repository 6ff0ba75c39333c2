/* SPDX-License-Identifier: MIT */
/*
 * queue_spin: the first step of a wait in the queue (lib/queue.c), kept
 * apart because it is tuning, not correctness: were spin_a_while always
 * false, every wait would sleep at once and the queue lose nothing but speed.
 *
 * A process that finds the queue empty (full) holds its end's lock and asks:
 * look again soon, or sleep? A sleep and its wake-up cost both ends system
 * calls, while a process awake at the other end often makes the change
 * sooner. So each end notes its CPU in its cpu field when it takes its lock
 * (SPIN_NO_CPU while it sleeps), and for at most SPIN_SECONDS, while the
 * other end is awake, the waiter looks again after
 *   - pauses pause instructions, if that end runs on another CPU;
 *   - a sched_yield, if it runs on ours: it cannot run while we do.
 * The catch with pausing: a look is not free for the other end. It reads
 * the line with the other end's count and the cell that end is filling;
 * the other end's next write must first take them back from our CPU. A
 * consumer that looks every few items, right behind a producer, halves the
 * producer's speed. So each pause is judged by how many items (free cells)
 * the other end made meanwhile: more than one, it streams, and the next
 * look waits twice as long (up to MAX_PAUSES), to take more at once; just
 * one, it answers one at a time and the answer waited for us: half as long
 * (down to MIN_PAUSES). And half as long when it made a quarter of the
 * queue's capacity or more: a small queue it would soon fill, then wait.
 * The catch with sched_yield: Linux puts the yielder behind everything else
 * runnable on its CPU. When that is a program computing beside us, it keeps
 * the CPU for the rest of its time slice, a millisecond or more, while the
 * queue moves a handful of items. So each yield is timed: one that took more
 * than YIELD_COST per item (free cell) it brought means someone else
 * computes here, and the next waits sleep instead (1, then 2, 4 ... up to
 * MAX_SKIPS while that goes on), as a sleeper is handed the CPU at once.
 *
 * What each constant is worth, measured on this project's 2-CPU machine (an
 * AMD EPYC, shared with other work): tests/bench/queue.c's rows in items/s
 * ("busy": its capacity 8 row beside two busy loops), medians of 5 runs, a
 * build per value, run in turn, twice (at a load average of 12 to 25).
 *   SPIN_SECONDS    0         5e-6      50e-6     500e-6
 *     1->1          4.3-4.7M  4.6-4.8M  4.3-5.2M  3.8-4.9M
 *     2->2          0.8M      4.0-4.7M  4.1-5.0M  3.8-4.1M
 *     busy 1->1     60-80k    110-230k  90-330k   110-140k
 *   Without step 1, 2->2 runs five times slower; 5 to 500 us do the same.
 *   A sleep and its wake-up take 7 us of CPU (capacity 1, ping-pong).
 *   YIELD_COST      not timed  1e-6      5e-6      25e-6
 *     busy 1->1     10-20k     50-110k   90-330k   120-150k
 *   An untimed yield makes the busy 1->1 row ten times slower; 5 us, what a
 *   sleep and wake-up cost, did best or as well.
 *   MAX_SKIPS 1, 32, 1024: no difference above the noise. NOTE_EVERY:
 *   asking for the CPU on every lock makes a put+get in one process 69 ns
 *   instead of 66.5.
 * The pauses, later, at a load average of 1 (a pause takes 19 ns here):
 * medians of 5 runs in turn, in items/s, and a round trip through two
 * queues of capacity 1 (a put, the other process's get and put back, a get):
 *   pauses          16 always  64 always  256 always  16 to 256, judged
 *     1->1          6.7M       13.1M      17.3M       17.3M
 *     2->2          6.6M       12.3M      16.0M       16.1M
 *     capacity 8    2.7M       2.8M       1.3M        3.4M   (1->1, idle)
 *     round trip    0.84 us    1.62 us    5.23 us     0.89 us
 *   At 16 always, a consumer looked 304,000 times for 3M items; at 256,
 *   10,000. Judged without the quarter-of-capacity rule, the capacity 8
 *   row fell to 1.2M.
 */
#ifdef __linux__
#define _GNU_SOURCE            /* sched_getcpu */
#endif
#include "queue_spin.h"
#include "mp.h"

#include <sched.h>

static const double SPIN_SECONDS = 50e-6;  /* step 1's limit, from its start */
static const double YIELD_COST = 5e-6;     /* a yield's worth, per item it brings */
enum { MAX_SKIPS = 1024 };                 /* waits slept through, at most, per costly yield */
enum { NOTE_EVERY = 64 };                  /* locks per question "which CPU?" */
enum { MIN_PAUSES = 16, MAX_PAUSES = 256 };  /* pause instructions per look */

/* Per process (the CPU it shares is its own affair): how many more waits go
 * without a yield, how many the next costly yield will skip, and how many
 * pause instructions the next look waits. */
static unsigned yields_to_skip, skips_after_costly = 1;
static unsigned pauses = MIN_PAUSES;

/* The CPU this process runs on now. glibc reads it from memory the kernel
 * keeps up to date (rseq), with no system call. Elsewhere: 0, as if all
 * processes shared one CPU (so a waiter yields, never pauses). If it
 * fails: -1 == SPIN_NO_CPU, and the other end sleeps at once. */
static int this_cpu(void)
{
#ifdef __linux__
    return sched_getcpu();
#else
    return 0;
#endif
}

/* A process rarely moves to another CPU, so it asks only on every
 * NOTE_EVERY-th call, and at once when the field says SPIN_NO_CPU (it has
 * just woken up, or another process at its end has gone to sleep). */
void spin_note_cpu(atomic_int *cpu)
{
    static unsigned calls;             /* per process */
    if (calls++ % NOTE_EVERY != 0 && atomic_load(cpu) != SPIN_NO_CPU)
        return;
    int now = this_cpu();
    if (atomic_load(cpu) != now)       /* no store, no line sent to the others */
        atomic_store(cpu, now);
}

/* Tells the CPU that we are spinning (x86 PAUSE, ARM YIELD), pauses times:
 * it slows the loop down and leaves more of the core to a hyperthread
 * sibling. Then judges the pause by what the other end made meanwhile, out
 * of a queue of capacity items (see the top). */
static void pause_and_judge(atomic_ullong *other_count, size_t capacity)
{
    unsigned long long before = atomic_load(other_count);
    for (unsigned i = 0; i < pauses; i++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield");
#endif
    }
    unsigned long long made = atomic_load(other_count) - before;
    bool near_full = made * 4 > capacity;
    if (made > 1 && !near_full && pauses < MAX_PAUSES)
        pauses *= 2;
    else if ((made == 1 || near_full) && pauses > MIN_PAUSES)
        pauses /= 2;
}

/* Gives the CPU away once, and judges the yield by how long it took and how
 * many items (free cells) the other end made meanwhile (see the top). */
static void yield_and_judge(atomic_ullong *other_count)
{
    unsigned long long before = atomic_load(other_count);
    double start = mp_now();
    sched_yield();                     /* cannot fail on Linux */
    double took = mp_now() - start;
    unsigned long long made = atomic_load(other_count) - before;
    if (took > YIELD_COST * (double)(made + 1)) {
        yields_to_skip = skips_after_costly;
        if (skips_after_costly < MAX_SKIPS)
            skips_after_costly *= 2;
    } else
        skips_after_costly = 1;
}

/* Never past the deadline: a timeout of 0 does not wait at all. */
bool spin_a_while(atomic_int *other_cpu, atomic_ullong *other_count, size_t capacity,
                  double *since, double deadline)
{
    int other = atomic_load(other_cpu);
    if (other == SPIN_NO_CPU)
        return false;                  /* nobody awake there to wait for */
    double now = mp_now();
    if (*since < 0)
        *since = now;
    if (now >= *since + SPIN_SECONDS || (deadline >= 0 && now >= deadline))
        return false;
    if (other != this_cpu()) {
        pause_and_judge(other_count, capacity);
        return true;
    }
    if (yields_to_skip > 0) {
        yields_to_skip--;
        return false;
    }
    yield_and_judge(other_count);
    return true;
}
