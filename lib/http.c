/* SPDX-License-Identifier: MIT */
/*
 * http.c - the HTTP/1.0 support of the download and serve lessons (see
 * http.h: not part of the multiprocessing API). The parsers are pure
 * functions over a buffer of known length, so tests/fuzz/ can feed them
 * anything; the I/O functions wait in poll(2) for what is left of one
 * deadline; http_open_beneath lets the kernel keep a path inside a folder.
 */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/openat2.h>
#include <sys/syscall.h>
#endif

double http_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);   /* cannot fail with this clock */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- URLs --------------------------------------------------------------- */

/* True if every byte of text is visible ASCII: no space, tab, control or
 * non-ASCII byte, which a request line could not carry as it is. */
static bool visible(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] <= ' ' || (unsigned char)text[i] >= 127)
            return false;
    return true;
}

/* Checks "http://" at the start of text; says why not. */
static bool check_scheme(const char *text, char *why, size_t whysize)
{
    size_t scheme = strcspn(text, ":/?#");
    if (text[scheme] != ':' || scheme == 0) {
        snprintf(why, whysize, "not a URL (it should start with http://)");
        return false;
    }
    if (scheme == 5 && strncasecmp(text, "https", 5) == 0) {
        snprintf(why, whysize, "https is not supported: it needs TLS, and forklore uses "
                 "libc only (use http://)");
        return false;
    }
    if (scheme != 4 || strncasecmp(text, "http", 4) != 0) {
        snprintf(why, whysize, "unsupported scheme '%.*s': only http:// is",
                 (int)(scheme < 20 ? scheme : 20), text);
        return false;
    }
    if (strncmp(text + 4, "://", 3) != 0) {
        snprintf(why, whysize, "not a URL: http: must be followed by //");
        return false;
    }
    return true;
}

/* Splits u->authority ("host", "host:port", "[::1]:port") into host, port. */
static bool split_authority(struct http_url *u, char *why, size_t whysize)
{
    const char *auth = u->authority, *host = auth, *end = auth + strlen(auth), *rest;
    if (auth[0] == '[') {                  /* "[IPv6 address]" */
        host = auth + 1;
        rest = strchr(auth, ']');
        if (rest == NULL) {
            snprintf(why, whysize, "no ']' after the IPv6 address");
            return false;
        }
        rest++;
    } else {
        rest = strchr(auth, ':');
        if (rest == NULL)
            rest = end;
    }
    size_t hlen = (size_t)(rest - host) - (auth[0] == '[' ? 1 : 0);
    if (hlen == 0 || hlen >= sizeof u->host) {
        snprintf(why, whysize, "no host in the URL");
        return false;
    }
    snprintf(u->host, sizeof u->host, "%.*s", (int)hlen, host);
    snprintf(u->port, sizeof u->port, "80");
    if (rest < end) {                      /* ":8000": 1 to 5 digits, 1 to 65535 */
        size_t plen = (size_t)(end - rest - 1);
        long port = plen >= 1 && plen <= 5 && strspn(rest + 1, "0123456789") == plen
                    ? strtol(rest + 1, NULL, 10) : 0;
        if (rest[0] != ':' || port < 1 || port > 65535) {
            snprintf(why, whysize, "bad port in '%.40s'", u->authority);
            return false;
        }
        snprintf(u->port, sizeof u->port, "%ld", port);
    }
    return true;
}

bool http_parse_url(const char *text, struct http_url *u, char *why, size_t whysize)
{
    size_t len = strlen(text);
    if (len >= HTTP_MAX_URL) {
        snprintf(why, whysize, "URL longer than %d bytes", HTTP_MAX_URL - 1);
        return false;
    }
    if (!visible(text, len)) {
        snprintf(why, whysize, "a space, a control character or a non-ASCII byte in the URL");
        return false;
    }
    if (!check_scheme(text, why, whysize))
        return false;
    const char *auth = text + 7;
    size_t alen = strcspn(auth, "/?#");
    if (alen == 0 || alen >= sizeof u->authority) {
        snprintf(why, whysize, "no host in the URL, or a host too long");
        return false;
    }
    if (memchr(auth, '@', alen) != NULL) {
        snprintf(why, whysize, "user:password@ in a URL is not supported");
        return false;
    }
    snprintf(u->authority, sizeof u->authority, "%.*s", (int)alen, auth);
    if (!split_authority(u, why, whysize))
        return false;

    /* The target: the path and query; the fragment is never sent. */
    const char *path = auth + alen;
    size_t tlen = strcspn(path, "#");
    snprintf(u->target, sizeof u->target, "%s%.*s", path[0] == '/' ? "" : "/", (int)tlen, path);
    return true;
}

