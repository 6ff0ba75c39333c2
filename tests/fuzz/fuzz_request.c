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
    int status = http_parse_request(head, size, &r);
    if (status != 0 && status != 400 && status != 414)
        abort();
    if (status == 0 && (r.method[0] == '\0' || r.target[0] == '\0'
                        || strlen(r.target) > HTTP_MAX_REQUEST_LINE))
        abort();
    return 0;
}
