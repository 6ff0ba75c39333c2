# SPDX-License-Identifier: MIT
"""Exercise 13.2 - read, then join (lesson 13, pipe_join), in Python.

A child sends 100 messages of 1000 bytes through a Pipe(duplex=False),
then an empty one: the sentinel, "that was all". Main joins the child, then
reads. The pipe holds 64 KiB: the child's 65th send waits in write() for
main to read, and main waits in join() for the child to end. Neither goes
on. (Main's join has a timeout here, so that the program ends and says so;
without it, it would wait for ever.)

Your task: main reads every message, up to the empty one, then joins.
It prints
    main PID N: got 100 messages, 100000 bytes
    main PID N: child exitcode 0

Check it: make exercise N=13.2
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
    child.join(timeout=1)
    if child.is_alive():
        print(f"main PID {os.getpid()}: join timed out: the child still waits to send", flush=True)
        child.terminate()
        child.join()
        sys.exit(1)
    count = total = 0
    while (message := reader.recv_bytes()):
        count += 1
        total += len(message)
    print(f"main PID {os.getpid()}: got {count} messages, {total} bytes")
    print(f"main PID {os.getpid()}: child exitcode {child.exitcode}")