bool http_resolve(const struct http_url *base, const char *location, char *next, size_t size,
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
        while (dirlen > 0 && base->target[dirlen - 1] != '/')
            dirlen--;
        n = snprintf(next, size, "http://%s%.*s%s", base->authority, (int)dirlen,
                     base->target, location);
    }
    if (n < 0 || (size_t)n >= size) {
        snprintf(why, whysize, "redirected to a URL too long");
        return false;
    }
    return true;
}

bool http_file_name(const struct http_url *u, char *name, size_t size, char *why,
                    size_t whysize)
{
    size_t plen = strcspn(u->target, "?");
    const char *seg = u->target + plen;
    while (seg > u->target && seg[-1] != '/')
        seg--;
    int slen = (int)(u->target + plen - seg);
    int shown = slen < 60 ? slen : 60;
    if (http_unquote(seg, (size_t)slen, name, size) == -1) {
        if (errno == ENAMETOOLONG)
            snprintf(why, whysize, "file name longer than %zu bytes", size - 1);
        else
            snprintf(why, whysize, "file name: a bad %%-escape in '%.*s'", shown, seg);
        return false;
    }
    if (name[0] == '\0')
        snprintf(name, size, "index.html");
    for (const char *c = name; *c != '\0'; c++) {
        if ((unsigned char)*c < ' ' || *c == 127) {
            snprintf(why, whysize, "refusing file name '%.*s': a control character", shown, seg);
            return false;
        }
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/') != NULL) {
        snprintf(why, whysize, "refusing file name '%.60s': it would not stay in --dir", name);
        return false;
    }
    return true;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

ssize_t http_unquote(const char *text, size_t len, char *out, size_t outsize)
{
    size_t n = 0;
    if (outsize == 0) {                    /* not even room for the '\0' */
        errno = ENAMETOOLONG;
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)text[i];
        if (c == '%') {
            int hi = i + 2 < len ? hex_value(text[i + 1]) : -1;
            int lo = i + 2 < len ? hex_value(text[i + 2]) : -1;
            c = hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
            i += 2;
        }
        if (c <= 0) {                      /* a bad escape, "%00", or a zero byte itself */
            errno = EINVAL;
            return -1;
        }
        if (n + 1 >= outsize) {
            errno = ENAMETOOLONG;
            return -1;
        }
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return (ssize_t)n;
}

/* --- heads -------------------------------------------------------------- */

size_t http_head_end(const char *buf, size_t len)
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

enum http_head_status http_read_head(int fd, char *buf, size_t size, double deadline,
                                     size_t *headlen, size_t *got)
{
    size_t len = 0, from = 0;
    for (;;) {
        size_t end = http_head_end(buf + from, len - from);
        if (end != 0) {
            *headlen = from + end;
            *got = len;
            return HTTP_HEAD_OK;
        }
        from = len > 2 ? len - 2 : 0;      /* an end may straddle two reads */
        if (len == size)
            return HTTP_HEAD_TOO_LONG;
        int ready = http_wait(fd, POLLIN, deadline);
        if (ready == 0)
            return HTTP_HEAD_TIMEOUT;
        ssize_t n = ready == 1 ? read(fd, buf + len, size - len) : -1;
        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;                      /* poll said ready, read found nothing yet */
        if (n <= 0) {
            if (n == 0)
                errno = 0;
            return HTTP_HEAD_CLOSED;
        }
        len += (size_t)n;
    }
}

/* The next line of buf[*pos .. len), without its "\n" or "\r\n"; moves *pos
 * past it. Returns false at the end of buf. */
static bool next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= len)
        return false;
    const char *start = buf + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t linelen = nl != NULL ? (size_t)(nl - start) : len - *pos;
    *pos += linelen + (nl != NULL);
    if (linelen > 0 && start[linelen - 1] == '\r')
        linelen--;
    *line = start;
    *n = linelen;
    return true;
}

/* True if the line holds no control byte (a tab is allowed): no NUL, no
 * ESC (a terminal escape), no stray CR, no DEL. */
static bool clean_line(const char *line, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < ' ' && c != '\t') || c == 127)
            return false;
    }
    return true;
}

