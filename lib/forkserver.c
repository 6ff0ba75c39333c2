/* SPDX-License-Identifier: MIT */
/*
 * forkserver: Python's forkserver start method. On first use the main spawns
 * a server (this program again, which goes no further than mp_main_guard: no
 * threads, none of main's state); every new process is then forked by the
 * server on request. One request: the preparation data, sent as one message
 * on a SOCK_SEQPACKET socket with the descriptors the child needs attached
 * (SCM_RIGHTS: the kernel installs copies of them in the receiver). The
 * first of them is one end of a socket pair made for this child: the server
 * writes the child's PID on it at once, and its wait status when it has
 * reaped it, so the main's end is the child's sentinel.
 *
 * The server never outlives the main: it stops at end of file on its socket
 * (the main closed it, or died: the kernel closes a dead process's
 * descriptors), and on Linux the kernel SIGKILLs it the moment the main dies
 * (PR_SET_PDEATHSIG). Its daemonic children ask the same of it.
 */
#define _GNU_SOURCE             /* pipe2 */
#include "mp.h"
#include "mp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define MAX_FDS (1 + MP_PREP_FDS)

/* In the main: the server it started. A child forked from the main with fork
 * inherits these; owner tells it that the server is not its own. */
static int ctl = -1;
static pid_t server;
static pid_t owner;

/* --- the main's side ----------------------------------------------------- */

static int start_server(void)
{
    if (owner != getpid() && ctl != -1)
        close(ctl);                  /* our parent's, inherited through fork */
    ctl = -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
        return -1;
    sigset_t none;
    sigemptyset(&none);
    pid_t pid = mp_spawn_self(MP_SERVER_ENV, sv[1], &sv[1], 1, &none);
    int err = errno;
    close(sv[1]);                    /* our own socket: close cannot fail */
    if (pid == -1) {
        close(sv[0]);
        errno = err;
        return -1;
    }
    ctl = sv[0];
    server = pid;
    owner = getpid();
    return 0;
}

/* Sends prep with the descriptors fds[0..n) attached. */
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
    /* MSG_NOSIGNAL: a server gone is an error to report, not SIGPIPE. */
    return sendmsg(ctl, &msg, MSG_NOSIGNAL) == -1 ? -1 : 0;
}

/* Reads exactly size bytes, or fewer at end of file; -1 on an error. */
static ssize_t read_full(int fd, void *buf, size_t size)
{
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, (char *)buf + got, size - got);
        if (r == -1 && errno == EINTR)
            continue;
        if (r == -1)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int mp_forkserver_start(const struct mp_prep *prep, pid_t *pid, int *sentinel)
{
    if ((owner != getpid() || ctl == -1) && start_server() == -1) {
        mp_set_error(errno, "forkserver: cannot start the server: %s", strerror(errno));
        return -1;
    }
    int st[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, st) == -1)
        return -1;
    int fds[MAX_FDS] = { st[1] };
    for (int i = 0; i < prep->npass_fds; i++)
        fds[1 + i] = prep->pass_fds[i];
    int r = send_request(prep, fds, 1 + prep->npass_fds);
    int err = errno;
    close(st[1]);                    /* the server has its own copy now */
    if (r == 0 && read_full(st[0], pid, sizeof *pid) != (ssize_t)sizeof *pid) {
        r = -1;                      /* it closed the socket: fork failed there */
        err = EAGAIN;
    }
    if (r == -1) {
        close(st[0]);
        mp_set_error(err, "forkserver: the server started no process: %s", strerror(err));
        return -1;
    }
    *sentinel = st[0];
    return 0;
}

int mp_forkserver_reap(int sentinel, int *status, bool wait)
{
    struct pollfd pfd = { .fd = sentinel, .events = POLLIN };
    if (!wait && poll(&pfd, 1, 0) != 1)
        return 0;                    /* nothing yet (or EINTR: look later) */
    int st;
    /* End of file without a status: the server died first, and with it what
     * we could know. Python's forkserver reports 255 then; so do we. */
    if (read_full(sentinel, &st, sizeof st) != (ssize_t)sizeof st)
        st = 255 << 8;
    if (status != NULL)
        *status = st;
    return 1;
}

void mp_forkserver_end(void)
{
    if (server <= 0 || owner != getpid())
        return;
    close(ctl);                      /* the server reads end of file, and ends */
    ctl = -1;
    while (waitpid(server, NULL, 0) == -1 && errno == EINTR)
        ;
    server = 0;
}

