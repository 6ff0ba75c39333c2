# SPDX-License-Identifier: MIT
"""Exercise 04.5, a solution: one None per worker after the numbers.
Why: docs/exercises/ANSWERS.md.
"""
import argparse
import os
import time
from multiprocessing import Process, Queue


def work(q, tick):
    got = 0
    for item in iter(q.get, None):          # stops at this worker's None
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
    for _ in range(args.workers):
        q.put(None)                         # one each: a worker takes one, then stops
    workers = [Process(target=work, args=(q, args.tick)) for _ in range(args.workers)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(f"main PID {os.getpid()}: all workers done")
