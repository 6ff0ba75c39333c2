/* SPDX-License-Identifier: MIT */
/*
 * watch - runs one program and writes down what each of its processes did.
 * Every exercise's check runs the program through it (docs/exercises/README.md).
 *
 *   watch [--deadline S] [--idle S] [--grace S] [--snapshot REGEX DELAY]
 *         [--signal REGEX SIGNAL main|writer] [--record PREFIX] -- PROGRAM [ARGS...]
 *
 *   --deadline S   kill everything after S seconds (default 10)
 *   --idle S       the same, sooner, once for S seconds every process of the
 *                  program has been asleep, using no CPU, printing nothing:
 *                  a deadlock, which would only wait for the deadline (a
 *                  program that sleeps that long in one go would be taken
 *                  for one: the exercises' programs sleep a tick at a time)
 *   --grace S      after the main ended, how long the others may take to end
 *                  by themselves before they count as left running (default 3:
 *                  a process such as Python's resource tracker ends when the
 *                  main does, but a busy machine may run it late)
 *   --snapshot REGEX DELAY   DELAY seconds after the first line matching
 *                  REGEX, write down every process of the program: its state
 *                  and what it waits in (ps's STAT and WCHAN)
 *   --signal REGEX SIGNAL main|writer   at the first line matching REGEX,
 *                  send signal number SIGNAL to the main or to that line's writer
 *   --record PREFIX  also keep the output as it came, in PREFIX.out and
 *                  PREFIX.err (the test suite replays it, to see it fail)
 *
 * How it knows who printed what. The program's standard output and error are
 * not pipes but Unix sockets on which watch has set SO_PASSCRED: the kernel
 * then attaches to every write the PID of the process that made it, and
 * never hands over the writes of two processes in one read. So a line is
 * known to come from a process that really ran, whatever the line says; a
 * line "PID 1234" written by another process is caught, and so is output
 * recorded from an earlier run and played back (its PIDs are no process of
 * this run). Each process's partial lines are put together on their own.
 *
 * Which processes are the program's. watch starts PROGRAM in a process group
 * of its own and becomes a "subreaper" (Linux's PR_SET_CHILD_SUBREAPER): an
 * orphan among the program's processes, whose parent died, is handed to
 * watch rather than to PID 1. A process is the program's if its chain of
 * parents in /proc leads to the main (the process watch started) or to
 * watch itself.
 *
 * What it writes on standard output, one record a line, fields split by tabs
 * (times in ms from the start; PIDs as tokens: P1 is the main, P2, P3... the
 * other processes of this run in the order they turn up; X1, X2... numbers
 * in which watch could see no process of this run: no process at all, or
 * one of another program, or one that ended before its number was seen and
 * that never wrote a line; "watch" is watch; "?" unknown):
 *   start  P1  COMMAND                   the program was started
 *   proc   TOKEN  PARENT                 a process named for the first time, and
 *                                        its parent then ("-" for an X)
 *   line   MS  out|err  WRITER  PARENT  TEXT
 *                                        a line, who wrote it, that one's parent
 *   lie    MS  WRITER  CLAIMED  TEXT     the line says "PID n" but n did not write it
 *   signal MS  TOKEN  SIGNAL             --signal sent it
 *   snap   MS  TOKEN  PARENT  STATE  WCHAN   --snapshot: every process then
 *   end    MS  exit N | signal N | timeout | idle  CPU-MS
 *                                        how the main ended (CPU: its own and
 *                                        its reaped children's)
 *   stuck  TOKEN  PARENT  STATE  WCHAN   at the deadline (or idle): every process, then killed
 *   left   TOKEN  PARENT  zombie|running  STATE  WCHAN
 *                                        after the main ended: a child nobody
 *                                        reaped, or one still running GRACE s
 *                                        later (then killed)
 * In TEXT, a number is a PID, and becomes a token, when it follows the word
 * PID, pid, PPID, ppid, parent or worker (with ':', '=' or spaces between),
 * or when it is the second field of a timeline row ("p1 12345   |mmm|").
 * "PID n" is the writer's own PID, unless it follows "parent".
 *
 * (Elsewhere than Linux, without SO_PASSCRED and subreapers, every writer is
 * "?" and orphans go to PID 1: the checks then cannot tell who printed what.)
 *
 * Exit status: 0 once the program was run, whatever it did; 2 for a usage
 * error; 1 if it could not be run at all; 130 after Ctrl-C (the program's
 * processes are killed first, like everything still running at the end).
 */
