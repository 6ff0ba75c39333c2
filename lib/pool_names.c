/* SPDX-License-Identifier: MIT */
/*
 * pool_names: the pool's tasks by name (MP_TASK), Python's pickling of a
 * function by its qualified name. Under spawn and forkserver a worker is a
 * new program, where a function pointer means nothing (its addresses are
 * randomised): the parent sends the task's name, and the worker finds the
 * function in its own copy of this table, filled in by the same MP_TASK
 * calls, which every program makes before mp_main_guard.
 *
 * Owns the table. The first registration also registers the pool's worker
 * as a target (mp_register_target), so that a spawned program can run it:
 * a program that registers its tasks before mp_main_guard has thereby
 * registered the worker too.
 */
#include "pool_internal.h"
#include "mp_internal.h"

#include <errno.h>
#include <string.h>

#define MAX_TASKS 64

static struct {
    char name[MP_TASK_NAME_MAX + 1];
    mp_task fn;
} tasks[MAX_TASKS];
static int ntasks;

enum mp_status mp_register_task(const char *name, mp_task fn)
{
    mp_clear_error();
    if (name == NULL || fn == NULL || name[0] == '\0') {
        mp_set_error(EINVAL, "MP_TASK: a task needs a name and a function");
        return MP_ERROR;
    }
    if (strlen(name) > MP_TASK_NAME_MAX) {
        mp_set_error(ENAMETOOLONG, "MP_TASK: the name '%.100s' is longer than %d characters",
                     name, MP_TASK_NAME_MAX);
        return MP_ERROR;
    }
    for (int i = 0; i < ntasks; i++) {
        if (strcmp(tasks[i].name, name) != 0)
            continue;
        if (tasks[i].fn == fn)
            return MP_OK;                    /* registered already: nothing to do */
        mp_set_error(EEXIST, "MP_TASK: another task is registered as '%s'", name);
        return MP_ERROR;
    }
    if (ntasks == MAX_TASKS) {
        mp_set_error(ENOSPC, "MP_TASK: more than %d tasks registered", MAX_TASKS);
        return MP_ERROR;
    }
    if (ntasks == 0 && mp_register_target(POOL_WORKER_TARGET, pool_worker_main) != MP_OK)
        return MP_ERROR;
    memcpy(tasks[ntasks].name, name, strlen(name) + 1);
    tasks[ntasks].fn = fn;
    ntasks++;
    return MP_OK;
}

/* The name fn was registered under, or NULL. */
const char *pool_task_name(mp_task fn)
{
    for (int i = 0; i < ntasks; i++)
        if (tasks[i].fn == fn)
            return tasks[i].name;
    return NULL;
}

/* The task registered as name, or NULL. */
mp_task pool_task_by_name(const char *name)
{
    for (int i = 0; i < ntasks; i++)
        if (strcmp(tasks[i].name, name) == 0)
            return tasks[i].fn;
    return NULL;
}

bool pool_tasks_registered(void)
{
    return ntasks > 0;
}
