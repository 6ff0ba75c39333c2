# SPDX-License-Identifier: MIT
"""Exercise 12.2, a solution: the Value handed to each worker as an argument.
Why: docs/exercises/ANSWERS.md.
"""
import argparse
import multiprocessing
import os

TIMES = 1000


def add(counter):                         # the Value comes with the call
    for _ in range(TIMES):
        with counter.get_lock():
            counter.value += 1
    print(f"worker PID {os.getpid()}: added 1, {TIMES} times", flush=True)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description='Exercise 12.2: hand the Value to each worker.')
    p.add_argument('--start-method', default='spawn')
    args = p.parse_args()
    ctx = multiprocessing.get_context(args.start_method)
    counter = ctx.Value('i', 0)
    workers = [ctx.Process(target=add, args=(counter,)) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(f"main PID {os.getpid()}: exit codes {[w.exitcode for w in workers]}")
    print(f"main PID {os.getpid()}: counter = {counter.value}")
