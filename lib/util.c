/* SPDX-License-Identifier: MIT */
/* util: clock, tick-scaled sleep, whole-line output, errors, option parsing. */
#include "mp.h"
#include "mp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
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

/* Whether some process of the program could not write its output. The main
 * program's variable at first; the process layer makes it shared memory
 * before its first child starts, so that all the program's processes see
 * one: a forked child through the copied mapping, a new program (spawn,
 * forkserver) through the descriptor exported as "output". */
static atomic_bool local_output_failed;
static atomic_bool *output_failed = &local_output_failed;

int mp_share_output_state(void)
{
    if (output_failed != &local_output_failed)
        return 0;
    int fd = mp_shm_find("output");
    size_t size = sizeof *output_failed;
    void *page;
    if (fd != -1) {                  /* a new program: its parent's flag */
        page = mp_shm_attach(fd, &size);
        if (page != NULL && size != sizeof *output_failed) {
            (void)munmap(page, size);        /* our own mapping: cannot fail */
            errno = EINVAL;
            page = NULL;
        }
    } else {
        page = mp_shm_new(size, &fd);
        if (page != NULL && mp_shm_export("output", fd) == -1) {
            int err = errno;
            (void)munmap(page, size);
            close(fd);
            errno = err;
            page = NULL;
        }
    }
    if (page == NULL)
        return -1;
    output_failed = page;
    if (atomic_load(&local_output_failed))
        atomic_store(output_failed, true);
    return 0;
}