/* A token (a method, a header name): letters, digits and a few marks. */
static bool is_token(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && (c == '\0' || strchr("!#$%&'*+-.^_`|~", c) == NULL))
            return false;
    }
    return true;
}

/* "HTTP/d.d" */
static bool is_version(const char *s, size_t n)
{
    return n == 8 && memcmp(s, "HTTP/", 5) == 0 && isdigit((unsigned char)s[5])
           && s[6] == '.' && isdigit((unsigned char)s[7]);
}

/* Checks "Name: value" header lines from *pos up to the empty line, calling
 * take (if not NULL) on each; *lineno counts the lines. Returns false on a
 * malformed line (or if take refuses it), or if no empty line ends the head. */
typedef bool header_fn(const char *name, size_t namelen, const char *value, size_t vlen,
                       void *arg);
static bool each_header(const char *head, size_t len, size_t *pos, int *lineno,
                        header_fn *take, void *arg)
{
    const char *line;
    size_t n;
    while (next_line(head, len, pos, &line, &n)) {
        ++*lineno;
        if (n == 0)
            return true;                   /* the empty line: the end */
        if (!clean_line(line, n))
            return false;
        const char *colon = memchr(line, ':', n);
        size_t namelen = colon != NULL ? (size_t)(colon - line) : 0;
        if (!is_token(line, namelen))      /* no "Name:", or a folded line */
            return false;
        const char *value = colon + 1, *end = line + n;
        while (value < end && (*value == ' ' || *value == '\t'))
            value++;
        while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (take != NULL && !take(line, namelen, value, (size_t)(end - value), arg))
            return false;
    }
    ++*lineno;
    return false;                          /* no empty line */
}

int http_parse_request(const char *head, size_t len, struct http_request *r)
{
    size_t pos = 0, n;
    const char *line;
    int lineno = 0;
    if (!next_line(head, len, &pos, &line, &n))
        return 400;
    if (n > HTTP_MAX_REQUEST_LINE)
        return 414;
    const char *sp1 = memchr(line, ' ', n);
    const char *sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', (size_t)(line + n - sp1 - 1)) : NULL;
    if (sp2 == NULL)
        return 400;                        /* not three parts */
    size_t mlen = (size_t)(sp1 - line), tlen = (size_t)(sp2 - sp1 - 1);
    if (!is_token(line, mlen) || mlen >= sizeof r->method || tlen == 0
        || !visible(sp1 + 1, tlen) || !is_version(sp2 + 1, (size_t)(line + n - sp2 - 1)))
        return 400;
    memcpy(r->method, line, mlen);
    r->method[mlen] = '\0';
    memcpy(r->target, sp1 + 1, tlen);
    r->target[tlen] = '\0';
    /* We need none of the headers, but each must be well formed. */
    return each_header(head, len, &pos, &lineno, NULL, NULL) ? 0 : 400;
}

/* "HTTP/1.1 200 OK" into r. */
static bool status_line(const char *line, size_t n, struct http_response *r)
{
    if (n < 12 || memcmp(line, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)line[7])
        || line[8] != ' ' || !isdigit((unsigned char)line[9])
        || !isdigit((unsigned char)line[10]) || !isdigit((unsigned char)line[11])
        || (n > 12 && line[12] != ' '))
        return false;
    r->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    const char *reason = n > 13 ? line + 13 : "";     /* "HTTP/1.0 200": none */
    size_t rlen = n > 13 ? n - 13 : 0;
    if (rlen >= sizeof r->reason)
        rlen = sizeof r->reason - 1;                  /* only shown: cut to fit */
    memcpy(r->reason, reason, rlen);
    r->reason[rlen] = '\0';
    return true;
}

struct response_parse {
    struct http_response *r;
    char *why;
    size_t whysize;
};

