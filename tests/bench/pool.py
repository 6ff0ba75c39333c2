# SPDX-License-Identifier: MIT
# bench pool, Python side: multiprocessing.Pool(2) with the fork start method,
# the same work as tests/bench/pool.c, in tasks per second. The slow rows run
# once (each takes seconds here); the fast one keeps the best of three.
# And the pool_map overhead row, in ms: Pool(9), map of 4 items that each
# sleep TICK, close, join, minus the ideal TICK; the median of RUNS runs,
# measured first, while the process is small (forking a big heap is slower),
# and printed last, as in pool.c; and the same with the spawn and forkserver
# start methods (the median of NEW_RUNS runs: each takes half a second here).
import os
import sys

# Run as tests/bench/pool.py, Python puts tests/bench first on the module path,
# where the queue benchmark's queue.py would hide the standard library's queue
# module, which multiprocessing imports. Take that directory off the path.
here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != here]

import multiprocessing as mp  # noqa: E402 (after the path fix, on purpose)
import statistics  # noqa: E402
import time  # noqa: E402

WORKERS = 2
TICK = 0.02
RUNS = 9
NEW_RUNS = 3


def square(x):
    return x * x


def sleepy_square(x):
    time.sleep(TICK)
    return x * x


def map_overhead(ctx):
    start = time.perf_counter()
    pool = ctx.Pool(9)
    result = pool.map(sleepy_square, [1, 2, 3, 4])
    pool.close()
    pool.join()
    took = time.perf_counter() - start
    assert result == [1, 4, 9, 16]
    return took - TICK


def timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def main():
    over = [map_overhead(mp.get_context("fork")) for _ in range(RUNS)]
    spawn = [map_overhead(mp.get_context("spawn")) for _ in range(NEW_RUNS)]
    server = [map_overhead(mp.get_context("forkserver")) for _ in range(NEW_RUNS)]

    big, small = 1_000_000, 100_000
    data = list(range(big))
    with mp.get_context("fork").Pool(WORKERS) as pool:
        want = [x * x for x in data]

        def map_default():
            assert pool.map(square, data) == want

        def map_chunksize_1():
            assert pool.map(square, data[:small], chunksize=1) == want[:small]

        def apply_async():
            results = [pool.apply_async(square, (x,)) for x in data[:small]]
            assert [r.get() for r in results] == want[:small]

        best = min(timed(map_default) for _ in range(3))
        print(f"map default chunksize\t{big / best:.0f}\ttasks/s")
        print(f"map chunksize 1\t{small / timed(map_chunksize_1):.0f}\ttasks/s")
        print(f"apply_async\t{small / timed(apply_async):.0f}\ttasks/s")

    print(f"pool_map overhead\t{statistics.median(over) * 1000:.3f}\tms")
    print(f"pool_map overhead (spawn)\t{statistics.median(spawn) * 1000:.3f}\tms")
    print(f"pool_map overhead (forkserver)\t{statistics.median(server) * 1000:.3f}\tms")


if __name__ == "__main__":
    main()
