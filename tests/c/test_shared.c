/* SPDX-License-Identifier: MIT */
/*
 * test_shared - the shared layer (Lock, Value, Array, Pipe), one behaviour
 * per sub-command, each printing what it saw for tests/shared.bats.
 *
 *     test_shared METHOD lock-timeout | kill-holder | kill-holder-alone
 *                      | value | pipe-duplex | pipe-oneway | pipe-errors
 *                      | pipe-eof | pipe-cut | pipe-reader-gone
 *
 * METHOD (fork, spawn, forkserver) starts every child; each child maps the
 * lock and the values from their descriptors and gets its pipe ends by
 * number, so the same code runs under all three.
 */
#include "mp.h"
#include "status.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What every child gets, as its argument's bytes. */
struct kit {
    int lock_fd, value_fd;     /* -1 where unused */
    mp_conn up;                /* the child's end (receives, and sends if duplex) */
    mp_conn out;               /* the child's sending end, if not up */
    mp_conn mains[2];          /* main's ends: the child closes its copies, or
                                  main's closing would never end its file */
    long n;
};

#define NO_CONN { -1, false, false }

static void close_mains(struct kit *k)
{
    mp_conn_close(&k->mains[0]);
    mp_conn_close(&k->mains[1]);
}

static mp_lock *lock_of(const struct kit *k)
{
    mp_lock *l = mp_lock_attach(k->lock_fd);
    if (l == NULL)
        mp_die("lock_attach: %s", mp_last_error());
    return l;
}

static mp_value *value_of(const struct kit *k)
{
    mp_value *v = mp_value_attach(k->value_fd);
    if (v == NULL)
        mp_die("value_attach: %s", mp_last_error());
    return v;
}

static void say(mp_conn *c, const char *word)
{
    if (mp_conn_send(c, word, strlen(word)) != MP_OK)
        mp_die("send: %s", mp_last_error());
}

/* Waits (at most 10 s) for one message; returns its status. */
static enum mp_status hear(mp_conn *c, char *buf, size_t size)
{
    size_t len = 0;
    enum mp_status s = mp_conn_recv(c, buf, size - 1, &len, 10);
    buf[len] = '\0';
    return s;
}

static void start(mp_process *p, int (*target)(void *), struct kit *k)
{
    int fds[] = { k->lock_fd, k->value_fd, k->up.fd, k->out.fd, k->mains[0].fd, k->mains[1].fd };
    mp_process_init(p, target, NULL);
    if (mp_process_args(p, k, sizeof *k) != MP_OK)
        mp_die("%s", mp_last_error());
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0 && mp_process_pass_fd(p, fds[i]) != MP_OK)
            mp_die("%s", mp_last_error());
    if (mp_process_start(p) != MP_OK)
        mp_die("start: %s", mp_last_error());
}

static void pipe_or_die(mp_conn *a, mp_conn *b, bool duplex)
{
    if (mp_pipe(a, b, duplex) != MP_OK)
        mp_die("Pipe: %s", mp_last_error());
}

/* --- the lock ------------------------------------------------------------ */

/* Takes the lock, stores 1 into a[0] (the first half of an update of two
 * items), says "held", then waits for "go" (or for ever: it is killed). */
static int holder(void *arg)
{
    struct kit *k = arg;
    close_mains(k);
    mp_lock *l = lock_of(k);
    if (mp_lock_acquire(l, 5) != MP_OK)
        mp_die("holder acquire: %s", mp_last_error());
    if (k->value_fd >= 0)
        ((int *)mp_value_ptr(value_of(k)))[0] = 1;
    say(&k->up, "held");
    char buf[16];
    if (hear(&k->up, buf, sizeof buf) != MP_OK || strcmp(buf, "go") != 0)
        mp_die("holder: no go");
    if (mp_lock_release(l) != MP_OK)
        mp_die("holder release: %s", mp_last_error());
    return 0;
}

