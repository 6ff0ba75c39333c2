/* SPDX-License-Identifier: MIT */
/*
 * serve - a small static-file HTTP/1.0 server that forks one child per
 * connection: the other end of the `download` lesson.
 *
 * Seed section 二 downloads two images from the internet. A classroom may have
 * no internet and the tests must not need it, so forklore ships the server
 * too. It is a lesson of its own: the classic Unix server (inetd, Apache's
 * prefork, sshd; Python's socketserver.ForkingTCPServer):
 *
 *     listen on a socket
 *     loop:  accept a connection
 *            fork: the child answers that one connection and exits;
 *                  the parent closes its copy of it and accepts the next one
 *
 * The parent never joins a child: it cannot know which will end first, and
 * it must not stop accepting while it waits. Instead the kernel sends it
 * SIGCHLD whenever a child ends, and it reaps every child that has ended
 * with waitpid(-1, ..., WNOHANG) in a loop (several may end behind one
 * SIGCHLD: signals are not counted). A child nobody reaps stays a zombie.
 *
 * One connection, one request: that is HTTP/1.0. A client may ask to keep
 * its connection open (an HTTP/1.1 client does, unless it says "Connection:
 * close"): its child then answers up to 100 requests on it, each arriving
 * within --timeout of the last answer. Forking is the dear part of an answer (the
 * kernel copies the parent's page tables, and the child faults in again
 * every page it touches), so one fork for many requests is how a forking
 * server keeps up (Apache's prefork does the same). The file itself goes
 * out by sendfile(2): the kernel copies it to the socket, not this process.
 *
 * Why plain fork here and not mp_process_start: an mp_process is made to be
 * joined, and on Ctrl-C the library ends every child at once. A server wants
 * neither: on SIGINT or SIGTERM it stops accepting, lets the connections it
 * is answering finish, reaps them, and exits 0.
 *
 * What it answers: GET and HEAD of regular files under --dir, nothing else.
 *   400 a malformed request         404 a missing file, or a path leaving DIR
 *   405 any other method            408 the request did not arrive in time
 *   414 a request line over 4 KB    431 a request head over 16 KB
 *   503 no child free for a second, or no descriptor free: the parent answers
 * The request is parsed by lib/http*.c, shared with `download`.
 *
 * At most 64 children answer at once, and when all are busy the listen
 * backlog is the waiting room: the kernel keeps the connections serve has
 * not accepted yet, in order, and completes no more when it is full. So
 * serve stops accepting (it takes only the first in line, to time it) and
 * each waiting client gets the next free child, or a 503 once it has waited
 * WAIT_SECONDS. With no descriptor left (EMFILE), accept cannot take a
 * client even to refuse it, and it would wait in the backlog for nothing:
 * so serve keeps one spare descriptor open (on /dev/null), closes it to
 * accept and refuse that client at once, then opens it again.
 *
 * A peer may be hostile; serve holds out (docs/02-download.md has the list):
 *   - The path is opened once, beneath DIR's descriptor (http_open_beneath:
 *     openat2 with RESOLVE_BENEATH), so the kernel itself refuses "..", or a
 *     symlink that leads out, at the moment it opens. Checking a path first
 *     and opening it after would leave a gap in which a directory can be
 *     swapped for a symlink.
 *   - A connection's whole life is bounded: each request must arrive within
 *     --timeout in all (not per read), 100 at most on a kept-alive one; the
 *     goodbye takes at most a second, and alarm(2) ends a child still at
 *     work on one request after a minute.
 *   - When accept fails for another cause (no kernel memory, say) it pauses
 *     accepting a while; every cause is logged at most once a second.
 *
 * What to watch for:
 *   - The access log on stderr: one line per request with the child's PID,
 *     a new PID for each connection.
 *   - With --delay 1, fetch 8 files with `download --workers 1`, then with
 *     `--workers 4`: about 8 s, then about 2 s. The children mostly wait, so
 *     more of them at once help even on one core.
 *   - While a delayed request runs, `ps --ppid PID` lists its child; after
 *     it, no <defunct> zombie stays behind.
 *   - Ctrl-C while a delayed request runs: serve stops accepting, waits for
 *     it to be answered, then exits 0. A second Ctrl-C (half a second or
 *     more after the first) does not wait: it ends the answers still under
 *     way (SIGTERM to each child).
 *
 * Run it:   build/bin/serve --dir some/dir
 *           build/bin/serve --dir some/dir --port 8000 --delay 1
 * (No --tick: the seed sleeps nowhere in this lesson; --delay slows it.)
 */
