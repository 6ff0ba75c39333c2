/* SPDX-License-Identifier: MIT */
/*
 * http.h - the little HTTP/1.0 that the `download` and `serve` lessons need.
 *
 * This is support for two lessons, not part of the multiprocessing API (that
 * is mp.h): it knows nothing of processes or queues, and nothing in mp.h uses
 * it. It lives here so that the two demos keep only their lesson and their
 * own I/O, and so that every parser can be fuzzed (tests/fuzz/).
 *
 * Four files, by subject, none calling another but those above it here:
 *   http_url.c    URLs, %-escapes, a URL's file name      } pure functions over a
 *   http_head.c   request and response heads              } buffer (see below)
 *   http_io.c     waits with a deadline, connect, read a head, write, a GET
 *   http_files.c  a server's files: open a path beneath a directory
 * The pure functions read only the bytes they are given (a head may hold
 * NUL bytes: they are refused, not taken as its end), write only into the
 * structs and buffers they are given, and never block. A deadline is a time
 * on mp_now()'s clock, so that one limit can bound a whole exchange (a peer
 * sending a byte a second cannot stretch it).
 *
 * Errors, as everywhere in the library (mp.h): a call that can fail returns
 * enum mp_status: MP_OK, MP_ERROR, and, for a call that waits, MP_TIMEOUT
 * (its deadline passed) or MP_CLOSED (the peer closed first); mp_last_error()
 * then says why in words (errno is set too). A call that makes a descriptor
 * returns it, or -1 the same way.
 */
#ifndef HTTP_H
#define HTTP_H

#include "mp.h"

#include <stdbool.h>
#include <stddef.h>

/* The limits, in one place. */
#define HTTP_MAX_URL 2048           /* bytes in a URL, with its '\0' */
#define HTTP_MAX_REQUEST_LINE 4096  /* "GET /path HTTP/1.0"; longer: 414 */
#define HTTP_MAX_HEAD 16384         /* a request's or a response's head; longer: 431 */
#define HTTP_MAX_REDIRECTS 5        /* Location followed at most this often */

/* --- URLs (http_url.c) ---------------------------------------------------- */

struct http_url {
    char host[256];            /* "127.0.0.1", "example.com", "::1" */
    char port[8];              /* "80" unless the URL says otherwise */
    char authority[300];       /* "host:port" as written: the Host header */
    char target[HTTP_MAX_URL]; /* "/path?query": what we ask the server for */
};

/* True if every byte of text is visible ASCII: no space, tab, control or
 * non-ASCII byte, which a request line cannot carry as it is. */
bool http_visible(const char *text, size_t len);

/* Splits "http://host:port/path?query#fragment" into u. MP_ERROR for
 * anything else (https, a space or a control byte, no host, ...). */
enum mp_status http_parse_url(const char *text, struct http_url *u);

/* Where a redirect's Location leads from base, as an absolute URL in next
 * (size bytes). MP_ERROR if it does not fit. */
enum mp_status http_resolve(const struct http_url *base, const char *location, char *next,
                            size_t size);

/* The file name a URL's content is saved under: the last segment of its
 * path (the query is not part of it), %-decoded, as the seed's
 * url.split('/')[-1]; "index.html" if it is empty ("http://host/dir/"), as
 * wget does. MP_ERROR if it would not be a plain name in one folder: ".",
 * "..", a "/" (from %2F), a control character, too long. */
enum mp_status http_file_name(const struct http_url *u, char *name, size_t size);

/* urllib.parse.unquote: decodes the len bytes at text ("a%20b.png" is
 * "a b.png", "%2F" is "/") into out, at most outsize - 1 bytes and a '\0'.
 * MP_ERROR with errno EINVAL if a '%' is not followed by two hex digits
 * (Python keeps such text as it is; a server and a downloader should refuse
 * it) or a zero byte is met, as it is or as "%00" (no C string, path or file
 * name can hold one); ENAMETOOLONG if out is too small (outsize 0 too). */
enum mp_status http_unquote(const char *text, size_t len, char *out, size_t outsize);

/* --- heads: the lines up to the first empty one (http_head.c) ------------- */

/* Where a head ends in buf: just after its empty line ("\n\n" or "\n\r\n"),
 * or 0 if len bytes hold no end yet. */
