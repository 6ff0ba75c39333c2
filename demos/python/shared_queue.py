#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""shared_queue - the same items through a shared Queue: the workers divide them (seed 3.2).

The Python twin of demos/shared_queue.c: a, b and c, each got once, shared
between the workers. Both print the same id(q), as list_copy's did: an id
alone does not say whether the memory is shared (a Queue is a pipe plus a
lock and a semaphore, which fork hands to the children).

Python has no "close: no more items" that a consumer sees, as forklore's
mp_queue_close is. The twin says so the way multiprocessing.Pool does: after
the items, one None per worker (a "poison pill"); a worker stops at its None.
--racy runs the seed's `while not q.empty(): q.get()` instead, with a get
timeout of one tick: without it, a worker that lost the race for the last
item waits in get for ever (the seed's program hangs a few times in a
hundred), with it the twin says so and goes on, as the C demo does.
empty() can be wrong the other way too: put hands the item to a feeder
thread, which writes it into the queue's pipe a moment later, and until
then empty() says True (Python's documentation warns of it); the seed's
half-second sleep before the loop covers that moment.
Run it:   python3 demos/python/shared_queue.py --tick 0.1
          python3 demos/python/shared_queue.py --racy --items 1 --workers 8 --tick 0.1
"""
import os
import queue
import time
from multiprocessing import Process, Queue, current_process

import multiprocessing

from common import _, number, parser, start_method_option

WORK = 0.01     # ticks of work per item (not in the seed: see demos/shared_queue.c)
tick = 1.0
racy = False
start = 0.0


def racy_loop(q, name, pid):
    got = 0
    while not q.empty():
        try:
            item = q.get(timeout=tick)
        except queue.Empty:
            print(_("%s (PID %ld): lost the race: empty() said there was an item, "
                    "then get found none for a whole tick") % (name, pid))
            break
        print(_("%s (PID %ld) got %s") % (name, pid, item))
        time.sleep(WORK * tick)
        got += 1
    return got


def pill_loop(q, name, pid):
    got = 0
    for item in iter(q.get, None):           # until this worker's None
        print(_("%s (PID %ld) got %s") % (name, pid, item))
        time.sleep(WORK * tick)
        got += 1
    return got


def work(q, job):
    # under spawn or forkserver this is a new interpreter: main's globals
    # come with the arguments, as the C demo's struct job does
    global tick, racy, start
    tick, racy, start = job
    name = current_process().name
    pid = os.getpid()
    time.sleep(max(0, start + 0.5 * tick - time.time()))   # the seed's sleep(0.5)
    print(_("%s (PID %ld): q is at %p") % (name, pid, id(q)))
    got = racy_loop(q, name, pid) if racy else pill_loop(q, name, pid)
    print(_("%s (PID %ld): done, %d item%s") % (name, pid, got, '' if got == 1 else 's'))


if __name__ == '__main__':
    p = parser('shared_queue', _("Seed 3.2: items in a shared queue, divided "
                                 "between worker processes."))
    p.add_argument('--items', type=number('--items', 1, 100000, whole=True),
                   metavar='N', help=_("put the numbers 1 .. N (default: the seed's a, b, c)"))
    p.add_argument('--workers', type=number('--workers', 1, 64, whole=True), default=2,
                   metavar='N', help=_("how many worker processes (default 2, at most 64)"))
    p.add_argument('--racy', action='store_true',
                   help=_("the seed's `while not q.empty(): q.get()` loop, with a get timeout"))
    start_method_option(p)
    args = p.parse_args()
    tick, racy = args.tick, args.racy
    multiprocessing.set_start_method(args.start_method)
    q = Queue()
    items = list('abc') if args.items is None else range(1, args.items + 1)
    for item in items:
        q.put(item)
    if args.items is None:
        print(_("main (PID %ld): put a, b, c into q") % os.getpid())
    else:
        print(_("main (PID %ld): put 1 .. %zu into q") % (os.getpid(), args.items))
    if not racy:
        for i in range(args.workers):
            q.put(None)                      # no more items: one None per worker
    start = time.time()
    workers = [Process(target=work, args=(q, (tick, racy, start))) for i in range(args.workers)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(_("main process done!"))
