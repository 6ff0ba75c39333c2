#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""process_class - a subclass of Process whose run() is overridden (seed 4).

The Python twin of demos/process_class.c: "hello" twice, from two PIDs, from
MyProcess-1 and MyProcess-2 (Process.__init__ names an instance after its
class and a count of every Process made). Under --start-method spawn or
forkserver Python pickles each instance (its class by name, its attributes
by value) and the new interpreter rebuilds it before calling run.
Run it:   python3 demos/python/process_class.py [--start-method spawn]
"""
import multiprocessing
import os
from multiprocessing import Process

from common import _, parser, start_method_option


class MyProcess(Process):
    def __init__(self):
        super().__init__()
        self.greeting = "hello"

    def run(self):
        print(_("%s from %s, PID: %ld") % (self.greeting, self.name, os.getpid()))


if __name__ == '__main__':
    p = parser('process_class', _("Seed 4: a Process \"subclass\" with run() "
                                  "overridden, started twice."), tick=False)
    start_method_option(p)
    args = p.parse_args()
    multiprocessing.set_start_method(args.start_method)
    p1 = MyProcess()
    p2 = MyProcess()
    p1.start()
    p2.start()
    # No join, as in the seed: Python joins them at exit.
