# SPDX-License-Identifier: MIT
# Twin of tests/bench/queue.c: items per second through Python's
# multiprocessing.Queue (fork start method), P producers -> C consumers, small
# ints (8 bytes in C). Each consumer stops at a None ("poison pill"), one per
# consumer, put after every producer has finished; consumers report counts.
#     python3 tests/bench/queue.py [ITEMS]      (default 200,000 per row)
import os
import sys

# Python puts this file's folder first on sys.path, and this file is called
# queue.py: it would hide the standard library's queue module, which
# multiprocessing imports. Take the folder off the path first.
here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != here]

import multiprocessing as mp
import time


def producer(q, n):
    for i in range(n):
        q.put(i)


def consumer(q, results):
    count = 0
    while q.get() is not None:
        count += 1
    results.put(count)


def run(p, c, items):
    q = mp.Queue()
    results = mp.Queue()
    share = items // p
    start = time.monotonic()
    consumers = [mp.Process(target=consumer, args=(q, results)) for _ in range(c)]
    producers = [mp.Process(target=producer, args=(q, share)) for _ in range(p)]
    for proc in consumers + producers:
        proc.start()
    for proc in producers:
        proc.join()
    for _ in consumers:
        q.put(None)
    got = sum(results.get() for _ in consumers)
    for proc in consumers:
        proc.join()
    seconds = time.monotonic() - start
    if got != share * p:
        sys.exit(f"{p}->{c}: {share * p} items sent, {got} received")
    return got / seconds


if __name__ == "__main__":
    mp.set_start_method("fork")
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    print(f"queue 1->1\t{run(1, 1, items):.0f}\titems/s", flush=True)
    print(f"queue 2->2\t{run(2, 2, items):.0f}\titems/s", flush=True)
