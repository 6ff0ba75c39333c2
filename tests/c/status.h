/* SPDX-License-Identifier: MIT */
/* What a library call returned, as a word the tests can compare. */
#ifndef TEST_STATUS_H
#define TEST_STATUS_H

#include "mp.h"

static inline const char *status_word(enum mp_status s)
{
    switch (s) {
    case MP_OK:      return "ok";
    case MP_TIMEOUT: return "timeout";
    case MP_CLOSED:  return "closed";
    case MP_ERROR:   return "error";
    }
    return "?";
}

#endif
