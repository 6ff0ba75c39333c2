# SPDX-License-Identifier: MIT
# start - twin of start.c: multiprocessing.Process doing nothing, from start
# to joined, under the "spawn" and "forkserver" start methods; the median of
# many runs, in ms. The forkserver is started once before its runs are timed.
import multiprocessing
import statistics
import time

RUNS = 50


def nothing():
    pass


def start_join(ctx):
    t0 = time.monotonic()
    p = ctx.Process(target=nothing)
    p.start()
    p.join()
    return time.monotonic() - t0


def median_ms(method):
    ctx = multiprocessing.get_context(method)
    start_join(ctx)                   # the forkserver's first use: not timed
    return statistics.median(start_join(ctx) for _ in range(RUNS)) * 1000


if __name__ == "__main__":
    print(f"process start+join (spawn)\t{median_ms('spawn'):.3f}\tms")
    print(f"process start+join (forkserver)\t{median_ms('forkserver'):.3f}\tms")
