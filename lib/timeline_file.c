/* SPDX-License-Identifier: MIT */
/* timeline_file: where the timeline's picture goes, the way a careful tool
 * writes a file. What the path names decides:
 *
 *   nothing, or a regular file    the picture goes to a temporary file
 *                                 beside it, renamed over it at the end:
 *                                 rename(2) replaces the file in one step,
 *                                 so no reader (and no failed run) ever
 *                                 sees half a picture;
 *   a symbolic link to a file     the same, beside the file it names: the
 *                                 link stays a link;
 *   a character device, a FIFO    written straight through, as `cat >`
 *                                 does: replacing the node (/dev/null, as
 *                                 root) would break it for everyone;
 *   "-", or the same file as      written through standard output, at
 *   standard output (/dev/stdout) the point it has reached, not reopened
 *                                 at offset 0 over what is already there;
 *   anything else                 refused: a directory, a block device, a
 *                                 socket, a link to nothing.
 *
 * A FIFO is opened without blocking: with no process reading it, open(2)
 * fails at once (ENXIO) instead of waiting for a reader for ever. The
 * rules are checked before the run too (picture_check), but only what is
 * opened at the end counts: the path may have changed in between. */
#include "mp.h"
#include "mp_internal.h"
#include "timeline_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The ways a picture can go. */
enum way { BY_RENAME, TO_STDOUT, TO_DEVICE, TO_FIFO };

static enum mp_status refuse(const char *path, int err, const char *why)
{
    mp_set_error(err, "%s: %s", path, why);
    return MP_ERROR;
}

/* Whether path names the file that our standard output writes to. */
static bool is_stdout(const char *path)
{
    struct stat st, out;
    return stat(path, &st) == 0 && fstat(STDOUT_FILENO, &out) == 0 &&
           st.st_dev == out.st_dev && st.st_ino == out.st_ino;
}

/* The way a picture goes to a file of this mode, or refused. */
static enum mp_status way_of_mode(const char *path, mode_t mode, enum way *way)
{
    if (S_ISREG(mode))
        *way = BY_RENAME;
    else if (S_ISCHR(mode))
        *way = TO_DEVICE;
    else if (S_ISFIFO(mode))
        *way = TO_FIFO;
    else if (S_ISDIR(mode))
        return refuse(path, EISDIR, "a directory cannot hold a picture");
    else if (S_ISBLK(mode))
        return refuse(path, EINVAL, "a block device cannot hold a picture");
    else
        return refuse(path, EINVAL, "a socket cannot hold a picture");
    return MP_OK;
}

/* How a picture for path goes (see above), and target: the file the path
 * names, through a symbolic link if it is one. */
static enum mp_status find_way(const char *path, enum way *way, char target[PATH_MAX])
{
    size_t len = strlen(path);
    struct stat st;
    if (strcmp(path, "-") == 0 || is_stdout(path)) {
        *way = TO_STDOUT;
        return MP_OK;
    }
    if (len == 0 || path[len - 1] == '/')
        return refuse(path, EISDIR, "not a file name");
    if (len >= PATH_MAX)
        return refuse(path, ENAMETOOLONG, strerror(ENAMETOOLONG));
    memcpy(target, path, len + 1);
    if (lstat(path, &st) == -1) {
        if (errno != ENOENT)
            return refuse(path, errno, strerror(errno));
        *way = BY_RENAME;          /* nothing there yet */
        return MP_OK;
    }
    if (S_ISLNK(st.st_mode)) {
        if (realpath(path, target) == NULL)
            return errno == ENOENT
                ? refuse(path, ENOENT, "a symbolic link to nothing cannot hold a picture")
                : refuse(path, errno, strerror(errno));
        if (stat(target, &st) == -1)
            return refuse(path, errno, strerror(errno));
    }
    return way_of_mode(path, st.st_mode, way);
}

/* The directory of file (".", "/" or what comes before its last '/'). */
static void dir_of(const char *file, char dir[PATH_MAX])
{
    const char *slash = strrchr(file, '/');
    if (slash == NULL)
        snprintf(dir, PATH_MAX, ".");
    else
        snprintf(dir, PATH_MAX, "%.*s", slash == file ? 1 : (int)(slash - file), file);
}

