# SPDX-License-Identifier: MIT
# Twin of tests/bench/queue.c: items per second through Python's
# multiprocessing.Queue (fork start method), P producers -> C consumers, small
# ints (8 bytes in C). Each consumer stops at a None ("poison pill"), one per
# consumer, put after every producer has finished; consumers report counts.
#     python3 tests/bench/queue.py [ITEMS]       rows "queue 1->1", "queue 2->2"
#                                                and "queue 1->1 batched"
#                                                (default 100,000 per row);
#                                                then "queue round trip" in
#                                                microseconds, ITEMS / 100 times
#     python3 tests/bench/queue.py busy [ITEMS]  Queue(8), 1->1 and 2->2, beside
#                                                two busy loops (default 20,000);
#                                                with BENCH_CPUS="A B", the two
#                                                pinned 1->1 rows of queue.c
# Python's Queue has no batched put or get: the "batched" row repeats its
# plain 1->1 figure, so that the table compares C's batches with what a
# Python program moving the same items would get.
import os
import sys

# Python puts this file's folder first on sys.path, and this file is called
# queue.py: it would hide the standard library's queue module, which
# multiprocessing imports. Take the folder off the path first.
here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != here]

import multiprocessing as mp  # noqa: E402 (after the path fix, on purpose)
import time  # noqa: E402


def pin_to(cpu):
    """Keeps this process on one CPU from now on (None: leaves it free)."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


def producer(q, n, cpu=None):
    pin_to(cpu)
    for i in range(n):
        q.put(i)


def consumer(q, results, cpu=None):
    pin_to(cpu)
    count = 0
    while q.get() is not None:
        count += 1
    results.put(count)


def echo(there, back):
    while (item := there.get()) is not None:
        back.put(item)


def round_trip(n):
    """Microseconds per round trip through two Queue(1), the mean of n after
    1,000 not counted, as tests/bench/queue.c measures it."""
    there, back = mp.Queue(1), mp.Queue(1)
    other = mp.Process(target=echo, args=(there, back))
    other.start()
    for i in range(n + 1000):
        if i == 1000:
            start = time.monotonic()
        there.put(i)
        if back.get() != i:
            sys.exit(f"round trip {i} failed")
    seconds = time.monotonic() - start
    there.put(None)
    other.join()
    return seconds / n * 1e6


def run(p, c, items, capacity=0, cpus=(None, None)):
    q = mp.Queue(capacity)
    results = mp.Queue()
    share = items // p
    start = time.monotonic()
    consumers = [mp.Process(target=consumer, args=(q, results, cpus[1])) for _ in range(c)]
    producers = [mp.Process(target=producer, args=(q, share, cpus[0])) for _ in range(p)]
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
    args = sys.argv[1:]
    busy = bool(args) and args[0] == "busy"
    if busy:
        args = args[1:]
    items = int(args[0]) if args else 20000 if busy else 100000
    if busy:
        for p in (1, 2):
            rate = run(p, p, items, capacity=8)
            print(f"queue {p}->{p}, capacity 8, 2 busy CPUs\t{rate:.0f}\titems/s", flush=True)
        cpus = os.environ.get("BENCH_CPUS", "").split()
        if len(cpus) == 2:
            a, b = int(cpus[0]), int(cpus[1])
            rate = run(1, 1, items, capacity=8, cpus=(a, a))
            print(f"queue 1->1 cap 8, busy, one CPU\t{rate:.0f}\titems/s", flush=True)
            rate = run(1, 1, items, capacity=8, cpus=(a, b))
            print(f"queue 1->1 cap 8, busy, a CPU each\t{rate:.0f}\titems/s", flush=True)
    else:
        one = run(1, 1, items)
        print(f"queue 1->1\t{one:.0f}\titems/s", flush=True)
        print(f"queue 2->2\t{run(2, 2, items):.0f}\titems/s", flush=True)
        print(f"queue 1->1 batched\t{one:.0f}\titems/s", flush=True)
        print(f"queue round trip\t{round_trip(max(items // 100, 1)):.3g}\tus", flush=True)
