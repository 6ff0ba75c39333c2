/* SPDX-License-Identifier: MIT */
/*
 * http_io.c - the socket side of the download and serve lessons (see
 * http.h): every wait is in poll(2), for what is left of one deadline on
 * mp_now()'s clock, so a peer that sends a byte just before each wait would
 * run out still cannot stretch an exchange. Then a client's whole GET.
 */
#include "http.h"
#include "mp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum mp_status http_wait(int fd, short events, double deadline)
{
    for (;;) {
        double left = deadline - mp_now();
        if (left <= 0)
            return MP_TIMEOUT;
        struct pollfd pfd = { .fd = fd, .events = events };
        int ms = left > INT_MAX / 1000 ? INT_MAX : (int)(left * 1000) + 1;
        int ready = poll(&pfd, 1, ms);
        if (ready == 1)
            return MP_OK;                  /* ready, or an error or hang-up to read */
        if (ready == -1 && errno != EINTR) {
            mp_set_error(errno, "poll: %s", strerror(errno));
            return MP_ERROR;
        }
    }
}

enum mp_status http_write_all(int fd, const char *buf, size_t len, double deadline)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            mp_set_error(errno, "write: %s", strerror(errno));
            return MP_ERROR;
        }
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        enum mp_status ready = http_wait(fd, POLLOUT, deadline);
        if (ready != MP_OK)
            return ready;
    }
    return MP_OK;
}

enum mp_status http_read_head(int fd, char *buf, size_t size, double deadline,
                              size_t *headlen, size_t *got)
{
    size_t len = 0, from = 0;
    for (;;) {
        *got = len;
        size_t end = http_head_end(buf + from, len - from);
        if (end != 0) {
            *headlen = from + end;
            return MP_OK;
        }
        from = len > 2 ? len - 2 : 0;      /* an end may straddle two reads */
        if (len == size) {
            mp_set_error(EMSGSIZE, "a head longer than %zu bytes", size);
            return MP_ERROR;
        }
        enum mp_status ready = http_wait(fd, POLLIN, deadline);
        if (ready != MP_OK)
            return ready;
        ssize_t n = read(fd, buf + len, size - len);
        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;                      /* poll said ready, read found nothing yet */
        if (n == 0)
            return MP_CLOSED;
        if (n == -1) {
            mp_set_error(errno, "read: %s", strerror(errno));
            return MP_ERROR;
        }
        len += (size_t)n;
    }
}

/* connect(2) by deadline: start it without blocking, wait in poll(2) until
 * the socket is writable (connected, or failed), then ask how it went.
 * Returns 0, or -1 with errno set. */
static int connect_by(int fd, const struct sockaddr *addr, socklen_t len, double deadline)
{
    if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
        return -1;
    if (connect(fd, addr, len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    enum mp_status ready = http_wait(fd, POLLOUT, deadline);
    int err = 0;
    socklen_t errlen = sizeof err;
    if (ready == MP_TIMEOUT)
        errno = ETIMEDOUT;
    if (ready != MP_OK)
        return -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) == -1)
        return -1;
    errno = err;
    return err == 0 ? 0 : -1;
}

int http_connect(const struct http_url *u, double deadline)
{
    struct addrinfo hints, *list;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(u->host, u->port, &hints, &list);
    if (rc != 0) {
        mp_set_error(EHOSTUNREACH, "cannot resolve host '%.60s': %s", u->host,
                     gai_strerror(rc));
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
        mp_set_error(err, "connect to %.60s port %s: %s", u->host, u->port, strerror(err));
    return fd;
}

/* --- a client's GET ------------------------------------------------------- */

/* One GET of u by deadline: the socket, with the head checked into r. */
static int get_once(const struct http_url *u, double deadline, struct http_response *r,
                    char *buf, size_t size, size_t *body, size_t *got)
{
    int fd = http_connect(u, deadline);
    if (fd == -1)
        return -1;
    char request[HTTP_MAX_URL + 512];
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: %s\r\n"
                     "User-Agent: forklore-download\r\n\r\n", u->target, u->authority);
    enum mp_status sent = http_write_all(fd, request, (size_t)n, deadline), head = MP_ERROR;
    int err = sent == MP_TIMEOUT ? ETIMEDOUT : errno;
    if (sent != MP_OK)
        mp_set_error(err, "send the request: %s", strerror(err));
    else if ((head = http_read_head(fd, buf, size, deadline, body, got)) == MP_TIMEOUT)
        mp_set_error(ETIMEDOUT, "no answer in time");
    else if (head == MP_CLOSED)
        mp_set_error(ECONNRESET, "connection closed before a complete response head");
    else if (head == MP_ERROR && errno == EMSGSIZE)
        mp_set_error(EMSGSIZE, "response head longer than %zu bytes", size);
    else if (head == MP_ERROR)
        mp_set_error(errno, "connection closed before a complete response head: %s",
                     strerror(errno));
    if (head == MP_OK && http_parse_response(buf, *body, r) == MP_OK)
        return fd;
    close(fd);                /* read-only from here: nothing to lose */
    return -1;
}

static bool is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

int http_get(const char *url, double deadline, struct http_response *r, char *buf, size_t size,
             size_t *body, size_t *got)
{
    char current[HTTP_MAX_URL];
    snprintf(current, sizeof current, "%s", url);
    for (int redirects = 0;; redirects++) {
        struct http_url u;
        if (http_parse_url(current, &u) != MP_OK) {
            char why[256];    /* mp_last_error's words, copied before it is set again */
            int err = errno;
            snprintf(why, sizeof why, "%s", mp_last_error());
            if (redirects > 0)
                mp_set_error(err, "redirected: %s", why);
            return -1;
        }
        int fd = get_once(&u, deadline, r, buf, size, body, got);
        if (fd == -1 || r->status == 200)
            return fd;
        close(fd);            /* read-only: nothing to lose */
        if (!is_redirect(r->status))     /* "HTTP 404 Not Found"; "HTTP 418" if no reason */
            mp_set_error(EPROTO, "HTTP %d%s%s", r->status, r->reason[0] != '\0' ? " " : "",
                         r->reason);
        else if (redirects == HTTP_MAX_REDIRECTS)
            mp_set_error(ELOOP, "too many redirects (more than %d)", HTTP_MAX_REDIRECTS);
        else if (r->location[0] == '\0')
            mp_set_error(EPROTO, "HTTP %d without a Location", r->status);
        else if (http_resolve(&u, r->location, current, sizeof current) == MP_OK)
            continue;
        return -1;
    }
}
