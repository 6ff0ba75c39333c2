# SPDX-License-Identifier: MIT
"""Exercise 09.3, a solution: map_async, and a get that gives up.
Why: docs/exercises/ANSWERS.md.
"""
import argparse
import multiprocessing
import os
import signal
import sys
import time
from multiprocessing import Pool


def square(item):
    x, crash, tick = item
    if crash:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(tick)
    print(f"worker PID {os.getpid()}: {x} squared", flush=True)
    return x * x


if __name__ == '__main__':
    p = argparse.ArgumentParser(description='Exercise 09.3: a Pool that must not hang.')
    p.add_argument('--crash', type=int, default=0)
    p.add_argument('--tick', type=float, default=0.1)
    args = p.parse_args()
    items = [(x, x == args.crash, args.tick) for x in range(1, 11)]
    pool = Pool(3)
    pending = pool.map_async(square, items)
    try:
        print(pending.get(timeout=20 * args.tick))    # far more than the map needs
    except multiprocessing.TimeoutError:
        print("map: a worker died, giving up", file=sys.stderr)
        pool.terminate()                              # ends and joins the workers
        sys.exit(1)
    pool.close()
    pool.join()
