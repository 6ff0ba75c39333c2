/* SPDX-License-Identifier: MIT */
/* Fuzz target: serve's side, a request head (http_parse_request). */
#include "http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *head = (const char *)data;
    size_t end = http_head_end(head, size);
    if (end > size)
        abort();
    struct http_request r;
    enum mp_status status = http_parse_request(head, size, &r);
    if (status != MP_OK && (status != MP_ERROR || (r.refusal != 400 && r.refusal != 414)))
        abort();              /* refused: always with the status to answer */
    if (status == MP_OK && (r.method[0] == '\0' || r.target[0] == '\0'
                            || strlen(r.target) > HTTP_MAX_REQUEST_LINE))
        abort();
    return 0;
}
