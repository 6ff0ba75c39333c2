/* SPDX-License-Identifier: MIT */
/* What the library's layers share with each other but not with the demos. */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

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
 * process forked afterwards shares it: the first process whose mp_print
 * fails reports it, the others end quietly. Returns 0, or -1 (mmap's errno). */
int mp_share_output_state(void);

/* Whether any process sharing the flag found standard output unwritable. */
bool mp_output_failed(void);

#endif /* MP_INTERNAL_H */
