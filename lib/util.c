/* SPDX-License-Identifier: MIT */
/* util: clock, tick-scaled sleep, whole-line output, errors. */
#include "mp.h"
#include "mp_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

double mp_tick = 1.0;
bool mp_tick_option = true;
const char *mp_prog = "forklore";

double mp_now(void)
{
    struct timespec ts;
    /* Cannot fail: CLOCK_MONOTONIC always exists and ts is a valid address
     * (EINVAL and EFAULT are its only errors). */
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mp_sleep(double seconds)
{
    if (!(seconds > 0))
        return;
    struct timespec left;
    left.tv_sec = (time_t)seconds;
    left.tv_nsec = (long)((seconds - (double)left.tv_sec) * 1e9);
    /* A signal that is handled (SIGCHLD, say) interrupts nanosleep with EINTR
     * and tells us how much was left: sleep that. (Its other error, EINVAL,
     * cannot happen: tv_nsec is below a second by construction.) */
    while (nanosleep(&left, &left) == -1 && errno == EINTR)
        ;
}

void mp_sleep_ticks(double ticks)
{
    mp_sleep(ticks * mp_tick);
}

/* Writes all of buf to fd, going on after a partial write or an interrupt. */
int mp_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Formats prefix + message + "\n" into one buffer and writes it with one
 * write(2), so the line reaches the kernel whole. */
static int write_line(int fd, const char *prefix, const char *fmt, va_list ap)
{
    char small[1024];
    char *buf = small;
    va_list again;
    va_copy(again, ap);
    int plen = snprintf(small, sizeof small, "%s", prefix);
    int mlen = vsnprintf(small + plen, sizeof small - (size_t)plen, fmt, ap);
    if (mlen < 0) {
        va_end(again);
        return -1;
    }
    size_t len = (size_t)plen + (size_t)mlen + 1;
    if (len > sizeof small) {       /* a long line: format it again, on the heap */
        buf = malloc(len + 1);
        if (buf == NULL) {
            va_end(again);
            return -1;
        }
        memcpy(buf, prefix, (size_t)plen);
        /* The same format and arguments: the same mlen bytes, this time
         * with room for them. */
        vsnprintf(buf + plen, (size_t)mlen + 1, fmt, again);
    }
    va_end(again);
    buf[len - 1] = '\n';
    int rc = mp_write_all(fd, buf, len);
    if (buf != small)
        free(buf);
    return rc;
}

/* How mp_die ends the process: exit in the main program; the process layer
 * sets _exit in each child it starts (see mp_set_die_exit). */
static void (*die_exit)(int status) = exit;

void mp_set_die_exit(void (*how)(int status))
{
    die_exit = how;
}

/* Whether some process of the program could not write its output, and
 * whether that was said: 0 while all is well; else the errno of the first
 * failure, plus REPORTED once its message is written. The main program's
 * variable at first; the process layer makes it shared memory before its
 * first child starts, so that all the program's processes see one: a
 * forked child through the copied mapping, a new program (spawn,
 * forkserver) through the descriptor exported as "output". */
enum { REPORTED = 1 << 16 };
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to work across processes");
static atomic_int local_output_state;
static atomic_int *output_state = &local_output_state;

/* The flag of the process that started this one (a new program), or a new
 * one in shared memory. NULL, errno set, if neither can be had. */
static atomic_int *shared_output_state(void)
{
    int fd = mp_shm_find("output");
    size_t size = sizeof *output_state;
    if (fd != -1) {
        void *page = mp_shm_attach(fd, &size);
        if (page != NULL && size != sizeof *output_state) {
            (void)munmap(page, size);        /* our own mapping: cannot fail */
            errno = EINVAL;
            return NULL;
        }
        return page;
    }
    void *page = mp_shm_new(size, &fd);
    if (page != NULL && mp_shm_export("output", fd) == -1) {
        int err = errno;
        (void)munmap(page, size);
        close(fd);
        errno = err;
        return NULL;
    }
    return page;
}

int mp_share_output_state(void)
{
    if (output_state != &local_output_state)
        return 0;
    atomic_int *shared = shared_output_state();
    if (shared == NULL)
        return -1;
    int mine = atomic_load(&local_output_state);
    if (mine != 0)
        atomic_store(shared, mine);
    output_state = shared;
    return 0;
}

bool mp_output_failed(void)
{
    return atomic_load(output_state) != 0;
}

void mp_output_report_lost(void)
{
    int state = atomic_load(output_state);
    if (state != 0 && !(state & REPORTED) &&
        atomic_compare_exchange_strong(output_state, &state, state | REPORTED))
        mp_warn(N_("standard output: %s"), _(strerror(state)));
}

void mp_print(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = write_line(STDOUT_FILENO, "", fmt, ap);
    va_end(ap);
    if (rc == 0)
        return;
    /* Output nobody can read would make the run look fine: fail loudly, as
     * Python's print raises. The processes of a program share one standard
     * output, and each one's next line fails the same way: the first to
     * find out says so, the others only end with status 1. (The first may
     * be killed before it has said it: the main says it at exit then.) */
    int err = errno, none = 0;
    if (atomic_compare_exchange_strong(output_state, &none, err)) {
        mp_warn(N_("standard output: %s"), _(strerror(err)));
        atomic_store(output_state, err | REPORTED);
    }
    die_exit(1);
    _exit(1);   /* not reached: exit and _exit do not return */
}

enum mp_status mp_print_list(const long *values, size_t n)
{
    /* At most 22 characters per number: "-9223372036854775808, ". */
    char *line = malloc(n * 22 + 3);
    if (line == NULL) {
        mp_set_error(ENOMEM, "print_list: out of memory");
        return MP_ERROR;
    }
    size_t len = 0;
    line[len++] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(line + len, i == 0 ? "%ld" : ", %ld", values[i]);
    line[len++] = ']';
    line[len] = '\0';
    mp_print("%s", line);
    free(line);
    return MP_OK;
}

static int write_linef(int fd, const char *prefix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = write_line(fd, prefix, fmt, ap);
    va_end(ap);
    return rc;
}

/* "prog: message", in the reader's language: the format is looked up in
 * the catalogs (the demos mark theirs with N_(); the library's own stay
 * English where lib/zh.po has no entry), and the OS's reason for errno,
 * if the message quotes it (strerror(errno)), is put in Chinese too. */
static void vwarn(const char *fmt, va_list ap)
{
    int err = errno;
    char prefix[128], msg[1024];
    snprintf(prefix, sizeof prefix, "%s: ", mp_prog);
    va_list again;
    va_copy(again, ap);
    int len = vsnprintf(msg, sizeof msg, _(fmt), ap);
    /* A warning that cannot be written has nowhere left to be reported:
     * standard error is the last resort. */
    if (len >= 0 && (size_t)len < sizeof msg) {
        mp_translate_reason(msg, sizeof msg, err);
        (void)write_linef(STDERR_FILENO, prefix, "%s", msg);
    } else {
        (void)write_line(STDERR_FILENO, prefix, _(fmt), again);   /* a long one, as it is */
    }
    va_end(again);
}

void mp_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
}

void mp_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
    /* The main program: exit, which joins its children first, like Python.
     * A child: _exit, so no atexit handler nor stdio buffer it inherited
     * from its parent runs or is flushed a second time. */
    die_exit(1);
    _exit(1);   /* not reached: exit and _exit do not return */
}

/* --- the last error, in words --- */

static char last_error[256];

/* The library's messages are its own words: they are translated here, as
 * they are recorded (lib/zh.po; one without an entry stays English), and
 * so is the OS's reason for err where the message quotes it. */
void mp_set_error(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, _(fmt), ap);
    va_end(ap);
    mp_translate_reason(last_error, sizeof last_error, err);
    errno = err;
}

void mp_clear_error(void)
{
    /* Only if set: after a fork, writing even a 0 over a 0 would cost a
     * page fault (the kernel copies the page on the first write). */
    if (last_error[0] != '\0')
        last_error[0] = '\0';
}

const char *mp_last_error(void)
{
    if (last_error[0] != '\0')
        return last_error;
    return _(strerror(errno));
}
