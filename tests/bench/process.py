# SPDX-License-Identifier: MIT
# process - twin of process.c: multiprocessing.Process (fork start method)
# doing nothing, from start to joined; the median of many runs, in ms. And
# the floor: os.fork, os._exit(0), os.waitpid, timed the same way.
import multiprocessing
import os
import statistics
import time

RUNS = 300


def nothing():
    pass


if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    took, floor = [], []
    for _ in range(RUNS):
        t0 = time.monotonic()
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
        took.append(time.monotonic() - t0)
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        floor.append(time.monotonic() - t0)
    print(f"process start+join\t{statistics.median(took) * 1000:.3f}\tms")
    print(f"fork+wait floor\t{statistics.median(floor) * 1000:.3f}\tms")