/* --- the server ---------------------------------------------------------- */

/* The children it forked and has not reaped: each with the socket its status
 * goes to. */
static struct {
    pid_t pid;
    int status_fd;
} kids[4096];
static int nkids;
static int wake[2];                  /* SIGCHLD writes a byte here */

static void on_sigchld(int sig)
{
    (void)sig;
    int saved = errno;
    ssize_t r = write(wake[1], "", 1); /* a full pipe already says it */
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
 * main gave them (first above all of them, so none overwrites another). */
static void place_fds(const struct mp_prep *prep, const int *got)
{
    int above = 0;
    for (int i = 0; i < prep->npass_fds; i++)
        if (prep->pass_fds[i] >= above)
            above = prep->pass_fds[i] + 1;
    int tmp[MP_PREP_FDS];
    for (int i = 0; i < prep->npass_fds; i++) {
        tmp[i] = fcntl(got[i], F_DUPFD_CLOEXEC, above);
        if (tmp[i] == -1)
            mp_die("forkserver: descriptor: %s", strerror(errno));
        close(got[i]);
    }
    for (int i = 0; i < prep->npass_fds; i++) {
        if (dup2(tmp[i], prep->pass_fds[i]) == -1)
            mp_die("forkserver: descriptor: %s", strerror(errno));
        close(tmp[i]);
    }
}

/* The forked child: drops the server's descriptors and handlers, then runs. */
static _Noreturn void become_child(int server_ctl, const struct mp_prep *prep, const int *fds,
                                   pid_t me)
{
    close(server_ctl);
    close(wake[0]);
    close(wake[1]);
    for (int i = 0; i < nkids; i++)
        close(kids[i].status_fd);
    close(fds[0]);                   /* the main's sentinel: only the server writes it */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, NULL);  /* cannot fail for these signals */
    sigaction(SIGINT, &dfl, NULL);
    place_fds(prep, fds + 1);
    mp_start_child(prep, -1, me);
}

/* Receives one request and forks its child. False at end of file. */
static bool serve_one(int server_ctl)
{
    struct mp_prep prep;
    union {
        char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
        struct cmsghdr align;
    } u;
    struct iovec iov = { &prep, sizeof prep };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                          .msg_controllen = sizeof u.buf };
    ssize_t n = recvmsg(server_ctl, &msg, MSG_CMSG_CLOEXEC);
    if (n == -1 && errno == EINTR)
        return true;
    if (n <= 0)
        return false;                /* the main has gone (or closed us) */
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (n != (ssize_t)sizeof prep || c == NULL || c->cmsg_type != SCM_RIGHTS ||
        prep.npass_fds < 0 || prep.npass_fds > MP_PREP_FDS ||
        prep.nshared < 0 || prep.nshared > MP_SHM_MAX ||
        c->cmsg_len != CMSG_LEN((1 + prep.npass_fds) * sizeof(int)))
        mp_die("forkserver: a request that is not one");
    int fds[MAX_FDS];
    memcpy(fds, CMSG_DATA(c), (1 + prep.npass_fds) * sizeof(int));
    pid_t me = getpid();
    pid_t pid = fork();
    if (pid == 0)
        become_child(server_ctl, &prep, fds, me);
    for (int i = 1; i <= prep.npass_fds; i++)
        close(fds[i]);
    if (pid == -1 || nkids == (int)(sizeof kids / sizeof kids[0])) {
        close(fds[0]);               /* the main reads end of file: no process */
        return true;
    }
    (void)send(fds[0], &pid, sizeof pid, MSG_NOSIGNAL);
    kids[nkids].pid = pid;
    kids[nkids].status_fd = fds[0];
    nkids++;
    return true;
}

_Noreturn void mp_forkserver_serve(int server_ctl)
{
    /* Ctrl-C reaches the whole process group: the main handles it (it ends
     * its children); the server only stops when the main has gone. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGINT, &sa, NULL) == -1)
        mp_die("forkserver: sigaction: %s", strerror(errno));
#ifdef __linux__
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
        mp_die("forkserver: prctl: %s", strerror(errno));
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
        if (pfd[0].revents != 0 && !serve_one(server_ctl))
            _exit(0);
    }
}
