# SPDX-License-Identifier: MIT
"""Exercise 03.4 - results that come back (lesson 03, list_copy), in Python.

Each child squares one number and appends it to the global list results;
the main joins them all and prints results. It prints "results: []": each
child appended to its own copy of the list (fork copied the main's memory;
under spawn the child even builds a new one), and those copies died with
the children.

Your task: get the squares back to the main, which prints them sorted,
    results: [1, 4, 9, 16]
through a multiprocessing.Queue: each child puts its square on it, and the
main gets one per child. (Get them before you join: exercise 04.4 says why.)

Check it: make exercise N=03.4
"""
import os
from multiprocessing import Process

results = []


def square(x):
    results.append(x * x)
    print(f"child PID {os.getpid()}: {x} squared is {x * x}", flush=True)


if __name__ == '__main__':
    children = [Process(target=square, args=(x,)) for x in (1, 2, 3, 4)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    print(f"results: {sorted(results)}")