#ifdef __linux__
#define _GNU_SOURCE               /* SO_PASSCRED, struct ucred */
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define MAX_PROCS 4096
#define LINE_MAX_BYTES 4096

struct proc {                     /* a process watch has named */
    pid_t pid;
    char token[16];               /* "P3", "X1" */
    char parent[16];              /* its parent's token when first seen */
};
static struct proc procs[MAX_PROCS];
static int nprocs, nours, nothers;

struct partial {                  /* one writer's line so far, per stream */
    pid_t pid;
    int stream;
    size_t len;
    char text[LINE_MAX_BYTES];
};
static struct partial partials[64];

static pid_t self, main_pid;
static double started;
static volatile sig_atomic_t interrupted;
static double last_output;        /* when the program last wrote something */
static regex_t snap_re, signal_re;
static bool snap_wanted, signal_wanted;
static double snap_delay, snap_at = -1;
static int signal_number;
static int record[2] = { -1, -1 };  /* --record: the raw output, as it came */
static bool signal_main;          /* else the writer of the line */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);  /* cannot fail for this clock */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long ms(void)
{
    return (long)((now() - started) * 1000);
}

static _Noreturn void usage(const char *why)
{
    fprintf(stderr, "watch: %s\nusage: watch [--deadline S] [--idle S] [--grace S] [--snapshot REGEX DELAY] "
                    "[--signal REGEX SIGNAL main|writer] [--record PREFIX] -- PROGRAM [ARGS...]\n", why);
    exit(2);
}

/* What /proc/PID/stat says of pid: its parent, its state letter (R, S, D,
 * Z, T...) and, if cpu is not NULL, the CPU time all its threads have used,
 * in clock ticks. False if there is no such process. The name in brackets
 * may hold spaces and brackets itself, so the fields are read after the
 * last ')'. */
static bool stat_of(pid_t pid, pid_t *ppid, char *state, unsigned long long *cpu)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *end = strrchr(buf, ')');
    long parent;
    unsigned long long utime, stime;
    if (end == NULL || sscanf(end + 1, " %c %ld %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu",
                              state, &parent, &utime, &stime) != 4)
        return false;
    *ppid = (pid_t)parent;
    if (cpu != NULL)
        *cpu = utime + stime;
    return true;
}

/* The kernel function a sleeping process waits in ("do_wait"), or "-". */
static void wchan_of(pid_t pid, char *out, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/wchan", (long)pid);
    snprintf(out, size, "-");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    if (fgets(out, (int)size, f) == NULL || out[0] == '\0' || strcmp(out, "0") == 0)
        snprintf(out, size, "-");
    fclose(f);
}

/* Whether pid is one of the program's processes: its parents lead to the
 * main or to watch (which adopts the program's orphans). */
static bool is_ours(pid_t pid)
{
    char state;
    for (int depth = 0; depth < 64 && pid > 1; depth++) {
        if (pid == main_pid || pid == self)
            return true;
        if (!stat_of(pid, &pid, &state, NULL))
            return false;
    }
    return false;
}

static const char *token_of(pid_t pid);
static const char *name(pid_t pid, bool writer);

/* The token of pid's parent, from /proc now; "?" if pid is gone (then
 * its parent cannot be told). */
static const char *parent_token(pid_t pid)
{
    pid_t ppid;
    char state;
    if (pid == main_pid)
        return "watch";
    if (!stat_of(pid, &ppid, &state, NULL))
        return "?";
    return token_of(ppid);
}

/* pid's token, made the first time pid is named: P for the program's
 * processes, X for any other number. */
