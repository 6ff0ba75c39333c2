# SPDX-License-Identifier: MIT
# Twin of tests/bench/shared.c: multiprocessing's Value under its lock, a
# Pipe's send_bytes / recv_bytes, and 8-byte items (small ints) through a
# Queue and through a Pipe(duplex=False) with send / recv, which pickle each
# item: what Python offers where C has mp_queue, a pipe and a POSIX mq
# (Python's standard library has no POSIX mq: that row has no figure).
# The counts are a twentieth of C's (the fork start method, as the C).
#     python3 tests/bench/shared.py [SCALE]
import os
import sys

# This folder holds queue.py, which would hide the standard library's queue
# module that multiprocessing imports: take the folder off the path first.
here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != here]

import multiprocessing as mp  # noqa: E402 (after the path fix, on purpose)
import time  # noqa: E402


def add_locked(v, n):
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def locked_adds(processes, each):
    v = mp.Value('l', 0)
    ps = [mp.Process(target=add_locked, args=(v, each)) for _ in range(processes)]
    t = time.monotonic()
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    t = time.monotonic() - t
    if v.value != processes * each:
        sys.exit("lost updates under the lock")
    return processes * each / t


def produce(way, end, n):
    if way == "conn":
        for i in range(n):
            end.send_bytes(i.to_bytes(8, "little"))
    elif way == "queue":
        for i in range(n):
            end.put(i)
    else:
        for i in range(n):
            end.send(i)


def move_items(way, n):
    if way == "queue":
        q = mp.Queue(4096)
        take, give = q.get, q
    elif way == "conn":
        a, b = mp.Pipe()
        take, give = lambda: int.from_bytes(a.recv_bytes(), "little"), b
    else:
        a, b = mp.Pipe(duplex=False)
        take, give = a.recv, b
    p = mp.Process(target=produce, args=(way, give, n))
    t = time.monotonic()
    p.start()
    for i in range(n):
        if take() != i:
            sys.exit(f"{way}: item {i} out of order")
    p.join()
    return n / (time.monotonic() - t)


if __name__ == "__main__":
    mp.set_start_method("fork")
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1
    k = int(1000 * scale)
    print(f"Value += 1 locked, 1 process\t{locked_adds(1, 100 * k):.0f}\tops/s", flush=True)
    print(f"Value += 1 locked, 2 processes\t{locked_adds(2, 50 * k):.0f}\tops/s", flush=True)
    print(f"Pipe 1->1, 8-byte messages\t{move_items('conn', 5 * k):.0f}\tmsgs/s", flush=True)
    print(f"8-byte items 1->1: mp_queue\t{move_items('queue', 5 * k):.0f}\titems/s", flush=True)
    print(f"8-byte items 1->1: a pipe\t{move_items('pipe', 5 * k):.0f}\titems/s", flush=True)
