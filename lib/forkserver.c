/* SPDX-License-Identifier: MIT */
/*
 * forkserver: Python's forkserver start method. On first use the main spawns
 * a server (this program again, which goes no further than mp_main_guard: no
 * threads, none of main's state); every new process is then forked by the
 * server on request. One request: the preparation data (struct mp_prep),
 * sent as one message on a SOCK_SEQPACKET socket with the descriptors the
 * child needs attached (SCM_RIGHTS: the kernel installs copies of them in
 * the receiver). The first of them is one end of a socket pair made for
 * this child: the server writes the child's PID on it at once, and its wait
 * status once it has reaped it. The child holds that end too, for its whole
 * life, so the main's end, the child's sentinel, reaches end of file only
 * when both have gone: a status, then end of file, is a normal end; end of
 * file alone means the server died first, and the child with it or before.
 * And the child waits for one byte from the main before it runs: the main
 * sends it once it has recorded the child, so that no child it does not
 * know of (the server stopped, say, between its fork and its answer) ever
 * runs; at end of file instead (the main gave up, or died), it leaves.
 *
 * The server never outlives the main: it stops at end of file on its socket
 * (the main closed it, or died: the kernel closes a dead process's
 * descriptors), and on Linux the kernel SIGKILLs it the moment the main dies
 * (PR_SET_PDEATHSIG). Its daemonic children ask the same of it. Every
 * request comes from the main over a socket pair no other process holds,
 * which is why it needs none of the authentication Python 3.14's server
 * does over its listening socket (CVE-2022-42919).
 */
#define _GNU_SOURCE             /* pipe2 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define MAX_FDS (1 + MP_PREP_FDS)
#define ANSWER_SECONDS 3        /* how long the main waits for a child's PID */

/* In the main: the server it started. A child forked from the main with fork
 * inherits these; owner tells it that the server is not its own. */
static int ctl = -1;
static pid_t server;
static pid_t owner;

/* --- the main's side ----------------------------------------------------- */

/* Ends the server: at exit, by closing its socket (it reads end of file and
 * leaves), SIGKILL after a second if it will not (it is stopped, say); on a
 * signal (hard), SIGKILL at once. Then reaps it. Async-signal-safe. */
static void end_server(bool hard)
{
    if (server <= 0 || owner != getpid())
        return;
    if (hard)
        kill(server, SIGKILL);
    close(ctl);
    ctl = -1;
    const struct timespec step = { 0, 10 * 1000 * 1000 };
    for (int tries = 0; waitpid(server, NULL, WNOHANG) == 0; tries++) {
        if (tries == 100)
            kill(server, SIGKILL);       /* cannot be refused, even stopped */
        nanosleep(&step, NULL);
    }
    server = 0;
}

static enum mp_status start_server(void)
{
    if (owner != getpid() && ctl != -1)
        close(ctl);                      /* our parent's, inherited through fork */
    ctl = -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
        return MP_ERROR;
    char value[32];
    snprintf(value, sizeof value, "%d:%ld", sv[1], (long)getpid());
    sigset_t none;
    sigemptyset(&none);
    pid_t pid = mp_spawn_self(MP_SERVER_ENV, value, &sv[1], 1, &none);
    int err = errno;
    close(sv[1]);                        /* our own socket: close cannot fail */
    if (pid == -1) {
        close(sv[0]);
        errno = err;
        return MP_ERROR;
    }
    ctl = sv[0];
    server = pid;
    owner = getpid();
    mp_children_at_end(end_server);
    return MP_OK;
}

/* Sends prep with the descriptors fds[0..n) attached. MSG_NOSIGNAL: a
 * server gone is an error to report, not SIGPIPE. */