#define _GNU_SOURCE           /* ppoll: Linux's (and POSIX.1-2024's) */
#include "mp.h"
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 64       /* connections answered at once; more wait in the backlog */
#define WAIT_SECONDS 1.0      /* how long a client may wait there for a child: then 503 */
#define MAX_REQUESTS 100      /* answered on one kept-alive connection, at most */
#define BACKLOG 1024          /* the waiting room: connections not yet accepted */
#define CHILD_SECONDS 60      /* alarm(2) ends a child still answering after this (+ --delay) */
#define LOG_WIDTH 80          /* an access log line fits a projector */

static int root_fd = -1;      /* --dir, opened once: every file is opened beneath it */
static double delay = 0;      /* --delay */
static double timeout = 5;    /* --timeout: for a whole request to arrive, and each write */
static sigset_t normal_mask;  /* the signal mask before main blocked any */

/* The children answering a connection now (0: a free place), and how many. */
static pid_t children[MAX_CHILDREN];
static int running;

/* The first client in line while every child is busy (-1: none), and since
 * when it has waited, on mp_now()'s clock. */
static int next_fd = -1;
static double next_since;

/* Kept open on /dev/null, to be closed when accept finds no descriptor free
 * (EMFILE): then the client can be accepted, and refused at once. */
static int spare_fd = -1;

/* The signal handlers only set a flag: main looks at them after ppoll. */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t child_ended;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void on_child_ended(int sig)
{
    (void)sig;
    child_ended = 1;
}

/* --- the child: a connection's requests, each answered ------------------- */

/* Reads and checks the request head, all of it within --timeout. Returns
 * 0, or the status to answer with, or -1 if the client closed, or sent
 * nothing in time, before a request after the first (the end of a kept-alive
 * connection). *more: bytes came after the head (a pipelined request: this
 * server answers it no more). */
static int read_request(int fd, bool first, struct http_request *req, bool *more)
{
    char head[HTTP_MAX_HEAD];
    size_t headlen = 0, got = 0;
    enum mp_status how = http_read_head(fd, head, sizeof head, mp_now() + timeout, &headlen,
                                        &got);
    *more = got > headlen;
    switch (how) {
    case MP_OK:
        break;
    case MP_TIMEOUT:
        return got == 0 && !first ? -1 : 408;
    case MP_ERROR:            /* the request line alone too long, or all of it */
        if (got == sizeof head)
            return memchr(head, '\n', HTTP_MAX_REQUEST_LINE + 1) == NULL ? 414 : 431;
        return 400;           /* read failed: the client reset the connection */
    case MP_CLOSED:
        return got == 0 && !first ? -1 : 400;
    }
    mp_sleep(delay);          /* --delay: as if the network were slow */
    return http_parse_request(head, headlen, req) == MP_OK ? 0 : req->refusal;
}

/* Maps the request target to a regular file beneath DIR, opened into *file;
 * its decoded path in path. Returns 0, or the status to answer with. */
static int open_target(const char *target, char *path, size_t size, int *file)
{
    if (target[0] != '/')
        return 400;           /* "http://host/x", "*", "x": not a path */
    if (http_unquote(target, strcspn(target, "?#"), path, size) != MP_OK)
        return 400;
    struct stat st;
    *file = http_open_beneath(root_fd, path + strspn(path, "/"));
    if (*file == -1)
        return 404;
    if (fstat(*file, &st) == -1 || !S_ISREG(st.st_mode)) {
        close(*file);         /* read-only: nothing to lose */
        *file = -1;
        return 404;           /* a directory, a device, ...: regular files only */
    }
    return 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    }
    return "Error";
}

/* One write(2) per piece. On a blocking socket write sends it all, unless
 * the send timeout runs out or the client has gone (EPIPE: SIGPIPE is
 * ignored), and then the answer is over anyway. */