/* Says "waiting", then waits up to 5 s for the lock; reports how it got it. */
static int waiter(void *arg)
{
    struct kit *k = arg;
    close_mains(k);
    mp_lock *l = lock_of(k);
    const int *a = mp_value_ptr(value_of(k));
    say(&k->up, "waiting");
    double start = mp_now();
    enum mp_status s = mp_lock_acquire(l, 5);
    char line[128];
    snprintf(line, sizeof line, "acquire %s took=%.2f holder_died=%d a=%d,%d", status_word(s),
             mp_now() - start, s == MP_OK && mp_lock_holder_died(l), a[0], a[1]);
    if (s == MP_OK && mp_lock_release(l) != MP_OK)
        mp_die("waiter release: %s", mp_last_error());
    say(&k->up, line);
    return 0;
}

static mp_lock *new_lock(void)
{
    mp_lock *l = mp_lock_new();
    if (l == NULL)
        mp_die("Lock: %s", mp_last_error());
    return l;
}

static int lock_timeout(void)
{
    mp_lock *l = new_lock();
    mp_conn mine, childs;
    pipe_or_die(&mine, &childs, true);
    struct kit k = { mp_lock_fd(l), -1, childs, NO_CONN, { mine, NO_CONN }, 0 };
    mp_process p;
    start(&p, holder, &k);
    mp_conn_close(&childs);
    char buf[16];
    if (hear(&mine, buf, sizeof buf) != MP_OK)
        mp_die("no word from the holder");
    double t = mp_now();
    enum mp_status s = mp_lock_acquire(l, 0.1);
    mp_print("acquire(0.1) while held: %s took=%.2f (%s)", status_word(s), mp_now() - t,
             mp_last_error());
    t = mp_now();
    s = mp_lock_acquire(l, 0);
    mp_print("acquire(0): %s took=%.3f", status_word(s), mp_now() - t);
    s = mp_lock_release(l);
    mp_print("release by another: %s (%s)", status_word(s), mp_last_error());
    say(&mine, "go");
    if (mp_process_join(&p, 10) != MP_OK || mp_process_exitcode(&p) != 0)
        mp_die("holder did not end well");
    s = mp_lock_release(l);
    mp_print("release when free: %s (%s)", status_word(s), mp_last_error());
    s = mp_lock_acquire(l, MP_FOREVER);
    enum mp_status again = mp_lock_acquire(l, 1);
    mp_print("acquire: %s, again: %s (%s)", status_word(s), status_word(again), mp_last_error());
    s = mp_lock_release(l);
    mp_print("release: %s, holder_died=%d", status_word(s), mp_lock_holder_died(l));
    mp_conn_close(&mine);
    mp_lock_free(l);
    return 0;
}

/* The holder is SIGKILLed holding the lock, half-way through an update of
 * a[0] and a[1]; a waiter already asleep on it gets it within the nap. */
static int kill_holder(bool alone)
{
    mp_lock *l = new_lock();
    mp_value *a = mp_array_new('i', 2);
    if (a == NULL)
        mp_die("Array: %s", mp_last_error());
    mp_conn mine, childs;
    pipe_or_die(&mine, &childs, true);
    struct kit k = { mp_lock_fd(l), mp_value_fd(a), childs, NO_CONN, { mine, NO_CONN }, 0 };
    mp_process h, w;
    start(&h, holder, &k);
    char buf[128];
    if (hear(&mine, buf, sizeof buf) != MP_OK)
        mp_die("no word from the holder");
    mp_conn wmine, wchilds;
    if (!alone) {
        pipe_or_die(&wmine, &wchilds, true);
        k.up = wchilds;
        k.mains[0] = wmine;
        k.mains[1] = mine;
        start(&w, waiter, &k);
        if (hear(&wmine, buf, sizeof buf) != MP_OK)
            mp_die("no word from the waiter");
        mp_sleep(0.2);          /* asleep in acquire by now */
    }
    if (mp_process_kill(&h) != MP_OK || mp_process_join(&h, 5) != MP_OK)
        mp_die("kill the holder: %s", mp_last_error());
    mp_print("holder exitcode=%d", mp_process_exitcode(&h));
    if (!alone) {
        enum mp_status s = hear(&wmine, buf, sizeof buf);
        if (mp_process_join(&w, 5) != MP_OK)
            mp_die("the waiter is still waiting");
        if (s != MP_OK)
            mp_die("no word from the waiter: %s", mp_last_error());
        mp_print("waiter: %s", buf);
    } else {
        const int *items = mp_value_ptr(a);
        double t = mp_now();
        enum mp_status s = mp_lock_acquire(l, 5);
        mp_print("main: %s took=%.2f holder_died=%d a=%d,%d", status_word(s), mp_now() - t,
                 mp_lock_holder_died(l), items[0], items[1]);
        if (mp_lock_release(l) != MP_OK)
            mp_die("release: %s", mp_last_error());
    }
    enum mp_status s = mp_lock_acquire(l, 1);
    mp_print("next acquire: %s holder_died=%d", status_word(s), mp_lock_holder_died(l));
    mp_lock_release(l);
    mp_lock_free(l);
    mp_value_free(a);
    return 0;
}

