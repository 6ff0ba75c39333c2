/* SPDX-License-Identifier: MIT */
/*
 * serve - requests per second that build/bin/serve answers, as wrk sees
 * them on loopback: 8 and 64 clients at once, a 6-byte file and a 1 MB one.
 *
 * Twin of serve.py, which drives `python3 -m http.server` the same way. The
 * load generator is the same program for both (wrk, one thread, 1 s a
 * measure); each server answers as it does: serve keeps a connection open
 * when the client asks (wrk does), http.server (HTTP/1.0) closes each one.
 * The last row asks both to close after every answer ("Connection: close"),
 * so that it shows what a new connection costs each: for serve a fork, for
 * http.server a thread. Prints, for tests/bench/run.sh:
 *     serve CLIENTS clients, FILE <tab> REQUESTS_PER_SECOND <tab> req/s
 * Without wrk it says so on stderr and prints no row.
 */
#include "mp.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The rows: clients, file, and whether each request asks to close. */
static const struct measure {
    const char *row;
    int clients;
    const char *file;
    bool close;
} measures[] = {
    { "serve 8 clients, 6 B file", 8, "small.txt", false },
    { "serve 64 clients, 6 B file", 64, "small.txt", false },
    { "serve 8 clients, 1 MB file", 8, "big.bin", false },
    { "serve 64 clients, 1 MB file", 64, "big.bin", false },
    { "serve 8 clients, 6 B, no keep-alive", 8, "small.txt", true },
};

/* Runs argv with its standard output into a pipe; returns the read end,
 * and the child's PID in *pid. Its standard error goes to /dev/null. */
static FILE *run_piped(char *const argv[], pid_t *pid)
{
    int fds[2];
    if (pipe(fds) == -1)
        mp_die("pipe: %s", strerror(errno));
    fflush(stdout);
    *pid = fork();
    if (*pid == -1)
        mp_die("fork: %s", strerror(errno));
    if (*pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (dup2(fds[1], 1) == -1 || null == -1 || dup2(null, 2) == -1)
            _exit(127);
        close(fds[0]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    FILE *out = fdopen(fds[0], "r");
    if (out == NULL)
        mp_die("fdopen: %s", strerror(errno));
    return out;
}

/* A file of size bytes in dir (the same bytes as serve.py's). */
static void make_file(const char *dir, const char *name, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    for (size_t i = 0; f != NULL && i < size; i++)
        fputc(size < 16 ? "hello\n"[i % 6] : (int)(i % 251), f);
    if (f == NULL || fclose(f) != 0)
        mp_die("%s: %s", path, strerror(errno));
}

/* One wrk run against port; returns its requests per second, and warns if
 * any answer was not a 2xx or a socket failed. */
static double wrk(const struct measure *m, const char *port)
{
    char conns[16], url[128];
    snprintf(conns, sizeof conns, "-c%d", m->clients);
    snprintf(url, sizeof url, "http://127.0.0.1:%s/%s", port, m->file);
    char *argv[] = { "wrk", "-t1", conns, "-d1s", url, NULL, NULL, NULL };
    if (m->close) {
        argv[5] = "-H";
        argv[6] = "Connection: close";
    }
    pid_t pid;
    FILE *out = run_piped(argv, &pid);
    char line[512];
    double rate = 0;
    while (fgets(line, sizeof line, out) != NULL) {
        sscanf(line, " Requests/sec: %lf", &rate);
        if (strstr(line, "Non-2xx") != NULL || strstr(line, "Socket errors") != NULL)
            fprintf(stderr, "bench serve: %s: %s", m->row, line);
    }
    fclose(out);
    int status;
    if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        mp_die("wrk failed (%s)", m->row);
    return rate;
}

int main(void)
{
    if (system("command -v wrk >/dev/null") != 0) {
        fprintf(stderr, "bench serve: wrk not found (Debian: apt-get install wrk): "
                "no serve rows\n");
        return 0;
    }
    char dir[] = "/tmp/forklore-bench-XXXXXX";
    if (mkdtemp(dir) == NULL)
        mp_die("mkdtemp: %s", strerror(errno));
    make_file(dir, "small.txt", 6);
    make_file(dir, "big.bin", 1 << 20);

    const char *bin = getenv("BIN") != NULL ? getenv("BIN") : "build/bin";
    char serve[4096];
    snprintf(serve, sizeof serve, "%s/serve", bin);
    char *argv[] = { serve, "--dir", dir, NULL };
    pid_t server;
    FILE *out = run_piped(argv, &server);
    char line[512], port[16] = "";
    if (fgets(line, sizeof line, out) == NULL
        || sscanf(line, "serving %*s at http://127.0.0.1:%15[0-9]", port) != 1)
        mp_die("%s did not start", serve);

    for (size_t i = 0; i < sizeof measures / sizeof measures[0]; i++)
        printf("%s\t%.0f\treq/s\n", measures[i].row, wrk(&measures[i], port));

    kill(server, SIGTERM);    /* ours, running: cannot fail */
    waitpid(server, NULL, 0);
    fclose(out);
    char small[64], big[64];
    snprintf(small, sizeof small, "%s/small.txt", dir);
    snprintf(big, sizeof big, "%s/big.bin", dir);
    return unlink(small) == 0 && unlink(big) == 0 && rmdir(dir) == 0 ? 0 : 1;
}
