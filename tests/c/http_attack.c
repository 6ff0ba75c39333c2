/* SPDX-License-Identifier: MIT */
/*
 * http_attack - hostile clients for tests/serve.bats, on 127.0.0.1 only,
 * each bounded in count and time:
 *
 *     http_attack race PORT DIR N
 *         DIR/sw is a directory inside serve's --dir, DIR/sw_link a symlink
 *         to a directory outside it. A child swaps the two names with
 *         renameat2(RENAME_EXCHANGE) as fast as it can, while N requests
 *         GET /sw/secret.txt. Prints "200 A, 404 B, other C, outside D":
 *         D counts answers that carried the word OUTSIDE (the outside
 *         file's content).
 *
 *     http_attack drip PORT N SECONDS head|after
 *         N connections that send a byte every 0.2 s for at most SECONDS:
 *         "head" drips the request head itself, "after" sends a whole
 *         request first and then keeps dripping. A connection counts as
 *         closed once the server has closed it (a write fails). Prints
 *         "closed C of N, longest L s".
 *
 *     http_attack crowd PORT N PATH
 *         N clients at once: all connect, then each sends GET PATH, then
 *         all wait for their answers (30 s at most in all). Prints
 *         "200 A, 503 B, other C, none D, longest L s": D got no answer at
 *         all, L is how long the slowest answer took to arrive in full.
 */
#define _GNU_SOURCE           /* renameat2 */
#include "mp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int connect_to(long port)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == -1 || connect(fd, (struct sockaddr *)&addr, sizeof addr) == -1)
        mp_die("connect to port %ld: %s", port, strerror(errno));
    return fd;
}

/* One whole GET; the answer (at most size - 1 bytes) into buf. */
static void get(long port, const char *path, char *buf, size_t size)
{
    int fd = connect_to(port);
    char request[256];
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\n\r\n", path);
    if (write(fd, request, (size_t)n) != n)
        mp_die("write: %s", strerror(errno));
    size_t len = 0;
    ssize_t got;
    while (len < size - 1 && (got = read(fd, buf + len, size - 1 - len)) > 0)
        len += (size_t)got;
    buf[len] = '\0';
    close(fd);
}

static void race(long port, const char *dir, long n)
{
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dirfd == -1)
        mp_die("%s: %s", dir, strerror(errno));
    pid_t swapper = fork();
    if (swapper == -1)
        mp_die("fork: %s", strerror(errno));
    if (swapper == 0) {       /* swaps until the parent kills it (or 60 s) */
        alarm(60);
        for (;;)
            if (renameat2(dirfd, "sw", dirfd, "sw_link", RENAME_EXCHANGE) == -1)
                mp_die("renameat2: %s", strerror(errno));
    }
    long ok = 0, missing = 0, other = 0, outside = 0;
    char answer[4096];
    for (long i = 0; i < n; i++) {
        get(port, "/sw/secret.txt", answer, sizeof answer);
        ok += strncmp(answer, "HTTP/1.0 200 ", 13) == 0;
        missing += strncmp(answer, "HTTP/1.0 404 ", 13) == 0;
        other += strncmp(answer, "HTTP/1.0 200 ", 13) != 0
                 && strncmp(answer, "HTTP/1.0 404 ", 13) != 0;
        outside += strstr(answer, "OUTSIDE") != NULL;
    }
    kill(swapper, SIGKILL);
    waitpid(swapper, NULL, 0);
    mp_print("200 %ld, 404 %ld, other %ld, outside %ld", ok, missing, other, outside);
}

