# SPDX-License-Identifier: MIT
"""Exercise 03.4, a solution: the squares travel back on a Queue.
Why: docs/exercises/ANSWERS.md.
"""
import os
from multiprocessing import Process, Queue


def square(x, q):
    q.put(x * x)                 # pickled, written into the queue's pipe
    print(f"child PID {os.getpid()}: {x} squared is {x * x}", flush=True)


if __name__ == '__main__':
    q = Queue()
    children = [Process(target=square, args=(x, q)) for x in (1, 2, 3, 4)]
    for child in children:
        child.start()
    results = [q.get() for _ in children]     # one per child, before the joins
    for child in children:
        child.join()
    print(f"results: {sorted(results)}")