enum mp_status picture_check(const char *path)
{
    enum way way;
    char target[PATH_MAX], dir[PATH_MAX];
    if (find_way(path, &way, target) != MP_OK)
        return MP_ERROR;
    if (way == TO_STDOUT && fcntl(STDOUT_FILENO, F_GETFL) == -1)
        return refuse(path, errno, "standard output is closed");
    if (way == TO_DEVICE || way == TO_FIFO) {
        if (access(target, W_OK) == -1)
            return refuse(path, errno, strerror(errno));
    } else if (way == BY_RENAME) {
        /* the temporary file is made, and renamed, in the directory */
        dir_of(target, dir);
        if (access(dir, W_OK | X_OK) == -1)
            return refuse(path, errno, strerror(errno));
    }
    return MP_OK;
}

/* A new temporary file beside p->target, its name in p->temp. The
 * descriptor, or -1. */
static int open_temp(struct picture *p)
{
    if (snprintf(p->temp, sizeof p->temp, "%s.XXXXXX", p->target) >= (int)sizeof p->temp) {
        p->temp[0] = '\0';
        refuse(p->path, ENAMETOOLONG, strerror(ENAMETOOLONG));
        return -1;
    }
    int fd = mkstemp(p->temp);
    /* mkstemp makes the file readable by its owner only; a picture is for
     * everyone to read, as a file made by open(2) with the usual umask. */
    if (fd == -1 || fchmod(fd, 0644) == -1) {
        refuse(p->path, errno, strerror(errno));
        if (fd != -1) {
            close(fd);
            unlink(p->temp);
        }
        p->temp[0] = '\0';
        return -1;
    }
    return fd;
}

/* The device or FIFO path names, opened for writing. The descriptor, or
 * -1. O_NONBLOCK: a FIFO nobody reads fails at once; O_NOCTTY: a terminal
 * does not become ours. Once open, writes block as usual. */
static int open_through(const char *path, enum way way)
{
    int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd == -1) {
        if (errno == ENXIO && way == TO_FIFO)
            refuse(path, ENXIO, "no process reads this FIFO");
        else
            refuse(path, errno, strerror(errno));
        return -1;
    }
    /* What was opened, not what was looked up, must be a device or FIFO:
     * a regular file put there since would be written over in place. */
    struct stat st;
    int flags;
    if (fstat(fd, &st) == -1 || (flags = fcntl(fd, F_GETFL)) == -1 ||
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1)
        refuse(path, errno, strerror(errno));
    else if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
        refuse(path, EINVAL, "not a device or FIFO any more");
    else
        return fd;
    close(fd);
    return -1;
}

enum mp_status picture_open(struct picture *p, const char *path)
{
    enum way way;
    int fd;
    p->f = NULL;
    p->path = path;
    p->temp[0] = '\0';
    if (find_way(path, &way, p->target) != MP_OK)
        return MP_ERROR;
    if (way == TO_STDOUT) {
        /* A copy of the descriptor: the same open file, at its offset, after
         * what stdio still holds for it. */
        fflush(stdout);
        fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
        if (fd == -1)
            return refuse(path, errno, "standard output is closed");
    } else if (way == BY_RENAME) {
        fd = open_temp(p);
    } else {
        fd = open_through(path, way);
    }
    if (fd == -1)
        return MP_ERROR;
    p->f = fdopen(fd, "w");
    if (p->f == NULL) {
        refuse(path, errno, strerror(errno));
        close(fd);
        if (p->temp[0] != '\0')
            unlink(p->temp);
        return MP_ERROR;
    }
    return MP_OK;
}

enum mp_status picture_close(struct picture *p)
{
    /* A write that failed (a full disk) leaves its mark in ferror; fclose
     * writes what is still buffered, and can fail too. */
    int failed = ferror(p->f), err = errno;
    if (fclose(p->f) == EOF && !failed) {
        failed = 1;
        err = errno;
    }
    p->f = NULL;
    if (!failed && p->temp[0] != '\0' && rename(p->temp, p->target) == -1) {
        failed = 1;
        err = errno;
    }
    if (!failed)
        return MP_OK;
    if (p->temp[0] != '\0')
        unlink(p->temp);
    return refuse(p->path, err, strerror(err));
}
