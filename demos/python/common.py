# SPDX-License-Identifier: MIT
"""What every twin shares: the command line of its C demo, and fork.

Each demos/python/NAME.py is the Python twin of demos/NAME.c: the program the
C re-builds, with the same options and, after numbers and addresses, the same
lines. This module holds the two things all twelve need, once.
"""
import argparse
import math
import multiprocessing
import sys


def use_fork():
    """The C demos fork, so the twins do too. Python 3.14 made 'forkserver'
    the Linux default, and macOS uses 'spawn': choose 'fork' explicitly."""
    multiprocessing.set_start_method('fork')


def start_method_option(p):
    """The C demos' --start-method NAME (fork, the default, spawn or forkserver)."""
    p.add_argument('--start-method', choices=['fork', 'spawn', 'forkserver'], default='fork',
                   metavar='NAME',
                   help='how children start: fork (the default), spawn or forkserver')


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
            what = 'a whole number from %d to %d' if whole else 'a number of seconds from %g to %g'
            raise argparse.ArgumentTypeError(("'%s' is not " + what) % (text, low, high))
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
        epilog='The twin of build/bin/%s (demos/%s.c); it has no --timeline '
               'options.' % (prog, prog))
    if tick:
        p.add_argument('--tick', type=number('--tick', 0.001, 3600), default=1.0,
                       metavar='SECONDS',
                       help='length of the seed\'s "one second" (default 1)')
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
        stream.reconfigure(line_buffering=True, write_through=False)


whole_lines()
