#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""shared_counter - one counter that several processes really share (the seed's question in 二).

The Python twin of demos/shared_counter.c: N processes add 1 to one
Value('i', 0) M times each, three rounds with fresh processes: without the
lock (`counter.value += 1` loses updates), with get_lock() around every
increment (none lost), and adding locally, then once under get_lock().

Value's .value takes the Value's lock (an RLock) for the load, and again
for the store, but not across the two: `counter.value += 1` is still a load,
an add and a store, and two processes can both load the same number. The C
demo's `*value += 1` takes no lock at all; both lose updates the same way.

The default is 100000 increments, not the C demo's 1000000: Python adds 1
to a Value about a hundred times slower (each .value is a method call and a
lock), so this counts for about as long. Give both the same --increments
to compare their lines (make compare DEMO=shared_counter ARGS=...).
Run it:   python3 demos/python/shared_counter.py
          python3 demos/python/shared_counter.py --start-method spawn
"""
import os
import sys
import time
from multiprocessing import Array, Process, Value

import multiprocessing

from common import number, parser, start_method_option

UNLOCKED, LOCKED, LOCAL = range(3)
ROUND_NAME = ["without the lock", "with get_lock()", "locally, then get_lock() once"]
ROUND_WORD = ["unlocked", "locked", "local"]


def start_line(ready, go):
    # Starting a process takes longer than a short count: each worker says
    # it is there, then waits until main says go (see the C demo).
    with ready.get_lock():
        ready.value += 1
    while go.value == 0:
        time.sleep(0.0002)


def count(counter, times, ready, go, index, n, rnd):
    start_line(ready, go)
    times[2 * index] = time.monotonic()         # the same clock in every process
    if rnd == UNLOCKED:
        for _ in range(n):
            counter.value += 1                  # load, add, store
    elif rnd == LOCKED:
        for _ in range(n):
            with counter.get_lock():
                counter.value += 1              # the three steps, nobody between
    else:
        mine = 0
        for _ in range(n):
            mine += 1
        with counter.get_lock():
            counter.value += mine
    times[2 * index + 1] = time.monotonic()


def run_round(rnd, counter, times, ready, go, nworkers, n):
    counter.value = ready.value = go.value = 0
    workers = [Process(target=count, args=(counter, times, ready, go, i, n, rnd))
               for i in range(nworkers)]
    for w in workers:
        w.start()
    while ready.value < nworkers:
        for w in workers:
            if not w.is_alive():
                sys.exit(f"shared_counter: {w.name} ended before the start")
        time.sleep(0.001)
    go.value = 1
    for w in workers:
        w.join()
        if w.exitcode != 0:
            sys.exit(f"shared_counter: {w.name} ended with exitcode {w.exitcode}")
    expected = nworkers * n
    print(f"{ROUND_NAME[rnd]:<29} expected {expected}, got {counter.value}, "
          f"lost {expected - counter.value}")
    return max(times[1:2 * nworkers:2]) - min(times[0:2 * nworkers:2])


if __name__ == '__main__':
    p = parser('shared_counter', 'N processes add 1 to one shared counter: without '
               'the lock, with it.', tick=False)
    p.add_argument('--workers', type=number('--workers', 1, 64, whole=True), default=4,
                   metavar='N', help='how many processes count (default 4, at most 64)')
    p.add_argument('--increments', type=number('--increments', 1, 100000000, whole=True),
                   default=100000, metavar='M',
                   help='how many times each adds 1 (default 100000)')
    p.add_argument('--only', choices=ROUND_WORD, metavar='ROUND',
                   help='run one round: unlocked, locked or local (default: all three)')
    start_method_option(p)
    args = p.parse_args()
    if args.workers * args.increments > 2**31 - 1:
        p.error(f"--workers times --increments is {args.workers * args.increments}, "
                f"more than an int holds ({2**31 - 1})")
    multiprocessing.set_start_method(args.start_method)
    nworkers, n = args.workers, args.increments
    counter, ready, go = Value('i', 0), Value('i', 0), Value('i', 0)
    times = Array('d', 2 * nworkers)
    print(f"{nworkers} processes ({args.start_method}) each add 1 to one shared counter "
          f"{n} times")
    rounds = [r for r in range(3) if args.only in (None, ROUND_WORD[r])]
    seconds = {r: run_round(r, counter, times, ready, go, nworkers, n) for r in rounds}
    print("Why: adding 1 is three steps: load the number, add 1, store it back.")
    print("Two processes that load the same number both store it plus 1: one")
    print("update is lost. The lock lets one process at a time do all three.")
    total = nworkers * n
    print(f"Cost per increment (the counting's wall time / {total}):")
    for r in rounds:
        ratio = ""
        if r != UNLOCKED and UNLOCKED in seconds and seconds[UNLOCKED] > 0:
            ratio = f"  {seconds[r] / seconds[UNLOCKED]:.1f}x"
        print(f"  {ROUND_NAME[r]:<29} {seconds[r] / total * 1e9:8.1f} ns{ratio}")
