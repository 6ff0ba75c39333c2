/* SPDX-License-Identifier: MIT */
/*
 * download - worker processes download URLs that they take from one queue.
 *
 * Seed section 二 (进程介绍,举栗: downloading images concurrently). The
 * Python it re-builds:
 *
 *     def download(q: Queue):
 *         while True:
 *             url = q.get()
 *             r = requests.get(url)
 *             img_name = url.split('/')[-1]
 *             img_name = os.path.join('./', img_name)
 *             with open(img_name, 'wb') as f:
 *                 f.write(r.content)
 *             if q.empty():            # the bug: see below
 *                 break
 *
 *     tasks = Queue()
 *     tasks.put(url1)
 *     tasks.put(url2)
 *     p1 = Process(target=download, args=(tasks, ))
 *     p2 = Process(target=download, args=(tasks, ))
 *     p1.start(); p2.start()
 *     p1.join(); p2.join()
 *     print("主进程运行结束")           # "main process finished"
 *
 * The seed's bug. A worker leaves its loop only if it finds the queue empty
 * right after a download. Give it one URL and two workers: p1 gets the URL,
 * p2 waits in q.get() for a second URL that never comes, and the main waits
 * in p2.join() for ever (Python's version hangs every time). With more URLs
 * it is a race: a worker that saw "not empty" calls get, another worker
 * takes the last URL first, and the first one blocks for ever. empty() only
 * says what was true a moment ago; it cannot say that no URL will ever come.
 *
 * The fix: the main says so itself. It puts every URL, then closes the queue;
 * get hands out what is left, then returns MP_CLOSED to every worker:
 *
 *     for (;;) {
 *         if (mp_queue_get(tasks, url, MP_FOREVER) == MP_CLOSED)
 *             break;           // closed and drained: no URL will ever come
 *         download(url);
 *     }
 *
 * (In Python: put one None per worker after the URLs, and `if url is None:
 * break`. That "poison pill" is how multiprocessing.Pool stops its workers.)
 *
 * The rest is requests.get re-built on a plain socket, HTTP/1.0 only:
 *   - http:// only: https needs TLS, and forklore uses libc alone;
 *   - getaddrinfo, then connect with a timeout; every read waits at most
 *     --timeout seconds too, so a silent server cannot hold a worker;
 *   - the status line and headers are checked strictly; 200 saves the body,
 *     301/302/303/307/308 follow Location (at most 5 times), anything else
 *     fails that URL; a Content-Length is checked (else: read to the end);
 *   - the file name is the last segment of the URL's path (the query is not
 *     part of it), percent-decoded, as the seed's url.split('/')[-1]; after
 *     a redirect it is still the name from the URL you gave. An empty name
 *     ("http://host/dir/") is saved as index.html, like wget does; a name
 *     that is "." or "..", holds a "/" (from %2F) or a control character is
 *     refused: nothing is ever written outside --dir;
 *   - the body goes to a hidden temporary file in --dir, renamed to the name
 *     only once it is complete: a failed download leaves no file. On Ctrl-C
 *     (or SIGTERM) a worker removes its temporary file before it dies; only
 *     SIGKILL, which cannot be caught, could leave a .download-XXXXXX file
 *     (SIGKILL to the main too: the kernel then kills its daemonic workers
 *     with SIGKILL).
 *
 * Each worker reports every URL to the main through a second queue, so the
 * main can print the summary and choose the exit status: 0 only if every
 * URL was saved.
 *
 * What to watch for:
 *   - One line per URL, with the PID of the worker that fetched it: the
 *     workers share the URLs out, none is fetched twice.
 *   - Against `serve --delay 1`, 8 URLs take about 8 s with --workers 1 and
 *     about 2 s with --workers 4: the workers mostly wait for the network.
 *   - `download --workers 4 URL` (one URL) ends at once: the seed's hangs.
 *   - With --timeline, the chart after the run has one row per worker that
 *     took a URL, marked with the first letter of the file it was
 *     fetching. Against `serve --delay`, the rows are busy side by side,
 *     and each row shows, letter by letter, the URLs it fetched in turn.
 *     Its scale is fitted to the run (download sleeps no ticks): to compare
 *     runs, give them one with --timeline-scale SECONDS.
 *
 * Run it (with `build/bin/serve --dir DIR` running on port PORT):
 *           build/bin/download http://127.0.0.1:PORT/a.png http://127.0.0.1:PORT/b.jpg
 *           printf 'http://127.0.0.1:PORT/%s\n' a.png b.jpg | build/bin/download --workers 4 -
 *           build/bin/download --timeline http://127.0.0.1:PORT/a.png http://127.0.0.1:PORT/b.jpg
 * (No --tick: the seed sleeps nowhere in this lesson.)
 */
