#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""parallel - the same two jobs in two processes, started together, joined (seed 5.2).

The Python twin of demos/parallel.c: two child PIDs, then the main's, last;
about 5 ticks, not 10. (common.parser makes print write each line whole,
at once, as forklore's mp_print does: see common.py.)
Run it:   python3 demos/python/parallel.py --tick 0.1
"""
import multiprocessing
import os
import time
from multiprocessing import Process

from common import _, parser, start_method_option

tick = 1.0      # set in main; a child gets it as an argument (under spawn it is a new
                # interpreter, whose tick would be 1.0 again)


# The seed's two jobs, as in serial.py and daemon.py on purpose (here the tick
# comes as an argument): each seed section is a program complete in itself,
# and so is each twin.
def play_music(tick):
    print(_("child p1, PID: %ld") % os.getpid())
    for i in range(5):
        print('play music ...')
        time.sleep(tick)


def play_lol(tick):
    print(_("child p2, PID: %ld") % os.getpid())
    for i in range(5):
        print('play lol ...')
        time.sleep(tick)


if __name__ == '__main__':
    p = parser('parallel', _("Seed 5.2: play_music and play_lol in two "
                             "processes, joined: about 5 ticks."))
    start_method_option(p)
    args = p.parse_args()
    tick = args.tick
    multiprocessing.set_start_method(args.start_method)
    start_time = time.time()
    p1 = Process(target=play_music, args=(tick,))
    p2 = Process(target=play_lol, args=(tick,))
    p1.start()
    p2.start()
    p1.join()
    p2.join()
    end_time = time.time()
    print(_("multi-process took %.2f s") % (end_time - start_time))
    print(_("main PID: %ld") % os.getpid())
