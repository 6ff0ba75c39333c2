/* SPDX-License-Identifier: MIT */
/*
 * pipe_join - two processes talk over a Pipe; then the join deadlock: a
 * child that sends more than the pipe holds cannot end until someone reads.
 *
 * Beyond the seed, and under every Queue in it: Python's Queue is a pipe
 * (plus a thread that writes into it), and Python's documentation warns
 * that "a process that has put items in a queue will wait before
 * terminating until all the buffered items are fed to the pipe", so that
 * joining it before the items are read can wait for ever. The Python it
 * re-builds:
 *
 *     def echo(conn):                        # part 1: a conversation
 *         while (msg := conn.recv_bytes()):
 *             conn.send_bytes(msg.upper())
 *
 *     def send_all(conn, n, size):           # part 2: more than fits
 *         for _ in range(n):
 *             conn.send_bytes(b'x' * size)
 *         conn.send_bytes(b'')               # the sentinel: "that was all"
 *
 *     reader, writer = Pipe(duplex=False)
 *     p = Process(target=send_all, args=(writer, 100, 1000))
 *     p.start()
 *     p.join()                               # waits for ever
 *     while (msg := reader.recv_bytes()):    # never reached
 *         ...
 *
 * Part 1: main and a child talk over Pipe() (a socketpair): main sends two
 * words, the child sends each back in capitals, then main closes its end,
 * and the child's recv says end of file (MP_CLOSED): no more will come.
 * Part 2: a child sends 100 messages of 1000 bytes through Pipe(duplex=
 * False), a pipe, which holds 64 KiB on Linux. Main joins first, with a
 * timeout of one tick, as the program above does without one: the join
 * times out, and main shows where the child waits (its state and its
 * wait channel, from /proc) and how far it got. Then the fix: main reads
 * every message up to the empty one (the sentinel), and only then joins.
 *
 * What to watch for:
 *   - the child's state S (asleep) in pipe_write (the kernel's name for
 *     the wait; anon_pipe_write in Linux 6.x): it sleeps in write(2) until
 *     the pipe has room, and main sleeps in join until the child ends.
 *   - "sent 64 of 100": a pipe is 16 pages of 4096 bytes, and a message of
 *     1004 bytes (its 4-byte length, then 1000) goes into the last page only
 *     if it fits there whole: four to a page, 64 in all (64256 bytes); the
 *     65th waits.
 *   - --messages 10: everything fits, the child ends at once, and main
 *     still reads all ten afterwards: the pipe keeps what a dead writer
 *     wrote.
 *   - each process closes the end it does not use. A forked child holds a
 *     copy of every descriptor main had: main's own end too.
 *
 * Run it:   build/bin/pipe_join
 *           build/bin/pipe_join --messages 10
 *           build/bin/pipe_join --start-method spawn --tick 0.2
 */
#ifdef __linux__
#define _GNU_SOURCE             /* F_GETPIPE_SZ */
#endif
#include "mp.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *words[] = { "hello", "pipe" };

/* What a child needs, as its argument's bytes: an mp_conn is plain data,
 * whose descriptor the library hands over under the same number. */
struct job {
    mp_conn mine;           /* the child's end */
    mp_conn mains;          /* main's end: the child closes its copy */
    int sent_fd;            /* the Value the sender counts its messages in */
    long messages, size;
};

/* Part 1's child: sends back every message in capitals, until end of file.
 * The timeout only bounds the wait, should main be stopped (it never is). */
static int echo(void *arg)
{
    struct job *job = arg;
    mp_conn_close(&job->mains);
    char buf[64];
    size_t len;
    enum mp_status status;
    while ((status = mp_conn_recv(&job->mine, buf, sizeof buf - 1, &len, 30)) == MP_OK) {
        buf[len] = '\0';
        mp_print("%s (PID %ld) got \"%s\" (%zu bytes), sends it back in capitals",
                 mp_current_process_name(), (long)getpid(), buf, len);
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        if (mp_conn_send(&job->mine, buf, len) != MP_OK)
            mp_die("send: %s", mp_last_error());
    }
    if (status != MP_CLOSED)
        mp_die("recv: %s", mp_last_error());
    mp_print("%s (PID %ld): recv says end of file: main has closed its end",
             mp_current_process_name(), (long)getpid());
    return 0;
}

