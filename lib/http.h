/* SPDX-License-Identifier: MIT */
/*
 * http.h - the little HTTP/1.0 that the `download` and `serve` lessons need.
 *
 * This is support for two lessons, not part of the multiprocessing API (that
 * is mp.h): it knows nothing of processes or queues, and nothing in mp.h uses
 * it. It lives here so that the two demos keep only their lesson and their
 * own I/O, and so that every parser can be fuzzed (tests/fuzz/).
 *
 * Three kinds of function:
 *   - pure functions over a buffer: they parse a request head, a response
 *     head, a URL, a %-escaped path, and pick a URL's file name. They read
 *     only the bytes they are given (a head may hold NUL bytes: they are
 *     refused, not taken as its end), write only into the structs and
 *     buffers they are given, never block;
 *   - I/O with a deadline: connect, wait, read a head, write, a client's
 *     whole GET. A deadline is a time on http_now()'s clock, so that one
 *     limit can bound a whole exchange (a peer sending a byte a second
 *     cannot stretch it);
 *   - a server's files: open a path beneath a directory, never outside it.
 * Errors: a function that can fail says why in `why` (whysize bytes), one
 * short line, or returns the HTTP status to answer with (serve's side).
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The limits, in one place. */
#define HTTP_MAX_URL 2048           /* bytes in a URL, with its '\0' */
#define HTTP_MAX_REQUEST_LINE 4096  /* "GET /path HTTP/1.0"; longer: 414 */
#define HTTP_MAX_HEAD 16384         /* a request's or a response's head; longer: 431 */
#define HTTP_MAX_REDIRECTS 5        /* Location followed at most this often */

/* Seconds on a clock that only goes forward (CLOCK_MONOTONIC). */
double http_now(void);

/* --- URLs -------------------------------------------------------------- */

struct http_url {
    char host[256];            /* "127.0.0.1", "example.com", "::1" */
    char port[8];              /* "80" unless the URL says otherwise */
    char authority[300];       /* "host:port" as written: the Host header */
    char target[HTTP_MAX_URL]; /* "/path?query": what we ask the server for */
};

/* Splits "http://host:port/path?query#fragment" into u. Returns false, saying
 * why, for anything else (https, a space or a control byte, no host, ...). */
bool http_parse_url(const char *text, struct http_url *u, char *why, size_t whysize);

/* Where a redirect's Location leads from base, as an absolute URL in next
 * (size bytes). Returns false, saying why, if it does not fit. */
bool http_resolve(const struct http_url *base, const char *location, char *next, size_t size,
                  char *why, size_t whysize);

/* The file name a URL's content is saved under: the last segment of its
 * path (the query is not part of it), %-decoded, as the seed's
 * url.split('/')[-1]; "index.html" if it is empty ("http://host/dir/"), as
 * wget does. Returns false, saying why, if it would not be a plain name in
 * one folder: ".", "..", a "/" (from %2F), a control character, too long. */
bool http_file_name(const struct http_url *u, char *name, size_t size, char *why,
                    size_t whysize);

/* urllib.parse.unquote: decodes the len bytes at text ("a%20b.png" is
 * "a b.png", "%2F" is "/") into out, at most outsize - 1 bytes and a '\0'.
 * Returns the decoded length, or -1 with errno set: EINVAL if a '%' is not
 * followed by two hex digits (Python keeps such text as it is; a server and a
 * downloader should refuse it) or a zero byte is met, as it is or as "%00"
 * (no C string, path or file name can hold one); ENAMETOOLONG if out is too
 * small (outsize 0 too). */
ssize_t http_unquote(const char *text, size_t len, char *out, size_t outsize);

/* --- heads: the lines up to the first empty one ------------------------- */

/* Where a head ends in buf: just after its empty line ("\n\n" or "\n\r\n"),
 * or 0 if len bytes hold no end yet. */
size_t http_head_end(const char *buf, size_t len);

