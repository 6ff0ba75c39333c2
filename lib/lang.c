/* SPDX-License-Identifier: MIT */
/*
 * lang: the reader's language. Under a Chinese locale every demo speaks
 * Chinese, in the seed's own words where the seed prints the line; English
 * otherwise. It is gettext's way without gettext (libc only): the English
 * stays in the source, wrapped in _(), and the Chinese is in plain PO
 * catalogs, one per demo (demos/zh/NAME.po) and one for the library
 * (lib/zh.po). The Makefile turns each into a C table of msgid, msgstr
 * pairs (demos/zh/po2c.awk); the Python twins read the same files.
 *
 * No setlocale: a fresh Debian or Ubuntu has no zh_CN locale generated, and
 * none is needed. The language comes from the environment as gettext reads
 * it, and the text is UTF-8 whatever the locale says. The OS's reasons
 * (strerror) come in English then, so the library's catalog holds glibc's
 * own Chinese for the common ones.
 *
 * util and options call this file; it calls nothing of the library's.
 */
#include "mp.h"
#include "mp_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The tables the Makefile makes: "msgid", "msgstr", ..., NULL. The
 * library's is in libmp.a. A demo's is linked into that demo alone; a
 * program without one (a test, a benchmark) still links: the declaration
 * is weak, and the table's address is NULL then. */
extern const char *const mp_lib_catalog[];
extern const char *const mp_demo_catalog[] __attribute__((weak));

/* LANGUAGE's first entry, else the first of LC_ALL, LC_MESSAGES and LANG
 * that is set and not empty: "zh", "zh_CN.UTF-8", "zh_TW"... mean Chinese. */
static bool environment_says_chinese(void)
{
    static const char *const names[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *value = getenv(names[i]);
        if (value != NULL && value[0] != '\0')
            return strncmp(value, "zh", 2) == 0;
    }
    return false;
}

/* Decided once, at the first message: a child has its parent's answer (a
 * forked copy, or a new program reading the same environment). */
static int chinese = -1;

bool mp_chinese(void)
{
    if (chinese == -1)
        chinese = environment_says_chinese();
    return chinese;
}

static const char *look_up(const char *const *table, const char *msgid)
{
    for (; table[0] != NULL; table += 2)
        if (strcmp(table[0], msgid) == 0)
            return table[1];
    return NULL;
}

const char *mp_gettext(const char *msgid)
{
    if (msgid == NULL || !mp_chinese())
        return msgid;
    const char *text = NULL;
    if (mp_demo_catalog != NULL)
        text = look_up(mp_demo_catalog, msgid);
    if (text == NULL)
        text = look_up(mp_lib_catalog, msgid);
    return text != NULL ? text : msgid;
}

void mp_translate_reason(char *msg, size_t size, int err)
{
    if (err == 0 || !mp_chinese())
        return;
    const char *en = strerror(err);
    const char *zh = mp_gettext(en);
    char *at = strstr(msg, en);
    if (zh == en || at == NULL)
        return;
    size_t enlen = strlen(en), zhlen = strlen(zh), len = strlen(msg);
    if (len - enlen + zhlen >= size)
        return;                              /* no room: English it stays */
    memmove(at + zhlen, at + enlen, len - (size_t)(at - msg) - enlen + 1);
    memcpy(at, zh, zhlen);
}

/* --- widths on a terminal: a Chinese character takes two columns --- */

/* Whether code point c is wide: the East Asian scripts and the full-width
 * forms (Unicode's East Asian Width W and F), as terminals draw them. */
static bool wide(unsigned c)
{
    return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
           (c >= 0x3041 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
           (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
           (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ||
           (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x1f900 && c <= 0x1f9ff) ||
           (c >= 0x20000 && c <= 0x3fffd);
}

/* The character at s, decoded from UTF-8 into *c; returns its length in
 * bytes. A byte that starts no valid sequence counts as one character. */
static int decode(const char *s, unsigned *c)
{
    const unsigned char *u = (const unsigned char *)s;
    int len = u[0] < 0x80 ? 1 : u[0] < 0xc2 ? 0 : u[0] < 0xe0 ? 2 : u[0] < 0xf0 ? 3
            : u[0] < 0xf5 ? 4 : 0;
    if (len == 0) {
        *c = u[0];
        return 1;
    }
    unsigned v = len == 1 ? u[0] : u[0] & (0x7f >> len);
    for (int i = 1; i < len; i++) {
        if ((u[i] & 0xc0) != 0x80) {        /* cut short (a NUL included) */
            *c = u[0];
            return 1;
        }
        v = v << 6 | (u[i] & 0x3f);
    }
    *c = v;
    return len;
}

static int columns_of(unsigned c)
{
    if ((c >= 0x0300 && c <= 0x036f) || (c >= 0x200b && c <= 0x200f))
        return 0;                            /* combining marks, zero-width spaces */
    return wide(c) ? 2 : 1;
}

int mp_text_width(const char *s)
{
    int width = 0;
    unsigned c;
    while (*s != '\0') {
        s += decode(s, &c);
        width += columns_of(c);
    }
    return width;
}

/* Punctuation that must not end a line (it opens), and that must not start
 * one (it closes), in Chinese as in English. */
static bool opens(unsigned c)
{
    return c == '(' || c == '[' || c == '{' || c == 0x201c || c == 0x2018 ||
           c == 0x3008 || c == 0x300a || c == 0x300c || c == 0x300e || c == 0x3010 ||
           c == 0xff08;
}

static bool closes(unsigned c)
{
    return (c < 0x80 && c != '\0' && strchr(")]},.;:!?%'\"", (int)c) != NULL) ||
           c == 0x201d || c == 0x2019 || c == 0x3001 || c == 0x3002 || c == 0x3009 ||
           c == 0x300b || c == 0x300d || c == 0x300f || c == 0x3011 || c == 0xff09 ||
           c == 0xff0c || c == 0xff1a || c == 0xff1b || c == 0xff01 || c == 0xff1f;
}

size_t mp_text_piece(const char *s, int *columns)
{
    size_t len = 0;
    unsigned prev = 0, c;
    *columns = 0;
    while (s[len] != '\0' && s[len] != ' ') {
        int n = decode(s + len, &c);
        /* Chinese is written without spaces: a line may break between two
         * characters of which one is wide, except around punctuation. */
        if (len > 0 && (wide(prev) || wide(c)) && !opens(prev) && !closes(c))
            break;
        len += (size_t)n;
        *columns += columns_of(c);
        prev = c;
    }
    return len;
}
