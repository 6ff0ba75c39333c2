#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""concurrency - serial, concurrent, parallel: the same tasks three ways (seed 1).

The Python twin of demos/concurrency.c: waiting-bound tasks (a sleep) overlap
even when every process is pinned to one CPU (os.sched_setaffinity, Linux);
CPU-bound tasks (arithmetic, calibrated to take about a tick of CPU) only get
faster with more CPUs. Python's arithmetic is slower than C's, so a tick holds
fewer steps: the step count differs, the story does not.
Run it:   python3 demos/python/concurrency.py --tick 0.1 --tasks 8
"""
import os
import time
from multiprocessing import Process

from common import number, parser, use_fork

steps_per_tick = 0      # set by calibrate() in the main, before any fork
MASK = (1 << 64) - 1


def compute(steps):
    """The CPU-bound work: xorshift steps on one 64-bit number."""
    x = 88172645463325252
    for i in range(steps):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
    return x


def calibrate(tick):
    """Doubles the steps until they take 50 ms of CPU, then scales to a tick."""
    steps = 1000
    while True:
        start = time.process_time()
        compute(steps)
        took = time.process_time() - start
        if took >= 0.05:
            return max(1, int(steps * tick / took))
        steps *= 2


def run_task(number, waiting):
    print(f"    task {number}: PID {os.getpid()}, parent PID {os.getppid()}")
    if waiting:
        time.sleep(tick)
    else:
        compute(steps_per_tick)


def run_serial(n, waiting):
    start = time.time()
    for i in range(n):
        run_task(i + 1, waiting)
    return time.time() - start


def run_processes(n, waiting):
    start = time.time()
    ps = [Process(target=run_task, args=(i + 1, waiting)) for i in range(n)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"concurrency: task ended with exit code {p.exitcode}")
    return time.time() - start


def run_pinned(n, waiting):
    """Every process pinned to one CPU: the main pins itself, fork copies it."""
    if not hasattr(os, 'sched_setaffinity'):
        print("  one process per task, pinned to one CPU: not available "
              "(sched_setaffinity is Linux only)")
        return -1
    every = os.sched_getaffinity(0)
    cpu = min(every)
    os.sched_setaffinity(0, {cpu})
    print(f"  one process per task, all pinned to CPU {cpu}:")
    took = run_processes(n, waiting)
    os.sched_setaffinity(0, every)
    return took


def cpu_used():
    """CPU time of the main and of the children it has joined (reaped) so far:
    os.times() counts a child once waitpid has collected it."""
    t = os.times()
    return time.process_time() + t.children_user + t.children_system


def run_three_ways(n, waiting):
    """Each way's time, and how many CPUs its tasks kept busy on average."""
    took, busy = [], []
    for way in (0, 1, 2):
        before = cpu_used()
        if way == 0:
            print("  one after the other, in the main process:")
            took.append(run_serial(n, waiting))
        elif way == 1:
            print("  one process per task, on all CPUs:")
            took.append(run_processes(n, waiting))
        else:
            took.append(run_pinned(n, waiting))
        busy.append((cpu_used() - before) / took[-1])
    return took, busy


def cell(serial, took):
    return "  not available" if took < 0 else f"{took:6.2f} s {serial / took:6.2f}x"


def table_rows(kind, took, busy):
    """A kind's two rows: its times and speed-ups, then its CPUs busy."""
    print(f"{kind:13} {took[0]:6.2f} s   {cell(took[0], took[1])}  {cell(took[0], took[2])}")
    one = "" if took[2] < 0 else f"{busy[2]:6.2f}"
    print(f"{'  CPUs busy':13} {busy[0]:6.2f}     {busy[1]:6.2f}            {one}")


def conclude(wait, cpu, cpu_busy, cpus, n):
    """Which effect showed, and how strongly, from the measured speed-ups."""
    ideal = min(cpus, n)
    pinned = wait[2] > 0 and cpu[2] > 0
    w = wait[0] / (wait[2] if pinned else wait[1])
    every = cpu[0] / cpu[1]
    one = cpu[0] / cpu[2] if pinned else 0
    if w >= 1.5:
        waiting = (f"waiting tasks overlapped{' on one CPU' if pinned else ''} "
                   f"({w:.1f}x: concurrency)")
    else:
        waiting = f"waiting tasks did not overlap ({w:.1f}x)"
    if ideal < 2:
        computing = f"CPU work could not speed up ({every:.1f}x): that needs 2 CPUs and 2 tasks"
    elif cpu_busy[0] < 0.8:     # other programs had the CPUs: no fair baseline
        computing = (f"CPU work: a busy machine gave the serial run {cpu_busy[0]:.2f} "
                     "of a CPU: see CPUs busy")
    elif every < 0.8 * ideal:
        computing = (f"CPU work sped up {every:.1f}x on {cpus} CPUs, less than the "
                     f"{ideal}x they allow (busy machine?)")
    elif not pinned:
        computing = f"CPU work sped up {every:.1f}x on {cpus} CPUs (parallelism)"
    elif cpu_busy[2] <= 1.05:   # pinned: one CPU's time per second at most
        computing = (f"CPU work sped up only with more CPUs ({every:.1f}x on {cpus}, "
                     f"{one:.1f}x on one: parallelism)")
    else:
        computing = (f"CPU work sped up {every:.1f}x on {cpus} CPUs and {one:.1f}x "
                     "on one (not really pinned?)")
    print(f"Conclusion ({cpus} CPUs): {waiting};")
    print(f"  {computing}.")


if __name__ == '__main__':
    p = parser('concurrency', 'Seed 1: waiting and computing tasks, serial, on '
               'all CPUs, on one CPU.')
    p.add_argument('--tasks', type=number('--tasks', 1, 64, whole=True), default=4,
                   metavar='N', help='tasks of each kind (default 4, at most 64)')
    args = p.parse_args()
    tick, n = args.tick, args.tasks
    use_fork()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    print(f"main: PID {os.getpid()}, parent PID {os.getppid()} (the shell that started it)")
    print(f"CPUs this process may run on: {cpus}")
    steps_per_tick = calibrate(tick)
    print(f"CPU-bound task: {steps_per_tick} arithmetic steps, about one tick "
          f"({tick:.2f} s) of CPU")
    print(f"{n} waiting-bound tasks (each sleeps one tick, like play_music):")
    wait, wait_busy = run_three_ways(n, True)
    print(f"{n} CPU-bound tasks (each computes for about one tick):")
    cpu, cpu_busy = run_three_ways(n, False)

    print()
    print(f"{n} tasks of each kind; speed-up = serial time / time;")
    print("CPUs busy = CPU time the tasks used / time (above 1: in parallel)")
    print(f"{'':13} {'serial':>8}   {'  on all CPUs':16}  {'  on one CPU'}")
    table_rows('waiting-bound', wait, wait_busy)
    table_rows('CPU-bound', cpu, cpu_busy)
    conclude(wait, cpu, cpu_busy, cpus, n)