/* --- Value and Array ----------------------------------------------------- */

/* Adds 1 to each of the n doubles, k->n times, under the Array's lock. */
static int add_to_array(void *arg)
{
    struct kit *k = arg;
    mp_value *v = value_of(k);
    double *d = mp_value_ptr(v);
    for (long t = 0; t < k->n; t++) {
        if (mp_lock_acquire(mp_value_get_lock(v), MP_FOREVER) != MP_OK)
            mp_die("acquire: %s", mp_last_error());
        for (size_t i = 0; i < mp_value_len(v); i++)
            d[i] += 1;
        if (mp_lock_release(mp_value_get_lock(v)) != MP_OK)
            mp_die("release: %s", mp_last_error());
    }
    return 0;
}

static int value(void)
{
    const char *codes = "cbBhHiIlLqQfd";
    char line[128] = "";
    for (const char *c = codes; *c; c++) {
        mp_value *v = mp_value_new(*c);
        if (v == NULL)
            mp_die("Value('%c'): %s", *c, mp_last_error());
        const unsigned char *p = mp_value_ptr(v);
        bool zero = true;
        for (size_t i = 0; i < 8; i++)
            zero = zero && p[i] == 0;
        snprintf(line + strlen(line), sizeof line - strlen(line), "%c%s", *c, zero ? "" : "!");
        mp_value_free(v);
    }
    mp_print("typecodes: %s", line);
    bool made = mp_value_new('z') != NULL;
    mp_print("Value('z'): %s (%s)", made ? "made" : "NULL", mp_last_error());
    made = mp_array_new('d', 0) != NULL;
    mp_print("Array('d', 0): %s (%s)", made ? "made" : "NULL", mp_last_error());
    mp_lock *l = new_lock();
    made = mp_value_attach(mp_lock_fd(l)) != NULL;
    mp_print("attach a lock's fd as a Value: %s (%s)", made ? "made" : "NULL", mp_last_error());
    mp_lock_free(l);

    enum { CHILDREN = 3, TIMES = 2000 };
    mp_value *a = mp_array_new('d', 5);
    if (a == NULL)
        mp_die("Array: %s", mp_last_error());
    struct kit k = { -1, mp_value_fd(a), NO_CONN, NO_CONN, { NO_CONN, NO_CONN }, TIMES };
    mp_process p[CHILDREN];
    for (int i = 0; i < CHILDREN; i++)
        start(&p[i], add_to_array, &k);
    for (int i = 0; i < CHILDREN; i++)
        if (mp_process_join(&p[i], 20) != MP_OK || mp_process_exitcode(&p[i]) != 0)
            mp_die("child %d did not end well", i + 1);
    const double *d = mp_value_ptr(a);
    mp_print("Array('d', %zu) after 3 x 2000 locked adds: %g %g %g %g %g", mp_value_len(a),
             d[0], d[1], d[2], d[3], d[4]);
    mp_value_free(a);
    return 0;
}

/* --- Pipe ---------------------------------------------------------------- */

