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
 * Why plain fork here and not mp_process_start: an mp_process is made to be
 * joined, and on Ctrl-C the library ends every child at once. A server wants
 * neither: on SIGINT or SIGTERM it stops accepting, lets the connections it
 * is answering finish, reaps them, and exits 0. Each child is still sure to
 * end: its reads and writes have timeouts, and alarm(2) ends it if the whole
 * answer takes too long; so nothing is ever left running.
 *
 * What it answers: GET and HEAD of regular files under --dir, nothing else.
 *   400 a malformed request         404 a missing file, or a path leaving DIR
 *   405 any other method            408 the request did not arrive in time
 *   414 a request line over 4 KB    431 a request head over 8 KB
 * A path is decoded (%2e%2e is ..), joined to DIR, then resolved by
 * realpath(3), which follows every symlink and "..": if the real path is not
 * inside DIR's real path, the answer is 404, whatever trick the path used.
 *
 * What to watch for:
 *   - The access log on stderr: one line per request with the child's PID,
 *     a new PID each time.
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
#include "mp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_REQUEST_LINE 4096 /* longer: 414 */
#define MAX_HEAD 8192         /* request line and headers; longer: 431 */
#define MAX_CHILDREN 64       /* connections answered at once; more wait in the kernel's queue */
#define CHILD_SECONDS 60      /* alarm(2) ends a child still answering after this (+ --delay) */

static char *root;            /* realpath of --dir */
static double delay = 0;      /* --delay */
static double timeout = 5;    /* --timeout: for the request to arrive, and for each write */
static sigset_t normal_mask;  /* the signal mask before main blocked any */

/* The children answering a connection now (0: a free place). */
static pid_t children[MAX_CHILDREN];

/* The signal handlers only set a flag: main looks at them after pselect. */
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

/* --- the child: one request, one answer ---------------------------------- */

static void set_timeout(int fd, int which, double seconds)
{
    struct timeval tv;
    tv.tv_sec = (time_t)seconds;
    tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
    if (tv.tv_sec == 0 && tv.tv_usec == 0)
        tv.tv_usec = 1;       /* 0 would mean "no timeout" */
    setsockopt(fd, SOL_SOCKET, which, &tv, sizeof tv);
}

/* Reads the request head (request line and headers, up to the empty line)
 * into buf. The whole head must arrive within --timeout seconds, so a client
 * that sends nothing, or one byte now and then, cannot keep a child. Returns
 * 0, or the status to answer with. */
static int read_head(int fd, char *buf, size_t size)
{
    double deadline = mp_now() + timeout;
    size_t len = 0;
    buf[0] = '\0';
    for (;;) {
        char *eol = strchr(buf, '\n');
        size_t first_line = eol != NULL ? (size_t)(eol - buf) : len;
        if (first_line > MAX_REQUEST_LINE)
            return 414;
        if (strstr(buf, "\n\r\n") != NULL || strstr(buf, "\n\n") != NULL)
            return 0;
        if (len == size - 1)
            return 431;
        double left = deadline - mp_now();
        if (left <= 0)
            return 408;
        set_timeout(fd, SO_RCVTIMEO, left);   /* read gives up with EAGAIN */
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 408;
        if (n <= 0 || memchr(buf + len, '\0', (size_t)n) != NULL)
            return 400;       /* closed before the end, or a zero byte in it */
        len += (size_t)n;
        buf[len] = '\0';
    }
}

/* A token (a method, a header name): letters, digits and a few marks. */
static bool is_token(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && (c == '\0' || strchr("!#$%&'*+-.^_`|~", c) == NULL))
            return false;
    }
    return true;
}

/* Splits the head in place: "METHOD SP TARGET SP HTTP/x.y" then lines
 * "Name: value". Points *method and *target into head. Returns 0, or 400. */
