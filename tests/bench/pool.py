# SPDX-License-Identifier: MIT
# bench pool, Python side: multiprocessing.Pool(2) with the fork start method,
# the same work as tests/bench/pool.c, in tasks per second. The slow rows run
# once (each takes seconds here); the fast one keeps the best of three.
import os
import sys

# Run as tests/bench/pool.py, Python puts tests/bench first on the module path,
# where the queue benchmark's queue.py would hide the standard library's queue
# module, which multiprocessing imports. Take that directory off the path.
here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != here]

import multiprocessing as mp  # noqa: E402 (after the path fix, on purpose)
import time  # noqa: E402

WORKERS = 2


def square(x):
    return x * x


def timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def main():
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


if __name__ == "__main__":
    main()
