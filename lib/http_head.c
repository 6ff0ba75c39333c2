/* SPDX-License-Identifier: MIT */
/*
 * http_head.c - request and response heads for the serve and download
 * lessons (see http.h): where a head ends, and whether it is well formed.
 * Pure functions over a buffer of known length (it may hold NUL bytes),
 * fuzzed by tests/fuzz/.
 */
#include "http.h"
#include "mp_internal.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

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

/* One request header: a Connection list ("close", "keep-alive, Upgrade")
 * says whether the client wants its connection kept open. */
static bool request_header(const char *name, size_t namelen, const char *value, size_t vlen,
                           void *arg)
{
    struct http_request *r = arg;
    if (namelen != 10 || strncasecmp(name, "Connection", 10) != 0)
        return true;
    for (size_t i = 0; i < vlen;) {
        size_t start = i;
        while (i < vlen && value[i] != ',')
            i++;
        size_t end = i++;                  /* past the ',' */
        while (start < end && (value[start] == ' ' || value[start] == '\t'))
            start++;
        while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
            end--;
        if (end - start == 5 && strncasecmp(value + start, "close", 5) == 0)
            r->keep_alive = false;
        else if (end - start == 10 && strncasecmp(value + start, "keep-alive", 10) == 0)
            r->keep_alive = true;
    }
    return true;
}

/* Refuses a request with status (400, 414), saying why. */
static enum mp_status refuse(struct http_request *r, int status, const char *why)
{
    r->refusal = status;
    mp_set_error(status == 414 ? EMSGSIZE : EINVAL, "%s", why);
    return MP_ERROR;
}

enum mp_status http_parse_request(const char *head, size_t len, struct http_request *r)
{
    size_t pos = 0, n;
    const char *line;
    int lineno = 0;
    r->refusal = 0;
    r->keep_alive = false;
    if (!next_line(head, len, &pos, &line, &n))
        return refuse(r, 400, "an empty request");
    if (n > HTTP_MAX_REQUEST_LINE)
        return refuse(r, 414, "a request line too long");
    const char *sp1 = memchr(line, ' ', n);
    const char *sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', (size_t)(line + n - sp1 - 1)) : NULL;
    if (sp2 == NULL)
        return refuse(r, 400, "a request line not of three parts");
    size_t mlen = (size_t)(sp1 - line), tlen = (size_t)(sp2 - sp1 - 1);
    if (!is_token(line, mlen) || mlen >= sizeof r->method || tlen == 0
        || !http_visible(sp1 + 1, tlen) || !is_version(sp2 + 1, (size_t)(line + n - sp2 - 1)))
        return refuse(r, 400, "a malformed request line");
    memcpy(r->method, line, mlen);
    r->method[mlen] = '\0';
    memcpy(r->target, sp1 + 1, tlen);
    r->target[tlen] = '\0';
    /* HTTP/1.1 keeps a connection open unless told not to; 1.0 only if asked.
     * Of the headers only Connection matters, but each must be well formed. */
    r->keep_alive = memcmp(sp2 + 1, "HTTP/1.", 7) == 0 && sp2[8] != '0';
    if (!each_header(head, len, &pos, &lineno, request_header, r))
        return refuse(r, 400, "a malformed header line");
    return MP_OK;
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
    bool said;                /* response_header refused a line and said why */
};

/* One response header: keeps Content-Length and Location, refuses chunks. */
static bool response_header(const char *name, size_t namelen, const char *value, size_t vlen,
                            void *arg)
{
    struct response_parse *p = arg;
    struct http_response *r = p->r;
    int shown = (int)(vlen < 30 ? vlen : 30);
    if (namelen == 14 && strncasecmp(name, "Content-Length", 14) == 0) {
        long long n = -1;
        if (vlen > 0 && vlen <= 18) {
            n = 0;
            for (size_t i = 0; i < vlen && n >= 0; i++)
                n = isdigit((unsigned char)value[i]) ? n * 10 + (value[i] - '0') : -1;
        }
        if (n < 0 || (r->length != -1 && r->length != n)) {
            p->said = true;
            mp_set_error(EPROTO, "bad Content-Length '%.*s'", shown, value);
            return false;
        }
        r->length = n;
    } else if (namelen == 17 && strncasecmp(name, "Transfer-Encoding", 17) == 0) {
        p->said = true;
        mp_set_error(EPROTO, "Transfer-Encoding '%.*s' is not HTTP/1.0", shown, value);
        return false;
    } else if (namelen == 8 && strncasecmp(name, "Location", 8) == 0) {
        if (vlen >= sizeof r->location) {
            p->said = true;
            mp_set_error(EPROTO, "a Location longer than %zu bytes", sizeof r->location - 1);
            return false;
        }
        memcpy(r->location, value, vlen);
        r->location[vlen] = '\0';
    }
    return true;
}

enum mp_status http_parse_response(const char *head, size_t len, struct http_response *r)
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
            mp_set_error(EPROTO, "malformed status line '%.*s'", shown, line);
        else
            mp_set_error(EPROTO, "malformed response: a control character in line 1");
        return MP_ERROR;
    }
    struct response_parse p = { r, false };
    if (each_header(head, len, &pos, &lineno, response_header, &p))
        return MP_OK;
    if (!p.said)
        mp_set_error(EPROTO, "malformed response: header line %d", lineno);
    return MP_ERROR;
}
