/* SPDX-License-Identifier: MIT */
/*
 * Exercise 02.3 - reap your children (lesson 02, serve).
 *
 * A server in miniature, as demos/serve.c is: for each request the main
 * forks a child that answers it and exits, and goes on serving (here the
 * requests are a loop, and serving is sleeping a tick at a time). Nobody
 * calls waitpid, so each child that has answered stays a zombie: ended, but
 * still in the process table with its PID and exit status, until its parent
 * asks for them. Watch them pile up, from a second terminal:
 *     build/exercises/02.3-zombies/yours --tick 1 &
 *     ps -o pid,stat,cmd -C yours          (the Z lines)
 *
 * Your task: reap every child that has ended, in the main's loops, without
 * waiting for one that has not: waitpid(-1, &status, WNOHANG) until it
 * returns 0 (children still running) or -1 (no children left), as serve's
 * reap_children() does. No zombie may be left while it serves, nor when it
 * ends.
 *
 * Check it: make exercise N=02.3
 */
#include "mp.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
    }
    for (int i = 0; i < 4; i++)        /* serving on: no more requests */
        mp_sleep_ticks(1);
    mp_print("main PID %ld: still serving", (long)getpid());
    mp_sleep_ticks(1);
    mp_print("main PID %ld: stopping", (long)getpid());
    return 0;
}
