# SPDX-License-Identifier: MIT
"""Exercise 04.4, a solution: get every number, then join.
Why: docs/exercises/ANSWERS.md.
"""
import os
from multiprocessing import Process, Queue

COUNT = 5000


def work(q, first):
    for number in range(first, first + COUNT):
        q.put(number)
    print(f"worker PID {os.getpid()}: put {COUNT} numbers", flush=True)


if __name__ == '__main__':
    q = Queue()
    workers = [Process(target=work, args=(q, k * COUNT)) for k in range(3)]
    for w in workers:
        w.start()
    numbers = [q.get() for _ in range(3 * COUNT)]    # drain first: the feeders can finish
    for w in workers:
        w.join()                                     # now each worker can end
    print(f"main PID {os.getpid()}: got {len(numbers)} numbers, sum {sum(numbers)}")