#include "mp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_URL 2048         /* bytes in a URL, with its '\0': one queue item */
#define MAX_HEAD 16384       /* status line and headers */
#define MAX_REDIRECTS 5
#define MAX_WORKERS 64

/* What a worker tells the main about each URL, through a second queue. */
struct result {
    bool saved;
    long long bytes;
};

static mp_queue *tasks;      /* URLs, MAX_URL bytes each */
static mp_queue *results;    /* one struct result per URL */
static const char *dir = ".";
static double io_timeout = 10;

/* --- removing the temporary file when a signal ends the worker ----------- */

static char temp_path[PATH_MAX];
static volatile sig_atomic_t have_temp;   /* temp_path exists on disk */
static sigset_t interrupts;               /* SIGINT, SIGTERM, SIGHUP */

static void on_interrupt(int sig)
{
    if (have_temp)
        unlink(temp_path);    /* async-signal-safe, like signal and raise */
    signal(sig, SIG_DFL);
    raise(sig);               /* dies of sig once this handler returns */
}

static void catch_interrupts(void)
{
    sigemptyset(&interrupts);
    sigaddset(&interrupts, SIGINT);
    sigaddset(&interrupts, SIGTERM);
    sigaddset(&interrupts, SIGHUP);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sa.sa_mask = interrupts;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a server that hangs up: write says EPIPE */
}

/* --- URLs -------------------------------------------------------------- */

struct url {
    char host[256];          /* "127.0.0.1", "example.com", "::1" */
    char port[8];            /* "80" unless the URL says otherwise */
    char authority[300];     /* "host:port" as written: the Host header */
    char target[MAX_URL];    /* "/path?query": what we ask the server for */
};

/* Splits "http://host:port/path?query#fragment". Returns false, saying why,
 * for anything else. */
static bool parse_url(const char *text, struct url *u, char *why, size_t size)
{
    size_t scheme = strcspn(text, ":/?#");
    if (text[scheme] != ':' || scheme == 0) {
        snprintf(why, size, "not a URL (it should start with http://)");
        return false;
    }
    if (scheme == 5 && strncasecmp(text, "https", 5) == 0) {
        snprintf(why, size, "https is not supported: it needs TLS, and forklore uses "
                 "libc only (use http://)");
        return false;
    }
    if (scheme != 4 || strncasecmp(text, "http", 4) != 0) {
        snprintf(why, size, "unsupported scheme '%.*s': only http:// is", (int)scheme, text);
        return false;
    }
    if (strncmp(text + 4, "://", 3) != 0) {
        snprintf(why, size, "not a URL: http: must be followed by //");
        return false;
    }
    const char *auth = text + 7;
    size_t alen = strcspn(auth, "/?#");
    if (alen == 0 || alen >= sizeof u->authority) {
        snprintf(why, size, "no host in the URL, or a host too long");
        return false;
    }
    if (memchr(auth, '@', alen) != NULL) {
        snprintf(why, size, "user:password@ in a URL is not supported");
        return false;
    }
    snprintf(u->authority, sizeof u->authority, "%.*s", (int)alen, auth);

    /* host, "[IPv6 address]", either followed by an optional ":port" */
    const char *host = auth, *end = auth + alen, *rest;
    if (auth[0] == '[') {
        host = auth + 1;
        rest = memchr(auth, ']', alen);
        if (rest == NULL) {
            snprintf(why, size, "no ']' after the IPv6 address");
            return false;
        }
        rest++;
    } else {
        rest = memchr(auth, ':', alen);
        if (rest == NULL)
            rest = end;
    }
    size_t hlen = (size_t)(rest - host) - (auth[0] == '[' ? 1 : 0);
    if (hlen == 0) {
        snprintf(why, size, "no host in the URL");
        return false;
    }
    snprintf(u->host, sizeof u->host, "%.*s", (int)hlen, host);
    snprintf(u->port, sizeof u->port, "80");
    if (rest < end) {         /* ":8000": 1 to 5 digits, 1 to 65535 */
        size_t plen = (size_t)(end - rest - 1);
        long port = plen >= 1 && plen <= 5 && strspn(rest + 1, "0123456789") == plen
                    ? strtol(rest + 1, NULL, 10) : 0;
        if (rest[0] != ':' || port < 1 || port > 65535) {
            snprintf(why, size, "bad port in '%s'", u->authority);
            return false;
        }
        snprintf(u->port, sizeof u->port, "%ld", port);
    }

    /* The target: the path and query; the fragment is never sent. */
    const char *path = auth + alen;
    size_t tlen = strcspn(path, "#");
    snprintf(u->target, sizeof u->target, "%s%.*s", path[0] == '/' ? "" : "/", (int)tlen, path);
    return true;
}

