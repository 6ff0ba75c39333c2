/* SPDX-License-Identifier: MIT */
/* Fuzz target: download's side, a response head (http_parse_response). */
#include "http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_response r;
    char why[256];
    memset(why, 'x', sizeof why);
    bool ok = http_parse_response((const char *)data, size, &r, why, sizeof why);
    if (ok && (r.status < 0 || r.status > 999 || r.length < -1
               || strlen(r.location) >= HTTP_MAX_URL || strlen(r.reason) >= sizeof r.reason))
        abort();
    if (!ok && memchr(why, '\0', sizeof why) == NULL)
        abort();              /* a failure always says why, as a string */
    return 0;
}