static const char *token_of(pid_t pid)
{
    return name(pid, false);
}

/* The same for the writer of a line, which is the program's even if it
 * has ended since: only the program's processes hold its output. */
static const char *name(pid_t pid, bool writer)
{
    if (pid == self)
        return "watch";
    if (pid <= 0)
        return "?";
    for (int i = 0; i < nprocs; i++)
        if (procs[i].pid == pid)
            return procs[i].token;
    if (nprocs == MAX_PROCS)
        return "?";
    struct proc *p = &procs[nprocs++];
    p->pid = pid;
    bool ours = writer || pid == main_pid || is_ours(pid);
    snprintf(p->token, sizeof p->token, "%c%d", ours ? 'P' : 'X', ours ? ++nours : ++nothers);
    snprintf(p->parent, sizeof p->parent, "%s", ours ? parent_token(pid) : "-");
    printf("proc\t%s\t%s\n", p->token, p->parent);
    return p->token;
}

/* The word that ends just before s[i] (skipping ' ', ':', '=' and '#'
 * before it), copied into word; returns where that word starts. */
static size_t word_before(const char *s, size_t i, char *word, size_t size)
{
    while (i > 0 && strchr(" :=#", s[i - 1]) != NULL)
        i--;
    size_t end = i;
    while (i > 0 && isalpha((unsigned char)s[i - 1]))
        i--;
    size_t n = end - i < size - 1 ? end - i : size - 1;
    memcpy(word, s + i, n);
    word[n] = '\0';
    return i;
}

/* Whether the digits s[i..j) are the PID of a timeline row: "role PID   |". */
static bool timeline_pid(const char *s, size_t i, size_t j)
{
    size_t k = 0;
    while (k < i && s[k] != ' ')
        k++;
    if (k == 0)
        return false;
    while (k < i && s[k] == ' ')
        k++;
    if (k != i || s[j] != ' ')
        return false;
    while (s[j] == ' ')
        j++;
    return s[j] == '|';
}

/* Copies text to out with each PID replaced by its token (see the top).
 * Returns the first PID the line claims for its writer that is not the
 * writer's, or 0. */
static pid_t normalise(const char *text, pid_t writer, char *out, size_t size)
{
    pid_t lie = 0;
    size_t o = 0;
    for (size_t i = 0; text[i] != '\0' && o + 8 < size;) {
        bool starts = isdigit((unsigned char)text[i]) &&
                      (i == 0 || (!isalnum((unsigned char)text[i - 1]) && text[i - 1] != '.'));
        size_t j = i;
        while (starts && isdigit((unsigned char)text[j]))
            j++;
        if (!starts || isalpha((unsigned char)text[j]) ||
            (text[j] == '.' && isdigit((unsigned char)text[j + 1])) || j - i > 9) {
            out[o++] = text[i++];
            continue;
        }
        char word[16], before[16];
        size_t w = word_before(text, i, word, sizeof word);
        word_before(text, w, before, sizeof before);
        bool pid_word = strcmp(word, "PID") == 0 || strcmp(word, "pid") == 0;
        bool mention = strcmp(word, "parent") == 0 || strcmp(word, "ppid") == 0 ||
                       strcmp(word, "PPID") == 0 || strcmp(word, "worker") == 0 ||
                       timeline_pid(text, i, j);
        if (!pid_word && !mention) {
            while (i < j)
                out[o++] = text[i++];
            continue;
        }
        pid_t pid = (pid_t)strtol(text + i, NULL, 10);
        bool claim = pid_word && strcmp(before, "parent") != 0;
        if (claim && pid != writer && lie == 0)
            lie = pid;
        o += (size_t)snprintf(out + o, size - o, "%s", token_of(pid));
        i = j;
    }
    out[o] = '\0';
    return lie;
}

static void sanitise(char *s)
{
    for (; *s; s++)
        if (*s == '\t' || *s == '\r')
            *s = ' ';
}

/* One whole line from writer on stream (0 out, 1 err): written down, and
 * --signal sent if it is the line asked for. */