static bool send_all(int fd, const char *buf, size_t len)
{
    return write(fd, buf, len) == (ssize_t)len;
}

/* Sends len bytes of the open file to fd; returns how many were sent.
 * Linux: sendfile(2), the kernel copies from the file to the socket itself,
 * never through this process's memory. Elsewhere: read and write. */
static long long send_body(int fd, int file, long long len)
{
    long long sent = 0;
    ssize_t n = 1;
    while (sent < len && n > 0) {
#ifdef __linux__
        n = sendfile(fd, file, NULL, (size_t)(len - sent));
#else
        char buf[16384];
        n = read(file, buf, sizeof buf);
        if (n > 0 && !send_all(fd, buf, (size_t)n))
            n = -1;
#endif
        if (n > 0)            /* 0: the file shrank; -1: the client has gone, */
            sent += n;        /* or the send timeout ran out */
    }
    return sent;
}

/* Sends the 200 answer: the open file (GET) or only its headers (HEAD);
 * closes it. keep: say the connection stays open. *bytes counts the body
 * sent; returns whether all of the answer was. */
static bool send_file(int fd, const char *method, int file, const char *path, bool keep,
                      long long *bytes)
{
    struct stat st;
    if (fstat(file, &st) == -1)
        st.st_size = 0;       /* open_target's fstat just worked on it */
    char head[256];
    int n = snprintf(head, sizeof head, "HTTP/1.0 200 OK\r\nContent-Type: %s\r\n"
                     "Content-Length: %lld\r\n%s\r\n", http_content_type(path),
                     (long long)st.st_size, keep ? "Connection: keep-alive\r\n" : "");
    bool get = strcmp(method, "GET") == 0;
    /* MSG_MORE: the head waits to leave in one packet with the body's start. */
    bool whole = send(fd, head, (size_t)n, get ? MSG_MORE : 0) == n;
    if (whole && get)
        whole = (*bytes = send_body(fd, file, (long long)st.st_size)) == st.st_size;
    close(file);              /* read-only: nothing to lose */
    return whole;
}

/* An error answer in buf: the status line and a one-line text body (none
 * for HEAD). Returns its length; *body the body's. */
static size_t error_answer(char *buf, size_t size, const char *method, int status, int *body)
{
    char text[64];
    *body = snprintf(text, sizeof text, "%d %s\n", status, reason(status));
    int n = snprintf(buf, size, "HTTP/1.0 %d %s\r\n%s%sContent-Type: text/plain; "
                     "charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", status, reason(status),
                     status == 405 ? "Allow: GET, HEAD\r\n" : "",
                     status == 503 ? "Retry-After: 1\r\n" : "", *body,
                     strcmp(method, "HEAD") == 0 ? "" : text);
    if (strcmp(method, "HEAD") == 0)
        *body = 0;
    return (size_t)n;
}

/* The access log line, at most LOG_WIDTH columns: a long path loses its
 * middle ("/3f52ff39e...254_144.jpg"), and shows printable ASCII only, so a
 * client cannot write escape sequences to the terminal. */
static void log_request(const struct http_request *req, int status, long long bytes)
{
    char who[64], tail[48], shown[LOG_WIDTH];
    snprintf(who, sizeof who, _("child %ld: %s"), (long)getpid(), req->method);
    snprintf(tail, sizeof tail, _(" %d %lld bytes"), status, bytes);
    /* "serve: " + who + " " + path + tail */
    int room = LOG_WIDTH - 8 - (int)strlen(who) - (int)strlen(tail);
    if (room < 9)
        room = 9;
    int len = (int)strlen(req->target);
    int front = len <= room ? len : (room - 3) / 2;     /* kept from the start */
    int back = len <= room ? 0 : room - 3 - front;      /* kept from the end */
    int n = 0;
    for (int i = 0; i < len; i++) {
        if (i == front) {     /* reached only when the path is cut */
            memcpy(shown + n, "...", 3);
            n += 3;
            i = len - back;
        }
        char c = req->target[i];
        shown[n++] = c > ' ' && c < 127 ? c : '?';
    }
    shown[n] = '\0';
    mp_warn("%s %s%s", who, shown, tail);
}