static int parse_head(char *head, char **method, char **target)
{
    char *line = head;
    char *next = strchr(line, '\n');
    *next = '\0';
    if (next > line && next[-1] == '\r')
        next[-1] = '\0';

    char *sp1 = strchr(line, ' ');
    char *sp2 = sp1 != NULL ? strchr(sp1 + 1, ' ') : NULL;
    if (sp2 == NULL || strchr(sp2 + 1, ' ') != NULL)
        return 400;           /* not exactly three parts */
    *sp1 = '\0';
    *sp2 = '\0';
    const char *version = sp2 + 1;
    if (!is_token(line, strlen(line)) || sp2 == sp1 + 1 || strlen(version) != 8
        || strncmp(version, "HTTP/", 5) != 0 || !isdigit((unsigned char)version[5])
        || version[6] != '.' || !isdigit((unsigned char)version[7]))
        return 400;
    *method = line;
    *target = sp1 + 1;

    /* Headers, up to the empty line: we need none of them, but each must be
     * well formed. (read_head made sure an empty line ends the head.) */
    for (line = next + 1; *line != '\n' && strncmp(line, "\r\n", 2) != 0;
         line = next + 1) {
        next = strchr(line, '\n');
        char *colon = strchr(line, ':');
        if (colon == NULL || colon > next || !is_token(line, (size_t)(colon - line)))
            return 400;       /* no "Name:", or a folded line starting with a space */
    }
    return 0;
}

/* Maps the request target to a file inside root. Writes the real path into
 * path (PATH_MAX bytes). Returns 0, or the status to answer with. */