/* Sends back every message it gets, until end of file. */
static int echo(void *arg)
{
    struct kit *k = arg;
    close_mains(k);
    mp_conn in = k->up, out = k->out.fd >= 0 ? k->out : k->up;
    char *buf = malloc(2000000);
    size_t len;
    enum mp_status s;
    if (buf == NULL)
        mp_die("malloc");
    while ((s = mp_conn_recv(&in, buf, 2000000, &len, 10)) == MP_OK)
        if (mp_conn_send(&out, buf, len) != MP_OK)
            mp_die("echo send: %s", mp_last_error());
    free(buf);
    return s == MP_CLOSED ? 0 : 3;
}

/* Messages of many sizes, there and back: each comes back whole. */
static int pipe_round_trips(bool duplex)
{
    mp_conn to, from = NO_CONN, childs_in, childs_out = NO_CONN;
    pipe_or_die(&childs_in, &to, duplex);            /* duplex: both ends of one */
    if (!duplex)
        pipe_or_die(&from, &childs_out, false);
    mp_print("ends: readable/writable %d%d %d%d", to.readable, to.writable, childs_in.readable,
             childs_in.writable);
    struct kit k = { -1, -1, childs_in, childs_out, { to, from }, 0 };
    mp_process p;
    start(&p, echo, &k);
    mp_conn_close(&childs_in);
    mp_conn_close(&childs_out);
    if (duplex)
        from = to;
    static const size_t sizes[] = { 0, 1, 5, 4096, 100000, 1000000 };
    unsigned char *out = malloc(1000000), *in = malloc(1000001);
    if (out == NULL || in == NULL)
        mp_die("malloc");
    int whole = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (size_t j = 0; j < sizes[i]; j++)
            out[j] = (unsigned char)(j * 7 + i);
        size_t len;
        if (mp_conn_send(&to, out, sizes[i]) != MP_OK ||
            mp_conn_recv(&from, in, 1000001, &len, 10) != MP_OK)
            mp_die("size %zu: %s", sizes[i], mp_last_error());
        whole += len == sizes[i] && memcmp(in, out, len) == 0;
    }
    double t = mp_now();
    enum mp_status s = mp_conn_poll(&from, 0.1);
    mp_print("round trips whole: %d of 6; poll(0.1) with nothing sent: %s took=%.2f", whole,
             status_word(s), mp_now() - t);
    mp_conn_close(&to);                              /* the child's end of file */
    if (!duplex)
        mp_conn_close(&from);
    if (mp_process_join(&p, 10) != MP_OK)
        mp_die("echo did not end");
    mp_print("echo exitcode=%d (0: it saw end of file)", mp_process_exitcode(&p));
    free(out);
    free(in);
    return 0;
}

static int pipe_errors(void)
{
    mp_conn r, w;
    pipe_or_die(&r, &w, false);
    char buf[16];
    size_t len;
    enum mp_status s = mp_conn_send(&r, "x", 1);
    mp_print("send on the read end: %s (%s)", status_word(s), mp_last_error());
    s = mp_conn_recv(&w, buf, sizeof buf, &len, 0);
    mp_print("recv on the write end: %s (%s)", status_word(s), mp_last_error());
    double t = mp_now();
    s = mp_conn_recv(&r, buf, sizeof buf, &len, 0.1);
    mp_print("recv(0.1) on an empty pipe: %s took=%.2f", status_word(s), mp_now() - t);
    if (mp_conn_send(&w, "0123456789abcdef", 16) != MP_OK)
        mp_die("send: %s", mp_last_error());
    s = mp_conn_recv(&r, buf, 10, &len, 1);
    mp_print("16 bytes into 10: %s (%s) fd=%d", status_word(s), mp_last_error(), r.fd);
    s = mp_conn_recv(&r, buf, sizeof buf, &len, 0);
    mp_print("recv on a closed end: %s (%s)", status_word(s), mp_last_error());
    mp_conn_close(&r);                               /* twice: harmless */
    mp_conn_close(&w);
    return 0;
}

/* Sends k->n small messages, then a big one (1 MB, which waits in send
 * once the pipe is full), or sleeps if k->n < 0; main kills it. */