/* Close gently: send our end of file first, then read what the client may
 * still send (the rest of a too-long request) until it closes too, for a
 * second at most in all. Closing a socket with unread data makes the kernel
 * send a reset, and the client could lose our answer before reading it. */
static void close_gently(int fd)
{
    double deadline = mp_now() + 1;
    if (shutdown(fd, SHUT_WR) == 0) {
        char sink[4096];
        while (http_wait(fd, POLLIN, deadline) == MP_OK && read(fd, sink, sizeof sink) > 0)
            ;
    }
    close(fd);                /* the answer is sent or given up: nothing to lose */
}

/* Request number n on fd: read, answered, logged. Returns whether the
 * connection stays open for another: the client asked, the answer is a 200
 * sent whole, and it is not the last one allowed. */
static bool answer_one(int fd, int n)
{
    struct http_request req = { "-", "-", false, 0 };
    char path[HTTP_MAX_REQUEST_LINE + 1];
    long long bytes = 0;
    int file = -1, body;
    bool more;

    alarm((unsigned)(CHILD_SECONDS + timeout + delay));   /* SIGALRM ends the child */
    int status = read_request(fd, n == 1, &req, &more);
    if (status == -1)
        return false;
    if (status == 0 && strcmp(req.method, "GET") != 0 && strcmp(req.method, "HEAD") != 0)
        status = 405;
    if (status == 0)
        status = open_target(req.target, path, sizeof path, &file);
    bool keep = status == 0 && req.keep_alive && !more && n < MAX_REQUESTS;
    if (status == 0) {
        keep = send_file(fd, req.method, file, path, keep, &bytes) && keep;
        status = 200;
    } else {
        char buf[512];
        size_t len = error_answer(buf, sizeof buf, req.method, status, &body);
        bytes = send_all(fd, buf, len) ? body : 0;
    }
    log_request(&req, status, bytes);
    return keep;
}

/* The child's whole life: the requests of one connection, each answered
 * and logged. One is the rule (HTTP/1.0); a client that asks to keep the
 * connection open (HTTP/1.1 does by default) may send up to MAX_REQUESTS,
 * each within --timeout of the last answer: one fork for them all. */
static void answer(int fd)
{
    /* A client that stops reading: each write gives up after --timeout.
     * (setsockopt cannot fail here: a socket, a valid timeval.) */
    struct timeval tv = { (time_t)timeout, (suseconds_t)((timeout - (time_t)timeout) * 1e6) };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    for (int n = 1; answer_one(fd, n); n++)
        ;
    close_gently(fd);
}

/* --- the parent: accept, fork, reap --------------------------------------- */

/* mp_warn, but at most once a second for each cause (an errno value, or 0
 * for "busy"): a failure that repeats at every connection must not flood
 * the log. */
static void warn_limited(int cause, const char *what)
{
    static double last[256];
    double now = mp_now();
    int slot = cause & 255;
    if (last[slot] != 0 && now - last[slot] < 1)
        return;
    last[slot] = now;
    mp_warn("%s", what);
}

/* No child for this client: the parent answers 503 itself, at once, and
 * never waits for it (a slow one must not stall the parent): it takes what
 * has arrived, writes without blocking, and closes. */
static void refuse(int fd)
{
    char sink[HTTP_MAX_HEAD], text[512];
    int body;
    size_t n = error_answer(text, sizeof text, "GET", 503, &body);
    while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
        ;
    /* A full buffer or a gone client loses the 503 (the client may retry);
     * shutdown fails if the client is gone: nothing to do either way. */
    (void)send(fd, text, n, MSG_DONTWAIT);
    shutdown(fd, SHUT_WR);
    close(fd);
}