static int send_request(const struct mp_prep *prep, const int *fds, int n)
{
    union {
        char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct iovec iov = { (void *)prep, sizeof *prep };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                          .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(n * sizeof(int));
    memcpy(CMSG_DATA(c), fds, n * sizeof(int));
    return sendmsg(ctl, &msg, MSG_NOSIGNAL) == -1 ? -1 : 0;
}

/* The child's PID, which the server sends at once; within ANSWER_SECONDS,
 * or the server is taken for hung (stopped, say): 0 then. -1 if it closed
 * the socket instead (it refused the request, or could not fork). */
static pid_t read_pid(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    pid_t pid;
    int r;
    while ((r = poll(&pfd, 1, ANSWER_SECONDS * 1000)) == -1 && errno == EINTR)
        ;
    if (r != 1)
        return 0;
    if (read(fd, &pid, sizeof pid) != (ssize_t)sizeof pid)
        return -1;
    return pid;
}

/* Why the server answered nothing: it died (reaped here), it refused, or
 * it hangs. */
static void say_why(pid_t answer)
{
    int status;
    if (waitpid(server, &status, WNOHANG) == server) {
        mp_set_error(EPIPE, "forkserver: the server (PID %ld) has died (%s %d)", (long)server,
                     WIFSIGNALED(status) ? "killed by signal" : "exit status",
                     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        server = 0;
    } else if (answer == -1) {
        mp_set_error(EAGAIN, "forkserver: the server (PID %ld) started no process (out of "
                     "processes or descriptors: it says which)", (long)server);
    } else {
        mp_set_error(EAGAIN, "forkserver: the server (PID %ld) started no process within "
                     "%d s", (long)server, ANSWER_SECONDS);
    }
}

enum mp_status mp_forkserver_request(const struct mp_prep *prep, pid_t *pid, int *sentinel)
{
    if ((owner != getpid() || ctl == -1) && start_server() != MP_OK) {
        mp_set_error(errno, "forkserver: cannot start the server: %s", strerror(errno));
        return MP_ERROR;
    }
    if (server == 0) {
        mp_set_error(EPIPE, "forkserver: the server has died: no process can start");
        return MP_ERROR;
    }
    int st[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, st) == -1) {
        mp_set_error(errno, "forkserver: socketpair: %s", strerror(errno));
        return MP_ERROR;
    }
    int fds[MAX_FDS] = { st[1] };
    for (int i = 0; i < prep->npass_fds; i++)
        fds[1 + i] = prep->pass_fds[i];
    int sent = send_request(prep, fds, 1 + prep->npass_fds);
    close(st[1]);                        /* the server has its own copy now */
    *pid = sent == 0 ? read_pid(st[0]) : 0;
    if (*pid <= 0) {
        close(st[0]);                    /* a child forked late reads end of file: it leaves */
        say_why(*pid);
        return MP_ERROR;
    }
    /* Go: the caller records the child before anyone can look (its
     * signals are blocked). A child gone already cannot take it: no matter. */
    (void)send(st[0], "", 1, MSG_NOSIGNAL);
    *sentinel = st[0];
    return MP_OK;
}

/* --- the server ---------------------------------------------------------- */

/* The children it forked and has not reaped: each with the socket its status
 * goes to. */
static struct {
    pid_t pid;
    int status_fd;
} kids[4096];
static int nkids;
static int wake[2];                      /* SIGCHLD writes a byte here */

static void on_sigchld(int sig)
{
    (void)sig;
    int saved = errno;
    ssize_t r = write(wake[1], "", 1);   /* a full pipe already says it */
    (void)r;
    errno = saved;
}

/* Reaps every child that ended and sends its wait status to the main. */
static void reap_kids(void)
{
    char buf[64];
    while (read(wake[0], buf, sizeof buf) > 0)
        ;
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        for (int i = 0; i < nkids; i++) {
            if (kids[i].pid != pid)
                continue;
            /* The main may have gone: then nobody wants it (no SIGPIPE). */
            (void)send(kids[i].status_fd, &st, sizeof st, MSG_NOSIGNAL);
            close(kids[i].status_fd);
            kids[i] = kids[--nkids];
            break;
        }
    }
}

/* In the new child: moves the descriptors it was sent to the numbers the
 * main gave them, first all above those numbers (so none overwrites
 * another), its status socket too; returns that socket's new number. */
static int place_fds(const struct mp_prep *prep, const int *got)
{
    int above = 3;
    for (int i = 0; i < prep->npass_fds; i++)
        if (prep->pass_fds[i] >= above)
            above = prep->pass_fds[i] + 1;
    int tmp[MAX_FDS] = { -1 };
    for (int i = 0; i <= prep->npass_fds; i++) {
        tmp[i] = fcntl(got[i], F_DUPFD_CLOEXEC, above);
        if (tmp[i] == -1)
            mp_die("forkserver: descriptor: %s", strerror(errno));
        close(got[i]);
    }
    for (int i = 0; i < prep->npass_fds; i++) {
        if (dup2(tmp[1 + i], prep->pass_fds[i]) == -1)
            mp_die("forkserver: descriptor: %s", strerror(errno));
        close(tmp[1 + i]);
    }
    return tmp[0];
}

/* The forked child: drops the server's descriptors and handlers; keeps its
 * status socket, the sentinel's other end, for its whole life; runs once
 * the main has said go on it. */
