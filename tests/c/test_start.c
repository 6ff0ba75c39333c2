/* SPDX-License-Identifier: MIT */
/*
 * test_start - the start methods, one behaviour per sub-command, each
 * printing what it saw for tests/start.bats to check.
 *
 *     test_start METHOD basic | signals | unregistered | pointer | exit-joins
 *                       | daemon-wait | wait | queue | queue-kill | subclass | ended
 *
 * With TEST_START_EARLY set in the environment, main starts a process before
 * mp_main_guard (the Python script without `if __name__ == '__main__':`).
 */
#include "mp.h"
#include "status.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int changed_global = 1;

/* Prints what the child sees, returns the argument's number as its status. */
static int report(void *arg)
{
    int n;
    memcpy(&n, arg, sizeof n);
    mp_print("child: pid=%ld parent=%ld name=%s arg=%d global=%d method=%s", (long)getpid(),
             (long)getppid(),
             mp_current_process_name(), n, changed_global, mp_get_start_method());
    return n;
}

static int sleep_long(void *arg)
{
    (void)arg;
    mp_print("sleeper: pid=%ld parent=%ld", (long)getpid(), (long)getppid());
    mp_sleep(20);
    return 0;
}

static int sleep_then_print(void *arg)
{
    (void)arg;
    mp_sleep(0.3);
    mp_print("non-daemonic child %s done", mp_current_process_name());
    return 0;
}

static int not_registered(void *arg)
{
    (void)arg;
    return 0;
}

/* A "subclass" with fields of its own, and one left unregistered. */
struct counter {
    mp_process base;
    int start, step;
    char label[12];
};

static int count_run(mp_process *self)
{
    struct counter *c = (struct counter *)self;
    mp_print("%s: %s counts %d, %d, %d", self->name, c->label, c->start, c->start + c->step,
             c->start + 2 * c->step);
    return c->step;
}

static int unregistered_run(mp_process *self)
{
    (void)self;
    return 0;
}

/* Starts a registered subclass (its fields set after init, as a Python
 * __init__ would) and an unregistered one: the second is refused under
 * spawn and forkserver. */
static int subclass(void)
{
    struct counter c = { .start = 5, .step = 3 };
    mp_process_init_as(&c.base, "Counter", NULL, NULL);
    c.base.run = count_run;
    snprintf(c.label, sizeof c.label, "by threes");
    if (mp_process_start(&c.base) != MP_OK)
        mp_die("start: %s", mp_last_error());
    mp_process_join(&c.base, MP_FOREVER);
    mp_print("exitcode=%d", mp_process_exitcode(&c.base));
    struct counter u = c;
    mp_process_init_as(&u.base, "Other", NULL, NULL);
    u.base.run = unregistered_run;
    int r = mp_process_start(&u.base);
    mp_print("unregistered: %s", r == 0 ? "started" : mp_last_error());
    if (r == 0)
        mp_process_join(&u.base, MP_FOREVER);
    r = mp_register_class("huge", unregistered_run, sizeof(mp_process) + MP_ARG_MAX + 1);
    mp_print("too big: %s", r == 0 ? "registered" : mp_last_error());
    return 0;
}

/* A consumer: takes items from the queue whose descriptor is the argument's
 * first int, puts each on the results queue (the second int) with its PID. */
static int consume(void *arg)
{
    int fds[2];
    memcpy(fds, arg, sizeof fds);
    mp_queue *tasks = mp_queue_attach(fds[0]);
    mp_queue *results = mp_queue_attach(fds[1]);
    if (tasks == NULL || results == NULL)
        mp_die("attach: %s", mp_last_error());
    long item;
    while (mp_queue_get(tasks, &item, MP_FOREVER) == MP_OK) {
        long out[2] = { item, (long)getpid() };
        if (mp_queue_put(results, out, MP_FOREVER) != MP_OK)
            mp_die("put: %s", mp_last_error());
    }
    return 0;
}

static void start_or_die(mp_process *p)
{
    if (mp_process_start(p) != MP_OK)
        mp_die("start %s: %s", p->name, mp_last_error());
}

static void start_with(mp_process *p, int (*target)(void *), int n, bool daemon)
{
    mp_process_init(p, target, NULL);
    if (mp_process_args(p, &n, sizeof n) != MP_OK)
        mp_die("args: %s", mp_last_error());
    p->daemon = daemon;
    start_or_die(p);
}

static int basic(void)
{
    changed_global = 2;            /* seen by a forked child only */
    mp_process a, b;
    start_with(&a, report, 3, false);
    start_with(&b, report, 5, false);
    mp_process_join(&a, MP_FOREVER);
    mp_process_join(&b, MP_FOREVER);
    mp_print("main: pid=%ld a=%ld b=%ld exitcodes=%d,%d alive=%d,%d", (long)getpid(),
             (long)a.pid, (long)b.pid, mp_process_exitcode(&a), mp_process_exitcode(&b),
             mp_process_is_alive(&a), mp_process_is_alive(&b));
    return 0;
}

/* terminate and kill of a child that has ended but is not joined yet: not
 * an error, no signal sent, and its exit code stays its own. (A forkserver
 * child is reaped by the server at once: its PID is no longer ours.) */
static int ended(void)
{
    mp_process p;
    start_with(&p, report, 4, false);
    mp_sleep(0.3);                       /* it prints and ends at once */
    int t = mp_process_terminate(&p);
    int k = mp_process_kill(&p);
    mp_print("after its end: terminate=%d kill=%d exitcode=%d", t, k, mp_process_exitcode(&p));
    mp_process_join(&p, MP_FOREVER);
    return 0;
}

