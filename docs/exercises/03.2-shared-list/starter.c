/* SPDX-License-Identifier: MIT */
/*
 * Exercise 03.2 - one list for all three processes (lesson 03, list_copy).
 *
 * The list of demos/list_copy.c, and main prints its own list after joining
 * the children. As it is, each child pops its own copy: six "got" lines, and
 * main's list is still [a, b, c] at the end.
 *
 * Your task: get the list from
 *     mmap(NULL, sizeof(struct list), PROT_READ | PROT_WRITE,
 *          MAP_SHARED | MAP_ANONYMOUS, -1, 0)
 * before the children start (check for MAP_FAILED), fill it with a, b, c,
 * and hand the children that. How many "got" lines now? Is it always the
 * same? What does main's list hold after the joins?
 *
 * Check it: make exercise N=03.2
 */
#include "mp.h"

#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

struct list {
    char items[3];
    int len;
};

static const char *list_text(const struct list *q, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "[");
    for (int i = 0; i < q->len && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%c", i ? ", " : "", q->items[i]);
    if (n < size)
        snprintf(out + n, size - n, "]");
    return out;
}

static int work(const char *name, struct list *q)
{
    long pid = (long)getpid();
    mp_print("%s (PID %ld): q is at %p", name, pid, (void *)q);
    while (q->len > 0) {                /* no lock: two processes may both */
        q->len--;                       /* find one item left (lesson 04) */
        mp_print("%s (PID %ld) got %c", name, pid, q->items[q->len]);
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
    mp_tick_option = false;
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "Exercise 03.2: one list shared by three processes.");

    struct list local = { { 'a', 'b', 'c' }, 3 };
    struct list *q = &local;
    char text[64];
    mp_print("main (PID %ld): q = %s is at %p", (long)getpid(), list_text(q, text, sizeof text),
             (void *)q);

    mp_process p1, p2;
    mp_process_init(&p1, work1, q);
    mp_process_init(&p2, work2, q);
    if (mp_process_start(&p1) != MP_OK || mp_process_start(&p2) != MP_OK)
        mp_die("start: %s", mp_last_error());
    if (mp_process_join(&p1, MP_FOREVER) != MP_OK || mp_process_join(&p2, MP_FOREVER) != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_print("main (PID %ld): after the joins, q = %s", (long)getpid(), list_text(q, text, sizeof text));
    return 0;
}
