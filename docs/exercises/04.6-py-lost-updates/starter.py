# SPDX-License-Identifier: MIT
"""Exercise 04.6 - a shared counter that loses updates (lesson 04), in Python.

Four workers add 1 to one shared counter (a multiprocessing.Value, in shared
memory) 10000 times each: it should end at 40000. It ends lower, and at a
different number each run. `counter.value += 1` is two steps: read the
value, then write value + 1 (each takes the Value's lock, but not both
together). Two workers read 41, both write 42: one update is lost. (The
workers wait at a Barrier to start together, so that they overlap even on
a machine with few CPUs.)

Your task: make the counter end at 40000 every time: hold the counter's
lock around the whole read-and-write (`with counter.get_lock():`).

Check it: make exercise N=04.6
"""
import os
from multiprocessing import Barrier, Process, Value

TIMES = 10000


def add(counter, start):
    start.wait()                          # all four at once
    for _ in range(TIMES):
        counter.value += 1
    print(f"worker PID {os.getpid()}: added 1, {TIMES} times", flush=True)


if __name__ == '__main__':
    counter = Value('i', 0)
    start = Barrier(4)
    workers = [Process(target=add, args=(counter, start)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(f"main PID {os.getpid()}: counter = {counter.value}")
