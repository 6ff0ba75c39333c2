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

from common import _, number, parser, use_fork

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
    print(_("    task %d: PID %ld, parent PID %ld") % (number, os.getpid(), os.getppid()))
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
    for i, p in enumerate(ps):
        p.join()
        if p.exitcode != 0:
            raise SystemExit("concurrency: " + _("task %d ended with exit code %d")
                             % (i + 1, p.exitcode))
    return time.time() - start


def run_pinned(n, waiting):
    """Every process pinned to one CPU: the main pins itself, fork copies it."""
    if not hasattr(os, 'sched_setaffinity'):
        print(_("  one process per task, pinned to one CPU: not available "
                "(sched_setaffinity is Linux only)"))
        return -1
    every = os.sched_getaffinity(0)
    cpu = min(every)
    os.sched_setaffinity(0, {cpu})
    print(_("  one process per task, all pinned to CPU %d:") % cpu)
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
            print(_("  one after the other, in the main process:"))
            took.append(run_serial(n, waiting))
        elif way == 1:
            print(_("  one process per task, on all CPUs:"))
            took.append(run_processes(n, waiting))
        else:
            took.append(run_pinned(n, waiting))
        busy.append((cpu_used() - before) / took[-1])
    return took, busy


def cell(serial, took):
    return _("  not available") if took < 0 else f"{took:6.2f} s {serial / took:6.2f}x"


def table_rows(kind, took, busy):
    """A kind's two rows: its times and speed-ups, then its CPUs busy."""
    print(_("%-13s %6.2f s   %s  %s") % (kind, took[0], cell(took[0], took[1]),
                                          cell(took[0], took[2])))
    one = "" if took[2] < 0 else f"{busy[2]:6.2f}"
    print(_("%-13s %6.2f     %6.2f            %s") % (_("  CPUs busy"), busy[0], busy[1], one))


def conclude(wait, cpu, cpu_busy, cpus, n):
    """Which effect showed, and how strongly, from the measured speed-ups."""
    ideal = min(cpus, n)
    pinned = wait[2] > 0 and cpu[2] > 0
    w = wait[0] / (wait[2] if pinned else wait[1])
    every = cpu[0] / cpu[1]
    one = cpu[0] / cpu[2] if pinned else 0
    if w >= 1.5:
        waiting = (_("waiting tasks overlapped%s (%.1fx: concurrency)")
                   % (_(" on one CPU") if pinned else '', w))
    else:
        waiting = _("waiting tasks did not overlap (%.1fx)") % w
    if ideal < 2:
        computing = _("CPU work could not speed up (%.1fx): that needs 2 CPUs and 2 tasks") % every
    elif cpu_busy[0] < 0.8:     # other programs had the CPUs: no fair baseline
        computing = (_("CPU work: a busy machine gave the serial run %.2f of a CPU: "
                       "see CPUs busy") % cpu_busy[0])
    elif every < 0.8 * ideal:
        computing = (_("CPU work sped up %.1fx on %d CPUs, less than the %dx they allow "
                       "(busy machine?)") % (every, cpus, ideal))
    elif not pinned:
        computing = _("CPU work sped up %.1fx on %d CPUs (parallelism)") % (every, cpus)
    elif cpu_busy[2] <= 1.05:   # pinned: one CPU's time per second at most
        computing = (_("CPU work sped up only with more CPUs (%.1fx on %d, %.1fx on one: "
                       "parallelism)") % (every, cpus, one))
    else:
        computing = (_("CPU work sped up %.1fx on %d CPUs and %.1fx on one (not really "
                       "pinned?)") % (every, cpus, one))
    print(_("Conclusion (%d CPUs): %s;") % (cpus, waiting))
    print(_("  %s.") % computing)


if __name__ == '__main__':
    p = parser('concurrency', _("Seed 1: waiting and computing tasks, serial, on "
                                "all CPUs, on one CPU."))
    p.add_argument('--tasks', type=number('--tasks', 1, 64, whole=True), default=4,
                   metavar='N', help=_("tasks of each kind (default 4, at most 64)"))
    args = p.parse_args()
    tick, n = args.tick, args.tasks
    use_fork()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    print(_("main: PID %ld, parent PID %ld (the shell that started it)")
          % (os.getpid(), os.getppid()))
    print(_("CPUs this process may run on: %d") % cpus)
    steps_per_tick = calibrate(tick)
    print(_("CPU-bound task: %llu arithmetic steps, about one tick (%.2f s) of CPU")
          % (steps_per_tick, tick))
    print(_("%d waiting-bound tasks (each sleeps one tick, like play_music):") % n)
    wait, wait_busy = run_three_ways(n, True)
    print(_("%d CPU-bound tasks (each computes for about one tick):") % n)
    cpu, cpu_busy = run_three_ways(n, False)

    print()
    print(_("%d tasks of each kind; speed-up = serial time / time;") % n)
    print(_("CPUs busy = CPU time the tasks used / time (above 1: in parallel)"))
    print(_("%-13s %8s   %-16s  %s") % ("", _("serial"), _("  on all CPUs"), _("  on one CPU")))
    table_rows(_("waiting-bound"), wait, wait_busy)
    table_rows(_("CPU-bound"), cpu, cpu_busy)
    conclude(wait, cpu, cpu_busy, cpus, n)