static void drip(long port, long n, double seconds, bool after)
{
    int *fds = calloc((size_t)n, sizeof *fds);
    double *closed = calloc((size_t)n, sizeof *closed);
    if (fds == NULL || closed == NULL)
        mp_die("out of memory");
    signal(SIGPIPE, SIG_IGN);
    const char *request = "GET /a.txt HTTP/1.0\r\n\r\n";
    double start = mp_now();
    for (long i = 0; i < n; i++) {
        fds[i] = connect_to(port);
        if (after && write(fds[i], request, strlen(request)) != (ssize_t)strlen(request))
            mp_die("write: %s", strerror(errno));
        else if (!after && write(fds[i], "GET /a.txt HTTP/1.0\r\n", 21) != 21)
            mp_die("write: %s", strerror(errno));
    }
    long left = n;
    while (left > 0 && mp_now() - start < seconds) {
        mp_sleep(0.2);
        for (long i = 0; i < n; i++) {
            if (closed[i] != 0)
                continue;
            char sink[4096];
            while (recv(fds[i], sink, sizeof sink, MSG_DONTWAIT) > 0)
                ;             /* the answer, if any: read, so no reset is sent */
            if (write(fds[i], "X", 1) != 1) {    /* the server has closed it */
                closed[i] = mp_now() - start;
                close(fds[i]);
                left--;
            }
        }
    }
    double longest = 0;
    for (long i = 0; i < n; i++)
        if (closed[i] > longest)
            longest = closed[i];
    mp_print("closed %ld of %ld, longest %.2f s", n - left, n, longest);
    for (long i = 0; i < n; i++)
        if (closed[i] == 0)
            close(fds[i]);
    free(fds);
    free(closed);
}

/* The status of an answer ("HTTP/1.0 503 ..."), or 0 if it has none. */
static int status_of(const char *answer)
{
    return strncmp(answer, "HTTP/1.", 7) == 0 && strlen(answer) >= 12 ? atoi(answer + 9) : 0;
}

static void crowd(long port, long n, const char *path)
{
    struct pollfd *pfds = calloc((size_t)n, sizeof *pfds);
    char (*answers)[64] = calloc((size_t)n, sizeof *answers);
    size_t *lens = calloc((size_t)n, sizeof *lens);
    if (pfds == NULL || answers == NULL || lens == NULL)
        mp_die("out of memory");
    char request[256];
    int len = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\n\r\n", path);
    for (long i = 0; i < n; i++)
        pfds[i] = (struct pollfd){ .fd = connect_to(port), .events = POLLIN };
    double start = mp_now(), longest = 0;
    for (long i = 0; i < n; i++)
        if (write(pfds[i].fd, request, (size_t)len) != len)
            mp_die("write: %s", strerror(errno));
    long left = n;
    while (left > 0 && mp_now() - start < 30) {
        if (poll(pfds, (nfds_t)n, 100) == -1)
            mp_die("poll: %s", strerror(errno));
        for (long i = 0; i < n; i++) {
            if (pfds[i].fd < 0 || pfds[i].revents == 0)
                continue;
            char buf[4096];
            ssize_t got = read(pfds[i].fd, buf, sizeof buf);
            if (got > 0) {    /* only the start of the answer is kept */
                size_t room = sizeof answers[i] - 1 - lens[i];
                size_t take = (size_t)got < room ? (size_t)got : room;
                memcpy(answers[i] + lens[i], buf, take);
                lens[i] += take;
                continue;
            }
            close(pfds[i].fd);                  /* the end (or a reset): done */
            pfds[i].fd = -1;
            longest = mp_now() - start;
            left--;
        }
    }
    long counts[4] = { 0, 0, 0, 0 };            /* 200, 503, other, none */
    for (long i = 0; i < n; i++) {
        int status = status_of(answers[i]);
        counts[status == 200 ? 0 : status == 503 ? 1 : status != 0 ? 2 : 3]++;
        if (pfds[i].fd >= 0)
            close(pfds[i].fd);
    }
    mp_print("200 %ld, 503 %ld, other %ld, none %ld, longest %.2f s", counts[0], counts[1],
             counts[2], counts[3], longest);
    free(pfds);
    free(answers);
    free(lens);
}

int main(int argc, char **argv)
{
    int first = mp_parse_args(argc, argv, NULL, "race PORT DIR N | drip PORT N SECONDS "
                              "head|after | crowd PORT N PATH",
                              "Hostile HTTP clients for the serve tests.");
    int nargs = argc - first;
    if (nargs == 4 && strcmp(argv[first], "race") == 0)
        race(atol(argv[first + 1]), argv[first + 2], atol(argv[first + 3]));
    else if (nargs == 5 && strcmp(argv[first], "drip") == 0)
        drip(atol(argv[first + 1]), atol(argv[first + 2]), atof(argv[first + 3]),
             strcmp(argv[first + 4], "after") == 0);
    else if (nargs == 4 && strcmp(argv[first], "crowd") == 0)
        crowd(atol(argv[first + 1]), atol(argv[first + 2]), argv[first + 3]);
    else
        mp_usage_error("say race PORT DIR N, drip PORT N SECONDS head|after, or crowd PORT N PATH");
    return 0;
}
