/* SPDX-License-Identifier: MIT */
/*
 * Exercise 03.1 - each child pushes onto its own copy (lesson 03, list_copy).
 *
 * demos/list_copy.c, cut down: a list ['a', 'b', 'c'] in main's memory, two
 * children that pop it empty. fork gave each child a copy of it.
 *
 * Your task:
 *   1. give struct list room for 8 items;
 *   2. make work1 push a 'd' before it pops (q->items[q->len++] = 'd');
 *   3. in main, join both children, then print main's own list with
 *        mp_print("main (PID %ld): after the joins, q = %s", pid, text)
 *      where text comes from list_text() below.
 * How many "got" lines are there now, from whom, and what does main's list
 * hold at the end?
 *
 * Check it: make exercise N=03.1
 */
#include "mp.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct list {
    char items[3];
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
    mp_print("main process done!");
    return 0;
}
