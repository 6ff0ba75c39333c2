/* SPDX-License-Identifier: MIT */
/*
 * context: the start method in use (multiprocessing.set_start_method), by
 * name. The process layer turns the name into a start method when a
 * process starts; a new program learns its parent's from what travels to
 * it (lib/spawn.c), so that its own children start the same way.
 */
#include "proc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static char method[16] = "fork";

enum mp_status mp_set_start_method(const char *name)
{
    if (strcmp(name, "fork") != 0 && strcmp(name, "spawn") != 0 &&
        strcmp(name, "forkserver") != 0) {
        mp_set_error(EINVAL, "cannot find context for '%s'", name);
        return MP_ERROR;
    }
    snprintf(method, sizeof method, "%s", name);
    return MP_OK;
}

const char *mp_get_start_method(void)
{
    return method;
}

const char *mp_start_method_name = "fork";

void mp_start_method_setup(void)
{
    if (mp_set_start_method(mp_start_method_name) != MP_OK)
        mp_usage_error("--start-method: '%s' is not fork, spawn or forkserver",
                       mp_start_method_name);
}
