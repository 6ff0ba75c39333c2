/* SPDX-License-Identifier: MIT */
/* Where the timeline's picture is written (timeline_file.c), for
 * timeline_show.c: the file a path names, replaced in one step, or the
 * device, FIFO or standard output it names, written straight through. */
#ifndef TIMELINE_FILE_H
#define TIMELINE_FILE_H

#include "mp.h"

#include <limits.h>
#include <stdio.h>

struct picture {
    FILE *f;                    /* what the picture is written into */
    const char *path;           /* as given, for the messages */
    char target[PATH_MAX];      /* the file the rename replaces (a link's own file) */
    char temp[PATH_MAX + 8];    /* the temporary file beside it; "" when written through */
};

/* Whether path can take a picture, before the run: what it names is one of
 * those the picture can go to, and can be written. MP_OK, or MP_ERROR with
 * mp_last_error() "path: why". */
enum mp_status picture_check(const char *path);

/* Opens the way to path: p->f is where to write the picture. MP_OK, or
 * MP_ERROR with mp_last_error() "path: why" (then nothing is changed). */
enum mp_status picture_open(struct picture *p, const char *path);

/* Ends the picture: puts it in place (the rename) or flushes it through.
 * MP_OK, or MP_ERROR "path: why"; a file that was to be replaced then
 * stays as it was. */
enum mp_status picture_close(struct picture *p);

#endif