static void got_line(int stream, pid_t writer, char *text)
{
    char line[2 * LINE_MAX_BYTES];
    sanitise(text);
    const char *who = name(writer, true);
    const char *parent = parent_token(writer);
    pid_t lie = normalise(text, writer, line, sizeof line);
    long t = ms();
    printf("line\t%ld\t%s\t%s\t%s\t%s\n", t, stream ? "err" : "out", who, parent, line);
    if (lie != 0)
        printf("lie\t%ld\t%s\t%s\t%s\n", t, who, token_of(lie), line);
    if (snap_wanted && snap_at < 0 && regexec(&snap_re, line, 0, NULL, 0) == 0)
        snap_at = now() + snap_delay;
    if (signal_wanted && regexec(&signal_re, line, 0, NULL, 0) == 0) {
        signal_wanted = false;
        pid_t target = signal_main ? main_pid : writer;
        kill(target, signal_number);           /* it may have ended: no matter */
        printf("signal\t%ld\t%s\t%d\n", ms(), token_of(target), signal_number);
    }
}

static struct partial *partial_of(int stream, pid_t pid)
{
    struct partial *free_one = NULL;
    for (size_t i = 0; i < sizeof partials / sizeof partials[0]; i++) {
        if (partials[i].pid == pid && partials[i].stream == stream)
            return &partials[i];
        if (partials[i].pid == 0 && free_one == NULL)
            free_one = &partials[i];
    }
    if (free_one == NULL) {               /* 64 writers with half a line each: */
        free_one = &partials[0];          /* hand on the oldest's as it is */
        free_one->text[free_one->len] = '\0';
        got_line(free_one->stream, free_one->pid, free_one->text);
    }
    free_one->pid = pid;
    free_one->stream = stream;
    free_one->len = 0;
    return free_one;
}

/* Adds what writer wrote to its line so far; hands on each whole line. */
static void got_bytes(int stream, pid_t writer, const char *buf, size_t n)
{
    last_output = now();
    if (record[stream] != -1 && write(record[stream], buf, n) != (ssize_t)n)
        record[stream] = -1;              /* a full disk: stop recording, go on */
    struct partial *p = partial_of(stream, writer);
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n' || p->len == LINE_MAX_BYTES - 1) {
            p->text[p->len] = '\0';
            got_line(stream, writer, p->text);
            p->len = 0;
            if (buf[i] == '\n')
                continue;
        }
        p->text[p->len++] = buf[i];
    }
    if (p->len == 0)
        p->pid = 0;                       /* nothing pending: free the slot */
}

/* Reads what is waiting on socket fd (stream 0 or 1), without waiting:
 * 1 if it read something, 0 if nothing was there, -1 at end of file. */
static int read_socket(int fd, int stream)
{
    char buf[8192];
    union {                               /* aligned room for one ucred */
        struct cmsghdr align;
        char room[CMSG_SPACE(64)];
    } control;
    struct iovec iov = { buf, sizeof buf };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = control.room, .msg_controllen = sizeof control.room };
    ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n == -1)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    if (n == 0)
        return -1;
    pid_t writer = 0;                     /* 0: the system cannot say (token "?") */
#ifdef SO_PASSCRED
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof cred);
            writer = cred.pid;
        }
    }
#endif
    got_bytes(stream, writer, buf, (size_t)n);
    return 1;
}

/* Waits up to seconds for output and reads it. */
static void read_output(int fds[2], bool open[2], double seconds)
{
    struct pollfd p[2];
    for (int i = 0; i < 2; i++)
        p[i] = (struct pollfd){ open[i] ? fds[i] : -1, POLLIN, 0 };
    if (poll(p, 2, (int)(seconds * 1000)) <= 0)
        return;                           /* nothing, or a signal: look again later */
    for (int i = 0; i < 2; i++)
        if (p[i].revents != 0 && read_socket(fds[i], i) == -1)
            open[i] = false;
}

