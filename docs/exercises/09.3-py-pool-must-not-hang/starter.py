# SPDX-License-Identifier: MIT
"""Exercise 09.3 - a Pool that does not hang when a worker dies (lesson 09), in Python.

pool.map squares 1..10 on 3 workers. With --crash K, the task for item K
kills its own worker (SIGKILL), as a crash would. Python's Pool starts a
new worker, but never learns that the task is lost: map waits for ever
(CPython issue 66587; forklore's pool fails that item and goes on:
build/bin/pool_map --items 10 --crash 7).

Your task: never wait for ever. Without --crash, print the squares, as now.
With it, give up after 20 ticks: print
    map: a worker died, giving up
on stderr, end the pool's workers (pool.terminate()) and exit with status 1.
(pool.map_async and .get(timeout) do it.)

Check it: make exercise N=09.3
"""
import argparse
import os
import signal
import time
from multiprocessing import Pool


def square(item):
    x, crash, tick = item            # the item carries what the task needs
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
    with Pool(3) as pool:
        print(pool.map(square, items))
