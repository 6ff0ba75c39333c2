/* SPDX-License-Identifier: MIT */
/*
 * spawn_self: starts this very program again (posix_spawn), as spawn and
 * the forkserver do. Linux names the running program /proc/self/exe; other
 * systems need its path otherwise (macOS: _NSGetExecutablePath; FreeBSD:
 * sysctl KERN_PROC_PATHNAME); Python runs sys.executable, the interpreter.
 */
#include "proc.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

/* Our environment with var=value added (a variable of ours already there,
 * inherited, is left out). NULL (ENOMEM) if it cannot be had. The caller
 * frees the array; the strings are environ's and setting's. */
static char **environment_with(const char *var, char *setting)
{
    size_t n = 0, len = strlen(var);
    while (environ[n] != NULL)
        n++;
    char **envp = malloc((n + 2) * sizeof *envp);
    if (envp == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], var, len) != 0 || environ[i][len] != '=')
            envp[k++] = environ[i];
    envp[k++] = setting;
    envp[k] = NULL;
    return envp;
}

pid_t mp_spawn_self(const char *var, const char *value, const int *keep, int nkeep,
                    const sigset_t *mask)
{
    char setting[96];
    snprintf(setting, sizeof setting, "%s=%s", var, value);
    char **envp = environment_with(var, setting);
    if (envp == NULL) {
        errno = ENOMEM;
        return -1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int err = posix_spawn_file_actions_init(&actions);
    if (err == 0 && (err = posix_spawnattr_init(&attr)) != 0)
        posix_spawn_file_actions_destroy(&actions);
    if (err != 0) {
        free(envp);
        errno = err;
        return -1;
    }
    /* dup2 of a descriptor onto itself clears close-on-exec (glibc 2.29,
     * POSIX 2024): the child gets exactly these, not every pipe we hold. */
    for (int i = 0; err == 0 && i < nkeep; i++)
        err = posix_spawn_file_actions_adddup2(&actions, keep[i], keep[i]);
    if (err == 0)
        err = posix_spawnattr_setsigmask(&attr, mask);
    if (err == 0)
        err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    pid_t pid = -1;
    char *argv[] = { (char *)mp_prog, NULL };
    if (err == 0)
        err = posix_spawn(&pid, "/proc/self/exe", &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);   /* cannot fail: initialised */
    posix_spawnattr_destroy(&attr);
    free(envp);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return pid;
}