static int signals(void)
{
    mp_process p, q;
    start_with(&p, sleep_long, 0, false);
    start_with(&q, sleep_long, 0, false);
    bool ended = mp_process_join(&p, 0.1) == MP_OK;
    mp_print("join(0.1)=%d alive=%d exitcode_is_none=%d", ended, mp_process_is_alive(&p),
             mp_process_exitcode(&p) == MP_NO_EXITCODE);
    mp_process_terminate(&p);
    mp_process_kill(&q);
    ended = mp_process_join(&p, 5) == MP_OK;
    mp_print("terminated: ended=%d exitcode=%d alive=%d", ended, mp_process_exitcode(&p),
             mp_process_is_alive(&p));
    mp_process_join(&q, MP_FOREVER);
    mp_print("killed: exitcode=%d", mp_process_exitcode(&q));
    return 0;
}

static int refused(int (*target)(void *), bool bytes)
{
    mp_process p;
    int n = 1;
    mp_process_init(&p, target, bytes ? NULL : &n);
    if (bytes)
        mp_process_args(&p, &n, sizeof n);
    if (mp_process_start(&p) == MP_OK) {
        mp_process_join(&p, MP_FOREVER);
        mp_print("started: exitcode=%d", mp_process_exitcode(&p));
    } else {
        mp_print("refused: %s", mp_last_error());
    }
    return 0;
}

static int exit_joins(void)
{
    mp_process d, n;
    start_with(&d, sleep_long, 0, true);
    start_with(&n, sleep_then_print, 0, false);
    mp_print("main returns");
    return 0;
}

/* Runs until killed: a child (daemonic or not) sleeps meanwhile. */
static int wait_for_signal(bool daemon)
{
    mp_process p;
    start_with(&p, sleep_long, 0, daemon);
    mp_print("main: pid=%ld", (long)getpid());
    mp_process_join(&p, MP_FOREVER);
    return 0;
}

/* items through a queue to consumers started by the method; each item
 * must come back exactly once. With kill, one consumer is SIGKILLed on the
 * way: the others take the rest. */
static int queue(bool kill_one)
{
    enum { CONSUMERS = 3, ITEMS = 3000 };
    mp_queue *tasks = mp_queue_new(sizeof(long), 64);
    mp_queue *results = mp_queue_new(2 * sizeof(long), 64);
    if (tasks == NULL || results == NULL)
        mp_die("queue: %s", mp_last_error());
    int fds[2] = { mp_queue_fd(tasks), mp_queue_fd(results) };
    mp_process c[CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++) {
        mp_process_init(&c[i], consume, NULL);
        mp_process_args(&c[i], fds, sizeof fds);
        mp_process_pass_fd(&c[i], fds[0]);
        mp_process_pass_fd(&c[i], fds[1]);
        start_or_die(&c[i]);
    }
    static int seen[ITEMS];
    int got = 0, put = 0;
    long out[2];
    while (got < ITEMS) {
        if (put < ITEMS && mp_queue_put(tasks, &(long){ put }, 0) == MP_OK) {
            put++;
            if (put == ITEMS)
                mp_queue_close(tasks);
            if (kill_one && put == ITEMS / 2)
                mp_process_kill(&c[0]);
        }
        enum mp_status s = mp_queue_get(results, out, put < ITEMS ? 0 : 2.0);
        if (s == MP_OK) {
            seen[out[0]]++;
            got++;
        } else if (s != MP_TIMEOUT || put == ITEMS) {
            break;                   /* all consumers gone (or one held an item) */
        }
    }
    int once = 0, twice = 0;
    for (int i = 0; i < ITEMS; i++) {
        once += seen[i] == 1;
        twice += seen[i] > 1;
    }
    for (int i = 0; i < CONSUMERS; i++)
        mp_process_join(&c[i], MP_FOREVER);
    mp_print("items=%d once=%d twice=%d exitcodes=%d,%d,%d", ITEMS, once, twice,
             mp_process_exitcode(&c[0]), mp_process_exitcode(&c[1]), mp_process_exitcode(&c[2]));
    mp_queue_free(tasks);
    mp_queue_free(results);
    return 0;
}

int main(int argc, char **argv)
{
    MP_TARGET(report);
    MP_TARGET(sleep_long);
    MP_TARGET(sleep_then_print);
    MP_TARGET(consume);
    MP_CLASS(struct counter, count_run);
    if (getenv("TEST_START_EARLY") != NULL) {
        mp_set_start_method("spawn");
        mp_process p;
        int n = 7;
        mp_process_init(&p, report, NULL);
        mp_process_args(&p, &n, sizeof n);
        start_or_die(&p);
        mp_process_join(&p, MP_FOREVER);
        mp_print("early child exitcode=%d", mp_process_exitcode(&p));
        return 0;
    }
    mp_main_guard();

    if (argc != 3 || mp_set_start_method(argv[1]) != MP_OK) {
        fprintf(stderr, "usage: test_start fork|spawn|forkserver CASE\n");
        return 2;
    }
    const char *c = argv[2];
    if (strcmp(c, "basic") == 0)
        return basic();
    if (strcmp(c, "signals") == 0)
        return signals();
    if (strcmp(c, "unregistered") == 0)
        return refused(not_registered, true);
    if (strcmp(c, "pointer") == 0)
        return refused(report, false);
    if (strcmp(c, "exit-joins") == 0)
        return exit_joins();
    if (strcmp(c, "wait") == 0 || strcmp(c, "daemon-wait") == 0)
        return wait_for_signal(c[0] == 'd');
    if (strcmp(c, "queue") == 0 || strcmp(c, "queue-kill") == 0)
        return queue(strcmp(c, "queue-kill") == 0);
    if (strcmp(c, "ended") == 0)
        return ended();
    if (strcmp(c, "subclass") == 0)
        return subclass();
    fprintf(stderr, "test_start: unknown case %s\n", c);
    return 2;
}