/* Part 2's child: messages of size bytes, counted in the shared Value
 * (only this process writes it: a store is one instruction, no lock), then
 * the empty message. Each send waits while the pipe is full. */
static int send_all(void *arg)
{
    struct job *job = arg;
    mp_conn_close(&job->mains);
    mp_value *sent = mp_value_attach(job->sent_fd);
    char *buf = calloc((size_t)job->size + 1, 1);
    if (sent == NULL || buf == NULL)
        mp_die("attach: %s", mp_last_error());
    volatile int *count = mp_value_ptr(sent);
    for (long i = 0; i < job->messages; i++) {
        memset(buf, 'x', (size_t)job->size);
        if (mp_conn_send(&job->mine, buf, (size_t)job->size) != MP_OK)
            mp_die("send: %s", mp_last_error());
        *count = (int)(i + 1);
    }
    if (mp_conn_send(&job->mine, "", 0) != MP_OK)
        mp_die("send: %s", mp_last_error());
    free(buf);
    return 0;
}

/* Starts a child on its end of the pipe; main keeps its own end and closes
 * its copy of the child's: else the child's end of file would never come. */
static void start(mp_process *p, int (*target)(void *), struct job *job)
{
    mp_process_init(p, target, NULL);
    if (mp_process_args(p, job, sizeof *job) != MP_OK ||
        mp_process_pass_fd(p, job->mine.fd) != MP_OK ||
        mp_process_pass_fd(p, job->mains.fd) != MP_OK ||
        (job->sent_fd >= 0 && mp_process_pass_fd(p, job->sent_fd) != MP_OK))
        mp_die("%s", mp_last_error());
    if (mp_process_start(p) != MP_OK)
        mp_die("start %s: %s", p->name, mp_last_error());
    mp_conn_close(&job->mine);
}

static void join(mp_process *p, double timeout)
{
    if (mp_process_join(p, timeout) != MP_OK)
        mp_die("join %s: %s", p->name, mp_last_error());
    if (mp_process_exitcode(p) != 0)
        mp_die("%s ended with exitcode %d", p->name, mp_process_exitcode(p));
    mp_print("main (PID %ld) joined %s: exitcode 0", (long)getpid(), p->name);
}

static void talk(void)
{
    mp_conn mains, childs;
    if (mp_pipe(&mains, &childs, true) != MP_OK)
        mp_die("Pipe: %s", mp_last_error());
    mp_print("main (PID %ld): Pipe(): a socketpair, both ends send and receive",
             (long)getpid());
    struct job job = { childs, mains, -1, 0, 0 };
    mp_process p;
    start(&p, echo, &job);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char buf[64];
        size_t len;
        mp_print("main (PID %ld) sends \"%s\" (%zu bytes)", (long)getpid(), words[i],
                 strlen(words[i]));        /* said first: the answer may come before */
        if (mp_conn_send(&mains, words[i], strlen(words[i])) != MP_OK)
            mp_die("send: %s", mp_last_error());
        if (mp_conn_recv(&mains, buf, sizeof buf - 1, &len, 10 * mp_tick + 5) != MP_OK)
            mp_die("recv: %s", mp_last_error());
        buf[len] = '\0';
        mp_print("main (PID %ld) got \"%s\" (%zu bytes)", (long)getpid(), buf, len);
    }
    mp_print("main (PID %ld) closes its end", (long)getpid());
    mp_conn_close(&mains);
    join(&p, 10 * mp_tick + 5);
}

/* Where process pid waits: its state (the letter after its name in
 * /proc/PID/stat) and its wait channel (/proc/PID/wchan: the kernel
 * function it sleeps in). Linux only; elsewhere, "?". */
static void where_it_waits(pid_t pid, char *state, size_t state_size, char *wchan,
                           size_t wchan_size)
{
    snprintf(state, state_size, "?");
    snprintf(wchan, wchan_size, "?");
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        char line[512];
        const char *paren = fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
        if (paren != NULL && paren[1] == ' ' && paren[2] != '\0')
            snprintf(state, state_size, "%c", paren[2]);
        fclose(f);
    }
    snprintf(path, sizeof path, "/proc/%ld/wchan", (long)pid);
    f = fopen(path, "r");
    if (f != NULL) {
        if (fgets(wchan, (int)wchan_size, f) == NULL || wchan[0] == '\0')
            snprintf(wchan, wchan_size, "?");
        fclose(f);
    }
}

