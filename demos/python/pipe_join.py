#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""pipe_join - two processes talk over a Pipe; then the deadlock of joining before reading.

The Python twin of demos/pipe_join.c. Part 1: main and a child talk over
Pipe() (a socketpair); main closes its end, and the child's recv_bytes
raises EOFError. Part 2: a child sends 100 messages of 1000 bytes through
Pipe(duplex=False) (an os.pipe, 64 KiB on Linux), then an empty one; main
joins it before reading, with a timeout of one tick (without it, the join
would wait for ever: the child sleeps in write until someone reads), says
where the child waits (/proc/PID/stat and /proc/PID/wchan), then reads
everything up to the empty message, and joins.

A Queue has the same trap one step removed: put hands the item to a feeder
thread, which writes it into the queue's pipe; a process whose feeder
still has items to write does not end. Python's documentation: "joining
processes that use queues".
Run it:   python3 demos/python/pipe_join.py --tick 0.1
          python3 demos/python/pipe_join.py --messages 10 --tick 0.1
"""
import fcntl
import os
import sys
import termios
from multiprocessing import Pipe, Process, Value, current_process

import multiprocessing

from common import number, parser, start_method_option

WORDS = ["hello", "pipe"]
F_GETPIPE_SZ = 1032             # fcntl.F_GETPIPE_SZ from Python 3.10 on


def echo(mine, mains, timeout):
    mains.close()               # this process's copy of main's end
    name, pid = current_process().name, os.getpid()
    while True:
        if not mine.poll(timeout):
            sys.exit(f"pipe_join: recv: nothing received in {timeout} s")
        try:
            msg = mine.recv_bytes(63)
        except EOFError:
            break
        print(f'{name} (PID {pid}) got "{msg.decode()}" ({len(msg)} bytes), '
              'sends it back in capitals')
        mine.send_bytes(msg.upper())
    print(f"{name} (PID {pid}): recv says end of file: main has closed its end")


def send_all(mine, mains, sent, messages, size):
    mains.close()
    for i in range(messages):
        mine.send_bytes(b'x' * size)
        sent.value = i + 1      # only this process writes it
    mine.send_bytes(b'')


def start(p, childs):
    p.start()
    childs.close()              # main's copy of the child's end


def join(p, timeout):
    p.join(timeout)
    if p.is_alive():
        sys.exit(f"pipe_join: join {p.name}: still running after {timeout} s")
    if p.exitcode != 0:
        sys.exit(f"pipe_join: {p.name} ended with exitcode {p.exitcode}")
    print(f"main (PID {os.getpid()}) joined {p.name}: exitcode 0")


def talk(tick):
    mains, childs = Pipe()
    pid = os.getpid()
    print(f"main (PID {pid}): Pipe(): a socketpair, both ends send and receive")
    p = Process(target=echo, args=(childs, mains, 30))
    start(p, childs)
    for word in WORDS:
        print(f'main (PID {pid}) sends "{word}" ({len(word)} bytes)')
        mains.send_bytes(word.encode())
        if not mains.poll(10 * tick + 5):
            sys.exit("pipe_join: recv: nothing received yet")
        msg = mains.recv_bytes(63)
        print(f'main (PID {pid}) got "{msg.decode()}" ({len(msg)} bytes)')
    print(f"main (PID {pid}) closes its end")
    mains.close()
    join(p, 10 * tick + 5)


def where_it_waits(pid):
    state = wchan = "?"
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        with open(f"/proc/{pid}/wchan") as f:
            wchan = f.read() or "?"
    except OSError:
        pass
    return state, wchan


def pipe_fill(fd):
    try:
        in_it = int.from_bytes(fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"), sys.byteorder)
        return in_it, fcntl.fcntl(fd, F_GETPIPE_SZ)
    except OSError:
        return -1, -1


def read_all(reader, size, tick):
    n = nbytes = 0
    while True:
        if not reader.poll(10 * tick + 5):
            sys.exit("pipe_join: recv: nothing received yet")
        try:
            msg = reader.recv_bytes(size)
        except EOFError:
            sys.exit("pipe_join: recv: the sender ended before its empty message")
        if not msg:
            return n, nbytes
        n += 1
        nbytes += len(msg)


def deadlock(messages, size, tick):
    reader, writer = Pipe(duplex=False)
    sent = Value('i', 0)
    pid = os.getpid()
    print(f"main (PID {pid}): Pipe(duplex=False): a pipe, which holds "
          f"{pipe_fill(reader.fileno())[1]} bytes")
    p = Process(target=send_all, args=(writer, reader, sent, messages, size))
    start(p, writer)
    print(f"main: {p.name} sends {messages} messages of {size} bytes "
          f"({messages * (size + 4)} with their lengths),")
    print("then an empty one; once the first is there, main joins it before")
    print("reading, for at most a tick")
    if not reader.poll(10 * tick + 5):       # the child has started; nothing is read
        sys.exit("pipe_join: poll: nothing received yet")
    p.join(tick)
    if p.is_alive():
        state, wchan = where_it_waits(p.pid)
        in_it = pipe_fill(reader.fileno())[0]
        print(f"main: join timed out. {p.name} (PID {p.pid}) is in state {state},")
        print(f"  asleep in {wchan}; it has sent {sent.value} of {messages} messages,")
        print(f"  and {in_it} bytes wait in the pipe: it waits for main to read,")
        print("  and main waited for it to end: a deadlock.")
        print("The fix: read everything, up to the empty message, then join.")
    else:
        print(f"main: join returned: {p.name} ended after sending {sent.value} of "
              f"{messages} messages:")
        print("  they fit in the pipe, which keeps them after their sender ended.")
    got, nbytes = read_all(reader, size, tick)
    print(f"main (PID {pid}) got {got} messages, {nbytes} bytes, then the empty one")
    join(p, 10 * tick + 5)
    reader.close()


if __name__ == '__main__':
    p = parser('pipe_join', 'A Pipe between two processes; the deadlock of joining '
               'before reading.')
    p.add_argument('--messages', type=number('--messages', 1, 100000, whole=True), default=100,
                   metavar='N', help='part 2: how many messages the child sends (default 100)')
    p.add_argument('--size', type=number('--size', 1, 1000000, whole=True), default=1000,
                   metavar='BYTES', help='part 2: bytes in each message (default 1000)')
    start_method_option(p)
    args = p.parse_args()
    multiprocessing.set_start_method(args.start_method)
    talk(args.tick)
    deadlock(args.messages, args.size, args.tick)