static int writer(void *arg)
{
    struct kit *k = arg;
    close_mains(k);
    long n = k->n < 0 ? -k->n : k->n;
    for (long i = 0; i < n; i++)
        say(&k->up, "message");
    if (k->n < 0) {
        mp_sleep(30);
        return 0;
    }
    static char big[1000000];
    if (mp_conn_send(&k->up, big, sizeof big) != MP_OK)
        mp_die("send: %s", mp_last_error());
    return 0;
}

/* The writer SIGKILLed: between messages (the reader gets every whole
 * message, then end of file) or in the middle of one (an error). */
static int pipe_eof(bool mid_message)
{
    mp_conn r, w;
    pipe_or_die(&r, &w, false);
    struct kit k = { -1, -1, w, NO_CONN, { r, NO_CONN }, mid_message ? 0 : -3 };
    mp_process p;
    start(&p, writer, &k);
    mp_conn_close(&w);
    char buf[64];
    int got = 0;
    if (!mid_message) {
        for (; got < 3; got++)
            if (hear(&r, buf, sizeof buf) != MP_OK)
                mp_die("message %d: %s", got + 1, mp_last_error());
    } else if (mp_conn_poll(&r, 10) != MP_OK)   /* the big one is coming */
        mp_die("poll: %s", mp_last_error());
    mp_sleep(0.1);                              /* asleep in sleep, or in write */
    if (mp_process_kill(&p) != MP_OK || mp_process_join(&p, 5) != MP_OK)
        mp_die("kill: %s", mp_last_error());
    mp_print("writer exitcode=%d", mp_process_exitcode(&p));
    if (!mid_message) {
        enum mp_status polled = mp_conn_poll(&r, 5);
        double t = mp_now();
        enum mp_status s = hear(&r, buf, sizeof buf);
        mp_print("got %d messages; then poll: %s, recv: %s took=%.2f (%s)", got,
                 status_word(polled), status_word(s), mp_now() - t, mp_last_error());
    } else {
        static char big[1000000];
        size_t len;
        enum mp_status s = mp_conn_recv(&r, big, sizeof big, &len, 5);
        mp_print("killed mid-message: %s (%s) fd=%d", status_word(s), mp_last_error(), r.fd);
    }
    mp_conn_close(&r);
    return 0;
}

/* A send with no reader left: MP_CLOSED, and the process lives on (no
 * SIGPIPE), for a pipe and for a socketpair. */
static int pipe_reader_gone(void)
{
    for (int duplex = 0; duplex < 2; duplex++) {
        mp_conn a, b;
        pipe_or_die(&a, &b, duplex);
        mp_conn_close(&a);
        enum mp_status s = mp_conn_send(&b, "x", 1);
        mp_print("%s: %s (%s)", duplex ? "socketpair" : "pipe", status_word(s), mp_last_error());
        mp_conn_close(&b);
    }
    return 0;
}

int main(int argc, char **argv)
{
    MP_TARGET(holder);
    MP_TARGET(waiter);
    MP_TARGET(add_to_array);
    MP_TARGET(echo);
    MP_TARGET(writer);
    mp_main_guard();

    if (argc != 3 || mp_set_start_method(argv[1]) != MP_OK) {
        fprintf(stderr, "usage: test_shared fork|spawn|forkserver CASE\n");
        return 2;
    }
    const char *c = argv[2];
    if (strcmp(c, "lock-timeout") == 0)      return lock_timeout();
    if (strcmp(c, "kill-holder") == 0)       return kill_holder(false);
    if (strcmp(c, "kill-holder-alone") == 0) return kill_holder(true);
    if (strcmp(c, "value") == 0)             return value();
    if (strcmp(c, "pipe-duplex") == 0)       return pipe_round_trips(true);
    if (strcmp(c, "pipe-oneway") == 0)       return pipe_round_trips(false);
    if (strcmp(c, "pipe-errors") == 0)       return pipe_errors();
    if (strcmp(c, "pipe-eof") == 0)          return pipe_eof(false);
    if (strcmp(c, "pipe-cut") == 0)          return pipe_eof(true);
    if (strcmp(c, "pipe-reader-gone") == 0)  return pipe_reader_gone();
    fprintf(stderr, "usage: test_shared METHOD CASE (see the source)\n");
    return 2;
}