static void become_child(int server_ctl, struct mp_prep *prep, const int *fds, pid_t server_pid)
{
    close(server_ctl);
    close(wake[0]);
    close(wake[1]);
    for (int i = 0; i < nkids; i++)
        close(kids[i].status_fd);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, NULL);      /* cannot fail for these signals */
    sigaction(SIGINT, &dfl, NULL);
    prep->sentinel = place_fds(prep, fds);
    prep->parent = server_pid;
    char go;
    ssize_t r;
    while ((r = read(prep->sentinel, &go, 1)) == -1 && errno == EINTR)
        ;
    if (r != 1)
        _exit(1);                        /* the main never recorded us: do not run */
}

/* Receives one request into prep, with its descriptors into fds. The
 * number of descriptors, 0 for a request refused (said on stderr), -1 at
 * end of file (the main has gone). */
static int receive(int server_ctl, struct mp_prep *prep, int *fds)
{
    union {
        char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
        struct cmsghdr align;
    } u;
    struct iovec iov = { prep, sizeof *prep };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                          .msg_controllen = sizeof u.buf };
    ssize_t n = recvmsg(server_ctl, &msg, MSG_CMSG_CLOEXEC);
    if (n == -1 && errno == EINTR)
        return 0;
    if (n <= 0)
        return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    int nfds = 0;
    if (c != NULL && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(0))
        nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    if (nfds > MAX_FDS)
        nfds = 0;
    if (nfds > 0)
        memcpy(fds, CMSG_DATA(c), (size_t)nfds * sizeof(int));
    if (msg.msg_flags & MSG_CTRUNC)
        mp_warn("forkserver: a request's descriptors did not all arrive "
                "(too many open files: ulimit -n?)");
    else if (n != (ssize_t)sizeof *prep || prep->npass_fds < 0 ||
             prep->npass_fds > MP_PREP_FDS || nfds != 1 + prep->npass_fds)
        mp_warn("forkserver: a request that is not one");
    else
        return nfds;
    for (int i = 0; i < nfds; i++)
        close(fds[i]);                   /* the main reads end of file: no process */
    return 0;
}

/* Forks the child a request asks for. True in that child. */
static bool serve_one(int server_ctl, struct mp_prep *prep)
{
    int fds[MAX_FDS];
    int nfds = receive(server_ctl, prep, fds);
    if (nfds == -1)
        _exit(0);                        /* the main has gone (or closed us) */
    if (nfds == 0)
        return false;
    pid_t me = getpid();
    bool room = nkids < (int)(sizeof kids / sizeof kids[0]);
    pid_t pid = room ? fork() : -1;
    if (pid == 0) {
        become_child(server_ctl, prep, fds, me);
        return true;
    }
    if (pid == -1)
        mp_warn("forkserver: fork: %s", room ? strerror(errno) : "too many children");
    for (int i = 1; i < nfds; i++)
        close(fds[i]);
    if (pid == -1) {
        close(fds[0]);                   /* the main reads end of file: no process */
        return false;
    }
    if (send(fds[0], &pid, sizeof pid, MSG_NOSIGNAL) != (ssize_t)sizeof pid)
        kill(pid, SIGKILL);              /* nobody waits for it: it must not run */
    kids[nkids].pid = pid;
    kids[nkids].status_fd = fds[0];
    nkids++;
    return false;
}

void mp_forkserver_serve(int server_ctl, pid_t main_pid, struct mp_prep *prep)
{
    /* Ctrl-C reaches the whole process group: the main handles it (it ends
     * its children and us); the server only stops when the main has gone. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGINT, &sa, NULL) == -1)
        mp_die("forkserver: sigaction: %s", strerror(errno));
#ifdef __linux__
    /* Killed with the main; if the main died already, go now. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != main_pid)
        _exit(1);
#else
    (void)main_pid;
#endif
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) == -1)
        mp_die("forkserver: pipe: %s", strerror(errno));
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGCHLD, &sa, NULL) == -1)
        mp_die("forkserver: sigaction: %s", strerror(errno));
    for (;;) {
        struct pollfd pfd[2] = { { .fd = server_ctl, .events = POLLIN },
                                 { .fd = wake[0], .events = POLLIN } };
        if (poll(pfd, 2, -1) == -1) {
            if (errno == EINTR)
                continue;
            mp_die("forkserver: poll: %s", strerror(errno));
        }
        if (pfd[1].revents != 0)
            reap_kids();
        if (pfd[0].revents != 0 && serve_one(server_ctl, prep))
            return;                      /* in the new child */
    }
}
