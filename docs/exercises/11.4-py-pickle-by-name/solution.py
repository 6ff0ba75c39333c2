# SPDX-License-Identifier: MIT
"""Exercise 11.4, a solution: a module-level function, found by its name.
Why: docs/exercises/ANSWERS.md.
"""
import argparse
import multiprocessing
import os


def square(x):                      # pickled as "__main__.square": a name the worker finds
    return x * x, os.getpid()


if __name__ == '__main__':
    p = argparse.ArgumentParser(description='Exercise 11.4: a task that can be pickled.')
    p.add_argument('--start-method', default='spawn')
    args = p.parse_args()
    ctx = multiprocessing.get_context(args.start_method)
    with ctx.Pool(2) as pool:
        results = pool.map(square, range(1, 7))
        squares = [square for square, _ in results]
        workers = sorted({pid for _, pid in results})
        print(f"squares: {squares}")
        print("computed by " + ", ".join(f"worker {pid}" for pid in workers))