/* One response header: keeps Content-Length and Location, refuses chunks. */
static bool response_header(const char *name, size_t namelen, const char *value, size_t vlen,
                            void *arg)
{
    struct response_parse *p = arg;
    struct http_response *r = p->r;
    if (namelen == 14 && strncasecmp(name, "Content-Length", 14) == 0) {
        long long n = -1;
        if (vlen > 0 && vlen <= 18) {
            n = 0;
            for (size_t i = 0; i < vlen && n >= 0; i++)
                n = isdigit((unsigned char)value[i]) ? n * 10 + (value[i] - '0') : -1;
        }
        if (n < 0 || (r->length != -1 && r->length != n)) {
            snprintf(p->why, p->whysize, "bad Content-Length '%.*s'",
                     (int)(vlen < 30 ? vlen : 30), value);
            return false;
        }
        r->length = n;
    } else if (namelen == 17 && strncasecmp(name, "Transfer-Encoding", 17) == 0) {
        snprintf(p->why, p->whysize, "Transfer-Encoding '%.*s' is not HTTP/1.0",
                 (int)(vlen < 30 ? vlen : 30), value);
        return false;
    } else if (namelen == 8 && strncasecmp(name, "Location", 8) == 0) {
        if (vlen >= sizeof r->location) {
            snprintf(p->why, p->whysize, "a Location longer than %zu bytes",
                     sizeof r->location - 1);
            return false;
        }
        memcpy(r->location, value, vlen);
        r->location[vlen] = '\0';
    }
    return true;
}

bool http_parse_response(const char *head, size_t len, struct http_response *r, char *why,
                         size_t whysize)
{
    size_t pos = 0, n = 0;
    const char *line = "";
    int lineno = 1;
    r->status = 0;
    r->reason[0] = '\0';
    r->length = -1;
    r->location[0] = '\0';
    if (!next_line(head, len, &pos, &line, &n) || !clean_line(line, n)
        || !status_line(line, n, r)) {
        int shown = n < 40 ? (int)n : 40;
        if (clean_line(line, (size_t)shown))
            snprintf(why, whysize, "malformed status line '%.*s'", shown, line);
        else
            snprintf(why, whysize, "malformed response: a control character in line 1");
        return false;
    }
    struct response_parse p = { r, why, whysize };
    why[0] = '\0';
    if (each_header(head, len, &pos, &lineno, response_header, &p))
        return true;
    if (why[0] == '\0')
        snprintf(why, whysize, "malformed response: header line %d", lineno);
    return false;
}

/* --- sockets with a deadline -------------------------------------------- */

int http_wait(int fd, short events, double deadline)
{
    for (;;) {
        double left = deadline - http_now();
        if (left <= 0)
            return 0;
        struct pollfd pfd = { .fd = fd, .events = events };
        int ms = left > INT_MAX / 1000 ? INT_MAX : (int)(left * 1000) + 1;
        int ready = poll(&pfd, 1, ms);
        if (ready == 1)
            return 1;                      /* ready, or an error or hang-up to read */
        if (ready == -1 && errno != EINTR)
            return -1;
    }
}

bool http_write_all(int fd, const char *buf, size_t len, double deadline)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return false;
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        int ready = http_wait(fd, POLLOUT, deadline);
        if (ready != 1) {
            if (ready == 0)
                errno = ETIMEDOUT;
            return false;
        }
    }
    return true;
}

/* connect(2) by deadline: start it without blocking, wait in poll(2) until
 * the socket is writable (connected, or failed), then ask how it went. */
static int connect_by(int fd, const struct sockaddr *addr, socklen_t len, double deadline)
{
    if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
        return -1;
    if (connect(fd, addr, len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    int ready = http_wait(fd, POLLOUT, deadline), err = 0;
    socklen_t errlen = sizeof err;
    if (ready == 0)
        errno = ETIMEDOUT;
    if (ready != 1)
        return -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) == -1)
        return -1;
    errno = err;
    return err == 0 ? 0 : -1;
}

int http_connect(const struct http_url *u, double deadline, char *why, size_t whysize)
{
    struct addrinfo hints, *list;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(u->host, u->port, &hints, &list);
    if (rc != 0) {
        snprintf(why, whysize, "cannot resolve host '%.60s': %s", u->host, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = list; ai != NULL && fd == -1; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd == -1)
            err = errno;
        else if (connect_by(fd, ai->ai_addr, ai->ai_addrlen, deadline) == -1) {
            err = errno;
            close(fd);                     /* never used: nothing to lose */
            fd = -1;
        }
    }
    freeaddrinfo(list);
    if (fd == -1)
        snprintf(why, whysize, "connect to %.60s port %s: %s", u->host, u->port,
                 strerror(err));
    return fd;
}

/* --- a client's GET ------------------------------------------------------ */

