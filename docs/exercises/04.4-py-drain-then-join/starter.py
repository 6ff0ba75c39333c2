# SPDX-License-Identifier: MIT
"""Exercise 04.4 - drain the queue, then join (lesson 04, shared_queue), in Python.

Three workers each put 5000 numbers on one Queue; the main joins them,
then gets the numbers. It never ends. Python's documentation says why
("Joining processes that use queues"): put hands each item to a feeder
thread, which writes it into the queue's pipe; a process does not end until
its feeder has written everything, and the pipe holds only 64 KiB. The
workers wait for the main to read, the main waits in join for the workers.

Your task: make the main get all 15000 numbers first, then join. It prints
    main PID N: got 15000 numbers, sum 112492500

Check it: make exercise N=04.4
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
    for w in workers:
        w.join()
    numbers = [q.get() for _ in range(3 * COUNT)]
    print(f"main PID {os.getpid()}: got {len(numbers)} numbers, sum {sum(numbers)}")
