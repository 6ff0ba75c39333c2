#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pool_map - a pool of 9 workers squares 1, 2, 3, 4: Pool.map (seed 6.1).

The Python twin of demos/pool_map.c: [1, 4, 9, 16] after about one tick.
The chunksize line is what Pool.map computes when given none (the same
formula, in Pool._map_async: divmod(items, 4 * workers), rounded up).

Where Python behaves otherwise: --crash K. The task for K reads address 0
(ctypes.string_at(0)) and its worker dies of SIGSEGV, as the C task does.
forklore's pool fails that one item and goes on; Python's Pool starts a new
worker but never learns the task is lost, and map waits for ever (CPython
issue 66587). So the twin calls map_async and waits at most as long as the
map could take (plus a margin), then says it is still waiting, ends the
pool and exits 1.

--start-method spawn or forkserver: each worker is a new interpreter that
imports this file as __mp_main__ and never runs the part under the guard,
so it sees neither the tick nor --crash as main set them. As in the C, the
item carries whether it crashes; the tick, which forklore sends with every
new process, reaches Python's workers through the pool's initializer.
Run it:   python3 demos/python/pool_map.py --tick 0.1
          python3 demos/python/pool_map.py --items 100 --crash 37 --tick 0.01
          python3 demos/python/pool_map.py --tick 0.1 --start-method spawn
"""
import ctypes
import math
import multiprocessing
import os
import sys
import time
from multiprocessing import Pool

from common import _, number, parser, start_method_option

tick = 1.0


def set_tick(main_tick):
    """Runs in each worker as it starts (Pool's initializer)."""
    global tick
    tick = main_tick


def square(item):
    x, crash = item             # the item carries all the task needs
    if crash:
        ctypes.string_at(0)     # a bug, on purpose: reads address 0: SIGSEGV
    result = x * x
    time.sleep(tick)
    return result


def python_chunksize(items, workers):
    chunksize, extra = divmod(items, workers * 4)
    return chunksize + 1 if extra else chunksize


if __name__ == '__main__':
    p = parser('pool_map', _("Seed 6.1: Pool(9).map(square, [1, 2, 3, 4]) prints "
                             "[1, 4, 9, 16] after one tick."))
    p.add_argument('--workers', type=number('--workers', 0, 256, whole=True), default=9,
                   metavar='N', help=_("worker processes (default 9, the seed's Pool(9); "
                                       "0: one per CPU)"))
    p.add_argument('--items', type=number('--items', 1, 1000000, whole=True), default=4,
                   metavar='N', help=_("square 1..N (default 4)"))
    p.add_argument('--chunksize', type=number('--chunksize', 0, 1000000, whole=True),
                   default=0, metavar='N', help=_("items per task (default 0: Python's, "
                                                  "ceil(N / (4 * workers)))"))
    p.add_argument('--crash', type=number('--crash', 1, 1000000, whole=True), default=0,
                   metavar='K', help=_("the task for item K reads address 0 (its worker dies)"))
    start_method_option(p)
    args = p.parse_args()
    if args.crash > args.items:
        p.error(_("--crash: '%ld' is not one of the items 1 to %ld") % (args.crash, args.items))
    tick, crash_item = args.tick, args.crash
    multiprocessing.set_start_method(args.start_method)
    workers = args.workers or os.cpu_count()
    chunksize = args.chunksize or python_chunksize(args.items, workers)
    numbers = [(x, x == crash_item) for x in range(1, args.items + 1)]

    start = time.time()
    pool = Pool(workers, initializer=set_tick, initargs=(tick,))
    if not crash_item:
        result = pool.map(square, numbers, args.chunksize or None)
    else:
        pending = pool.map_async(square, numbers, args.chunksize or None)
        rounds = math.ceil(math.ceil(args.items / chunksize) / workers)
        waited = rounds * chunksize + 10            # ticks: the whole map, and more
        pending.wait(waited * tick)
        if not pending.ready():
            print("pool_map: " + _("map: no result after %d ticks: the worker given item %d "
                                   "died,") % (waited, crash_item), file=sys.stderr)
            print("pool_map: " + _("and Python's Pool waits for ever (CPython issue 66587): "
                                   "stopping"), file=sys.stderr)
            pool.terminate()
            sys.exit(1)
        result = pending.get()
    print(result)
    print(_("chunksize %zu (%s)") % (chunksize, "--chunksize" if args.chunksize else
          _("Python's default: ceil(items / (4 * workers))")))
    pool.close()    # no join, as in the seed: the workers end at exit
    print(_("total: %.2f s") % (time.time() - start))
