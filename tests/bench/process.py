# SPDX-License-Identifier: MIT
# process - twin of process.c: multiprocessing.Process (fork start method)
# doing nothing, from start to joined; the median of many runs, in ms.
import multiprocessing
import statistics
import time

RUNS = 300


def nothing():
    pass


if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    took = []
    for _ in range(RUNS):
        t0 = time.monotonic()
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
        took.append(time.monotonic() - t0)
    print(f"process start+join\t{statistics.median(took) * 1000:.3f}\tms")
