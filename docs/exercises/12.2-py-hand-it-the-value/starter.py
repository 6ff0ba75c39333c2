# SPDX-License-Identifier: MIT
"""Exercise 12.2 - hand the Value to each worker (lesson 12, shared_counter), in Python.

Main makes a shared counter, Value('i', 0), and three workers each add 1 to
it 1000 times under its lock: it should end at 3000. The workers find the
counter in a global. Under fork that works: a forked worker is a copy of
main made after main set the global, and maps the Value's memory. Under
spawn (and forkserver) a worker is a new interpreter that imports this
file: main's part below the guard never runs there, so the global is still
None, and every worker dies of
    AttributeError: 'NoneType' object has no attribute 'get_lock'
Try it: python3 docs/exercises/12.2-py-hand-it-the-value/yours.py --start-method spawn

Your task: make it end at 3000 under fork, spawn and forkserver. Hand the
Value to each worker as an argument, Process(target=add, args=(counter,)):
pickled for a new interpreter, a Value travels as its shared memory (a file
descriptor), and the worker maps the very same pages.

Check it: make exercise N=12.2
"""
import argparse
import multiprocessing
import os

TIMES = 1000
counter = None                            # main sets it


def add():
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
    workers = [ctx.Process(target=add) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(f"main PID {os.getpid()}: exit codes {[w.exitcode for w in workers]}")
    print(f"main PID {os.getpid()}: counter = {counter.value}")
