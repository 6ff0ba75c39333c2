# SPDX-License-Identifier: MIT
"""Exercise 13.2, a solution: read up to the sentinel, then join.
Why: docs/exercises/ANSWERS.md.
"""
import os
import sys
from multiprocessing import Pipe, Process

MESSAGES, SIZE = 100, 1000


def send_all(writer):
    for _ in range(MESSAGES):
        writer.send_bytes(b'x' * SIZE)    # waits while the pipe is full
    writer.send_bytes(b'')                # the sentinel
    print(f"child PID {os.getpid()}: sent {MESSAGES} messages, then the empty one", flush=True)


if __name__ == '__main__':
    reader, writer = Pipe(duplex=False)
    child = Process(target=send_all, args=(writer,))
    child.start()
    writer.close()                        # main only reads
    count = total = 0
    while (message := reader.recv_bytes()):   # each read makes room for a send
        count += 1
        total += len(message)
    child.join(timeout=1)                 # it has sent all: it ends at once
    if child.is_alive():
        print(f"main PID {os.getpid()}: join timed out: the child still waits to send", flush=True)
        child.terminate()
        child.join()
        sys.exit(1)
    print(f"main PID {os.getpid()}: got {count} messages, {total} bytes")
    print(f"main PID {os.getpid()}: child exitcode {child.exitcode}")
