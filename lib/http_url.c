/* SPDX-License-Identifier: MIT */
/*
 * http_url.c - URLs for the download and serve lessons (see http.h): split
 * one, follow a redirect from it, pick the file name it is saved under,
 * decode its %-escapes. Pure functions over a string, fuzzed by tests/fuzz/.
 */
#include "http.h"
#include "mp_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool http_visible(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] <= ' ' || (unsigned char)text[i] >= 127)
            return false;
    return true;
}

/* Checks "http://" at the start of text. */
static enum mp_status check_scheme(const char *text)
{
    size_t scheme = strcspn(text, ":/?#");
    if (text[scheme] != ':' || scheme == 0) {
        mp_set_error(EINVAL, "not a URL (it should start with http://)");
        return MP_ERROR;
    }
    if (scheme == 5 && strncasecmp(text, "https", 5) == 0) {
        mp_set_error(EINVAL, "https is not supported: it needs TLS, and forklore uses "
                     "libc only (use http://)");
        return MP_ERROR;
    }
    if (scheme != 4 || strncasecmp(text, "http", 4) != 0) {
        mp_set_error(EINVAL, "unsupported scheme '%.*s': only http:// is",
                     (int)(scheme < 20 ? scheme : 20), text);
        return MP_ERROR;
    }
    if (strncmp(text + 4, "://", 3) != 0) {
        mp_set_error(EINVAL, "not a URL: http: must be followed by //");
        return MP_ERROR;
    }
    return MP_OK;
}

/* Splits u->authority ("host", "host:port", "[::1]:port") into host, port. */
static enum mp_status split_authority(struct http_url *u)
{
    const char *auth = u->authority, *host = auth, *end = auth + strlen(auth), *rest;
    if (auth[0] == '[') {                  /* "[IPv6 address]" */
        host = auth + 1;
        rest = strchr(auth, ']');
        if (rest == NULL) {
            mp_set_error(EINVAL, "no ']' after the IPv6 address");
            return MP_ERROR;
        }
        rest++;
    } else {
        rest = strchr(auth, ':');
        if (rest == NULL)
            rest = end;
    }
    size_t hlen = (size_t)(rest - host) - (auth[0] == '[' ? 1 : 0);
    if (hlen == 0 || hlen >= sizeof u->host) {
        mp_set_error(EINVAL, "no host in the URL");
        return MP_ERROR;
    }
    snprintf(u->host, sizeof u->host, "%.*s", (int)hlen, host);
    snprintf(u->port, sizeof u->port, "80");
    if (rest < end) {                      /* ":8000": 1 to 5 digits, 1 to 65535 */
        size_t plen = (size_t)(end - rest - 1);
        long port = plen >= 1 && plen <= 5 && strspn(rest + 1, "0123456789") == plen
                    ? strtol(rest + 1, NULL, 10) : 0;
        if (rest[0] != ':' || port < 1 || port > 65535) {
            mp_set_error(EINVAL, "bad port in '%.40s'", u->authority);
            return MP_ERROR;
        }
        snprintf(u->port, sizeof u->port, "%ld", port);
    }
    return MP_OK;
}

enum mp_status http_parse_url(const char *text, struct http_url *u)
{
    size_t len = strlen(text);
    if (len >= HTTP_MAX_URL) {
        mp_set_error(ENAMETOOLONG, "URL longer than %d bytes", HTTP_MAX_URL - 1);
        return MP_ERROR;
    }
    if (!http_visible(text, len)) {
        mp_set_error(EINVAL, "a space, a control character or a non-ASCII byte in the URL");
        return MP_ERROR;
    }
    if (check_scheme(text) != MP_OK)
        return MP_ERROR;
    const char *auth = text + 7;
    size_t alen = strcspn(auth, "/?#");
    if (alen == 0 || alen >= sizeof u->authority) {
        mp_set_error(EINVAL, "no host in the URL, or a host too long");
        return MP_ERROR;
    }
    if (memchr(auth, '@', alen) != NULL) {
        mp_set_error(EINVAL, "user:password@ in a URL is not supported");
        return MP_ERROR;
    }
    snprintf(u->authority, sizeof u->authority, "%.*s", (int)alen, auth);
    if (split_authority(u) != MP_OK)
        return MP_ERROR;

    /* The target: the path and query; the fragment is never sent. */
    const char *path = auth + alen;
    size_t tlen = strcspn(path, "#");
    snprintf(u->target, sizeof u->target, "%s%.*s", path[0] == '/' ? "" : "/", (int)tlen, path);
    return MP_OK;
}

enum mp_status http_resolve(const struct http_url *base, const char *location, char *next,
                            size_t size)
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
        mp_set_error(ENAMETOOLONG, "redirected to a URL too long");
        return MP_ERROR;
    }
    return MP_OK;
}

enum mp_status http_file_name(const struct http_url *u, char *name, size_t size)
{
    size_t plen = strcspn(u->target, "?");
    const char *seg = u->target + plen;
    while (seg > u->target && seg[-1] != '/')
        seg--;
    int slen = (int)(u->target + plen - seg);
    int shown = slen < 60 ? slen : 60;
    if (http_unquote(seg, (size_t)slen, name, size) != MP_OK) {
        if (errno == ENAMETOOLONG)
            mp_set_error(ENAMETOOLONG, "file name longer than %zu bytes", size - 1);
        else
            mp_set_error(EINVAL, "file name: a bad %%-escape in '%.*s'", shown, seg);
        return MP_ERROR;
    }
    if (name[0] == '\0')
        snprintf(name, size, "index.html");
    for (const char *c = name; *c != '\0'; c++) {
        if ((unsigned char)*c < ' ' || *c == 127) {
            mp_set_error(EINVAL, "refusing file name '%.*s': a control character", shown, seg);
            return MP_ERROR;
        }
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/') != NULL) {
        mp_set_error(EINVAL, "refusing file name '%.60s': it would not stay in --dir", name);
        return MP_ERROR;
    }
    return MP_OK;
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

enum mp_status http_unquote(const char *text, size_t len, char *out, size_t outsize)
{
    size_t n = 0;
    if (outsize == 0) {                    /* not even room for the '\0' */
        mp_set_error(ENAMETOOLONG, "no room to decode into");
        return MP_ERROR;
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
            mp_set_error(EINVAL, "a bad %%-escape, or a zero byte");
            return MP_ERROR;
        }
        if (n + 1 >= outsize) {
            mp_set_error(ENAMETOOLONG, "longer than %zu bytes once decoded", outsize - 1);
            return MP_ERROR;
        }
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return MP_OK;
}