/* The file name: the last segment of the URL's path, percent-decoded, as the
 * seed's url.split('/')[-1]. Returns false, saying why, if it is unsafe. */
static bool file_name(const struct url *u, char *name, size_t size, char *why, size_t whysize)
{
    size_t plen = strcspn(u->target, "?");
    const char *seg = u->target + plen;
    while (seg > u->target && seg[-1] != '/')
        seg--;
    size_t slen = (size_t)(u->target + plen - seg);
    if (mp_unquote(seg, slen, name, size) == -1) {
        snprintf(why, whysize, "file name: %s", mp_last_error());
        return false;
    }
    if (name[0] == '\0')
        snprintf(name, size, "index.html");   /* "http://host/dir/": as wget does */
    for (const char *c = name; *c != '\0'; c++) {
        if ((unsigned char)*c < ' ' || *c == 127) {
            snprintf(why, whysize, "refusing file name '%.*s': a control character",
                     (int)slen, seg);
            return false;
        }
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/') != NULL) {
        snprintf(why, whysize, "refusing file name '%s': it would not stay in %s", name, dir);
        return false;
    }
    return true;
}

/* Where a redirect's Location leads, as an absolute http URL in next. */
static bool resolve(const struct url *base, const char *location, char *next, size_t size,
                    char *why, size_t whysize)
{
    size_t scheme = strcspn(location, ":/?#");
    int n;
    if (location[scheme] == ':' && scheme > 0)          /* "http://host/x" */
        n = snprintf(next, size, "%s", location);
    else if (strncmp(location, "//", 2) == 0)           /* "//host/x" */
        n = snprintf(next, size, "http:%s", location);
    else if (location[0] == '/')                        /* "/x": same server */
        n = snprintf(next, size, "http://%s%s", base->authority, location);
    else {                                              /* "x": beside the old path */
        size_t dirlen = strcspn(base->target, "?");
        while (base->target[dirlen - 1] != '/')
            dirlen--;
        n = snprintf(next, size, "http://%s%.*s%s", base->authority, (int)dirlen,
                     base->target, location);
    }
    if (n >= (int)size) {
        snprintf(why, whysize, "redirected to a URL too long");
        return false;
    }
    return true;
}

/* --- HTTP over a socket ------------------------------------------------- */

/* read(2) that gives up after --timeout: poll(2) sleeps until there is
 * something to read (or the end of the stream), then read takes it. */
static ssize_t read_timeout(int fd, char *buf, size_t size)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int ready = poll(&pfd, 1, (int)(io_timeout * 1000));
    if (ready == 0)
        errno = ETIMEDOUT;
    if (ready <= 0)
        return -1;
    return read(fd, buf, size);
}

/* connect(2) with a timeout: start it without blocking, wait in poll(2)
 * until the socket is writable (connected, or failed), then ask how it went. */
