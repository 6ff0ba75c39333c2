# SPDX-License-Identifier: MIT
"""Exercise 11.3, a solution: the main's part under the guard.
Why: docs/exercises/ANSWERS.md.
"""
import argparse
import multiprocessing
import os
import time


def greet(tick):
    print(f"child PID {os.getpid()}: hello", flush=True)
    time.sleep(tick)


if __name__ == '__main__':          # not when a child imports this file as __mp_main__
    p = argparse.ArgumentParser(description='Exercise 11.3: the guard.')
    p.add_argument('--start-method', default='spawn')
    p.add_argument('--tick', type=float, default=0.1)
    args = p.parse_args()
    ctx = multiprocessing.get_context(args.start_method)
    child = ctx.Process(target=greet, args=(args.tick,))
    child.start()
    child.join()
    print(f"main PID {os.getpid()}: child exitcode {child.exitcode}")
