# SPDX-License-Identifier: MIT
"""Exercise 04.5 - a sentinel to stop the workers (lesson 04, shared_queue), in Python.

The main puts 1 .. 10 on a Queue for three workers, which loop on q.get().
Once the numbers are gone each worker waits in get for ever, and the main
waits in join: it never ends. (q.empty() is no way out: see exercise 04.1.)

Your task: after the numbers, put one None per worker; a worker that gets
None stops (`for item in iter(q.get, None):` is the idiom). Each worker
then prints its "done" line, and the program ends.

Check it: make exercise N=04.5
"""
import argparse
import os
import time
from multiprocessing import Process, Queue


def work(q, tick):
    got = 0
    while True:
        item = q.get()
        print(f"worker PID {os.getpid()} got {item}", flush=True)
        time.sleep(0.1 * tick)
        got += 1
    print(f"worker PID {os.getpid()}: done, {got} items", flush=True)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description='Exercise 04.5: stop the workers with sentinels.')
    p.add_argument('--items', type=int, default=10)
    p.add_argument('--workers', type=int, default=3)
    p.add_argument('--tick', type=float, default=0.1)
    args = p.parse_args()
    q = Queue()
    for number in range(1, args.items + 1):
        q.put(number)
    workers = [Process(target=work, args=(q, args.tick)) for _ in range(args.workers)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(f"main PID {os.getpid()}: all workers done")
