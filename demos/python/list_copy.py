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

from common import parser, start_method_option


def work(name, q):
    pid = os.getpid()
    print(f"{name} (PID {pid}): q is at {hex(id(q))}")
    while q:
        print(f"{name} (PID {pid}) got {q.pop()}")


def work1(q):
    work("work1", q)


def work2(q):
    work("work2", q)


if __name__ == '__main__':
    p = parser('list_copy', 'Seed 3.1: a list handed to two children is copied, '
               'so both pop all of it.', tick=False)
    start_method_option(p)
    multiprocessing.set_start_method(p.parse_args().start_method)
    q = ['a', 'b', 'c']
    print(f"main (PID {os.getpid()}): q = [a, b, c] is at {hex(id(q))}")
    p1 = Process(target=work1, args=(q,))
    p2 = Process(target=work2, args=(q,))
    p1.start()
    p2.start()
    print('main process done!')
    # No join, as in the seed: Python joins them at exit.
