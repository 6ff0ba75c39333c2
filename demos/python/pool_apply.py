#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pool_apply - Pool.apply blocks until its task ran; apply_async returns at once (seed 6.2).

The Python twin of demos/pool_apply.c. test returns the PID of the worker
that ran it: that is what the main gets back. The seed prints
help(pool.apply), which opens a pager on a terminal; the twin prints one line
that says what the help says. The seed never waits for its apply_async
task; the twin calls get(), as you should (else, at exit, the pool is
terminated and the task may never run).
Run it:   python3 demos/python/pool_apply.py
"""
import os
from multiprocessing import Pool

from common import _, parser, use_fork


def test(x, y, z=0):
    print(_("child process running, PID %ld: test(%ld, %ld, z=%ld)") % (os.getpid(), x, y, z))
    return os.getpid()


if __name__ == '__main__':
    parser('pool_apply', _("Seed 6.2: Pool(2).apply blocks until its task ran; "
                           "apply_async returns at once."), tick=False).parse_args()
    use_fork()
    pool = Pool(2)
    print(_("main PID %ld: Pool(2) started") % os.getpid())
    ran_in = pool.apply(test, (2, 3), {"z": 1})        # blocks the main
    print(_("main: apply returned after its task ran, in worker %ld") % ran_in)
    result = pool.apply_async(test, (2, 3), {"z": 1})  # does not block
    print(_("main: apply_async returned at once"))
    print(_("help(pool.apply): runs the function once, in one worker, and waits"))
    print(_("main: get() on the apply_async result: its task ran in worker %ld") % result.get())
    pool.close()
    pool.join()
    print(_("main program ends"))
