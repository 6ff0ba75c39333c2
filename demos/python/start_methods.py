#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""start_methods - one small experiment under fork, spawn and forkserver.

The Python twin of demos/start_methods.c. A global changed by main, the
list's address, a lock held by another thread of main while the child
starts, and what start+join costs, under each start method. Under spawn and
forkserver the child is a new interpreter that imported this file as
__mp_main__: it ran the top level (counter = 1, a free lock), never the part
under `if __name__ == '__main__':`.
Run it:   python3 demos/python/start_methods.py --tick 0.1
"""
import multiprocessing
import os
import statistics
import sys
import threading
import time

from common import number, parser

counter = 1
lock = threading.Lock()


def experiment(q, main_id, tick, method):
    parent = 'the forkserver' if method == 'forkserver' else 'main'
    print(f"  child PID {os.getpid()}, parent PID {os.getppid()} ({parent})")
    seen = 'is seen' if counter == 2 else 'is not seen'
    print(f"  counter = {counter}: main's change {seen}")
    where = "main's, at main's address" if id(q) == main_id else 'a copy, elsewhere'
    print(f"  list [{', '.join(q)}] at {hex(id(q))}: {where}")
    if lock.acquire(timeout=tick):
        lock.release()
        print("  lock: free, taken at once")
    else:
        print(f"  lock: still held after {tick:.2f} s: its holder was not copied")
    sys.stdout.flush()


def nothing():
    pass


def hold(held, release):
    with lock:
        held.set()
        release.wait()


def cost(ctx, n):
    times = []
    for _ in range(n):
        start = time.monotonic()
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
        times.append(time.monotonic() - start)
    return sorted(times)[n // 2]


if __name__ == '__main__':
    p = parser('start_methods', 'The same child under fork, spawn and forkserver: '
               'what each sees and costs.')
    p.add_argument('--method', choices=['fork', 'spawn', 'forkserver', 'all'], default='all',
                   metavar='NAME', help='fork, spawn, forkserver or all (default all)')
    p.add_argument('--starts', type=number('--starts', 1, 10000, whole=True), default=20,
                   metavar='N', help='start+join N processes per method for the cost (default 20)')
    args = p.parse_args()
    counter = 2
    q = ['a', 'b', 'c']
    held, release = threading.Event(), threading.Event()
    threading.Thread(target=hold, args=(held, release)).start()
    held.wait()
    print(f"main PID {os.getpid()}: counter = 2, list [a, b, c] at {hex(id(q))}")
    print("main: a thread holds the lock")
    methods = ['fork', 'spawn', 'forkserver'] if args.method == 'all' else [args.method]
    for method in methods:
        ctx = multiprocessing.get_context(method)
        print(f"{method}:")
        child = ctx.Process(target=experiment, args=(q, id(q), args.tick, method))
        child.start()
        child.join()
        print(f"  start+join: {cost(ctx, args.starts) * 1000:.2f} ms "
              f"(median of {args.starts})")
    release.set()