static int find_file(const char *target, char *path)
{
    if (target[0] != '/')
        return 400;           /* "http://host/x", "*", "x": not a path */
    char decoded[MAX_REQUEST_LINE + 1];
    if (mp_unquote(target, strcspn(target, "?#"), decoded, sizeof decoded) == -1)
        return 400;
    char joined[PATH_MAX];
    if (snprintf(joined, sizeof joined, "%s/%s", root, decoded) >= (int)sizeof joined)
        return 404;

    /* realpath resolves "..", "." and every symlink, as open would. What
     * counts is where the file really is, not how the path was spelt. */
    if (realpath(joined, path) == NULL)
        return 404;
    size_t rootlen = strlen(root);
    bool inside = strncmp(path, root, rootlen) == 0
                  && (path[rootlen] == '/' || strcmp(root, "/") == 0);
    return inside ? 0 : 404;
}

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        { ".html", "text/html; charset=utf-8" }, { ".htm", "text/html; charset=utf-8" },
        { ".txt", "text/plain; charset=utf-8" }, { ".css", "text/css" },
        { ".js", "text/javascript" },            { ".json", "application/json" },
        { ".png", "image/png" },                 { ".jpg", "image/jpeg" },
        { ".jpeg", "image/jpeg" },               { ".gif", "image/gif" },
        { ".svg", "image/svg+xml" },             { ".pdf", "application/pdf" },
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot != NULL && i < sizeof types / sizeof types[0]; i++)
        if (strcasecmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
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

/* Sends the file at path (GET) or only its headers (HEAD). Returns the
 * status (200, or 404 before anything was sent); *bytes counts the body. */
static int send_file(int fd, const char *method, const char *path, long long *bytes)
{
    /* O_NONBLOCK: opening a FIFO someone put in DIR must not hang the child. */
    int file = open(path, O_RDONLY | O_NONBLOCK);
    struct stat st;
    if (file == -1)
        return 404;
    if (fstat(file, &st) == -1 || !S_ISREG(st.st_mode)) {
        close(file);
        return 404;           /* a directory, a device, ...: regular files only */
    }
    char buf[65536];
    int n = snprintf(buf, sizeof buf, "HTTP/1.0 200 OK\r\nContent-Type: %s\r\n"
                     "Content-Length: %lld\r\n\r\n", content_type(path), (long long)st.st_size);
    bool ok = send_all(fd, buf, (size_t)n);
    while (ok && strcmp(method, "GET") == 0) {
        ssize_t got = read(file, buf, sizeof buf);
        if (got <= 0)
            break;
        ok = send_all(fd, buf, (size_t)got);
        if (ok)
            *bytes += got;
    }
    close(file);
    return 200;
}

/* An error answer: the status line and a one-line text body. */
static long long send_error(int fd, const char *method, int status)
{
    char body[64], head[256];
    int blen = snprintf(body, sizeof body, "%d %s\n", status, reason(status));
    int hlen = snprintf(head, sizeof head, "HTTP/1.0 %d %s\r\n%s"
                        "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n",
                        status, reason(status), status == 405 ? "Allow: GET, HEAD\r\n" : "", blen);
    if (!send_all(fd, head, (size_t)hlen) || strcmp(method, "HEAD") == 0)
        return 0;
    return send_all(fd, body, (size_t)blen) ? blen : 0;
}

/* The request target as the log shows it: printable ASCII only, so a
 * client cannot write escape sequences to the terminal, and not too long. */
static void printable(const char *text, char *out, size_t size)
{
    size_t i = 0;
    for (; text[i] != '\0' && i + 4 < size; i++)
        out[i] = text[i] > ' ' && text[i] < 127 ? text[i] : '?';
    strcpy(out + i, text[i] != '\0' ? "..." : "");
}

/* The child's whole life: read one request, answer it, log it. */
static void answer(int fd, const char *client)
{
    char head[MAX_HEAD + 1];
    char *method = "-", *target = "-";
    char path[PATH_MAX];
    long long bytes = 0;

    int status = read_head(fd, head, sizeof head);
    if (status == 0) {
        mp_sleep(delay);      /* --delay: as if the network were slow */
        status = parse_head(head, &method, &target);
    }
    if (status == 0 && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        status = 405;
    if (status == 0)
        status = find_file(target, path);
    set_timeout(fd, SO_SNDTIMEO, timeout);   /* a client that stops reading */
    if (status == 0)
        status = send_file(fd, method, path, &bytes);
    if (status != 200)
        bytes = send_error(fd, method, status);

    char shown[256];
    printable(target, shown, sizeof shown);
    mp_warn("%s %s %s %d %lld bytes (child %ld)", client, method, shown, status, bytes,
            (long)getpid());

    /* Close gently: send our end of file first, then read what the client
     * may still send (the rest of a too-long request) until it closes too.
     * Closing a socket with unread data makes the kernel send a reset, and
     * the client could lose our answer before reading it. */
    shutdown(fd, SHUT_WR);
    set_timeout(fd, SO_RCVTIMEO, 1);
    while (read(fd, head, sizeof head) > 0)
        ;
    close(fd);
}

/* --- the parent: accept, fork, reap --------------------------------------- */

/* Accepts one connection and forks a child to answer it. Returns 1 if a
 * child was started, else 0. */
static int start_child(int listener)
{
    struct sockaddr_storage addr;
    socklen_t addrlen = sizeof addr;
    int fd = accept(listener, (struct sockaddr *)&addr, &addrlen);
    if (fd == -1) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED)
            mp_warn("accept: %s", strerror(errno));
        return 0;             /* EAGAIN: the client gave up before we got to it */
    }
    fcntl(fd, F_SETFL, 0);    /* blocking, whatever the listener's flags were */

    char host[NI_MAXHOST], port[NI_MAXSERV], client[NI_MAXHOST + NI_MAXSERV + 1];
    if (getnameinfo((struct sockaddr *)&addr, addrlen, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        snprintf(host, sizeof host, "?");
    snprintf(client, sizeof client, "%s:%s", host, port);

    fflush(stdout);           /* nothing buffered may be copied into the child */
    pid_t pid = fork();
    switch (pid) {
    case -1:                  /* out of processes: drop this connection, go on */
        mp_warn("fork: %s", strerror(errno));
        close(fd);
        return 0;
    case 0:                   /* the child: answers this connection, then exits */
        close(listener);      /* only the parent accepts */
        signal(SIGINT, SIG_IGN);   /* Ctrl-C reaches the whole process group:
                                      the parent decides, the child finishes */
        signal(SIGTERM, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        sigprocmask(SIG_SETMASK, &normal_mask, NULL);
        alarm((unsigned)(CHILD_SECONDS + timeout + delay));   /* SIGALRM ends it */
        answer(fd, client);
        _exit(0);
    default:                  /* the parent: the child has its own copy of fd */
        close(fd);
        for (int i = 0; i < MAX_CHILDREN; i++) {
            if (children[i] == 0) {
                children[i] = pid;
                break;
            }
        }
        return 1;
    }
}

/* Reaps every child that has ended. Returns how many. */
static int reap_children(void)
{
    int n = 0;
    pid_t pid;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
        for (int i = 0; i < MAX_CHILDREN; i++)
            if (children[i] == pid)
                children[i] = 0;
        n++;
    }
    return n;
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
        mp_usage_error("--bind: '%s' is not a numeric IP address", addr);

    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    int on = 1;
    /* SO_REUSEADDR: the port can be reused at once after a restart, instead
     * of waiting out the old connections' TIME_WAIT. */
    bool ok = fd != -1 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0
              && bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0;
    int err = errno;
    freeaddrinfo(ai);
    if (!ok)
        mp_die("listen on %s port %ld: %s", addr, port, strerror(err));
    /* Non-blocking, so accept never blocks if a client vanished between
     * pselect saying "ready" and the accept. */
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

int main(int argc, char **argv)
{
    const char *dir = ".";
    const char *bind_addr = "127.0.0.1";
    long port = 0;
    const struct mp_option options[] = {
        { "--dir", MP_OPT_TEXT, &dir, 0, 0, "DIR", "serve the files under DIR (default .)" },
        { "--port", MP_OPT_INT, &port, 0, 65535, "N", "TCP port (default 0: a free one)" },
        { "--bind", MP_OPT_TEXT, &bind_addr, 0, 0, "ADDR",
          "listen on this IP address (default 127.0.0.1)" },
        { "--delay", MP_OPT_SECONDS, &delay, 0, 60, "SECONDS",
          "wait this long before each answer: a slow network (default 0)" },
        { "--timeout", MP_OPT_SECONDS, &timeout, 0.01, 3600, "SECONDS",
          "time for a request to arrive, and for each write (default 5)" },
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_tick_option = false;       /* no sleep in this lesson: no --tick */
    mp_parse_args(argc, argv, options, NULL,
                  "Seed 2's other end: a static-file HTTP/1.0 server, one child per connection.");

    root = realpath(dir, NULL);
    struct stat st;
    if (root == NULL || stat(root, &st) == -1)
        mp_die("--dir %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        mp_die("--dir %s: not a directory", dir);
    int listener = listen_on(bind_addr, port);

    /* Say where we listen; the kernel chose the port if --port was 0. */
    struct sockaddr_storage addr;
    socklen_t addrlen = sizeof addr;
    char host[NI_MAXHOST], service[NI_MAXSERV];
    getsockname(listener, (struct sockaddr *)&addr, &addrlen);
    getnameinfo((struct sockaddr *)&addr, addrlen, host, sizeof host, service, sizeof service,
                NI_NUMERICHOST | NI_NUMERICSERV);
    bool ipv6 = strchr(host, ':') != NULL;
    mp_print("serving %s at http://%s%s%s:%s/", dir, ipv6 ? "[" : "", host, ipv6 ? "]" : "",
             service);

    /* The signals that matter are blocked everywhere but inside pselect,
     * which unblocks them only while it waits, atomically. So a signal can
     * never slip in between checking the flags and starting to wait (it
     * would then wait for the next connection before noticing). */
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGCHLD);
    sigprocmask(SIG_BLOCK, &blocked, &normal_mask);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_child_ended;
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);     /* a client that hangs up: write says EPIPE */

    int running = 0;              /* children answering a connection now */
    while (!stop_requested) {
        fd_set ready;
        FD_ZERO(&ready);
        if (running < MAX_CHILDREN)
            FD_SET(listener, &ready);   /* else wait for a child to end first */
        int n = pselect(listener + 1, &ready, NULL, NULL, NULL, &normal_mask);
        if (child_ended) {
            child_ended = 0;
            running -= reap_children();
        }
        if (n > 0 && FD_ISSET(listener, &ready) && !stop_requested)
            running += start_child(listener);
    }

    /* Stop: close the listener (new clients are refused from now on), then
     * wait for the children still answering. sigsuspend sleeps with the
     * signals unblocked, as pselect did, until SIGCHLD or a second stop. */
    close(listener);
    if (running > 0)
        mp_warn("stopping: waiting for %d connection(s) to finish (Ctrl-C again: end them now)",
                running);
    /* A signal that comes within half a second of the first is the same
     * request sent twice (timeout(1), for one, signals serve and then its
     * whole process group): only a later one means "do not wait". */
    double stopped_at = mp_now();
    stop_requested = 0;
    while (running > 0) {
        sigsuspend(&normal_mask);
        if (child_ended) {
            child_ended = 0;
            running -= reap_children();
        }
        if (stop_requested) {
            stop_requested = 0;
            if (mp_now() - stopped_at < 0.5)
                continue;
            for (int i = 0; i < MAX_CHILDREN; i++)   /* asked again: do not wait */
                if (children[i] != 0)
                    kill(children[i], SIGTERM);
        }
    }
    mp_warn("stopped");
    free(root);
    return 0;
}
