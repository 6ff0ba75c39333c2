/* SPDX-License-Identifier: MIT */
/*
 * names: targets and "subclasses" registered by name, Python's pickling of
 * a function (or a class) by its qualified name. Under spawn and
 * forkserver a child is a new program, where a function pointer means
 * nothing (its addresses are randomised): the parent sends the name, and
 * the child finds the function in its own copy of these tables, filled in
 * by the same MP_TARGET and MP_CLASS calls, which every program makes
 * before mp_main_guard.
 */
#include "proc.h"

#include <errno.h>
#include <string.h>

#define MAX_TARGETS 64
#define MAX_CLASSES 16

static struct {
    const char *name;
    int (*fn)(void *arg);
} targets[MAX_TARGETS];
static int ntargets;

static struct {
    const char *name;
    int (*run)(mp_process *self);
    size_t size;               /* of the whole struct, its mp_process first */
} classes[MAX_CLASSES];
static int nclasses;

enum mp_status mp_register_target(const char *name, int (*target)(void *arg))
{
    if (ntargets == MAX_TARGETS) {
        mp_set_error(ENOSPC, "more than %d targets registered", MAX_TARGETS);
        return MP_ERROR;
    }
    targets[ntargets].name = name;
    targets[ntargets].fn = target;
    ntargets++;
    return MP_OK;
}

const char *mp_target_name(int (*target)(void *arg))
{
    for (int i = 0; i < ntargets; i++)
        if (targets[i].fn == target)
            return targets[i].name;
    return NULL;
}

int (*mp_target_by_name(const char *name))(void *arg)
{
    for (int i = 0; i < ntargets; i++)
        if (strcmp(targets[i].name, name) == 0)
            return targets[i].fn;
    return NULL;
}

enum mp_status mp_register_class(const char *name, int (*run)(mp_process *self), size_t size)
{
    if (size < sizeof(mp_process) || size - sizeof(mp_process) > MP_ARG_MAX) {
        mp_set_error(EINVAL, "%s: a subclass's own fields take 0 to %d bytes, not %zu", name,
                     MP_ARG_MAX, size < sizeof(mp_process) ? 0 : size - sizeof(mp_process));
        return MP_ERROR;
    }
    if (nclasses == MAX_CLASSES) {
        mp_set_error(ENOSPC, "more than %d classes registered", MAX_CLASSES);
        return MP_ERROR;
    }
    classes[nclasses].name = name;
    classes[nclasses].run = run;
    classes[nclasses].size = size;
    nclasses++;
    return MP_OK;
}

const char *mp_class_name(int (*run)(mp_process *self), size_t *size)
{
    for (int i = 0; i < nclasses; i++) {
        if (classes[i].run == run) {
            *size = classes[i].size;
            return classes[i].name;
        }
    }
    return NULL;
}

int (*mp_class_by_name(const char *name, size_t *size))(mp_process *self)
{
    for (int i = 0; i < nclasses; i++) {
        if (strcmp(classes[i].name, name) == 0) {
            *size = classes[i].size;
            return classes[i].run;
        }
    }
    return NULL;
}
