/* SPDX-License-Identifier: MIT */
/* What the library's layers share with each other but not with the demos. */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

#include "mp.h"

#include <stdbool.h>
#include <stddef.h>

/* --- shared memory (shm.c), for util and the layers above --- */

/* size bytes of zeroed memory, mapped MAP_SHARED from a new memfd, whose
 * descriptor goes to *fd. NULL with errno set on failure. */
void *mp_shm_new(size_t size, int *fd);

/* Maps all of the memory behind fd (its size to *size). NULL, errno. */
void *mp_shm_attach(int fd, size_t *size);

/* Memory that every process of the program must share whichever way it
 * starts (the timeline's table, the output flag), under a name: a new
 * program started by spawn or the forkserver gets each descriptor, under
 * the same number, and finds it by the same name. */
#define MP_SHM_MAX 4
struct mp_shm_name {
    char name[16];
    int fd;
};

/* Adds (or moves) name's descriptor. 0, or -1 (ENOSPC: too many, or the
 * name too long). */
int mp_shm_export(const char *name, int fd);

/* Drops name from the table and closes its descriptor (the memory stays
 * mapped where it is mapped). */
void mp_shm_forget(const char *name);

/* The descriptor exported under name, or -1 if none (in a new program:
 * if its parent had none). */
int mp_shm_find(const char *name);

/* Copies the table (MP_SHM_MAX entries) to out; returns how many. */
int mp_shm_exports(struct mp_shm_name *out);

/* --- util, for the layers above it --- */

/* Records the message mp_last_error() will return, and sets errno to err. */
void mp_set_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Forgets the last message, so mp_last_error() falls back to strerror(errno). */
void mp_clear_error(void);

/* write(2) all of buf to fd, going on after partial writes and EINTR. */
int mp_write_all(int fd, const char *buf, size_t len);

/* How mp_die (and a failed mp_print) ends the process: exit, the default,
 * or _exit, which the process layer sets in each child it starts (a child
 * must not run its parent's atexit handlers). */
void mp_set_die_exit(void (*how)(int status));

/* Moves the "standard output failed" flag into shared memory, so that every
 * process started afterwards shares it: the first process whose mp_print
 * fails reports it, the others end quietly. In a new program the library
 * started, maps its parent's flag instead. Returns 0, or -1 with errno. */
int mp_share_output_state(void);

/* Whether any process sharing the flag found standard output unwritable. */
bool mp_output_failed(void);

/* At exit, once every child has ended: says what a child found and could
 * not say itself (it was killed between finding and saying). */
void mp_output_report_lost(void);

/* --- lang (lang.c), for util and options --- */

/* Whether the reader reads Chinese (see mp_gettext in mp.h). */
bool mp_chinese(void);

/* In Chinese, puts glibc's Chinese for strerror(err) where msg (size bytes
 * of room) quotes it in English; else leaves msg as it is. */
void mp_translate_reason(char *msg, size_t size, int err);

/* The columns UTF-8 text s takes on a terminal (a Chinese character two). */
int mp_text_width(const char *s);

/* The length in bytes of the piece of text at s that a line may not break
 * inside (up to a space, or to a break between Chinese characters), and in
 * *columns its width. */
size_t mp_text_piece(const char *s, int *columns);

/* --- the process layer, for the layers above it --- */

/* mp_process_start by the given method rather than the one in use (a pool
 * starts every worker by the method it was made with, as Python's Pool
 * keeps its context). */
enum mp_status mp_process_start_by(struct mp_process *p, const char *how);

#endif /* MP_INTERNAL_H */