/* How many bytes wait in the pipe, and how many it holds (-1: unknown). */
static void pipe_fill(int fd, long *in_it, long *holds)
{
    *in_it = *holds = -1;
#ifdef __linux__
    int n;
    if (ioctl(fd, FIONREAD, &n) == 0)
        *in_it = n;
    *holds = fcntl(fd, F_GETPIPE_SZ);
#else
    (void)fd;
#endif
}

/* Reads messages until the empty one; returns how many came before it. */
static long read_all(mp_conn *reader, long size, long *bytes)
{
    char *buf = malloc((size_t)size + 1);
    if (buf == NULL)
        mp_die("malloc: out of memory");
    long n = 0;
    size_t len;
    enum mp_status status;
    *bytes = 0;
    while ((status = mp_conn_recv(reader, buf, (size_t)size, &len, 10 * mp_tick + 5)) == MP_OK &&
           len > 0) {
        n++;
        *bytes += (long)len;
    }
    if (status == MP_CLOSED)
        mp_die("recv: the sender ended before its empty message");
    if (status != MP_OK)
        mp_die("recv: %s", mp_last_error());
    free(buf);
    return n;
}

static void deadlock(long messages, long size)
{
    mp_conn reader, writer;
    mp_value *sent = mp_value_new('i');
    if (sent == NULL || mp_pipe(&reader, &writer, false) != MP_OK)
        mp_die("Pipe: %s", mp_last_error());
    long in_it, holds;
    pipe_fill(reader.fd, &in_it, &holds);
    mp_print("main (PID %ld): Pipe(duplex=False): a pipe, which holds %ld bytes", (long)getpid(),
             holds);
    struct job job = { writer, reader, mp_value_fd(sent), messages, size };
    mp_process p;
    start(&p, send_all, &job);
    mp_print("main: %s sends %ld messages of %ld bytes (%ld with their lengths),", p.name,
             messages, size, messages * (size + 4));
    mp_print("then an empty one; once the first is there, main joins it before");
    mp_print("reading, for at most a tick");

    /* poll: the first message has come, so the child has started (spawning
     * a new program may take longer than a tick); not one byte is read. */
    enum mp_status status = mp_conn_poll(&reader, 10 * mp_tick + 5);
    if (status != MP_OK)
        mp_die("poll: %s", mp_last_error());
    status = mp_process_join(&p, mp_tick);
    volatile int *count = mp_value_ptr(sent);
    if (status == MP_TIMEOUT) {
        char state[8], wchan[64];
        where_it_waits(p.pid, state, sizeof state, wchan, sizeof wchan);
        pipe_fill(reader.fd, &in_it, &holds);
        mp_print("main: join timed out. %s (PID %ld) is in state %s,", p.name, (long)p.pid,
                 state);
        mp_print("  asleep in %s; it has sent %d of %ld messages,", wchan, *count, messages);
        mp_print("  and %ld bytes wait in the pipe: it waits for main to read,", in_it);
        mp_print("  and main waited for it to end: a deadlock.");
        mp_print("The fix: read everything, up to the empty message, then join.");
    } else if (status == MP_OK) {
        mp_print("main: join returned: %s ended after sending %d of %ld messages:", p.name,
                 *count, messages);
        mp_print("  they fit in the pipe, which keeps them after their sender ended.");
    } else
        mp_die("join %s: %s", p.name, mp_last_error());

    long bytes, got = read_all(&reader, size, &bytes);
    mp_print("main (PID %ld) got %ld messages, %ld bytes, then the empty one", (long)getpid(),
             got, bytes);
    join(&p, 10 * mp_tick + 5);
    mp_conn_close(&reader);
    mp_value_free(sent);
}

int main(int argc, char **argv)
{
    MP_TARGET(echo);        /* by name, for a child that is a new program */
    MP_TARGET(send_all);
    mp_main_guard();        /* if __name__ == '__main__': */

    long messages = 100, size = 1000;
    const struct mp_option options[] = {
        { "--messages", MP_OPT_INT, &messages, 1, 100000, "N",
          "part 2: how many messages the child sends (default 100)" },
        { "--size", MP_OPT_INT, &size, 1, 1000000, "BYTES",
          "part 2: bytes in each message (default 1000)" },
        MP_START_METHOD_OPTION,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL,
                  "A Pipe between two processes; the deadlock of joining before reading.");
    mp_start_method_setup();

    talk();
    deadlock(messages, size);
    return 0;
}
