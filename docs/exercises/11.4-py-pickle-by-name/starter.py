# SPDX-License-Identifier: MIT
"""Exercise 11.4 - a task that can be pickled (lesson 11, start_methods), in Python.

Pool.map sends the task to its workers by pickling it, under every start
method (a pool's workers run whatever tasks come, so the function travels
with each). A function is pickled by its qualified name, which the worker
looks up in the module. square is defined inside main(): its name,
"main.<locals>.square", is nothing a worker can look up, and the map fails:
    AttributeError: Can't pickle local object 'main.<locals>.square'
(A lambda fails the same way: "Can't pickle <function <lambda>>".)

Your task: make the map work under fork, spawn and forkserver, with the
same output: a function the workers can find by name (a def at the
module's top level).

Check it: make exercise N=11.4
"""
import argparse
import multiprocessing
import os


def main():
    p = argparse.ArgumentParser(description='Exercise 11.4: a task that can be pickled.')
    p.add_argument('--start-method', default='spawn')
    args = p.parse_args()

    def square(x):
        print(f"worker PID {os.getpid()}: {x} squared", flush=True)
        return x * x

    ctx = multiprocessing.get_context(args.start_method)
    with ctx.Pool(2) as pool:
        print(f"squares: {pool.map(square, range(1, 7))}")


if __name__ == '__main__':
    main()
