# SPDX-License-Identifier: MIT
"""Exercise 11.4 - a task that can be pickled (lesson 11, start_methods), in Python.

Pool.map sends the task to its workers by pickling it, under every start
method (a Pool's workers run whatever tasks come, so the function travels
with each). A function is pickled by its qualified name, which the worker
looks up in the module: a lambda has no such name, and the map fails:
    PicklingError: Can't pickle <function <lambda> at 0x...>

Your task: make the map work under fork, spawn and forkserver, with the
same output: a function the workers can find by name (a def at the
module's top level).

Check it: make exercise N=11.4
"""
import argparse
import multiprocessing
import os

if __name__ == '__main__':
    p = argparse.ArgumentParser(description='Exercise 11.4: a task that can be pickled.')
    p.add_argument('--start-method', default='spawn')
    args = p.parse_args()
    ctx = multiprocessing.get_context(args.start_method)
    with ctx.Pool(2) as pool:
        results = pool.map(lambda x: (x * x, os.getpid()), range(1, 7))
        squares = [square for square, _ in results]
        workers = sorted({pid for _, pid in results})
        print(f"squares: {squares}")
        print("computed by " + ", ".join(f"worker {pid}" for pid in workers))