static int connect_timeout(int fd, const struct sockaddr *addr, socklen_t len)
{
    fcntl(fd, F_SETFL, O_NONBLOCK);
    if (connect(fd, addr, len) == -1) {
        if (errno != EINPROGRESS)
            return -1;
        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
        int err = 0;
        socklen_t errlen = sizeof err;
        if (poll(&pfd, 1, (int)(io_timeout * 1000)) == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen);
        if (err != 0) {
            errno = err;
            return -1;
        }
    }
    fcntl(fd, F_SETFL, 0);    /* blocking again: read_timeout does the waiting */
    return 0;
}

/* A connected socket to u's host and port, trying each address the name
 * has (IPv6 and IPv4, say). Returns -1, saying why, if none answers. */
static int connect_to(const struct url *u, char *why, size_t size)
{
    struct addrinfo hints, *list;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(u->host, u->port, &hints, &list);
    if (rc != 0) {
        snprintf(why, size, "cannot resolve host '%s': %s", u->host, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = list; ai != NULL && fd == -1; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd != -1 && connect_timeout(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    if (fd == -1)
        snprintf(why, size, "connect to %s port %s: %s", u->host, u->port, strerror(err));
    return fd;
}

/* Where the head ends: just after its empty line ("\n\n" or "\n\r\n"), or 0. */
static size_t head_end(const char *buf, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (buf[i + 1] == '\n')
            return i + 2;
        if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* Reads until the end of the response head. *headlen is its length, *got
 * what was read in all: the bytes after the head are the body's start. */
static bool read_head(int fd, char *buf, size_t size, size_t *headlen, size_t *got,
                      char *why, size_t whysize)
{
    size_t len = 0;
    while ((*headlen = head_end(buf, len)) == 0) {
        if (len == size) {
            snprintf(why, whysize, "response head longer than %zu bytes", size);
            return false;
        }
        ssize_t n = read_timeout(fd, buf + len, size - len);
        if (n == -1 && errno == ETIMEDOUT) {
            snprintf(why, whysize, "no answer within %g s", io_timeout);
            return false;
        }
        if (n <= 0) {
            snprintf(why, whysize, "connection closed before a complete response head%s%s",
                     n == -1 ? ": " : "", n == -1 ? strerror(errno) : "");
            return false;
        }
        len += (size_t)n;
    }
    *got = len;
    return true;
}

struct response {
    int status;              /* 200 */
    char reason[64];         /* "OK" */
    long long length;        /* Content-Length, or -1 if the server sent none */
    char location[MAX_URL];  /* Location, or "" */
};

/* Checks the head line by line and picks out what we need. Strict: any line
 * that is not well formed fails the URL, rather than being guessed at. */
static bool parse_head(char *head, size_t len, struct response *r, char *why, size_t whysize)
{
    r->length = -1;
    r->location[0] = '\0';
    int lineno = 0;
    for (char *line = head; line < head + len; lineno++) {
        char *nl = memchr(line, '\n', (size_t)(head + len - line));
        *nl = '\0';
        if (nl > line && nl[-1] == '\r')
            nl[-1] = '\0';
        char *next = nl + 1;
        for (char *c = line; *c != '\0'; c++)
            if (((unsigned char)*c < ' ' && *c != '\t') || *c == 127) {
                snprintf(why, whysize, "malformed response: a control character in line %d",
                         lineno + 1);
                return false;
            }
        if (line[0] == '\0' && lineno > 0)
            break;            /* the empty line: end of the head (first: no status line) */

        if (lineno == 0) {    /* "HTTP/1.1 200 OK" */
            if (strncmp(line, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)line[7])
                || line[8] != ' ' || strspn(line + 9, "0123456789") != 3
                || (line[12] != ' ' && line[12] != '\0')) {
                snprintf(why, whysize, "malformed status line '%.60s'", line);
                return false;
            }
            r->status = atoi(line + 9);
            snprintf(r->reason, sizeof r->reason, "%s", line[12] == ' ' ? line + 13 : "");
        } else {              /* "Name: value" */
            char *colon = strchr(line, ':');
            size_t namelen = colon != NULL ? (size_t)(colon - line) : 0;
            if (namelen == 0 || strcspn(line, " \t") < namelen) {
                snprintf(why, whysize, "malformed header line '%.60s'", line);
                return false;
            }
            char *value = colon + 1;
            value += strspn(value, " \t");
            size_t vlen = strlen(value);
            while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
                value[--vlen] = '\0';

            if (namelen == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
                long long n = -1;
                if (vlen > 0 && vlen <= 18 && strspn(value, "0123456789") == vlen)
                    n = atoll(value);
                if (n < 0 || (r->length != -1 && r->length != n)) {
                    snprintf(why, whysize, "bad Content-Length '%.30s'", value);
                    return false;
                }
                r->length = n;
            } else if (namelen == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0) {
                snprintf(why, whysize, "Transfer-Encoding '%.30s' is not HTTP/1.0", value);
                return false;
            } else if (namelen == 8 && strncasecmp(line, "Location", 8) == 0) {
                snprintf(r->location, sizeof r->location, "%s", value);
            }
        }
        line = next;
    }
    return true;
}

/* Copies the body to out: the part read with the head, then the rest, up
 * to Content-Length if there is one, else to the end of the connection. */
static bool save_body(int fd, int out, const char *start, size_t have, long long length,
                      long long *bytes, char *why, size_t whysize)
{
    char buf[65536];
    *bytes = 0;
    if (length >= 0 && (long long)have > length)
        have = (size_t)length;          /* bytes past Content-Length: ignored */
    for (;;) {
        ssize_t written = have > 0 ? write(out, start, have) : 0;
        if (written == -1) {
            snprintf(why, whysize, "write to %s: %s", dir, strerror(errno));
            return false;
        }
        if ((size_t)written < have) {   /* no errno: the file cannot grow further */
            snprintf(why, whysize, "write to %s: only %zd of %zu bytes written "
                     "(disk full, or a file size limit)", dir, written, have);
            return false;
        }
        *bytes += (long long)have;
        if (length >= 0 && *bytes == length)
            return true;
        size_t want = sizeof buf;
        if (length >= 0 && length - *bytes < (long long)want)
            want = (size_t)(length - *bytes);
        ssize_t n = read_timeout(fd, buf, want);
        if (n == 0 && length < 0)
            return true;                /* no Content-Length: the end is the end */
        if (n <= 0) {
            const char *cause = n == 0 ? "connection closed" : strerror(errno);
            if (length >= 0)
                snprintf(why, whysize, "truncated: got %lld of %lld bytes (%s)", *bytes,
                         length, cause);
            else
                snprintf(why, whysize, "failed after %lld bytes (%s)", *bytes, cause);
            return false;
        }
        start = buf;
        have = (size_t)n;
    }
}

static bool is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* requests.get(url), writing the body to out: GET, following redirects. */
static bool fetch(const char *url, int out, long long *bytes, char *why, size_t whysize)
{
    char head[MAX_HEAD];
    char current[MAX_URL];
    snprintf(current, sizeof current, "%s", url);
    for (int redirects = 0;; redirects++) {
        struct url u;
        struct response r;
        if (!parse_url(current, &u, why, whysize))
            return false;
        int fd = connect_to(&u, why, whysize);
        if (fd == -1)
            return false;

        char request[MAX_URL + 512];
        int n = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: %s\r\n"
                         "User-Agent: forklore-download\r\n\r\n", u.target, u.authority);
        size_t headlen, got;
        /* A request this small fits in the socket's buffer: write does not wait. */
        bool ok = write(fd, request, (size_t)n) == n;
        if (!ok)
            snprintf(why, whysize, "send the request: %s", strerror(errno));
        ok = ok && read_head(fd, head, sizeof head, &headlen, &got, why, whysize)
             && parse_head(head, headlen, &r, why, whysize);
        if (ok && r.status == 200)
            ok = save_body(fd, out, head + headlen, got - headlen, r.length, bytes, why, whysize);
        close(fd);
        if (!ok || r.status == 200)
            return ok;

        if (!is_redirect(r.status)) {
            snprintf(why, whysize, "HTTP %d %s", r.status, r.reason);
            return false;
        }
        if (redirects == MAX_REDIRECTS) {
            snprintf(why, whysize, "too many redirects (more than %d)", MAX_REDIRECTS);
            return false;
        }
        if (r.location[0] == '\0') {
            snprintf(why, whysize, "HTTP %d without a Location", r.status);
            return false;
        }
        if (!resolve(&u, r.location, current, sizeof current, why, whysize))
            return false;
    }
}

/* --- one URL, one file ---------------------------------------------------- */

/* Downloads url into dir/NAME through a temporary file. Prints the URL's
 * line; returns what happened. */
static struct result download(const char *url)
{
    struct result res = { false, 0 };
    char why[512], name[NAME_MAX + 1], path[PATH_MAX];
    struct url u;
    bool ok = parse_url(url, &u, why, sizeof why)
              && file_name(&u, name, sizeof name, why, sizeof why);
    if (ok && snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        snprintf(why, sizeof why, "path too long");
        ok = false;
    }

    /* The temporary file: created and recorded with the interrupting signals
     * blocked, so that on_interrupt always knows whether there is one. */
    int out = -1;
    if (ok) {
        sigprocmask(SIG_BLOCK, &interrupts, NULL);
        snprintf(temp_path, sizeof temp_path, "%s/.download-XXXXXX", dir);
        out = mkstemp(temp_path);
        have_temp = out != -1;
        sigprocmask(SIG_UNBLOCK, &interrupts, NULL);
        if (out == -1) {
            snprintf(why, sizeof why, "create a file in %s: %s", dir, strerror(errno));
            ok = false;
        }
    }
    ok = ok && fetch(url, out, &res.bytes, why, sizeof why);
    if (ok && fchmod(out, 0644) == -1) {    /* mkstemp made it 0600 */
        snprintf(why, sizeof why, "chmod %s: %s", name, strerror(errno));
        ok = false;
    }
    if (out != -1 && close(out) == -1 && ok) {
        snprintf(why, sizeof why, "write %s: %s", name, strerror(errno));
        ok = false;
    }

    if (out != -1) {          /* complete: give it its name; else: remove it */
        sigprocmask(SIG_BLOCK, &interrupts, NULL);
        if (ok && rename(temp_path, path) == -1) {
            snprintf(why, sizeof why, "rename to %s: %s", name, strerror(errno));
            ok = false;
        }
        if (!ok)
            unlink(temp_path);
        have_temp = 0;
        sigprocmask(SIG_UNBLOCK, &interrupts, NULL);
    }

    res.saved = ok;
    if (ok)
        mp_print("worker %ld: %s -> %s (%lld bytes)", (long)getpid(), url, name, res.bytes);
    else
        mp_print("worker %ld: %s failed: %s", (long)getpid(), url, why);
    return res;
}

/* A worker: URLs from the queue until it is closed and empty (the fix). */
static int worker(void *arg)
{
    (void)arg;
    catch_interrupts();
    char url[MAX_URL];
    for (;;) {
        enum mp_status status = mp_queue_get(tasks, url, MP_FOREVER);
        if (status == MP_CLOSED)
            return 0;         /* closed and drained: no URL will ever come */
        if (status != MP_OK)
            mp_die("get a URL: %s", mp_last_error());
        const char *slash = strrchr(url, '/');     /* the job: the file's name */
        mp_timeline_begin("worker", slash != NULL ? slash + 1 : url);   /* nothing without --timeline */
        struct result res = download(url);
        mp_timeline_end();
        if (mp_queue_put(results, &res, MP_FOREVER) != MP_OK)
            mp_die("put a result: %s", mp_last_error());
    }
}

/* --- main: the URLs into the queue, the workers started and joined --------- */

/* Adds url to the list, after checking it fits in a queue item. */
static void add_url(char ***urls, size_t *n, const char *url)
{
    if (strlen(url) >= MAX_URL)
        mp_usage_error("URL longer than %d bytes: '%.40s...'", MAX_URL - 1, url);
    for (const char *c = url; *c != '\0'; c++)
        if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 127)
            mp_usage_error("URL %zu has a space, a control character or a non-ASCII byte "
                           "(percent-encode it)", *n + 1);
    *urls = realloc(*urls, (*n + 1) * sizeof **urls);
    if (*urls == NULL || ((*urls)[*n] = strdup(url)) == NULL)
        mp_die("out of memory");
    (*n)++;
}

/* "-": one URL per line from standard input; blank lines and #comments skipped. */
static void read_urls(char ***urls, size_t *n)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) != -1) {
        while (len > 0 && isspace((unsigned char)line[len - 1]))
            line[--len] = '\0';
        char *start = line + strspn(line, " \t");
        if (*start != '\0' && *start != '#')
            add_url(urls, n, start);
    }
    if (ferror(stdin))        /* getline's -1 is also a read error, not only the end */
        mp_die("read URLs from standard input: %s", strerror(errno));
    free(line);
}

