# SPDX-License-Identifier: MIT
"""Exercise 07.4 - print once: flush before fork (lesson 07, parallel), in Python.

The main prints "starting", then forks a child with os.fork. In a terminal
it looks right. Send the output to a pipe or a file and "starting" comes
twice:
    python3 docs/exercises/07.4-py-print-once/yours.py | cat
When stdout is not a terminal, print keeps lines in a buffer in the
process's memory; fork copied that buffer, unwritten line and all, into the
child, and both processes write it out when they end. (The check reads the
output through a socket, not a terminal, and sees which process wrote each
line: the child's copy of "starting" names the main's PID.)

Your task: make "starting" appear once, written by the main, whatever
stdout is: empty the buffer before the fork (sys.stdout.flush(), or
print(..., flush=True)).

Check it: make exercise N=07.4
"""
import os
import sys

if __name__ == '__main__':
    print(f"main PID {os.getpid()}: starting")
    pid = os.fork()
    if pid == 0:
        print(f"child PID {os.getpid()}: hello")
        sys.stdout.flush()          # its own line, before _exit (which flushes nothing)
        os._exit(0)
    os.waitpid(pid, 0)
    print(f"main PID {os.getpid()}: done")
