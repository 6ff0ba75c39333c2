/* SPDX-License-Identifier: MIT */
/*
 * Exercise 02.3, a solution: reap_children() after every request and every
 * tick of serving, and a last blocking wait before the end.
 * Why: docs/exercises/ANSWERS.md.
 */
#include "mp.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reaps every child that has ended, waiting for none: WNOHANG makes
 * waitpid return 0 at once when the children left are all still running. */
static void reap_children(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

int main(int argc, char **argv)
{
    long requests = 5;
    const struct mp_option options[] = {
        { "--requests", MP_OPT_INT, &requests, 1, 100, "N", "how many requests (default 5)" },
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL, "Exercise 02.3: a forking server that reaps its children.");

    for (long r = 1; r <= requests; r++) {
        pid_t pid = fork();    /* mp_print leaves nothing in a buffer to copy */
        switch (pid) {
        case -1:
            mp_die("fork: %s", strerror(errno));
        case 0:                /* the child: answers, and is done */
            mp_print("child PID %ld answered request %ld", (long)getpid(), r);
            _exit(0);
        default:               /* the parent: on to the next request */
            break;
        }
        mp_sleep_ticks(0.5);
        reap_children();
    }
    for (int i = 0; i < 4; i++) {      /* serving on: no more requests */
        mp_sleep_ticks(1);
        reap_children();
    }
    mp_print("main PID %ld: still serving", (long)getpid());
    mp_sleep_ticks(1);
    mp_print("main PID %ld: stopping", (long)getpid());
    while (waitpid(-1, NULL, 0) > 0)   /* any child still answering */
        ;
    return 0;
}