int main(int argc, char **argv)
{
    long nworkers = 2;
    const struct mp_option options[] = {
        { "--workers", MP_OPT_INT, &nworkers, 1, MAX_WORKERS, "N",
          "worker processes (default 2, as in the seed; at most 64)" },
        { "--dir", MP_OPT_TEXT, &dir, 0, 0, "DIR", "save the files in DIR (default .)" },
        { "--timeout", MP_OPT_SECONDS, &io_timeout, 0.01, 3600, "SECONDS",
          "give up on a connect or a read after this long (default 10)" },
        MP_TIMELINE_OPTIONS,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_tick_option = false;       /* no sleep in this lesson: no --tick */
    int first = mp_parse_args(argc, argv, options, "URL...",
                              "Seed 2: workers share out the URLs through one queue "
                              "(a URL - reads more from stdin).");
    char **urls = NULL;
    size_t n = 0;
    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "-") == 0)
            read_urls(&urls, &n);
        else
            add_url(&urls, &n, argv[i]);
    }
    if (n == 0)
        mp_usage_error("no URL given (- reads them from standard input)");
    struct stat st;
    if (stat(dir, &st) == -1)
        mp_die("--dir %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        mp_die("--dir %s: not a directory", dir);

    /* The queues, before fork, so that every worker shares them. As in the
     * seed, every URL is put first; then close says "no more will come". */
    tasks = mp_queue_new(MAX_URL, n);
    results = mp_queue_new(sizeof(struct result), n);
    if (tasks == NULL || results == NULL)
        mp_die("create the queues: %s", mp_last_error());
    for (size_t i = 0; i < n; i++) {
        char item[MAX_URL] = { 0 };
        snprintf(item, sizeof item, "%s", urls[i]);
        if (mp_queue_put(tasks, item, MP_FOREVER) != MP_OK)
            mp_die("put a URL: %s", mp_last_error());
    }
    mp_queue_close(tasks);

    /* Before the workers are forked: they must share the span table. */
    if (mp_timeline_setup(argc, argv, MP_TIMELINE_FIT) == -1)
        mp_die("timeline: %s", mp_last_error());

    double start = mp_now();
    mp_process *workers = calloc((size_t)nworkers, sizeof *workers);
    if (workers == NULL)
        mp_die("out of memory");
    for (long i = 0; i < nworkers; i++) {
        mp_process_init(&workers[i], worker, NULL);
        /* Daemonic: if the main is killed outright, the kernel ends the
         * workers too (Linux), rather than leaving them running alone. */
        workers[i].daemon = true;
        if (mp_process_start(&workers[i]) == -1)
            mp_die("start %s: %s", workers[i].name, mp_last_error());
    }
    for (long i = 0; i < nworkers; i++) {
        mp_process_join(&workers[i], MP_FOREVER);
        if (mp_process_exitcode(&workers[i]) != 0)
            mp_warn("%s (PID %ld) ended with exit code %d", workers[i].name,
                    (long)workers[i].pid, mp_process_exitcode(&workers[i]));
    }

    /* Every worker has ended: count what they reported. A URL a worker
     * never reported (it crashed, say) counts as failed. */
    mp_queue_close(results);
    struct result res;
    size_t saved = 0;
    while (mp_queue_get(results, &res, MP_FOREVER) == MP_OK)
        saved += res.saved;
    mp_print("main process finished: %zu saved, %zu failed, %.2f s", saved, n - saved,
             mp_now() - start);
    mp_timeline_show();       /* every worker is joined: their spans are complete */

    for (size_t i = 0; i < n; i++)
        free(urls[i]);
    free(urls);
    free(workers);
    mp_queue_free(tasks);
    mp_queue_free(results);
    return saved == n ? 0 : 1;
}
