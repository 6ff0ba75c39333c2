# SPDX-License-Identifier: MIT
# parallel - twin of parallel.c: the timed part of the seed's ex5b_parallel.py
# (two Processes, fork start method, each sleeping 5 ticks, started, joined),
# minus the ideal 5 ticks; the median of RUNS runs, in ms. Prints left out.
import multiprocessing
import statistics
import time

TICK = 0.02
RUNS = 15


def five_ticks():
    for _ in range(5):
        time.sleep(TICK)


if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    over = []
    for _ in range(RUNS):
        start = time.monotonic()
        p1 = ctx.Process(target=five_ticks)
        p2 = ctx.Process(target=five_ticks)
        p1.start()
        p2.start()
        p1.join()
        p2.join()
        over.append(time.monotonic() - start - 5 * TICK)
    print(f"parallel overhead\t{statistics.median(over) * 1000:.3f}\tms")
