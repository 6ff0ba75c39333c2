#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""list_copy - a list handed to two children is copied: both do all the work (seed 3.1).

The Python twin of demos/list_copy.c. Under fork, id(q) is the same number in
the main and both children (the seed says they differ; under 'spawn' they
do): each child has a copy of the main's memory at the same addresses. Each
pops c, b and a from its own copy.
Run it:   python3 demos/python/list_copy.py
"""
import multiprocessing
import os
from multiprocessing import Process

from common import _, parser, start_method_option


def work(name, q):
    pid = os.getpid()
    print(_("%s (PID %ld): q is at %p") % (name, pid, id(q)))
    while q:
        print(_("%s (PID %ld) got %c") % (name, pid, q.pop()))


def work1(q):
    work("work1", q)


def work2(q):
    work("work2", q)


if __name__ == '__main__':
    p = parser('list_copy', _("Seed 3.1: a list handed to two children is copied, "
                              "so both pop all of it."), tick=False)
    start_method_option(p)
    multiprocessing.set_start_method(p.parse_args().start_method)
    q = ['a', 'b', 'c']
    print(_("main (PID %ld): q = [a, b, c] is at %p") % (os.getpid(), id(q)))
    p1 = Process(target=work1, args=(q,))
    p2 = Process(target=work2, args=(q,))
    p1.start()
    p2.start()
    print(_("main process done!"))
    # No join, as in the seed: Python joins them at exit.