/* Forks a child to answer the connection fd (there is a free place). */
static void start_child(int listener, int fd)
{
    fflush(stdout);           /* nothing buffered may be copied into the child */
    pid_t pid = fork();
    switch (pid) {
    case -1: {                /* out of processes: drop this connection, go on */
        char what[128];
        snprintf(what, sizeof what, _("fork: %s (dropping connections)"), _(strerror(errno)));
        warn_limited(errno, what);
        close(fd);
        return;
    }
    case 0:                   /* the child: answers this connection, then exits */
        close(listener);      /* only the parent accepts */
        close(spare_fd);      /* (-1 if there is none: then close just fails) */
        /* Ctrl-C reaches the whole process group: the parent decides, the
         * child finishes. (signal and sigprocmask cannot fail with these.) */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        sigprocmask(SIG_SETMASK, &normal_mask, NULL);
        answer(fd);
        _exit(0);
    default:                  /* the parent: the child has its own copy of fd */
        close(fd);
        for (int i = 0; i < MAX_CHILDREN; i++) {
            if (children[i] == 0) {
                children[i] = pid;
                break;
            }
        }
        running++;
    }
}

/* Reaps every child that has ended (several may end behind one SIGCHLD). */
static void reap_children(void)
{
    pid_t pid;
    child_ended = 0;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
        for (int i = 0; i < MAX_CHILDREN; i++)
            if (children[i] == pid)
                children[i] = 0;
        running--;
    }
}

/* How long the client at fd has waited: since the last bytes it sent, or
 * since it connected, as the kernel keeps it (TCP_INFO, Linux). 0 where
 * that cannot be known: it then waits at most WAIT_SECONDS more. */
static double waited(int fd)
{
#ifdef TCP_INFO
    struct tcp_info info;
    socklen_t len = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0)
        return info.tcpi_last_data_recv / 1000.0;
#endif
    (void)fd;
    return 0;
}

/* A child for the client at fd if one is free; else fd is the first in line. */
static void take(int listener, int fd)
{
    if (running == MAX_CHILDREN)
        reap_children();      /* a child may have ended since the last SIGCHLD */
    if (running < MAX_CHILDREN) {
        start_child(listener, fd);
    } else {
        next_fd = fd;
        next_since = mp_now() - waited(fd);
    }
}

/* accept(2) failed with no descriptor free (EMFILE, or ENFILE for the whole
 * system; Linux says so even when no client waits): the spare one makes
 * room to take a client and refuse it. Returns 1 if it refused one, 0 if
 * none was waiting, -1 if there is no spare (or accept failed all the same). */
static int refuse_with_spare(int listener)
{
    if (spare_fd == -1)
        return -1;
    close(spare_fd);          /* /dev/null, read-only: nothing to lose */
    int fd = accept(listener, NULL, NULL), err = errno;
    if (fd != -1)
        refuse(fd);
    spare_fd = open("/dev/null", O_RDONLY);   /* the number just freed: -1 only if */
    if (fd != -1)                              /* another process took it (ENFILE) */
        return 1;
    return err == EAGAIN || err == EWOULDBLOCK ? 0 : -1;
}

/* Accepts the clients waiting, while a child is free or none is in line,
 * until none waits. When accept fails for a cause that lasts (ENOBUFS,
 * ENOMEM, EMFILE without a spare), returns how long to pause accepting,
 * doubling from 50 ms up to 1 s while it lasts, instead of retrying at once
 * for ever. */
