# SPDX-License-Identifier: MIT
"""Exercise 08.4, a solution: SIGTERM to the heartbeat, then waitpid.
Why: docs/exercises/ANSWERS.md.
"""
import argparse
import os
import signal
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
    os.kill(pid, signal.SIGTERM)        # ask it to end...
    os.waitpid(pid, 0)                  # ...and reap it: no zombie, no orphan
    print(f"main PID {os.getpid()}: heartbeat stopped", flush=True)
    print(f"main PID {os.getpid()}: done", flush=True)
