# SPDX-License-Identifier: MIT
"""Exercise 07.4, a solution: flush before fork.
Why: docs/exercises/ANSWERS.md.
"""
import os
import sys

if __name__ == '__main__':
    print(f"main PID {os.getpid()}: starting")
    sys.stdout.flush()              # nothing left in the buffer for fork to copy
    pid = os.fork()
    if pid == 0:
        print(f"child PID {os.getpid()}: hello")
        sys.stdout.flush()
        os._exit(0)
    os.waitpid(pid, 0)
    print(f"main PID {os.getpid()}: done")