/* Why a response head did not arrive, in words. */
static void head_failure(enum http_head_status hs, char *why, size_t whysize)
{
    if (hs == HTTP_HEAD_TOO_LONG)
        snprintf(why, whysize, "response head longer than %d bytes", HTTP_MAX_HEAD);
    else if (hs == HTTP_HEAD_TIMEOUT)
        snprintf(why, whysize, "no answer in time");
    else if (errno == 0)
        snprintf(why, whysize, "connection closed before a complete response head");
    else
        snprintf(why, whysize, "connection closed before a complete response head: %s",
                 strerror(errno));
}

/* One GET of u by deadline: the socket, with the head checked into r. */
static int get_once(const struct http_url *u, double deadline, struct http_response *r,
                    char *buf, size_t size, size_t *body, size_t *got, char *why,
                    size_t whysize)
{
    int fd = http_connect(u, deadline, why, whysize);
    if (fd == -1)
        return -1;
    char request[HTTP_MAX_URL + 512];
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: %s\r\n"
                     "User-Agent: forklore-download\r\n\r\n", u->target, u->authority);
    enum http_head_status hs = HTTP_HEAD_OK;
    bool ok = http_write_all(fd, request, (size_t)n, deadline);
    if (!ok)
        snprintf(why, whysize, "send the request: %s", strerror(errno));
    else if ((hs = http_read_head(fd, buf, size, deadline, body, got)) != HTTP_HEAD_OK)
        head_failure(hs, why, whysize);
    if (ok && hs == HTTP_HEAD_OK && http_parse_response(buf, *body, r, why, whysize))
        return fd;
    close(fd);                /* read-only from here: nothing to lose */
    return -1;
}

static bool is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

int http_get(const char *url, double deadline, struct http_response *r, char *buf, size_t size,
             size_t *body, size_t *got, char *why, size_t whysize)
{
    char current[HTTP_MAX_URL], bad[256];
    snprintf(current, sizeof current, "%s", url);
    for (int redirects = 0;; redirects++) {
        struct http_url u;
        if (!http_parse_url(current, &u, bad, sizeof bad)) {
            snprintf(why, whysize, "%s%s", redirects > 0 ? "redirected: " : "", bad);
            return -1;
        }
        int fd = get_once(&u, deadline, r, buf, size, body, got, why, whysize);
        if (fd == -1 || r->status == 200)
            return fd;
        close(fd);            /* read-only: nothing to lose */
        if (!is_redirect(r->status))
            snprintf(why, whysize, "HTTP %d %s", r->status, r->reason);
        else if (redirects == HTTP_MAX_REDIRECTS)
            snprintf(why, whysize, "too many redirects (more than %d)", HTTP_MAX_REDIRECTS);
        else if (r->location[0] == '\0')
            snprintf(why, whysize, "HTTP %d without a Location", r->status);
        else if (http_resolve(&u, r->location, current, sizeof current, why, whysize))
            continue;
        return -1;
    }
}

/* --- a server's files ---------------------------------------------------- */

/* Opens each component of path beneath root_fd with O_NOFOLLOW: the
 * fallback where openat2 is missing (or HTTP_NO_OPENAT2 is defined, as
 * tests/c/test_http.c does to test it). No symlink is followed, no "..". */
static int open_walk(int root_fd, char *path)
{
    int dirfd = root_fd, fd = -1;
    char *save = NULL;
    for (char *name = strtok_r(path, "/", &save); name != NULL;
         name = strtok_r(NULL, "/", &save)) {
        if (strcmp(name, ".") == 0)
            continue;
        if (strcmp(name, "..") == 0) {
            fd = -1;
            break;
        }
        char *rest = save + strspn(save, "/");
        bool last = *rest == '\0';
        fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY
                    | (last ? O_NONBLOCK : O_DIRECTORY));
        if (dirfd != root_fd)
            close(dirfd);     /* a directory opened only to look beneath it */
        if (fd == -1 || last)
            return fd;
        dirfd = fd;
        fd = -1;
    }
    if (dirfd != root_fd)
        close(dirfd);
    errno = ENOENT;           /* "/", "/..", "/sub/.": not a file */
    return -1;
}

int http_open_beneath(int root_fd, const char *path)
{
#if defined(__linux__) && defined(SYS_openat2) && !defined(HTTP_NO_OPENAT2)
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    int fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
    if (fd != -1 || (errno != ENOSYS && errno != EPERM))
        return fd;            /* EXDEV: the path would leave DIR */
#endif
    char copy[PATH_MAX];      /* a kernel before 5.6, or not Linux */
    if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return open_walk(root_fd, copy);
}

const char *http_content_type(const char *path)
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