/* Reads all the output that is already there. */
static void drain(int fds[2], bool open[2])
{
    for (int i = 0; i < 2; i++) {
        int got, reads = 0;
        while (open[i] && reads++ < 1000 && (got = read_socket(fds[i], i)) != 0)
            if (got == -1)
                open[i] = false;
    }
}

/* Every process of the program now, as (pid, ppid, state): all of /proc
 * is read first, then each process's parents are followed in that one
 * picture, so that the list is consistent. */
struct seen {
    pid_t pid, ppid;
    char state;
    unsigned long long cpu;
};
static struct seen all[32768];

static int scan(struct seen *out, int max)
{
    int nall = 0, n = 0;
    DIR *dir = opendir("/proc");
    if (dir == NULL)
        return 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && nall < (int)(sizeof all / sizeof all[0])) {
        pid_t pid = (pid_t)atol(e->d_name);
        if (pid > 0 && stat_of(pid, &all[nall].ppid, &all[nall].state, &all[nall].cpu))
            all[nall++].pid = pid;
    }
    closedir(dir);
    for (int i = 0; i < nall && n < max; i++) {
        if (all[i].pid == self)
            continue;
        pid_t up = all[i].pid;
        for (int depth = 0; depth < 64 && up > 1 && up != self && up != main_pid; depth++) {
            int k = 0;
            while (k < nall && all[k].pid != up)
                k++;
            up = k < nall ? all[k].ppid : 0;
        }
        if (up == self || up == main_pid)
            out[n++] = all[i];
    }
    return n;
}

/* One record per process of the program: KIND TOKEN PARENT STATE WCHAN. */
static void describe(const char *kind, const struct seen *s, const char *what)
{
    char wchan[64];
    wchan_of(s->pid, wchan, sizeof wchan);
    const char *token = token_of(s->pid);
    if (strcmp(kind, "snap") == 0)
        printf("snap\t%ld\t%s\t%s\t%c\t%s\n", ms(), token, token_of(s->ppid), s->state, wchan);
    else if (what == NULL)
        printf("%s\t%s\t%s\t%c\t%s\n", kind, token, token_of(s->ppid), s->state, wchan);
    else
        printf("%s\t%s\t%s\t%s\t%c\t%s\n", kind, token, token_of(s->ppid), what, s->state, wchan);
}

/* SIGKILL to every process of the program, reaping all that come to watch,
 * until none is left (at most two seconds: a process that cannot be killed
 * is in the kernel's hands). */
static void kill_all(pid_t group)
{
    static struct seen s[MAX_PROCS];
    double until = now() + 2;
    for (;;) {
        killpg(group, SIGKILL);           /* the group may be empty: no matter */
        int n = scan(s, MAX_PROCS);
        for (int i = 0; i < n; i++)
            kill(s[i].pid, SIGKILL);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if ((n == 0 && waitpid(-1, NULL, WNOHANG) == -1) || now() > until)
            return;
        usleep(10000);
    }
}

/* After the main ended: its zombie children, and whatever still runs after
 * grace seconds, are written down; then everything left is killed. */
static void leftovers(int fds[2], bool open[2], double grace)
{
    static struct seen s[MAX_PROCS];
    int n = scan(s, MAX_PROCS);
    for (int i = 0; i < n; i++) {
        if (s[i].state == 'Z' && s[i].ppid == self) {
            describe("left", &s[i], "zombie");
            waitpid(s[i].pid, NULL, 0);   /* a zombie: returns at once */
        }
    }
    double until = now() + grace;
    while (now() < until) {
        while (waitpid(-1, NULL, WNOHANG) > 0)   /* ended on its own: fine */
            ;
        if (scan(s, MAX_PROCS) == 0)
            break;
        read_output(fds, open, 0.05);
    }
    n = scan(s, MAX_PROCS);
    for (int i = 0; i < n; i++)
        describe("left", &s[i], s[i].state == 'Z' ? "zombie" : "running");
    kill_all(main_pid);
}

/* Whether the program has been idle for seconds: every process asleep (S,
 * or stopped), none of them using CPU time, nothing printed. Looked at every
 * fifth of a second while the program prints nothing. */
