/* SPDX-License-Identifier: MIT */
/* Fuzz target: download's side, a response head (http_parse_response). */
#include "http.h"
#include "mp_internal.h"

#include <errno.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_response r;
    mp_clear_error();
    errno = 0;
    bool ok = http_parse_response((const char *)data, size, &r) == MP_OK;
    if (ok && (r.status < 0 || r.status > 999 || r.length < -1
               || strlen(r.location) >= HTTP_MAX_URL || strlen(r.reason) >= sizeof r.reason))
        abort();
    if (!ok && (errno == 0 || mp_last_error()[0] == '\0'))
        abort();              /* a failure always says why (mp_set_error sets errno) */
    return 0;
}
