/* SPDX-License-Identifier: MIT */
/* What the library's layers share with each other but not with the demos. */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* true in a process started by mp_process_start (a child), false in main. */
bool mp_in_child(void);

/* Records the message mp_last_error() will return, and sets errno to err. */
void mp_set_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Forgets the last message, so mp_last_error() falls back to strerror(errno). */
void mp_clear_error(void);

/* write(2) all of buf to fd, going on after partial writes and EINTR. */
int mp_write_all(int fd, const char *buf, size_t len);

#endif /* MP_INTERNAL_H */
