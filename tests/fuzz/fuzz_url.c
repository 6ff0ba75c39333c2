/* SPDX-License-Identifier: MIT */
/* Fuzz target: URLs (http_parse_url), the file name one is saved under
 * (http_file_name), and a redirect from one (http_resolve). The input is
 * "URL\nLOCATION". */
#include "http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[2 * HTTP_MAX_URL];
    if (size >= sizeof text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';        /* a NUL inside ends the string, as in C */
    char *location = strchr(text, '\n');
    if (location != NULL)
        *location++ = '\0';
    struct http_url u;
    char next[HTTP_MAX_URL], name[256];
    if (http_parse_url(text, &u) != MP_OK)
        return 0;
    if (u.host[0] == '\0' || u.target[0] != '/' || atoi(u.port) < 1 || atoi(u.port) > 65535)
        abort();
    if (http_file_name(&u, name, sizeof name) == MP_OK
        && (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0
            || strcmp(name, "..") == 0))
        abort();              /* a name that would leave its folder */
    if (location != NULL && http_resolve(&u, location, next, sizeof next) == MP_OK)
        http_parse_url(next, &u);
    return 0;
}
