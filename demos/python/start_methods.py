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

from common import _, number, parser

counter = 1
lock = threading.Lock()


def experiment(q, main_id, tick, method):
    parent = _("the forkserver") if method == 'forkserver' else _("main")
    print(_("  child PID %ld, parent PID %ld (%s)") % (os.getpid(), os.getppid(), parent))
    seen = _("is seen") if counter == 2 else _("is not seen")
    print(_("  counter = %d: main's change %s") % (counter, seen))
    where = _("main's, at main's address") if id(q) == main_id else _("a copy, elsewhere")
    print(_("  list [%c, %c, %c] at %p: %s") % (q[0], q[1], q[2], id(q), where))
    if lock.acquire(timeout=tick):
        lock.release()
        print(_("  lock: free, taken at once"))
    else:
        print(_("  lock: still held after %.2f s: its holder was not copied") % tick)
    sys.stdout.flush()


def nothing():
    pass


def hold(held, release):
    with lock:
        held.set()
        release.wait()


def cost(ctx, n):
    times = []
    for i in range(n):
        start = time.monotonic()
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
        times.append(time.monotonic() - start)
    return sorted(times)[n // 2]


if __name__ == '__main__':
    p = parser('start_methods', _("The same child under fork, spawn and forkserver: "
                                  "what each sees and costs."))
    p.add_argument('--method', choices=['fork', 'spawn', 'forkserver', 'all'], default='all',
                   metavar='NAME', help=_("fork, spawn, forkserver or all (default all)"))
    p.add_argument('--starts', type=number('--starts', 1, 10000, whole=True), default=20,
                   metavar='N', help=_("start+join N processes per method for the cost "
                                       "(default 20)"))
    args = p.parse_args()
    counter = 2
    q = ['a', 'b', 'c']
    held, release = threading.Event(), threading.Event()
    threading.Thread(target=hold, args=(held, release)).start()
    held.wait()
    print(_("main PID %ld: counter = 2, list [a, b, c] at %p") % (os.getpid(), id(q)))
    print(_("main: a thread holds the lock"))
    methods = ['fork', 'spawn', 'forkserver'] if args.method == 'all' else [args.method]
    for method in methods:
        ctx = multiprocessing.get_context(method)
        print(f"{method}:")
        child = ctx.Process(target=experiment, args=(q, id(q), args.tick, method))
        child.start()
        child.join()
        print(_("  start+join: %.2f ms (median of %ld)") % (cost(ctx, args.starts) * 1000,
                                                          args.starts))
    release.set()
