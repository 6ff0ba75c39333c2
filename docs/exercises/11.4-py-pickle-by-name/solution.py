# SPDX-License-Identifier: MIT
"""Exercise 11.4, a solution: a module-level function, found by its name.
Why: docs/exercises/ANSWERS.md.
"""
import argparse
import multiprocessing
import os


def square(x):                  # pickled as "__main__.square": a name the worker finds
    print(f"worker PID {os.getpid()}: {x} squared", flush=True)
    return x * x


def main():
    p = argparse.ArgumentParser(description='Exercise 11.4: a task that can be pickled.')
    p.add_argument('--start-method', default='spawn')
    args = p.parse_args()
    ctx = multiprocessing.get_context(args.start_method)
    with ctx.Pool(2) as pool:
        print(f"squares: {pool.map(square, range(1, 7))}")


if __name__ == '__main__':
    main()
