#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pool_map_async - Pool.map_async, and what happens when nobody calls get (seed 6.1).

The Python twin of demos/pool_map_async.c. Without --get the main's two
lines come at once, no "~~~~~~~~~~" line ever prints: at exit Python's pool
finalizer terminates the workers, and the four squares are never computed.
Python says nothing about it; forklore's exit handler warns on stderr, and
so does the twin, just before the end: it counts the squares finished (a
shared counter, which the seed does not have) to say how many are dropped.
Run it:   python3 demos/python/pool_map_async.py --tick 0.1 [--get]
"""
import sys
import time
from multiprocessing import Pool, Value

from common import _, parser, use_fork

tick = 1.0
finished = None         # a shared counter: made before the pool forks its workers


def square(x):
    time.sleep(2 * tick)
    result = x * x
    print("~~~~~~~~~~")
    with finished.get_lock():
        finished.value += 1
    return result


if __name__ == '__main__':
    p = parser('pool_map_async', _("Seed 6.1: Pool(8).map_async without get: the "
                                   "main ends at once, the tasks are dropped."))
    p.add_argument('--get', action='store_true',
                   help=_("call result.get() and print it (the seed's commented-out line)"))
    args = p.parse_args()
    tick = args.tick
    use_fork()
    finished = Value('i', 0)
    numbers = [1, 2, 3, 4]

    start = time.time()
    pool = Pool(8)
    result = pool.map_async(square, numbers)     # does not block
    if args.get:
        print(result.get())
    print(_("total: %.2f s") % (time.time() - start))
    print(_("main program ends"))
    dropped = len(numbers) - finished.value
    if dropped:
        # What the exit does next: the pool's finalizer terminates the workers.
        # (The C library's words, lib/pool.c, and their Chinese in lib/zh.po.)
        print("pool_map_async: " + _("exit: %zu unfinished pool task%s dropped, workers "
                                     "terminated") % (dropped, '' if dropped == 1 else 's'),
              file=sys.stderr)