enum http_head_status {
    HTTP_HEAD_OK,              /* *headlen bytes of head, *got bytes read in all */
    HTTP_HEAD_TOO_LONG,        /* size bytes read, and no end of head in them */
    HTTP_HEAD_TIMEOUT,         /* the deadline passed first */
    HTTP_HEAD_CLOSED,          /* the peer closed first (errno 0), or read failed */
};

/* Reads from fd into buf (size bytes) until a head's end, waiting at most
 * until deadline in all. The bytes after the head (a body's start) are
 * buf[*headlen .. *got). */
enum http_head_status http_read_head(int fd, char *buf, size_t size, double deadline,
                                     size_t *headlen, size_t *got);

struct http_request {
    char method[32];                           /* "GET" */
    char target[HTTP_MAX_REQUEST_LINE + 1];    /* "/a%20b.png?x=1" */
};

/* Checks a request head strictly ("METHOD SP TARGET SP HTTP/d.d", then
 * "Name: value" lines, then the empty line) and fills r. Returns 0, or the
 * status to answer with: 400 (malformed), 414 (request line too long). */
int http_parse_request(const char *head, size_t len, struct http_request *r);

struct http_response {
    int status;                        /* 200 */
    char reason[64];                   /* "OK" (cut to fit) */
    long long length;                  /* Content-Length, or -1 if none */
    char location[HTTP_MAX_URL];       /* Location, or "" */
};

/* Checks a response head strictly ("HTTP/1.d NNN reason", "Name: value"
 * lines, the empty line) and fills r. Returns false, saying why: a control
 * byte anywhere (NUL and ESC too), a bad status line or header, a bad or
 * doubled Content-Length, any Transfer-Encoding (not HTTP/1.0), a Location
 * too long to follow. */
bool http_parse_response(const char *head, size_t len, struct http_response *r, char *why,
                         size_t whysize);

/* --- sockets with a deadline -------------------------------------------- */

/* Waits until fd is ready for events (POLLIN, POLLOUT), or deadline.
 * Returns 1 (ready), 0 (the deadline passed), -1 (poll failed). */
int http_wait(int fd, short events, double deadline);

/* A socket connected to u's host and port (each address the name has, in
 * turn), non-blocking, by deadline. Returns -1, saying why, if none answers.
 * (The name lookup itself, getaddrinfo, cannot be given a deadline.) */
int http_connect(const struct http_url *u, double deadline, char *why, size_t whysize);

/* requests.get(url) up to the body, by deadline: connects, sends "GET",
 * reads and checks the response head into r, and follows a redirect
 * (301, 302, 303, 307, 308: at most HTTP_MAX_REDIRECTS) as often as it
 * takes. Returns the socket of a 200 answer, its head in buf (size bytes)
 * and the body's first bytes at buf[*body .. *got); or -1, saying why (any
 * other status too: "HTTP 404 Not Found"). */
int http_get(const char *url, double deadline, struct http_response *r, char *buf, size_t size,
             size_t *body, size_t *got, char *why, size_t whysize);

/* Writes all len bytes to a non-blocking fd by deadline. Returns false with
 * errno set (ETIMEDOUT if the deadline passed). */
bool http_write_all(int fd, const char *buf, size_t len, double deadline);

/* --- a server's files ---------------------------------------------------- */

/* Opens path (relative, %-decoded: "sub/b.png") beneath the directory
 * dirfd, for reading, in one step that cannot leave it: what is checked is
 * what is opened, so no one can swap a directory for a symlink in between.
 * Linux 5.6+: openat2 with RESOLVE_BENEATH ("..", an absolute symlink, or a
 * link leading out fail with EXDEV; a symlink that stays inside is
 * followed). Elsewhere: each component is opened with O_NOFOLLOW, and any
 * symlink or ".." fails. O_NONBLOCK, so that opening a FIFO does not hang.
 * Returns the descriptor, or -1 with errno set. */
int http_open_beneath(int dirfd, const char *path);

/* The Content-Type of a file, by its name's extension ("image/png"). */
const char *http_content_type(const char *path);

#endif
