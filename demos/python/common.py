# SPDX-License-Identifier: MIT
"""What every twin shares: the command line of its C demo, fork, and the language.

Each demos/python/NAME.py is the Python twin of demos/NAME.c: the program the
C re-builds, with the same options and, after numbers and addresses, the same
lines. This module holds what all twelve need, once.

The language, as the C demos choose it (lib/lang.c): under a Chinese locale
_(text) is that text in Chinese, from the same catalogs the C demos are built
with (demos/zh/NAME.po, lib/zh.po), read here as they are; English
otherwise. The texts are C's printf formats, the C demo's own, and % formats
them as printf does (%ld, %zu, %p; %2$s, which lets a translation put the
arguments in another order).
"""
import argparse
import math
import multiprocessing
import os
import re
import sys
import unicodedata


def use_fork():
    """The C demos fork, so the twins do too. Python 3.14 made 'forkserver'
    the Linux default, and macOS uses 'spawn': choose 'fork' explicitly."""
    multiprocessing.set_start_method('fork')


def start_method_option(p):
    """The C demos' --start-method NAME (fork, the default, spawn or forkserver)."""
    p.add_argument('--start-method', choices=['fork', 'spawn', 'forkserver'], default='fork',
                   metavar='NAME',
                   help=_("how children start: fork (the default), spawn or forkserver"))


def number(name, low, high, whole=False):
    """An argparse type: a number from low to high, refused the way the C
    demos refuse it (the option, the text, the range)."""
    def convert(text):
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        # the range first: it also refuses nan and inf, which int() cannot take
        if not (low <= value <= high) or (whole and value != int(value)):
            what = (_("'%s' is not a whole number from %d to %d") if whole else
                    _("'%s' is not a number of seconds from %g to %g"))
            raise argparse.ArgumentTypeError(what % (text, low, high))
        return int(value) if whole else value
    convert.__name__ = name
    return convert


def parser(prog, summary, tick=True):
    """argparse with the C demo's name and summary, and its --tick where the
    lesson sleeps. Usage errors exit 2, as the C demos' do. The C demos'
    --timeline options draw a chart; the twins do not mirror them.

    (print's whole lines: see whole_lines, done when this module is imported.)"""
    p = argparse.ArgumentParser(
        prog=prog, description=summary,
        epilog=_("The twin of build/bin/%s (demos/%s.c); it has no --timeline "
                 "options.") % (prog, prog),
        formatter_class=ColumnsFormatter if chinese() else argparse.HelpFormatter)
    if tick:
        p.add_argument('--tick', type=number('--tick', 0.001, 3600), default=1.0,
                       metavar='SECONDS',
                       help=_("length of the seed's \"one second\" (default 1)"))
    return p


def whole_lines():
    """Makes print hand each line to the kernel whole, in one write, as
    forklore's mp_print does: line buffering (a buffer that fork copies or a
    terminated process loses holds at most part of one line), and no write
    per piece even under PYTHONUNBUFFERED=1 (which would let another
    process's line land in the middle of one). Done at import, not under
    the guard: a spawned child imports this module too, and never runs
    the main's part."""
    for stream in (sys.stdout, sys.stderr):
        # UTF-8 as the C demos write, whatever the locale: a Chinese locale
        # need not be generated (without it Python would write ASCII)
        stream.reconfigure(encoding='utf-8', line_buffering=True, write_through=False)


# --- the reader's language ---

CATALOGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'zh')
LIB_CATALOG = os.path.join(CATALOGS, '..', '..', 'lib', 'zh.po')
catalog = None          # msgid -> Chinese; read at the first _(), in each interpreter


def chinese():
    """LANGUAGE's first entry, else the first of LC_ALL, LC_MESSAGES and
    LANG that is set and not empty: "zh", "zh_CN.UTF-8"... mean Chinese."""
    for name in ('LANGUAGE', 'LC_ALL', 'LC_MESSAGES', 'LANG'):
        if os.environ.get(name):
            return os.environ[name].startswith('zh')
    return False