bool mp_output_failed(void)
{
    return atomic_load(output_failed);
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
     * find out says so, the others only end with status 1. */
    int err = errno;
    if (!atomic_exchange(output_failed, true))
        mp_warn("standard output: %s", strerror(err));
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

static void vwarn(const char *fmt, va_list ap)
{
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s: ", mp_prog);
    /* A warning that cannot be written has nowhere left to be reported:
     * standard error is the last resort. */
    (void)write_line(STDERR_FILENO, prefix, fmt, ap);
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

void mp_set_error(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
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
    return strerror(errno);
}

/* --- command-line options --- */

static const struct mp_option *usage_options;
static const char *usage_args;

static const char *metavar_of(const struct mp_option *o)
{
    if (o->metavar != NULL)
        return o->metavar;
    switch (o->type) {
    case MP_OPT_INT:     return "N";
    case MP_OPT_SECONDS: return "SECONDS";
    case MP_OPT_TEXT:    return "TEXT";
    case MP_OPT_FLAG:    break;
    }
    return "";
}

/* One item of the usage line (" [--tick SECONDS]") from column *col on,
 * first starting a new line indented by indent if the item would pass
 * column 80 (a projector), as Python's argparse wraps its usage. */
static void usage_item(FILE *out, int *col, int indent, const char *item)
{
    int len = (int)strlen(item);
    if (*col + 1 + len > 80 && *col > indent) {
        fprintf(out, "\n%*s", indent, "");
        *col = indent;
    }
    fprintf(out, " %s", item);
    *col += 1 + len;
}

/* Written with stdio; print_help checks the whole with fflush, and on
 * stderr (a usage error) there is nowhere else to report a failure. */
static void print_usage(FILE *out)
{
    char item[96];
    int col = fprintf(out, "usage: %s", mp_prog);
    int indent = col < 40 ? col : 8;      /* continuation lines line up after the name */
    if (mp_tick_option)
        usage_item(out, &col, indent, "[--tick SECONDS]");
    for (const struct mp_option *o = usage_options; o->name != NULL; o++) {
        if (o->type == MP_OPT_FLAG)
            snprintf(item, sizeof item, "[%s]", o->name);
        else
            snprintf(item, sizeof item, "[%s %s]", o->name, metavar_of(o));
        usage_item(out, &col, indent, item);
    }
    if (usage_args != NULL)
        usage_item(out, &col, indent, usage_args);
    fprintf(out, "\n");
}

/* Prints text's words on stdout from column col on; a word that would pass
 * column 80 (a projector) starts a new line, indented by indent. */
static void print_words(int col, int indent, const char *text)
{
    for (const char *w = text + strspn(text, " "); *w != '\0';) {
        int len = (int)strcspn(w, " ");
        if (col + 1 + len > 80 && col > indent) {
            printf("\n%*s", indent, "");
            col = indent;
        }
        printf("%s%.*s", col > 0 ? " " : "", len, w);
        col += (col > 0) + len;
        w += len + strspn(w + len, " ");
    }
    printf("\n");
}

/* An option's line of --help: its name, then its help text from column 25
 * (below the name if the name is longer). */
static void help_line(const char *left, const char *help)
{
    int col = printf("  %-22s", left);
    if (col > 24) {
        printf("\n%24s", "");
        col = 24;
    }
    print_words(col, 24, help);
}

void mp_usage_error(const char *fmt, ...)
{
    /* stderr is unbuffered, and a usage error has nowhere else to go: its
     * fprintf results are not checked. */
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", mp_prog);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    print_usage(stderr);
    exit(2);
}

static void print_help(const char *summary)
{
    print_usage(stdout);
    printf("\n");
    print_words(0, 0, summary);
    printf("\noptions:\n");
    if (mp_tick_option)
        help_line("--tick SECONDS", "length of the seed's \"one second\" (default 1)");
    for (const struct mp_option *o = usage_options; o->name != NULL; o++) {
        char left[64];
        if (o->type == MP_OPT_FLAG)
            snprintf(left, sizeof left, "%s", o->name);
        else
            snprintf(left, sizeof left, "%s %s", o->name, metavar_of(o));
        help_line(left, o->help);
    }
    help_line("-h, --help", "show this help and exit");
    if (fflush(stdout) == EOF)
        mp_die("standard output: %s", strerror(errno));
    exit(0);
}

/* Reads text as a number into *out; the whole text must be the number. */
static bool parse_number(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static void set_value(const struct mp_option *o, const char *text)
{
    double v;
    switch (o->type) {
    case MP_OPT_FLAG:
        break;
    case MP_OPT_TEXT:
        *(const char **)o->value = text;
        break;
    case MP_OPT_INT:
        if (!parse_number(text, &v) || v != floor(v) || v < o->min || v > o->max)
            mp_usage_error("%s: '%s' is not a whole number from %.0f to %.0f",
                           o->name, text, o->min, o->max);
        *(long *)o->value = (long)v;
        break;
    case MP_OPT_SECONDS:
        if (!parse_number(text, &v) || v < o->min || v > o->max)
            mp_usage_error("%s: '%s' is not a number of seconds from %g to %g",
                           o->name, text, o->min, o->max);
        *(double *)o->value = v;
        break;
    }
}

/* A standard stream the shell closed (`demo >&-`) leaves its number free,
 * and the program's next open, pipe or socket would take it: serve's
 * listening socket became its standard output. Each closed one is held by
 * /dev/null opened the wrong way round, so that using it still fails with
 * EBADF, as a closed stream does. (open takes the lowest free number.) */
static void hold_closed_std_streams(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
            open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) == -1)
            mp_die("/dev/null: %s", strerror(errno));
}

int mp_parse_args(int argc, char **argv, const struct mp_option *options,
                  const char *args, const char *summary)
{
    static const struct mp_option none[] = { { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL } };
    const struct mp_option tick = {
        "--tick", MP_OPT_SECONDS, &mp_tick, 0.001, 3600, "SECONDS", NULL
    };

    hold_closed_std_streams();
    if (argc > 0 && argv[0] != NULL) {
        const char *slash = strrchr(argv[0], '/');
        mp_prog = slash != NULL ? slash + 1 : argv[0];
    }
    usage_options = options != NULL ? options : none;
    usage_args = args;

    int i = 1;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0')
            break;                     /* "-" (standard input) and the rest: positional */
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
            print_help(summary);

        /* "--name=value" or "--name value" */
        const char *eq = strchr(arg, '=');
        size_t namelen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
        const struct mp_option *o = NULL;
        if (mp_tick_option && strlen(tick.name) == namelen && strncmp(arg, tick.name, namelen) == 0)
            o = &tick;
        for (const struct mp_option *c = usage_options; o == NULL && c->name != NULL; c++)
            if (strlen(c->name) == namelen && strncmp(arg, c->name, namelen) == 0)
                o = c;
        if (o == NULL)
            mp_usage_error("unknown option '%.*s'", (int)namelen, arg);

        if (o->type == MP_OPT_FLAG) {
            if (eq != NULL)
                mp_usage_error("%s takes no value (got '%s')", o->name, eq + 1);
            *(bool *)o->value = true;
        } else if (eq != NULL) {
            set_value(o, eq + 1);
        } else if (i + 1 < argc) {
            set_value(o, argv[++i]);
        } else {
            mp_usage_error("%s needs a value (%s)", o->name, metavar_of(o));
        }
    }
    if (args == NULL && i < argc)
        mp_usage_error("unexpected argument '%s'", argv[i]);
    return i;
}

