/* SPDX-License-Identifier: MIT */
/*
 * options: the command line, as every demo reads it (mp_parse_args): a table
 * of options, --tick and --help built in, and Python's argparse manners: bad
 * input is one line naming the option and the text, then the usage, exit 2;
 * the usage and the help wrap at 80 columns (a projector), counted as a
 * terminal draws them: a Chinese character takes two. In Chinese (lang.c)
 * the library's words here are translated, and so are the options' help
 * texts, the demo's summary and a usage error's message, which the demos
 * mark with N_().
 */
#include "mp.h"
#include "mp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    int len = mp_text_width(item);
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
    char item[96], head[320];
    snprintf(head, sizeof head, _("usage: %s"), mp_prog);
    fputs(head, out);
    int col = mp_text_width(head);
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

/* Prints text on stdout from column col on; a piece that would pass column
 * 80 (a projector) starts a new line, indented by indent. A piece is a word,
 * or, in Chinese, which has no spaces, a character (mp_text_piece). */
static void print_words(int col, int indent, const char *text)
{
    bool space = col > 0;                 /* a space before the next piece */
    for (const char *w = text + strspn(text, " "); *w != '\0';) {
        int width;
        size_t len = mp_text_piece(w, &width);
        if (col + space + width > 80 && col > indent) {
            printf("\n%*s", indent, "");
            col = indent;
            space = indent > 0;           /* in line with the first line's text */
        }
        printf("%s%.*s", space ? " " : "", (int)len, w);
        col += space + width;
        space = w[len] == ' ';
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
    print_words(col, 24, _(help));
}

void mp_usage_error(const char *fmt, ...)
{
    /* stderr is unbuffered, and a usage error has nowhere else to go: its
     * fprintf results are not checked. */
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", mp_prog);
    vfprintf(stderr, _(fmt), ap);
    fprintf(stderr, "\n");
    va_end(ap);
    print_usage(stderr);
    exit(2);
}

static void print_help(const char *summary)
{
    print_usage(stdout);
    printf("\n");
    print_words(0, 0, _(summary));
    printf("\n%s\n", _("options:"));
    if (mp_tick_option)
        help_line("--tick SECONDS", N_("length of the seed's \"one second\" (default 1)"));
    for (const struct mp_option *o = usage_options; o->name != NULL; o++) {
        char left[64];
        if (o->type == MP_OPT_FLAG)
            snprintf(left, sizeof left, "%s", o->name);
        else
            snprintf(left, sizeof left, "%s %s", o->name, metavar_of(o));
        help_line(left, o->help);
    }
    help_line("-h, --help", N_("show this help and exit"));
    if (fflush(stdout) == EOF)
        mp_die(N_("standard output: %s"), strerror(errno));
    exit(0);
}

/* Reads text as a number into *out; the whole text must be the number, in
 * decimal, as Python's float() reads it (strtod would also take hex). */
static bool parse_number(const char *text, double *out)
{
    char *end;
    if (strpbrk(text, "xX") != NULL)
        return false;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* Reads text as a whole number, digits only after an optional sign, as
 * Python's int() reads it: no "1e3", no "0x10". */
static bool parse_whole(const char *text, double *out)
{
    const char *digits = text + (*text == '+' || *text == '-');
    if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits))
        return false;
    return parse_number(text, out);
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
        if (!parse_whole(text, &v) || v < o->min || v > o->max)
            mp_usage_error(N_("%s: '%s' is not a whole number from %.0f to %.0f"),
                           o->name, text, o->min, o->max);
        *(long *)o->value = (long)v;
        break;
    case MP_OPT_SECONDS:
        if (!parse_number(text, &v) || v < o->min || v > o->max)
            mp_usage_error(N_("%s: '%s' is not a number of seconds from %g to %g"),
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
            mp_usage_error(N_("unknown option '%.*s'"), (int)namelen, arg);

        if (o->type == MP_OPT_FLAG) {
            if (eq != NULL)
                mp_usage_error(N_("%s takes no value (got '%s')"), o->name, eq + 1);
            *(bool *)o->value = true;
        } else if (eq != NULL) {
            set_value(o, eq + 1);
        } else if (i + 1 < argc) {
            set_value(o, argv[++i]);
        } else {
            mp_usage_error(N_("%s needs a value (%s)"), o->name, metavar_of(o));
        }
    }
    if (args == NULL && i < argc)
        mp_usage_error(N_("unexpected argument '%s'"), argv[i]);
    return i;
}