size_t http_head_end(const char *buf, size_t len);

struct http_request {
    char method[32];                           /* "GET" */
    char target[HTTP_MAX_REQUEST_LINE + 1];    /* "/a%20b.png?x=1" */
    bool keep_alive;                           /* the client would send another */
    int refusal;                               /* on MP_ERROR: 400 or 414 */
};

/* Checks a request head strictly ("METHOD SP TARGET SP HTTP/d.d", then
 * "Name: value" lines, then the empty line) and fills r: keep_alive if the
 * client asks to keep the connection open (HTTP/1.1 unless "Connection:
 * close"; 1.0 with "Connection: keep-alive"). MP_ERROR, with r->refusal the
 * status to answer with: 400 (malformed), 414 (the request line too long). */
enum mp_status http_parse_request(const char *head, size_t len, struct http_request *r);

struct http_response {
    int status;                        /* 200 */
    char reason[64];                   /* "OK" (cut to fit), or "" */
    long long length;                  /* Content-Length, or -1 if none */
    char location[HTTP_MAX_URL];       /* Location, or "" */
};

/* Checks a response head strictly ("HTTP/1.d NNN reason", "Name: value"
 * lines, the empty line) and fills r. MP_ERROR for a control byte anywhere
 * (NUL and ESC too), a bad status line or header, a bad or doubled
 * Content-Length, any Transfer-Encoding (not HTTP/1.0), a Location too long
 * to follow. */
enum mp_status http_parse_response(const char *head, size_t len, struct http_response *r);

/* --- sockets with a deadline (http_io.c) --------------------------------- */

/* Waits until fd is ready for events (POLLIN, POLLOUT), or deadline:
 * MP_OK (ready, or an error or a hang-up to read), MP_TIMEOUT, MP_ERROR. */
enum mp_status http_wait(int fd, short events, double deadline);

/* Writes all len bytes to a non-blocking fd by deadline: MP_OK, MP_TIMEOUT,
 * MP_ERROR (EPIPE: the peer has gone). */
enum mp_status http_write_all(int fd, const char *buf, size_t len, double deadline);

/* Reads from fd into buf (size bytes) until a head's end, by deadline.
 * MP_OK: *headlen bytes of head, and the bytes after it (a body's start) are
 * buf[*headlen .. *got). MP_TIMEOUT; MP_CLOSED (the peer closed first);
 * MP_ERROR: size bytes came and held no end (then *got == size, errno
 * EMSGSIZE), or read failed. */
enum mp_status http_read_head(int fd, char *buf, size_t size, double deadline,
                              size_t *headlen, size_t *got);

/* A socket connected to u's host and port (each address the name has, in
 * turn), non-blocking, by deadline; or -1 if none answers. (The name
 * lookup itself, getaddrinfo, cannot be given a deadline.) */
int http_connect(const struct http_url *u, double deadline);

/* requests.get(url) up to the body, by deadline: connects, sends "GET",
 * reads and checks the response head into r, and follows a redirect
 * (301, 302, 303, 307, 308: at most HTTP_MAX_REDIRECTS) as often as it
 * takes. Returns the socket of a 200 answer, its head in buf (size bytes)
 * and the body's first bytes at buf[*body .. *got); or -1 (any other status
 * too: mp_last_error() is then "HTTP 404 Not Found"). */
int http_get(const char *url, double deadline, struct http_response *r, char *buf, size_t size,
             size_t *body, size_t *got);

/* --- a server's files (http_files.c) ------------------------------------- */

/* Opens path (relative, %-decoded: "sub/b.png") beneath the directory
 * dirfd, for reading, in one step that cannot leave it: what is checked is
 * what is opened, so no one can swap a directory for a symlink in between.
 * Linux 5.6+: openat2 with RESOLVE_BENEATH ("..", an absolute symlink, or a
 * link leading out fail with EXDEV; a symlink that stays inside is
 * followed). Elsewhere: each component is opened with O_NOFOLLOW, and any
 * symlink or ".." fails. O_NONBLOCK, so that opening a FIFO does not hang.
 * Returns the descriptor, or -1. */
int http_open_beneath(int dirfd, const char *path);

/* The Content-Type of a file, by its name's extension ("image/png"). */
const char *http_content_type(const char *path);

#endif