def read_catalog(path):
    """A PO file's msgid -> msgstr pairs (the plain subset of lib/zh.po)."""
    unquote = lambda s: re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t'}.get(m[1], m[1]),
                               s.strip()[1:-1])
    pairs, entry, field = {}, {}, None
    with open(path, encoding='utf-8') as f:
        for line in list(f) + ['msgid ""']:
            if line.startswith('msgid '):
                if entry.get('msgid') and entry.get('msgstr'):
                    pairs[entry['msgid']] = entry['msgstr']
                entry, field = {}, 'msgid'
                line = line[6:]
            elif line.startswith('msgstr '):
                field, line = 'msgstr', line[7:]
            if line.startswith('"') and field:
                entry[field] = entry.get(field, '') + unquote(line)
    return pairs


def _(text):
    """gettext's _(): text in Chinese under a Chinese locale (the twin's
    catalog, demos/zh/NAME.po, then the library's), else text itself."""
    global catalog
    if catalog is None:
        catalog = {}
        main = getattr(sys.modules.get('__main__'), '__file__', None) or ''
        name = os.path.splitext(os.path.basename(main))[0]
        for path in (LIB_CATALOG, os.path.join(CATALOGS, name + '.po')):
            if chinese() and os.path.exists(path):
                catalog.update(read_catalog(path))
    return Message(catalog.get(text, text))


class Message(str):
    """A text from _(): % formats it as C's printf does (see printf)."""
    def __mod__(self, args):
        if isinstance(args, dict):              # argparse's %(name)s
            return str.__mod__(self, args)
        return printf(self, args if isinstance(args, tuple) else (args,))


CONVERSION = re.compile(r'%(?:(\d+)\$)?([-+ #0]*)(\d*)(\.\d+)?(?:hh|h|ll|l|L|z|j|t)?'
                        r'([diouxXeEfFgGcspr%])')


def printf(fmt, args):
    """fmt % args as C's printf reads fmt: the C demo's format, or its
    translation, which may number the arguments ("%2$s"). %-13s pads to 13
    bytes of UTF-8, as printf counts, so a table lines up as the C's does."""
    count = 0

    def one(m):
        nonlocal count
        position, flags, width, precision, conversion = m.groups()
        if conversion == '%':
            return '%'
        if position:
            value = args[int(position) - 1]
        else:
            value, count = args[count], count + 1
        if conversion == 's':
            text = str(value)[:int(precision[1:])] if precision else str(value)
            pad = ' ' * max(0, int(width or 0) - len(text.encode()))
            return text + pad if '-' in flags else pad + text
        spec = '%' + flags + width + (precision or '')
        if conversion == 'p':
            return (spec + '#x') % value
        return (spec + ('d' if conversion == 'u' else conversion)) % value

    text = CONVERSION.sub(one, fmt)
    if '$' not in fmt and count != len(args):
        raise TypeError('not all arguments converted during string formatting')
    return text


# Wrapping as a terminal draws Chinese (lib/lang.c's mp_text_piece): a
# character takes two columns, and a line may break between two characters
# of which one is Chinese, except before a closing or after an opening mark.
OPENS = '([{\u201c\u2018\u3008\u300a\u300c\u300e\u3010\uff08'
CLOSES = ')]},.;:!?%\'"\u201d\u2019\u3001\u3002\u3009\u300b\u300d\u300f\u3011' \
         '\uff09\uff0c\uff1a\uff1b\uff01\uff1f'


def columns(text):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in text)


def wrap(text, width):
    """text's lines, each at most width columns wide."""
    wide = lambda c: unicodedata.east_asian_width(c) in 'WF'
    lines, line, col = [], '', 0
    for word in text.split():
        start = 0
        for end in range(1, len(word) + 1):
            a, b = word[end - 1], word[end] if end < len(word) else ''
            if b and not ((wide(a) or wide(b)) and a not in OPENS and b not in CLOSES):
                continue
            piece, space = word[start:end], start == 0 and line != ''
            if line and col + space + columns(piece) > width:
                lines.append(line)
                line, col, space = '', 0, False
            line += ' ' * space + piece
            col += space + columns(piece)
            start = end
    return lines + [line] if line else lines


class ColumnsFormatter(argparse.HelpFormatter):
    """argparse's help, wrapped by columns (wrap) rather than by characters."""
    def _split_lines(self, text, width):
        return wrap(text, width)

    def _fill_text(self, text, width, indent):
        return '\n'.join(indent + line for line in wrap(text, width - len(indent)))


whole_lines()
if chinese():
    # argparse hands its own words to gettext's _ and ngettext: give it ours
    argparse._ = _
    argparse.ngettext = lambda singular, plural, n: _(singular if n == 1 else plural)
