# SPDX-License-Identifier: MIT
# Twin of tests/bench/serve.c: requests per second that `python3 -m
# http.server` answers, as wrk sees them on loopback (one thread, 1 s a
# measure), for the same rows and the same files as serve.c's. http.server
# speaks HTTP/1.0 and closes every connection after its answer, whatever
# the client asks. Without wrk it says so on stderr and prints no row.
import os
import re
import shutil
import subprocess
import sys
import tempfile

MEASURES = [  # row, clients, file, ask to close
    ("serve 8 clients, 6 B file", 8, "small.txt", False),
    ("serve 64 clients, 6 B file", 64, "small.txt", False),
    ("serve 8 clients, 1 MB file", 8, "big.bin", False),
    ("serve 64 clients, 1 MB file", 64, "big.bin", False),
    ("serve 8 clients, 6 B, no keep-alive", 8, "small.txt", True),
]


def wrk(row, clients, url, close):
    """wrk's requests per second; a warning on stderr for any failure."""
    cmd = ["wrk", "-t1", f"-c{clients}", "-d1s", url]
    if close:
        cmd += ["-H", "Connection: close"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if "Non-2xx" in line or "Socket errors" in line:
            print(f"bench serve.py: {row}: {line.strip()}", file=sys.stderr)
    return float(re.search(r"Requests/sec:\s*([0-9.]+)", out).group(1))


def main():
    if shutil.which("wrk") is None:
        print("bench serve.py: wrk not found: no serve rows", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory(prefix="forklore-bench-") as folder:
        with open(os.path.join(folder, "small.txt"), "wb") as f:
            f.write(b"hello\n")
        with open(os.path.join(folder, "big.bin"), "wb") as f:
            f.write(bytes(i % 251 for i in range(1 << 20)))
        server = subprocess.Popen(
            [sys.executable, "-u", "-m", "http.server", "-b", "127.0.0.1", "--directory",
             folder, "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = re.search(r" port (\d+) ", server.stdout.readline()).group(1)
            for row, clients, name, close in MEASURES:
                rate = wrk(row, clients, f"http://127.0.0.1:{port}/{name}", close)
                print(f"{row}\t{rate:.0f}\treq/s")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
