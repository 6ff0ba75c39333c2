#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""download - worker processes download URLs that they take from one Queue (seed 2).

The Python twin of demos/download.c, on the standard library: http.client
stands in for the seed's requests.get. The main puts every URL, then one
None per worker ("no more URLs", the poison pill multiprocessing.Pool uses);
a worker stops at its None. So `download.py --workers 4 URL` ends at once.

Where Python behaves otherwise: the seed's own loop, `if q.empty(): break`
after each download, which --seed-loop runs (a twin-only option). Give it
fewer URLs than workers and a worker that got no URL waits in q.get() for
ever: the seed's program never ends. The twin waits at most --timeout
there, then says it would have hung, and exits 1.

http:// only (as the C demo); the body goes to a hidden temporary file in
--dir, renamed to the URL's last path segment once complete; 3xx is followed
(at most 5 times), any other status fails the URL. Each URL's line names the
worker's PID; the exit status is 0 only if every URL was saved.
Run it (with a serve running on PORT):
          python3 demos/python/download.py http://127.0.0.1:PORT/a.png http://127.0.0.1:PORT/b.jpg
"""
import http.client
import os
import queue
import signal
import socket
import sys
import tempfile
import time
import urllib.parse
from multiprocessing import Process, Queue

from common import _, number, parser, use_fork

MAX_REDIRECTS = 5
args = None


def on_alarm(signum, frame):
    raise socket.timeout("--timeout")


def fetch(url, out):
    """requests.get(url), the body written to out, all within --timeout: bytes,
    or raises OSError/ValueError. A timer bounds the whole URL (connect, head,
    body, redirects): a socket timeout alone bounds each read, and a server
    that sends a byte a second would hold the worker for ever."""
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, args.timeout)
    try:
        return fetch_all(url, out)
    except socket.timeout:
        raise ValueError(f"gave up after {args.timeout:g} s (--timeout)")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def fetch_all(url, out):
    """fetch's work: the URL, and the redirects it leads to."""
    for redirects in range(MAX_REDIRECTS + 1):
        u = urllib.parse.urlsplit(url)
        if u.scheme == 'https':
            raise ValueError("https is not supported: it needs TLS, and forklore uses "
                             "libc only (use http://)")
        if u.scheme != 'http' or not u.hostname:
            raise ValueError("not a URL (it should start with http://)")
        host, port = u.hostname, u.port or 80
        conn = http.client.HTTPConnection(host, port, timeout=args.timeout)
        try:
            try:
                conn.connect()
            except socket.timeout:
                raise                       # --timeout ran out: fetch says so
            except OSError as e:
                raise OSError(f"connect to {host} port {port}: {e.strerror or e}") from e
            target = (u.path or '/') + ('?' + u.query if u.query else '')
            conn.request('GET', target, headers={'User-Agent': 'forklore-download'})
            r = conn.getresponse()
            if r.status == 200:
                body = r.read()
                out.write(body)
                return len(body)
            location = r.getheader('Location')
            if r.status not in (301, 302, 303, 307, 308):
                reason = f" {r.reason}" if r.reason else ""     # "HTTP 418": none
                raise ValueError(f"HTTP {r.status}{reason}")
            if not location:
                raise ValueError(f"HTTP {r.status} without a Location")
            url = urllib.parse.urljoin(url, location)
        finally:
            conn.close()
    raise ValueError(f"too many redirects (more than {MAX_REDIRECTS})")


def file_name(url):
    """The seed's url.split('/')[-1], without the query, percent-decoded."""
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.split('/')[-1])
    name = name or 'index.html'
    if name in ('.', '..') or '/' in name or any(ord(c) < 32 or c == '\x7f' for c in name):
        raise ValueError(f"refusing file name '{name}': it would not stay in {args.dir}")
    return name


def download(url):
    """One URL into --dir, through a temporary file. True if saved."""
    pid = os.getpid()
    temp = None
    try:
        name = file_name(url)
        fd, temp = tempfile.mkstemp(prefix='.download-', dir=args.dir)
        with os.fdopen(fd, 'wb') as out:
            size = fetch(url, out)
        os.chmod(temp, 0o644)
        os.rename(temp, os.path.join(args.dir, name))
        temp = None
        print(_("worker %ld: saved %s (%lld bytes)") % (pid, name, size))
        return True
    except (OSError, ValueError, http.client.HTTPException) as e:
        print(_("worker %ld: %s failed: %s") % (pid, url, e))
        print(f"download: {url}: {e}", file=sys.stderr)     # as curl and wget do
        return False
    finally:                                # failed, or Ctrl-C: no half-written file
        if temp is not None:
            os.unlink(temp)


def worker(tasks, results):
    for url in iter(tasks.get, None):       # until this worker's None
        results.put(download(url))


def seed_worker(tasks, results):
    """The seed's loop, bounded: get waits at most --timeout."""
    while True:
        try:
            url = tasks.get(timeout=args.timeout)
        except queue.Empty:
            print(_("worker %ld: no URL for %g s: the seed's q.get() would wait for ever")
                  % (os.getpid(), args.timeout))
            sys.exit(1)
        results.put(download(url))
        if tasks.empty():
            break


def main():
    global args
    p = parser('download', _("Seed 2: workers share out the URLs through one queue "
                             "(- reads URLs from stdin)."), tick=False)
    p.add_argument('--workers', type=number('--workers', 1, 64, whole=True), default=2,
                   metavar='N', help=_("worker processes (default 2, as the seed; at most 64)"))
    p.add_argument('--dir', default='.', metavar='DIR', help=_("save the files in DIR (default .)"))
    p.add_argument('--timeout', type=number('--timeout', 0.01, 3600), default=10,
                   metavar='SECONDS', help=_("limit per URL: connect + head + body (default 10)"))
    p.add_argument('--seed-loop', action='store_true',
                   help=_("twin only: the seed's `if q.empty(): break` loop, bounded by "
                          "--timeout"))
    p.add_argument('urls', nargs='*', metavar='URL')
    args = p.parse_args()
    urls = []
    for url in args.urls:
        if url == '-':
            urls += [line.strip() for line in sys.stdin
                     if line.strip() and not line.strip().startswith('#')]
        else:
            urls.append(url)
    if not urls:
        p.error(_("no URL given (- reads them from standard input)"))
    if not os.path.isdir(args.dir):
        sys.exit("download: " + _("--dir %s: not a directory") % args.dir)
    use_fork()

    tasks, results = Queue(), Queue()
    for url in urls:
        tasks.put(url)
    if not args.seed_loop:
        for i in range(args.workers):
            tasks.put(None)                 # no more URLs: one None per worker
    start = time.time()
    target = seed_worker if args.seed_loop else worker
    workers = [Process(target=target, args=(tasks, results), daemon=True)
               for i in range(args.workers)]
    for w in workers:
        w.start()
    saved = 0
    for i in range(len(urls)):              # before join: a worker's put must drain
        try:
            saved += results.get(timeout=args.timeout * 3 + 1)
        except queue.Empty:
            break
    all_ended_well = True
    for w in workers:
        w.join()
        if w.exitcode != 0:
            all_ended_well = False
            print("download: " + _("%s (PID %ld) ended with exit code %d")
                  % (w.name, w.pid, w.exitcode), file=sys.stderr)
    print(_("main process finished: %zu saved, %zu failed, %.2f s")
          % (saved, len(urls) - saved, time.time() - start))
    return 0 if saved == len(urls) and all_ended_well else 1


if __name__ == '__main__':
    sys.exit(main())