static bool idle_for(double seconds)
{
    static struct seen s[MAX_PROCS];
    static double since, looked;
    static unsigned long long cpu_then;
    double t = now();
    if (t - last_output < 0.2 || t - looked < 0.2) {
        if (t - last_output < 0.2)
            since = 0;
        return false;
    }
    looked = t;
    int n = scan(s, MAX_PROCS);
    unsigned long long cpu = 0;
    bool asleep = true;
    for (int i = 0; i < n; i++) {
        cpu += s[i].cpu;
        asleep = asleep && (s[i].state == 'S' || s[i].state == 'T' || s[i].state == 'Z');
    }
    if (!asleep || cpu != cpu_then || since == 0) {
        since = t;                        /* something moved: start again */
        cpu_then = cpu;
        return false;
    }
    return t - since >= seconds;
}

static void on_signal(int sig)
{
    interrupted = sig;
}

/* Reads the options; returns the index of PROGRAM in argv. */
static int options(int argc, char **argv, double *deadline, double *idle, double *grace)
{
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        char *end;
        if (strcmp(argv[i], "--deadline") == 0 && i + 1 < argc) {
            *deadline = strtod(argv[++i], &end);
            if (*end != '\0' || *deadline <= 0)
                usage("--deadline: not a number of seconds");
        } else if (strcmp(argv[i], "--idle") == 0 && i + 1 < argc) {
            *idle = strtod(argv[++i], &end);
            if (*end != '\0' || *idle <= 0)
                usage("--idle: not a number of seconds");
        } else if (strcmp(argv[i], "--grace") == 0 && i + 1 < argc) {
            *grace = strtod(argv[++i], &end);
            if (*end != '\0' || *grace < 0)
                usage("--grace: not a number of seconds");
        } else if (strcmp(argv[i], "--snapshot") == 0 && i + 2 < argc) {
            if (regcomp(&snap_re, argv[i + 1], REG_EXTENDED | REG_NOSUB) != 0)
                usage("--snapshot: not a regular expression");
            snap_delay = strtod(argv[i + 2], &end);
            if (*end != '\0' || snap_delay < 0)
                usage("--snapshot: not a number of seconds");
            snap_wanted = true;
            i += 2;
        } else if (strcmp(argv[i], "--signal") == 0 && i + 3 < argc) {
            if (regcomp(&signal_re, argv[i + 1], REG_EXTENDED | REG_NOSUB) != 0)
                usage("--signal: not a regular expression");
            signal_number = atoi(argv[i + 2]);
            if (signal_number <= 0 || signal_number >= 65)
                usage("--signal: not a signal number");
            signal_main = strcmp(argv[i + 3], "main") == 0;
            if (!signal_main && strcmp(argv[i + 3], "writer") != 0)
                usage("--signal: send it to main or writer");
            signal_wanted = true;
            i += 3;
        } else if (strcmp(argv[i], "--record") == 0 && i + 1 < argc) {
            char path[4096];
            for (int k = 0; k < 2; k++) {
                snprintf(path, sizeof path, "%s.%s", argv[i + 1], k ? "err" : "out");
                record[k] = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (record[k] == -1)
                    usage("--record: cannot create the files");
            }
            i++;
        } else {
            usage("unknown option or missing value");
        }
    }
    if (i + 1 >= argc)
        usage("no program to run");
    return i + 1;
}

/* The child: the program, in a process group of its own, its output on the
 * sockets. Returns only if exec failed. */
static void start_program(char **argv, int out, int err)
{
    setpgid(0, 0);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);     /* should watch itself be killed */
