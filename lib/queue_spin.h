/* SPDX-License-Identifier: MIT */
/*
 * queue_spin.h - the queue's first step of waiting: look again soon, or go
 * to sleep? The heuristics and their measurements are in queue_spin.c.
 * Private to the library.
 */
#ifndef QUEUE_SPIN_H
#define QUEUE_SPIN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* An end's cpu field while no process at that end is awake. */
enum { SPIN_NO_CPU = -1 };

/* Holding an end's lock: notes in that end's cpu field the CPU this
 * process runs on, for the other end's waiters to read. */
void spin_note_cpu(atomic_int *cpu);

/* Waiting at one end, holding its lock, after a look found nothing: true
 * means "look again now" (it has paused or yielded the CPU a moment
 * first), false "go to sleep". other_cpu and other_count are the other
 * end's cpu field and count (items put, or items taken); capacity the
 * queue's; *since when this wait's first step began, negative until its
 * first call, which sets it; deadline as the queue's (negative: none). */
bool spin_a_while(atomic_int *other_cpu, atomic_ullong *other_count, size_t capacity,
                  double *since, double deadline);

#endif
