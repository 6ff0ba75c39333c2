# SPDX-License-Identifier: MIT
"""Exercise 04.6, a solution: the lock held around each read-and-write.
Why: docs/exercises/ANSWERS.md.
"""
import os
from multiprocessing import Barrier, Process, Value

TIMES = 10000


def add(counter, start):
    start.wait()
    for _ in range(TIMES):
        with counter.get_lock():          # read and write as one step
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
