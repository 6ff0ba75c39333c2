# SPDX-License-Identifier: MIT
"""Exercise 08.4 - leave nothing behind (lesson 08, daemon), in Python.

The main forks a heartbeat child that prints a line every tick, for ever,
then does its own work (3 ticks) and ends. Python waits at exit for the
children multiprocessing started, but this one was made with os.fork, and
nobody waits for it: it goes on beating after the main has gone, adopted by
PID 1 (here, by the checker, which reports it and kills it). Had it ended
by itself, nobody would have reaped it either.

Your task: when the work is done, stop the heartbeat (os.kill with
signal.SIGTERM) and reap it (os.waitpid), then print
    main PID N: heartbeat stopped
before "done". Nothing may be left running or unreaped.

Check it: make exercise N=08.4
"""
import argparse
import os
import sys
import time


def heartbeat(tick):
    while True:
        print(f"heartbeat PID {os.getpid()}", flush=True)
        time.sleep(tick)


if __name__ == '__main__':
    p = argparse.ArgumentParser(description='Exercise 08.4: leave nothing behind.')
    p.add_argument('--tick', type=float, default=0.1)
    args = p.parse_args()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        heartbeat(args.tick)
        os._exit(0)
    print(f"main PID {os.getpid()}: working", flush=True)
    time.sleep(3 * args.tick)
    print(f"main PID {os.getpid()}: done", flush=True)
