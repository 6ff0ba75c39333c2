/* SPDX-License-Identifier: MIT */
/*
 * Exercise 03.1, a solution: room for 8, work1 pushes 'd', main joins and
 * prints its own list. Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct list {
    char items[8];
    int len;
};

/* The list as Python prints it: "[a, b, c]". */
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
    while (q->len > 0) {
        q->len--;
        mp_print("%s (PID %ld) got %c", name, pid, q->items[q->len]);
    }
    return 0;
}

static int work1(void *arg)
{
    struct list *q = arg;
    q->items[q->len++] = 'd';          /* a write: onto this child's copy only */
    return work("work1", q);
}

static int work2(void *arg)
{
    return work("work2", arg);
}

int main(int argc, char **argv)
{
    mp_tick_option = false;
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "Exercise 03.1: each child pushes onto its own copy.");

    struct list q = { { 'a', 'b', 'c' }, 3 };
    char text[64];
    mp_print("main (PID %ld): q = %s is at %p", (long)getpid(), list_text(&q, text, sizeof text),
             (void *)&q);

    mp_process p1, p2;
    mp_process_init(&p1, work1, &q);
    mp_process_init(&p2, work2, &q);
    if (mp_process_start(&p1) != MP_OK)
        mp_die("start %s: %s", p1.name, mp_last_error());
    if (mp_process_start(&p2) != MP_OK)
        mp_die("start %s: %s", p2.name, mp_last_error());
    if (mp_process_join(&p1, MP_FOREVER) != MP_OK || mp_process_join(&p2, MP_FOREVER) != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_print("main (PID %ld): after the joins, q = %s", (long)getpid(),
             list_text(&q, text, sizeof text));
    mp_print("main process done!");
    return 0;
}
