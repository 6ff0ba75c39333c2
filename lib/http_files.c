/* SPDX-License-Identifier: MIT */
/*
 * http_files.c - a server's files, for the serve lesson (see http.h): a
 * path is opened beneath a directory in one step the kernel checks, so no
 * one can lead it outside; and a file's Content-Type.
 */
#include "http.h"
#include "mp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/openat2.h>
#include <sys/syscall.h>
#endif

/* Opens each component of path beneath root_fd with O_NOFOLLOW: the
 * fallback where openat2 is missing (or HTTP_NO_OPENAT2 is defined, as
 * tests/c/test_http.c does to test it). No symlink is followed, no "..".
 * Returns the descriptor, or -1 with errno set. */
static int open_walk(int root_fd, char *path)
{
    int dirfd = root_fd;
    char *save = NULL;
    for (char *name = strtok_r(path, "/", &save); name != NULL;
         name = strtok_r(NULL, "/", &save)) {
        if (strcmp(name, ".") == 0)
            continue;
        if (strcmp(name, "..") == 0)
            break;
        char *rest = save + strspn(save, "/");
        bool last = *rest == '\0';
        int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY
                        | (last ? O_NONBLOCK : O_DIRECTORY));
        int err = errno;
        if (dirfd != root_fd)
            close(dirfd);     /* a directory opened only to look beneath it */
        errno = err;
        if (fd == -1 || last)
            return fd;
        dirfd = fd;
    }
    if (dirfd != root_fd)
        close(dirfd);
    errno = ENOENT;           /* "/", "/..", "/sub/.": not a file */
    return -1;
}

/* The beneath-opening itself; -1 with errno set. */
static int open_beneath(int root_fd, const char *path)
{
#if defined(__linux__) && defined(SYS_openat2) && !defined(HTTP_NO_OPENAT2)
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    int fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
    if (fd != -1 || (errno != ENOSYS && errno != EPERM))
        return fd;            /* EXDEV: the path would leave DIR */
#endif
    char copy[PATH_MAX];      /* a kernel before 5.6, or not Linux */
    if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return open_walk(root_fd, copy);
}

int http_open_beneath(int root_fd, const char *path)
{
    int fd = open_beneath(root_fd, path);
    if (fd == -1)
        mp_set_error(errno, "open %.200s: %s", path, strerror(errno));
    return fd;
}

const char *http_content_type(const char *path)
{
    static const char *const types[][2] = {
        { ".html", "text/html; charset=utf-8" }, { ".htm", "text/html; charset=utf-8" },
        { ".txt", "text/plain; charset=utf-8" }, { ".css", "text/css" },
        { ".js", "text/javascript" },            { ".json", "application/json" },
        { ".png", "image/png" },                 { ".jpg", "image/jpeg" },
        { ".jpeg", "image/jpeg" },               { ".gif", "image/gif" },
        { ".svg", "image/svg+xml" },             { ".pdf", "application/pdf" },
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot != NULL && i < sizeof types / sizeof types[0]; i++)
        if (strcasecmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}
