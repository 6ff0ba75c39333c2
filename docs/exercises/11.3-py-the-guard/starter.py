# SPDX-License-Identifier: MIT
"""Exercise 11.3 - if __name__ == '__main__': (lesson 11, start_methods), in Python.

One child says hello. Under fork it works. Under spawn (and forkserver) the
child is a new interpreter that imports this file to find greet, and
importing it runs everything at its top level: the child tries to start a
child of its own before it is ready, and dies of
    RuntimeError: An attempt has been made to start a new process before
    the current process has finished its bootstrapping phase.
Try it: python3 docs/exercises/11.3-py-the-guard/yours.py --start-method spawn

Your task: make it work under fork, spawn and forkserver: what must run
only in the program you started goes under `if __name__ == '__main__':`.

Check it: make exercise N=11.3
"""
import argparse
import multiprocessing
import os
import time


def greet(tick):
    print(f"child PID {os.getpid()}: hello", flush=True)
    time.sleep(tick)


p = argparse.ArgumentParser(description='Exercise 11.3: the guard.')
p.add_argument('--start-method', default='spawn')
p.add_argument('--tick', type=float, default=0.1)
args = p.parse_args()
ctx = multiprocessing.get_context(args.start_method)
child = ctx.Process(target=greet, args=(args.tick,))
child.start()
child.join()
print(f"main PID {os.getpid()}: child exitcode {child.exitcode}")