static double accept_waiting(int listener, double pause)
{
    while (next_fd == -1) {
        int fd = accept(listener, NULL, NULL);
        if (fd != -1) {
            take(listener, fd);
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;         /* the backlog is empty */
        if (errno == ECONNABORTED || errno == EINTR || errno == EPROTO)
            continue;         /* that client gave up before we got to it */
        char what[128];
        int err = errno;
        int refused = err == EMFILE || err == ENFILE ? refuse_with_spare(listener) : -1;
        if (refused == 0)
            return 0;         /* no client was waiting after all */
        if (refused == 1) {
            snprintf(what, sizeof what, _("accept: %s: answering 503"), _(strerror(err)));
            warn_limited(err, what);
            continue;
        }
        snprintf(what, sizeof what, _("accept: %s (pausing)"), _(strerror(err)));
        warn_limited(err, what);
        return pause == 0 ? 0.05 : pause * 2 < 1 ? pause * 2 : 1;
    }
    return 0;
}

/* The first in line: a child if one is free now, a 503 if it has waited
 * WAIT_SECONDS. */
static void serve_next(int listener)
{
    if (running == MAX_CHILDREN)
        reap_children();
    if (running < MAX_CHILDREN) {
        start_child(listener, next_fd);
        next_fd = -1;
    } else if (mp_now() - next_since >= WAIT_SECONDS) {
        refuse(next_fd);
        next_fd = -1;
        warn_limited(0, _("busy: all children at work for a second; answering 503"));
    }
}

/* Fills ts with the time from now until `until` (>= 0). */
static struct timespec *time_until(double until, struct timespec *ts)
{
    double left = until - mp_now();
    if (left < 0)
        left = 0;
    ts->tv_sec = (time_t)left;
    ts->tv_nsec = (long)((left - (double)ts->tv_sec) * 1e9);
    return ts;
}

/* The accept loop, until SIGINT or SIGTERM. The signals are unblocked only
 * inside ppoll, atomically while it waits: so a signal can never slip in
 * between checking the flags and starting to wait. poll, not select: an
 * fd_set holds descriptors below 1024 only, and serve's listener may be
 * above (a parent that left many open, a raised ulimit -n). */
static void serve_until_stopped(int listener)
{
    double pause = 0, resume = 0;
    while (!stop_requested) {
        if (child_ended)
            reap_children();
        if (next_fd != -1)
            serve_next(listener);
        /* Watch the listener only if a client can be taken: while one is
         * in line, the others wait in the backlog. Wake up for the first
         * in line's time, or the end of a pause, or a signal. */
        bool pausing = mp_now() < resume;
        struct pollfd pfd = { .fd = listener, .events = POLLIN };
        struct timespec ts, *wait = NULL;
        if (next_fd != -1)
            wait = time_until(next_since + WAIT_SECONDS, &ts);
        else if (pausing)
            wait = time_until(resume, &ts);
        nfds_t watched = next_fd == -1 && !pausing ? 1 : 0;
        int n = ppoll(&pfd, watched, wait, &normal_mask);
        if (n == -1 && errno != EINTR)
            mp_die(N_("ppoll: %s"), strerror(errno));
        if (n > 0 && !stop_requested) {
            pause = accept_waiting(listener, pause);
            resume = mp_now() + pause;
        }
    }
    if (next_fd != -1) {      /* stopping: no child will take it */
        refuse(next_fd);
        next_fd = -1;
    }
}

/* After the first stop: wait for the children still answering.
 * sigsuspend sleeps with the signals unblocked, as ppoll did, until
 * SIGCHLD or a second stop. A signal within half a second of the first is
 * the same request sent twice (timeout(1), for one, signals serve and then
 * its whole process group): only a later one means "do not wait". */
static void wait_for_children(void)
{
    reap_children();
    if (running > 0)
        mp_warn(N_("stopping: %d answer(s) still running (Ctrl-C again: end them now)"), running);
    double stopped_at = mp_now();
    stop_requested = 0;
    while (running > 0) {
        sigsuspend(&normal_mask);
        if (child_ended)
            reap_children();
        if (stop_requested) {
            stop_requested = 0;
            if (mp_now() - stopped_at < 0.5)
                continue;
            for (int i = 0; i < MAX_CHILDREN; i++)   /* asked again: do not wait */
                if (children[i] != 0)
                    kill(children[i], SIGTERM);      /* ours, not yet reaped: cannot fail */
        }
    }
}
/* SIGINT, SIGTERM and SIGCHLD: blocked, but for ppoll and sigsuspend. */
static void catch_signals(void)
{
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGCHLD);
    struct sigaction stop, child;
    memset(&stop, 0, sizeof stop);
    sigemptyset(&stop.sa_mask);
    child = stop;
    stop.sa_handler = on_stop;
    child.sa_handler = on_child_ended;
    if (sigprocmask(SIG_BLOCK, &blocked, &normal_mask) == -1
        || sigaction(SIGINT, &stop, NULL) == -1 || sigaction(SIGTERM, &stop, NULL) == -1
        || sigaction(SIGCHLD, &child, NULL) == -1)
        mp_die(N_("signals: %s"), strerror(errno));
    signal(SIGPIPE, SIG_IGN);     /* a client that hangs up: write says EPIPE */
}

