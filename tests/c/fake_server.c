/* SPDX-License-Identifier: MIT */
/*
 * fake_server - a misbehaving HTTP server for tests/download.bats. Listens on
 * a free port of 127.0.0.1 and prints "listening at http://127.0.0.1:PORT/",
 * then serves one connection at a time until it is killed:
 *
 *     fake_server silent        accepts every connection, never answers
 *     fake_server reply FILE    reads the request, sends FILE's bytes as they
 *                               are (status line, headers, body), then closes
 *     fake_server drip FILE     the same, one byte every 10 ms (a server that
 *                               never stops, yet never finishes)
 *
 * With a FILE that promises more body than it holds, the connection closes
 * mid-body; with a Location header, it redirects.
 */
#include "mp.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Reads the request up to its empty line (or 2 s, or 64 KB). */
static void read_request(int fd)
{
    struct timeval tv = { 2, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[65536];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0) {
        len += (size_t)n;
        buf[len] = '\0';
        if (strstr(buf, "\r\n\r\n") != NULL)
            return;
    }
}

int main(int argc, char **argv)
{
    int first = mp_parse_args(argc, argv, NULL, "silent | reply FILE | drip FILE",
                              "A misbehaving HTTP server for the download tests.");
    bool silent = argc - first == 1 && strcmp(argv[first], "silent") == 0;
    bool drip = argc - first == 2 && strcmp(argv[first], "drip") == 0;
    if (!silent && !drip && !(argc - first == 2 && strcmp(argv[first], "reply") == 0))
        mp_usage_error("say silent, reply FILE or drip FILE");

    static char reply[1 << 20];
    size_t reply_len = 0;
    if (!silent) {
        FILE *f = fopen(argv[first + 1], "rb");
        if (f == NULL)
            mp_die("%s: %s", argv[first + 1], strerror(errno));
        reply_len = fread(reply, 1, sizeof reply, f);
        fclose(f);
    }

    signal(SIGPIPE, SIG_IGN);   /* a client that gives up: write says EPIPE */
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener == -1 || bind(listener, (struct sockaddr *)&addr, sizeof addr) == -1
        || listen(listener, 16) == -1
        || getsockname(listener, (struct sockaddr *)&addr, &len) == -1)
        mp_die("listen: %s", strerror(errno));
    mp_print("listening at http://127.0.0.1:%d/", ntohs(addr.sin_port));

    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd == -1)
            continue;
        if (silent)
            continue;         /* keep it open, say nothing (the fd is never closed) */
        read_request(fd);
        if (drip)
            for (size_t i = 0; i < reply_len && write(fd, reply + i, 1) == 1; i++)
                mp_sleep(0.01);   /* until the client gives up (EPIPE) */
        else if (write(fd, reply, reply_len) != (ssize_t)reply_len)
            mp_warn("write: %s", strerror(errno));
        close(fd);
    }
}
