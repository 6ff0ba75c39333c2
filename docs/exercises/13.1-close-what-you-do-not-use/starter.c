/* SPDX-License-Identifier: MIT */
/*
 * Exercise 13.1 - close the ends you do not use (lesson 13, pipe_join).
 *
 * Main and a child talk over one Pipe() (a socketpair: both ends send and
 * receive). Main sends two words, the child sends each back in capitals;
 * then main closes its end, which should tell the child "that was all":
 * its recv returns MP_CLOSED (end of file; Python's recv raises EOFError),
 * it says so and ends. It never does: main's join gives up after 10 ticks
 * and half a second. End of file comes only once every copy of main's end
 * is closed, and fork copied every descriptor main had into the child,
 * main's end too.
 *
 * Your task: make the child see end of file, and end, once main has closed
 * its end: each process closes the ends it does not use (main does
 * already). Then main's join returns at once.
 *
 * Check it: make exercise N=13.1
 */
#include "mp.h"

#include <ctype.h>
#include <string.h>
#include <unistd.h>

/* The two ends of one Pipe(), made before the child starts: the forked
 * child has them both, as main has. */
static mp_conn mains, childs;

static int echo(void *arg)
{
    (void)arg;
    char buf[64];
    size_t len;
    enum mp_status status;
    while ((status = mp_conn_recv(&childs, buf, sizeof buf - 1, &len, MP_FOREVER)) == MP_OK) {
        buf[len] = '\0';
        mp_print("child PID %ld got \"%s\", sends it back in capitals", (long)getpid(), buf);
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        if (mp_conn_send(&childs, buf, len) != MP_OK)
            mp_die("send: %s", mp_last_error());
    }
    if (status != MP_CLOSED)
        mp_die("recv: %s", mp_last_error());
    mp_print("child PID %ld: end of file: main has closed its end", (long)getpid());
    return 0;
}

int main(int argc, char **argv)
{
    const struct mp_option options[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    mp_parse_args(argc, argv, options, NULL, "Exercise 13.1: close the ends you do not use.");

    if (mp_pipe(&mains, &childs, true) != MP_OK)
        mp_die("Pipe: %s", mp_last_error());
    mp_process p;
    mp_process_init(&p, echo, NULL);
    if (mp_process_start(&p) != MP_OK)
        mp_die("start: %s", mp_last_error());
    mp_conn_close(&childs);                 /* main uses its own end only */

    const char *words[] = { "hello", "pipe" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char buf[64];
        size_t len;
        mp_print("main PID %ld sends \"%s\"", (long)getpid(), words[i]);
        if (mp_conn_send(&mains, words[i], strlen(words[i])) != MP_OK)
            mp_die("send: %s", mp_last_error());
        if (mp_conn_recv(&mains, buf, sizeof buf - 1, &len, 10 * mp_tick + 5) != MP_OK)
            mp_die("recv: %s", mp_last_error());
        buf[len] = '\0';
        mp_print("main PID %ld got \"%s\"", (long)getpid(), buf);
    }
    mp_print("main PID %ld closes its end", (long)getpid());
    mp_conn_close(&mains);

    enum mp_status status = mp_process_join(&p, 10 * mp_tick + 0.5);
    if (status == MP_TIMEOUT) {
        mp_print("main PID %ld: the child has not ended: it still waits "
                 "for end of file", (long)getpid());
        if (mp_process_terminate(&p) != MP_OK || mp_process_join(&p, MP_FOREVER) != MP_OK)
            mp_die("terminate: %s", mp_last_error());
        return 1;
    }
    if (status != MP_OK)
        mp_die("join: %s", mp_last_error());
    mp_print("main PID %ld: child exitcode %d", (long)getpid(), mp_process_exitcode(&p));
    return 0;
}
