/* SPDX-License-Identifier: MIT */
/*
 * bench shared - the shared layer, and what a C programmer would use
 * instead of mp_queue. Twin: tests/bench/shared.py. One line per row:
 * "ROW<TAB>rate<TAB>unit".
 *
 *   "Value += 1 locked, 1 process"            acquire, *v += 1, release
 *   "Value += 1 locked, 2 processes"          the same, two processes at once
 *   "Pipe 1->1, 8-byte messages"              mp_conn_send / mp_conn_recv
 *   "8-byte items 1->1: mp_queue"             put / get, a queue of 4096
 *   "8-byte items 1->1: a pipe"               write(2) / read(2) of 8 bytes
 *   "8-byte items 1->1: a POSIX mq"           mq_send / mq_receive (at most
 *                                             10 waiting: Linux's default
 *                                             limit); no row, and a line on
 *                                             stderr, where mq_open is refused
 *
 *     build/bench/shared [SCALE]     SCALE multiplies the counts (default 1)
 */
#include "mp.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static mp_value *counter;
static long count;              /* operations per process in this row */

static void start(mp_process *p, int (*target)(void *), void *arg)
{
    mp_process_init(p, target, arg);
    if (mp_process_start(p) != MP_OK)
        mp_die("start: %s", mp_last_error());
}

static void join(mp_process *p)
{
    if (mp_process_join(p, MP_FOREVER) != MP_OK || mp_process_exitcode(p) != 0)
        mp_die("join: %s", mp_last_error());
}

/* --- the lock ------------------------------------------------------------ */

static int add_locked(void *arg)
{
    (void)arg;
    volatile long *v = mp_value_ptr(counter);
    mp_lock *lock = mp_value_get_lock(counter);
    for (long i = 0; i < count; i++) {
        if (mp_lock_acquire(lock, MP_FOREVER) != MP_OK)
            mp_die("acquire: %s", mp_last_error());
        *v += 1;
        if (mp_lock_release(lock) != MP_OK)
            mp_die("release: %s", mp_last_error());
    }
    return 0;
}

/* Increments per second, from the first start to the last join. */
static double locked_adds(int processes, long each)
{
    counter = mp_value_new('l');
    if (counter == NULL)
        mp_die("Value: %s", mp_last_error());
    count = each;
    mp_process p[2];
    double t = mp_now();
    for (int i = 0; i < processes; i++)
        start(&p[i], add_locked, NULL);
    for (int i = 0; i < processes; i++)
        join(&p[i]);
    t = mp_now() - t;
    if (*(long *)mp_value_ptr(counter) != processes * each)
        mp_die("lost updates under the lock");
    mp_value_free(counter);
    return (double)(processes * each) / t;
}

/* --- moving items: four ways --------------------------------------------- */

enum way { CONN, QUEUE, PIPE, MQ };
static enum way way;
static mp_conn conn_in, conn_out;
static mp_queue *queue;
static int pipe_fds[2];
static mqd_t mq;

/* The producer: count items, 0 .. count-1. */
static int produce(void *arg)
{
    (void)arg;
    for (uint64_t i = 0; i < (uint64_t)count; i++) {
        bool ok;
        switch (way) {
        case CONN:  ok = mp_conn_send(&conn_in, &i, sizeof i) == MP_OK; break;
        case QUEUE: ok = mp_queue_put(queue, &i, MP_FOREVER) == MP_OK; break;
        case PIPE:  ok = write(pipe_fds[1], &i, sizeof i) == sizeof i; break;
        default:    ok = mq_send(mq, (const char *)&i, sizeof i, 0) == 0; break;
        }
        if (!ok)
            mp_die("send item %llu: %s", (unsigned long long)i, mp_last_error());
    }
    return 0;
}

/* The consumer is main: takes count items and checks they came in order.
 * (A read of 8 bytes from a pipe that 8-byte writes fill is whole: each
 * write of up to PIPE_BUF bytes enters the pipe whole.) */
static void consume(void)
{
    for (uint64_t i = 0; i < (uint64_t)count; i++) {
        uint64_t item = UINT64_MAX;
        size_t len;
        bool ok;
        switch (way) {
        case CONN:  ok = mp_conn_recv(&conn_out, &item, sizeof item, &len, MP_FOREVER) == MP_OK; break;
        case QUEUE: ok = mp_queue_get(queue, &item, MP_FOREVER) == MP_OK; break;
        case PIPE:  ok = read(pipe_fds[0], &item, sizeof item) == sizeof item; break;
        default:    ok = mq_receive(mq, (char *)&item, sizeof item, NULL) == sizeof item; break;
        }
        if (!ok || item != i)
            mp_die("item %llu: got %llu", (unsigned long long)i, (unsigned long long)item);
    }
}

/* Items per second through one way, one producer to one consumer. The
 * producer's unused ends are closed by nobody: it only writes, main only
 * reads, and both end together. */
static double move_items(enum way w, long items)
{
    way = w;
    count = items;
    mp_process p;
    double t = mp_now();
    start(&p, produce, NULL);
    consume();
    join(&p);
    return (double)items / (mp_now() - t);
}

/* A POSIX message queue: a name in the kernel's mqueue file system, so it
 * is unlinked at once (both processes keep the descriptor; fork copies
 * it). Refused on systems without it (ENOSYS) or over the user's limit. */
static bool open_mq(void)
{
    char name[64];
    snprintf(name, sizeof name, "/forklore-bench-%ld", (long)getpid());
    struct mq_attr attr = { .mq_maxmsg = 10, .mq_msgsize = sizeof(uint64_t) };
    mq = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    if (mq == (mqd_t)-1) {
        fprintf(stderr, "bench shared: mq_open: %s: no POSIX mq row\n", strerror(errno));
        return false;
    }
    mq_unlink(name);            /* ours, just made: cannot fail */
    return true;
}

int main(int argc, char **argv)
{
    double scale = argc > 1 ? atof(argv[1]) : 1;
    if (!(scale > 0))
        mp_die("usage: shared [SCALE] (a number above 0)");
    long k = (long)(20000 * scale);

    printf("Value += 1 locked, 1 process\t%.0f\tops/s\n", locked_adds(1, 100 * k));
    printf("Value += 1 locked, 2 processes\t%.0f\tops/s\n", locked_adds(2, 50 * k));

    if (mp_pipe(&conn_out, &conn_in, true) != MP_OK)
        mp_die("Pipe: %s", mp_last_error());
    printf("Pipe 1->1, 8-byte messages\t%.0f\tmsgs/s\n", move_items(CONN, k));
    mp_conn_close(&conn_out);
    mp_conn_close(&conn_in);

    if ((queue = mp_queue_new(sizeof(uint64_t), 4096)) == NULL)
        mp_die("queue: %s", mp_last_error());
    printf("8-byte items 1->1: mp_queue\t%.0f\titems/s\n", move_items(QUEUE, 50 * k));
    mp_queue_free(queue);

    if (pipe(pipe_fds) == -1)
        mp_die("pipe: %s", strerror(errno));
    printf("8-byte items 1->1: a pipe\t%.0f\titems/s\n", move_items(PIPE, k));
    close(pipe_fds[0]);
    close(pipe_fds[1]);

    if (open_mq()) {
        printf("8-byte items 1->1: a POSIX mq\t%.0f\titems/s\n", move_items(MQ, k));
        mq_close(mq);
    }
    return 0;
}