#endif
    int null = open("/dev/null", O_RDONLY);
    if (null == -1 || dup2(null, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1)
        _exit(127);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    execvp(argv[0], argv);
    fprintf(stderr, "watch: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* The two sockets the program writes its output to: out[0] and err[0] are
 * watch's ends, on which the kernel says who wrote each piece. */
static void open_sockets(int out[2], int err[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, out) == -1 ||
        socketpair(AF_UNIX, SOCK_STREAM, 0, err) == -1) {
        perror("watch: socketpair");
        exit(1);
    }
#ifdef SO_PASSCRED
    int on = 1;
    if (setsockopt(out[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == -1 ||
        setsockopt(err[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == -1) {
        perror("watch: SO_PASSCRED");
        exit(1);
    }
#endif
}

/* Reads the program's output until the main ends (true: *status and *ru
 * say how), or until the deadline, idleness or Ctrl-C (false: everything
 * was then written down as stuck, and killed). */
static bool watch_main(int fds[2], bool open[2], double deadline, double idle, int *status,
                       struct rusage *ru)
{
    static struct seen s[MAX_PROCS];
    for (;;) {
        read_output(fds, open, 0.01);
        if (snap_at >= 0 && now() >= snap_at) {   /* before the main may be reaped */
            int n = scan(s, MAX_PROCS);
            for (int i = 0; i < n; i++)
                describe("snap", &s[i], NULL);
            snap_at = -1;
            snap_wanted = false;
        }
        if (wait4(main_pid, status, WNOHANG, ru) == main_pid)
            return true;
        bool hung = idle > 0 && idle_for(idle);
        if (interrupted || hung || now() - started > deadline) {
            int n = scan(s, MAX_PROCS);
            printf("end\t%ld\t%s\t-\n", ms(), hung ? "idle" : "timeout");
            for (int i = 0; i < n; i++)
                describe("stuck", &s[i], NULL);
            kill_all(main_pid);
            return false;
        }
    }
}

/* After the main ended: how it ended, what it left behind, the last lines. */
static void after_main(int fds[2], bool open[2], int status, const struct rusage *ru, double grace)
{
    long t = ms();
    drain(fds, open);                     /* what the main wrote before it ended */
    long cpu = (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000 +
               (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1000;
    if (WIFSIGNALED(status))
        printf("end\t%ld\tsignal %d\t%ld\n", t, WTERMSIG(status), cpu);
    else
        printf("end\t%ld\texit %d\t%ld\n", t, WEXITSTATUS(status), cpu);
    leftovers(fds, open, grace);
    double until = now() + 0.2;           /* the last lines of what was killed */
    while ((open[0] || open[1]) && now() < until)
        read_output(fds, open, 0.01);
    for (size_t i = 0; i < sizeof partials / sizeof partials[0]; i++) {
        if (partials[i].pid != 0 && partials[i].len > 0) {
            partials[i].text[partials[i].len] = '\0';
            got_line(partials[i].stream, partials[i].pid, partials[i].text);
        }
    }
}

int main(int argc, char **argv)
{
    double deadline = 10, idle = 0, grace = 3;
    int first = options(argc, argv, &deadline, &idle, &grace);
    self = getpid();
#ifdef __linux__
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1) {
        perror("watch: prctl(PR_SET_CHILD_SUBREAPER)");
        return 1;
    }
#endif
    int out[2], err[2];
    open_sockets(out, err);
    struct sigaction sa = { .sa_handler = on_signal };   /* no SA_RESTART: poll wakes */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fflush(stdout);
    started = last_output = now();
    main_pid = fork();
    if (main_pid == -1) {
        perror("watch: fork");
        return 1;
    }
    if (main_pid == 0) {
        close(out[0]);
        close(err[0]);
        start_program(argv + first, out[1], err[1]);
    }
    setpgid(main_pid, main_pid);          /* also here: no race with the child's own */
    close(out[1]);
    close(err[1]);
    int fds[2] = { out[0], err[0] };
    bool open[2] = { true, true };
    printf("start\t%s\t", token_of(main_pid));
    for (int i = first; i < argc; i++)
        printf("%s%s", i > first ? " " : "", argv[i]);
    printf("\n");

    int status;
    struct rusage ru;
    if (watch_main(fds, open, deadline, idle, &status, &ru))
        after_main(fds, open, status, &ru, grace);
    fflush(stdout);
    return interrupted ? 130 : 0;
}
