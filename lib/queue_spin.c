/* SPDX-License-Identifier: MIT */
/*
 * queue_spin: MEASUREMENTS TO COME
 */
#ifdef __linux__
#define _GNU_SOURCE            /* sched_getcpu */
#endif
#include "queue_spin.h"
#include "mp.h"

#include <sched.h>

/* Step 1's limit. */
static const double SPIN_SECONDS = 50e-6;

/* A yield is worth it while it brings an item (a free cell) per this many
 * seconds at least. */
static const double YIELD_COST = 5e-6;

/* The most waits one costly yield makes the process sleep through. */
enum { MAX_SKIPS = 1024 };

/* How often a process asks which CPU it runs on: every this many locks. */
enum { NOTE_EVERY = 64 };

/* PAUSE instructions per look in step 1. */
enum { PAUSES = 16 };

/* Per process (the CPU it shares is its own affair): how many more waits go
 * without a yield, and how many the next costly yield will skip. */
static unsigned yields_to_skip, skips_after_costly = 1;

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

/* Tells the CPU that we are spinning (x86 PAUSE, ARM YIELD): it slows the
 * loop down a little and leaves more of the core to a hyperthread sibling. */
static void pause_a_moment(void)
{
    for (int i = 0; i < PAUSES; i++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield");
#endif
    }
}

/* Gives the CPU away once, and judges the yield by how long it took and how
 * many items (free cells) the other end made meanwhile: a costly one means
 * a program computes beside us, and the next waits sleep instead (1, then
 * 2, 4 ... up to MAX_SKIPS while that goes on). */
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
bool spin_a_while(atomic_int *other_cpu, atomic_ullong *other_count, double since,
                  double deadline)
{
    int other = atomic_load(other_cpu);
    if (other == SPIN_NO_CPU)
        return false;                  /* nobody awake there to wait for */
    double now = mp_now();
    if (now >= since + SPIN_SECONDS || (deadline >= 0 && now >= deadline))
        return false;
    if (other != this_cpu()) {
        pause_a_moment();
        return true;
    }
    if (yields_to_skip > 0) {
        yields_to_skip--;
        return false;
    }
    yield_and_judge(other_count);
    return true;
}
