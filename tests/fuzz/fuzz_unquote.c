/* SPDX-License-Identifier: MIT */
/* Fuzz target: %-decoding (http_unquote). The first byte is the size of
 * the output buffer (0 to 255), allocated exactly, so that the sanitizer
 * sees a write one byte too far; the rest is the text. */
#include "http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t outsize = data[0];
    char *out = malloc(outsize > 0 ? outsize : 1);
    char *text = malloc(size - 1 > 0 ? size - 1 : 1);    /* exactly the text, no '\0' */
    if (out == NULL || text == NULL)
        abort();
    memcpy(text, data + 1, size - 1);
    if (http_unquote(text, size - 1, outsize > 0 ? out : out + 1, outsize) == MP_OK
        && (outsize == 0 || strnlen(out, outsize) == outsize))
        abort();              /* decoded: a C string within out */
    free(out);
    free(text);
    return 0;
}
