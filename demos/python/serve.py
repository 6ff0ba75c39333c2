#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""serve - a small static-file HTTP/1.0 server, one child per connection (seed 2's other end).

The Python twin of demos/serve.c, the classic Unix server written with
os.fork (socketserver.ForkingTCPServer does the same behind a class):
accept a connection, fork, the child answers it and exits; the parent
reaps its children when SIGCHLD says some have ended. It answers GET and
HEAD of regular files under --dir with the very bytes build/bin/serve sends,
so either download fetches from either server; a client that asks may keep
its connection for up to 100 requests, as with the C. The access log goes to
stderr, one line per request, with the child's PID. SIGINT or SIGTERM: stop
accepting, let the answers under way finish, exit 0 (a second one, half a
second later or more, ends them). With all 64 children busy it stops
accepting, as the C does, but lets a client wait in the backlog for as long
as it takes (the C answers 503 after a second, and under EMFILE at once).
Run it:   python3 demos/python/serve.py --dir some/dir [--port 8000] [--delay 1]
"""
import os
import re
import select
import signal
import socket
import stat
import sys
import time

from common import _, number, parser

MAX_REQUEST_LINE = 4096
MAX_HEAD = 8192
MAX_CHILDREN = 64
CHILD_SECONDS = 60
MAX_REQUESTS = 100      # answered on one kept-alive connection, at most
TOKEN = set(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
REASONS = {200: 'OK', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed',
           408: 'Request Timeout', 414: 'URI Too Long',
           431: 'Request Header Fields Too Large'}
TYPES = {'.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8',
         '.txt': 'text/plain; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
         '.json': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg',
         '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml',
         '.pdf': 'application/pdf'}

args = None
root = ''


def log(text):
    print(f"serve: {text}", file=sys.stderr)


# --- the child: one connection's requests, each answered ---

def head_end(head):
    """Where the head ends (just after its empty line), or -1."""
    ends = [i + n for i, n in ((head.find(b'\n\n'), 2), (head.find(b'\n\r\n'), 3)) if i >= 0]
    return min(ends) if ends else -1


def read_head(conn, first):
    """The request head, within --timeout in all: (0, head) or (status, head);
    status -1 if the client closed, or sent nothing in time, before a request
    after the first (the end of a kept-alive connection)."""
    deadline = time.monotonic() + args.timeout
    head = b''
    while True:
        first_line = head.find(b'\n')
        if (first_line if first_line >= 0 else len(head)) > MAX_REQUEST_LINE:
            return 414, head
        if head_end(head) >= 0:
            return 0, head
        if len(head) == MAX_HEAD:
            return 431, head
        left = deadline - time.monotonic()
        if left <= 0:
            return (408 if head or first else -1), head
        conn.settimeout(left)
        try:
            data = conn.recv(MAX_HEAD - len(head))
        except socket.timeout:
            return (408 if head or first else -1), head
        except OSError:
            data = b''
        if not data and not head and not first:
            return -1, head
        if not data or b'\0' in data:
            return 400, head
        head += data


def is_token(text):
    return len(text) > 0 and all(c in TOKEN for c in text)


def parse_head(head):
    """(status, method, target, keep): status 0 if well formed, else 400; keep
    if the client asks to keep the connection (HTTP/1.1 unless "Connection:
    close", 1.0 with "Connection: keep-alive")."""
    lines = head.split(b'\n')
    parts = lines[0].rstrip(b'\r').split(b' ')
    if len(parts) != 3:
        return 400, '-', '-', False
    method, target, version = parts
    if (not is_token(method) or not target or len(version) != 8
            or not version.startswith(b'HTTP/') or not version[5:6].isdigit()
            or version[6:7] != b'.' or not version[7:8].isdigit()):
        return 400, '-', '-', False
    method, target = method.decode('latin-1'), target.decode('latin-1')
    keep = version.startswith(b'HTTP/1.') and version != b'HTTP/1.0'
    for line in lines[1:]:
        if line in (b'', b'\r'):
            break
        name, colon, value = line.partition(b':')
        if not colon or not is_token(name):
            return 400, method, target, False
        if name.lower() == b'connection':
            tokens = [t.strip(b' \t\r').lower() for t in value.split(b',')]
            keep = b'keep-alive' in tokens or (keep and b'close' not in tokens)
    return 0, method, target, keep


def unquote(text):
    """%XX escapes decoded strictly, as mp_unquote: None if a '%' is not
    followed by two hex digits, or encodes a zero byte."""
    pieces = text.encode('latin-1').split(b'%')
    out = bytearray(pieces[0])
    for piece in pieces[1:]:
        if not re.fullmatch(rb'[0-9A-Fa-f]{2}', piece[:2]) or piece[:2] == b'00':
            return None
        out.append(int(piece[:2], 16))
        out += piece[2:]
    return bytes(out)


def find_file(target):
    """(0, real path) of a file inside root, or (status, None)."""
    if not target.startswith('/'):
        return 400, None
    end = min([i for i in (target.find('?'), target.find('#')) if i >= 0] or [len(target)])
    decoded = unquote(target[:end])
    if decoded is None:
        return 400, None
    joined = os.fsencode(root) + b'/' + decoded
    if not os.path.exists(joined):           # C's realpath(3) fails then
        return 404, None
    path = os.path.realpath(joined)
    inside = path.startswith(os.fsencode(root) + b'/') or root == '/'
    return (0, path) if inside else (404, None)


def send_file(conn, method, path, keep):
    """(200, body bytes sent, all of it sent), or (404, 0, False) before
    anything was sent. keep: say the connection stays open."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return 404, 0, False
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        return 404, 0, False                # a directory, a device...: regular files only
    with os.fdopen(fd, 'rb') as f:
        size = st.st_size
        kind = TYPES.get(os.path.splitext(path)[1].decode().lower(), 'application/octet-stream')
        sent = 0
        alive = "Connection: keep-alive\r\n" if keep else ""
        try:
            conn.sendall(f"HTTP/1.0 200 OK\r\nContent-Type: {kind}\r\n"
                         f"Content-Length: {size}\r\n{alive}\r\n".encode())
            while method == 'GET':
                data = f.read(65536)
                if not data:
                    break
                conn.sendall(data)
                sent += len(data)
        except OSError:
            return 200, sent, False
        return 200, sent, method != 'GET' or sent == size


def send_error(conn, method, status):
    body = f"{status} {REASONS[status]}\n".encode()
    allow = "Allow: GET, HEAD\r\n" if status == 405 else ""
    head = (f"HTTP/1.0 {status} {REASONS[status]}\r\n{allow}"
            f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n")
    try:
        conn.sendall(head.encode())
        if method == 'HEAD':
            return 0
        conn.sendall(body)
        return len(body)
    except OSError:
        return 0


LOG_WIDTH = 80          # an access log line fits a projector


def log_request(method, target, status, sent):
    """The access log line, at most LOG_WIDTH columns: a long path loses its
    middle, and a byte that is not printable ASCII shows as '?'."""
    who, tail = _("child %ld: %s") % (os.getpid(), method), _(" %d %lld bytes") % (status, sent)
    room = max(9, LOG_WIDTH - 8 - len(who) - len(tail))
    if len(target) > room:
        front = (room - 3) // 2
        target = target[:front] + '...' + target[len(target) - (room - 3 - front):]
    log(who + ' ' + ''.join(c if ' ' < c < '\x7f' else '?' for c in target) + tail)


def answer_one(conn, n):
    """Request number n: read, answered, logged. True if the connection stays
    open for another: the client asked, the answer is a 200 sent whole,
    nothing came after the head (no pipelining), and n < MAX_REQUESTS."""
    method = target = '-'
    sent, keep = 0, False
    signal.alarm(int(CHILD_SECONDS + args.timeout + args.delay))
    status, head = read_head(conn, n == 1)
    if status == -1:
        return False
    if status == 0:
        time.sleep(args.delay)              # --delay: as if the network were slow
        status, method, target, keep = parse_head(head)
        keep = keep and head_end(head) == len(head) and n < MAX_REQUESTS
    if status == 0 and method not in ('GET', 'HEAD'):
        status = 405
    if status == 0:
        status, path = find_file(target)
    conn.settimeout(args.timeout)           # a client that stops reading
    if status == 0:
        status, sent, whole = send_file(conn, method, path, keep)
        keep = keep and whole
    if status != 200:
        sent, keep = send_error(conn, method, status), False
    log_request(method, target, status, sent)
    return keep


def answer(conn):
    """One connection: a request, or up to MAX_REQUESTS if the client keeps
    it, each within --timeout of the last answer."""
    n = 1
    while answer_one(conn, n):
        n += 1
    # Close gently: our end of file first, then read what the client still sends.
    try:
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(1)
        while conn.recv(MAX_HEAD):
            pass
    except OSError:
        pass
    conn.close()


# --- the parent: accept, fork, reap ---

stops = []              # when each SIGINT / SIGTERM came
children = set()


def on_stop(sig, frame):
    stops.append(time.monotonic())


def reap():
    while children:
        pid = os.waitpid(-1, os.WNOHANG)[0]
        if pid == 0:
            break
        children.discard(pid)


def start_child(listener):
    try:
        conn = listener.accept()[0]
    except (BlockingIOError, ConnectionAbortedError):
        return                              # the client gave up before we got to it
    conn.setblocking(True)
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:                            # the child: this connection, then exit
        listener.close()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C: the parent decides
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        try:
            answer(conn)
        finally:                            # whatever happened, never return into
            sys.stderr.flush()              # the parent's loop: this is the child
            os._exit(0)
    conn.close()                            # the child has its own copy
    children.add(pid)


def main():
    global args, root
    p = parser('serve', _("Seed 2's other end: a static-file HTTP/1.0 server, one child per "
                          "connection."), tick=False)
    p.add_argument('--dir', default='.', metavar='DIR',
                   help=_("serve the files under DIR (default .)"))
    p.add_argument('--port', type=number('--port', 0, 65535, whole=True), default=0,
                   metavar='N', help=_("TCP port (default 0: a free one)"))
    p.add_argument('--bind', default='127.0.0.1', metavar='ADDR',
                   help=_("listen on this IP address (default 127.0.0.1)"))
    p.add_argument('--delay', type=number('--delay', 0, 60), default=0, metavar='SECONDS',
                   help=_("wait before each answer: a slow network (default 0)"))
    p.add_argument('--timeout', type=number('--timeout', 0.01, 3600), default=5,
                   metavar='SECONDS',
                   help=_("for the whole request, and for each write (default 5)"))
    args = p.parse_args()
    if not os.path.isdir(args.dir):
        sys.exit("serve: " + _("--dir %s: %s") % (args.dir, _("not a directory")))
    root = os.path.realpath(args.dir)
    try:
        info = socket.getaddrinfo(args.bind, args.port, type=socket.SOCK_STREAM,
                                  flags=socket.AI_PASSIVE | socket.AI_NUMERICHOST)[0]
    except socket.gaierror:
        p.error(_("--bind: '%s' is not a numeric IP address") % args.bind)
    listener = socket.socket(info[0], socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(info[4])
        listener.listen(64)
    except OSError as e:
        sys.exit("serve: " + _("listen on %s port %ld: %s") % (args.bind, args.port,
                                                               _(e.strerror or str(e))))
    listener.setblocking(False)
    host, port = listener.getsockname()[:2]
    ipv6 = ':' in host
    print(_("serving %s at http://%s%s%s:%s/") % (args.dir, '[' if ipv6 else '', host,
                                                    ']' if ipv6 else '', port))

    # Signals wake the select below through this pipe (the handlers only
    # note them), so a signal is never missed between a check and a wait.
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGCHLD, lambda sig, frame: None)
    while not stops:
        watched = [wake_r] + ([listener] if len(children) < MAX_CHILDREN else [])
        ready = select.select(watched, [], [])[0]
        if wake_r in ready:
            os.read(wake_r, 512)
        reap()
        if listener in ready and not stops:
            start_child(listener)

    listener.close()                        # new clients are refused from now on
    reap()
    if children:
        log(_("stopping: %d answer(s) still running (Ctrl-C again: end them now)")
            % len(children))
    first = stops[0]
    while children:
        select.select([wake_r], [], [])
        os.read(wake_r, 512)
        reap()
        if any(t - first >= 0.5 for t in stops):    # asked again: do not wait
            for pid in children:
                os.kill(pid, signal.SIGTERM)
            stops.clear()
            stops.append(first)
    log(_("stopped"))


if __name__ == '__main__':
    main()