/* A listening TCP socket on addr:port (numeric address; port 0 lets the
 * kernel pick a free one). Exits 2 on a bad address, 1 if it cannot listen. */
static int listen_on(const char *addr, long port)
{
    struct addrinfo hints, *ai;
    char service[16];
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    snprintf(service, sizeof service, "%ld", port);
    if (getaddrinfo(addr, service, &hints, &ai) != 0)
        mp_usage_error(N_("--bind: '%s' is not a numeric IP address"), addr);

    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    int on = 1;
    /* SO_REUSEADDR: the port can be reused at once after a restart, instead
     * of waiting out the old connections' TIME_WAIT. Non-blocking, so that
     * accept says EAGAIN once no client waits (or one vanished since ppoll).
     * BACKLOG is the waiting room: the kernel may keep it smaller
     * (net.core.somaxconn), and completes no new connection beyond it. */
    bool ok = fd != -1 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0
              && bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, BACKLOG) == 0
              && fcntl(fd, F_SETFL, O_NONBLOCK) == 0;
    int err = errno;
    freeaddrinfo(ai);
    if (!ok)
        mp_die(N_("listen on %s port %ld: %s"), addr, port, strerror(err));
    return fd;
}

/* Says where we listen: the kernel chose the port if --port was 0. */
static void say_where(int listener, const char *dir)
{
    struct sockaddr_storage addr;
    socklen_t addrlen = sizeof addr;
    char host[NI_MAXHOST], service[NI_MAXSERV];
    if (getsockname(listener, (struct sockaddr *)&addr, &addrlen) == -1)
        mp_die(N_("getsockname: %s"), strerror(errno));
    int rc = getnameinfo((struct sockaddr *)&addr, addrlen, host, sizeof host, service,
                         sizeof service, NI_NUMERICHOST | NI_NUMERICSERV);
    if (rc != 0)
        mp_die(N_("getnameinfo: %s"), gai_strerror(rc));
    bool ipv6 = strchr(host, ':') != NULL;
    mp_print(_("serving %s at http://%s%s%s:%s/"), dir, ipv6 ? "[" : "", host, ipv6 ? "]" : "",
             service);
}

int main(int argc, char **argv)
{
    mp_main_guard();              /* if __name__ == '__main__': (lesson 11) */

    const char *dir = ".";
    const char *bind_addr = "127.0.0.1";
    long port = 0;
    const struct mp_option options[] = {
        { "--dir", MP_OPT_TEXT, &dir, 0, 0, "DIR", N_("serve the files under DIR (default .)") },
        { "--port", MP_OPT_INT, &port, 0, 65535, "N", N_("TCP port (default 0: a free one)") },
        { "--bind", MP_OPT_TEXT, &bind_addr, 0, 0, "ADDR",
          N_("listen on this IP address (default 127.0.0.1)") },
        { "--delay", MP_OPT_SECONDS, &delay, 0, 60, "SECONDS",
          N_("wait before each answer: a slow network (default 0)") },
        { "--timeout", MP_OPT_SECONDS, &timeout, 0.01, 3600, "SECONDS",
          N_("for the whole request, and for each write (default 5)") },
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_tick_option = false;       /* no sleep in this lesson: no --tick */
    mp_parse_args(argc, argv, options, NULL,
                  N_("Seed 2's other end: a static-file HTTP/1.0 server, one child per "
                     "connection."));

    root_fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (root_fd == -1)
        mp_die(N_("--dir %s: %s"), dir, errno == ENOTDIR ? _("not a directory") : strerror(errno));
    int listener = listen_on(bind_addr, port);
    spare_fd = open("/dev/null", O_RDONLY);
    if (spare_fd == -1)
        mp_die(N_("keep a spare descriptor: %s"), strerror(errno));
    say_where(listener, dir);
    catch_signals();
    serve_until_stopped(listener);
    /* Stop: close the listener (new clients are refused from now on), then
     * wait for the children still answering. */
    close(listener);          /* (and the clients still in its backlog) */
    wait_for_children();
    mp_warn(N_("stopped"));
    return 0;
}
