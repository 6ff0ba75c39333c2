#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""serial - one process does both jobs, one after the other (seed 5.1).

The Python twin of demos/serial.c. Both "child" lines print the same PID: no
process was made; the total is about 10 ticks, the sum of the two jobs.
Run it:   python3 demos/python/serial.py --tick 0.1
"""
import os
import time

from common import _, parser

tick = 1.0


# The seed's two jobs, the same in parallel.py and daemon.py on purpose: each seed
# section is a program complete in itself, and so is each twin.
def play_music():
    print(_("child p1, PID: %ld") % os.getpid())
    for i in range(5):
        print('play music ...')
        time.sleep(tick)


def play_lol():
    print(_("child p2, PID: %ld") % os.getpid())
    for i in range(5):
        print('play lol ...')
        time.sleep(tick)


if __name__ == '__main__':
    args = parser('serial', _("Seed 5.1: play_music() then play_lol() in one "
                              "process: about 10 ticks.")).parse_args()
    tick = args.tick
    start1 = time.time()
    play_music()
    play_lol()
    end1 = time.time()
    print(_("one process took %.2f s") % (end1 - start1))
