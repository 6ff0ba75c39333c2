#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""daemon - two children, no join: what the daemon flag changes at exit (seed 5.3).

The Python twin of demos/daemon.c. Without --daemon the main's two lines come
at once, and the program still ends only after the children's ten lines:
Python joins non-daemonic children at exit. With --daemon, exit terminates
them (SIGTERM): at most their first lines appear. Each line is written at
once (common.py); with Python's default buffering and output to a file, a
terminated child loses even those (its buffer dies with it).
Under --start-method forkserver (Python 3.14's default on Linux) the main's
"took" includes starting the server.
Run it:   python3 demos/python/daemon.py --tick 0.1 [--daemon] [--start-method NAME]
"""
import multiprocessing
import os
import time
from multiprocessing import Process

from common import _, parser, start_method_option

tick = 1.0      # set in main; a child gets it as an argument (under spawn it is a new
                # interpreter, whose tick would be 1.0 again)


# The seed's two jobs, as in serial.py and parallel.py on purpose (here the tick
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
    p = parser('daemon', _("Seed 5.3: two children and no join; --daemon makes "
                           "exit terminate them."))
    p.add_argument('--daemon', action='store_true',
                   help=_("set p1.daemon = p2.daemon = True (the seed sets False)"))
    start_method_option(p)
    args = p.parse_args()
    tick = args.tick
    multiprocessing.set_start_method(args.start_method)
    start_time = time.time()
    p1 = Process(target=play_music, args=(tick,))
    p2 = Process(target=play_lol, args=(tick,))
    p1.daemon = args.daemon
    p2.daemon = args.daemon
    p1.start()
    p2.start()
    end_time = time.time()
    print(_("multi-process took %.2f s") % (end_time - start_time))
    print(_("main PID: %ld") % os.getpid())
    # No join: at exit, multiprocessing terminates the daemonic children and
    # joins the others.
