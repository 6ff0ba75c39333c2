/* SPDX-License-Identifier: MIT */
/*
 * pipe: mp_pipe and mp_conn, multiprocessing.Pipe and its Connection.
 *
 * A Pipe is two descriptors the kernel joins: a socketpair(2) when duplex
 * (each end sends and receives), else a pipe(2) (one end receives, the
 * other sends), as Python makes them. Bytes written at one end wait in the
 * kernel until read at the other: a buffer of 64 KiB for a pipe on Linux,
 * about 200 KiB for a socket. A writer that finds it full sleeps in write
 * until the reader makes room; that is the join deadlock of lesson 13.
 *
 * The bytes are a stream, with no edges: two sends may arrive as one read,
 * one send as two. So each message is framed as Python frames it: its
 * length in 4 bytes (big-endian, Python's struct "!i"), then its bytes; the
 * receiver reads the 4, then exactly that many.
 *
 * End of file: once every process holding the other end has closed it (or
 * ended: the kernel closes a dead process's descriptors), read returns 0.
 * That is how a reader learns that the writer died. It also means that a
 * process must close the ends it does not use: the main holding a copy of
 * its child's end would never see the child's end of file. (A forked child
 * holds copies of every end the main had when it forked.)
 */
#include "mp.h"
#include "mp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* The longest message: what Python's 4-byte length can say. */
#define MESSAGE_MAX 0x7fffffffu

/* Close-on-exec: a new program (spawn, forkserver) gets only the ends it is
 * handed (mp_process_pass_fd), so no stray copy keeps an end open. */
enum mp_status mp_pipe(mp_conn *a, mp_conn *b, bool duplex)
{
    int fds[2];
    if (duplex) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == -1) {
            mp_set_error(errno, "Pipe: socketpair: %s", strerror(errno));
            return MP_ERROR;
        }
        *a = (mp_conn){ fds[0], true, true };
        *b = (mp_conn){ fds[1], true, true };
        return MP_OK;
    }
    /* (fcntl of a descriptor just made cannot fail.) */
    if (pipe(fds) == -1) {
        mp_set_error(errno, "Pipe: pipe: %s", strerror(errno));
        return MP_ERROR;
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    *a = (mp_conn){ fds[0], true, false };   /* receives only */
    *b = (mp_conn){ fds[1], false, true };   /* sends only */
    return MP_OK;
}

/* The errors Python raises for a connection that cannot do it. */
static bool usable(const mp_conn *c, bool sending)
{
    if (c->fd < 0)
        mp_set_error(EBADF, "handle is closed");
    else if (sending && !c->writable)
        mp_set_error(EBADF, "connection is read-only");
    else if (!sending && !c->readable)
        mp_set_error(EBADF, "connection is write-only");
    else
        return true;
    return false;
}

/* --- sending ------------------------------------------------------------- */

/* Writes all of iov[0..n), going on after partial writes and EINTR. 0, or
 * the error number. A socket is written with MSG_NOSIGNAL: a reader that
 * has gone gives EPIPE, not the SIGPIPE that would end the process. */
static int write_iov(int fd, struct iovec *iov, int n, bool socket)
{
    while (n > 0) {
        ssize_t w;
        if (socket)
            w = sendmsg(fd, &(struct msghdr){ .msg_iov = iov, .msg_iovlen = (size_t)n },
                        MSG_NOSIGNAL);
        else
            w = writev(fd, iov, n);
        if (w == -1) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        size_t done = (size_t)w;
        for (; n > 0 && done >= iov->iov_len; iov++, n--)
            done -= iov->iov_len;      /* these went whole */
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + done;
            iov->iov_len -= done;      /* this one in part */
        }
    }
    return 0;
}

/* A pipe has no MSG_NOSIGNAL: SIGPIPE is blocked around the write instead,
 * and the one a gone reader raised is taken back (sigtimedwait, no wait),
 * unless the caller had SIGPIPE blocked already (then it was theirs to
 * handle). (pthread_sigmask cannot fail with these arguments.) */
static int write_pipe(int fd, struct iovec *iov, int n)
{
    sigset_t pipe_signal, old;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
    int err = write_iov(fd, iov, n, false);
    if (err == EPIPE && !sigismember(&old, SIGPIPE))
        sigtimedwait(&pipe_signal, NULL, &(struct timespec){ 0, 0 });
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return err;
}

/* Length and bytes go in one writev (sendmsg): a message of up to PIPE_BUF
 * bytes (4096 on Linux) then enters a pipe whole, never torn by another
 * writer's. */
enum mp_status mp_conn_send(mp_conn *c, const void *buf, size_t len)
{
    if (!usable(c, true))
        return MP_ERROR;
    if (len > MESSAGE_MAX) {
        mp_set_error(EMSGSIZE, "a message of %zu bytes is too long (at most 2^31 - 1)", len);
        return MP_ERROR;
    }
    unsigned char header[4] = { (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                                (unsigned char)(len >> 8), (unsigned char)len };
    struct iovec iov[2] = { { header, 4 }, { (void *)buf, len } };
    int err = c->readable ? write_iov(c->fd, iov, 2, true) : write_pipe(c->fd, iov, 2);
    if (err == EPIPE || err == ECONNRESET) {
        mp_set_error(EPIPE, "Broken pipe: the other end is closed");
        return MP_CLOSED;
    }
    if (err != 0) {
        mp_set_error(err, "send: %s", strerror(err));
        return MP_ERROR;
    }
    return MP_OK;
}

/* --- receiving ----------------------------------------------------------- */

/* Waits until fd is readable or the deadline (mp_now()'s clock; negative:
 * none) passes. poll's revents (> 0), 0 at the deadline, -1 on error. */
static int wait_readable(int fd, double deadline)
{
    for (;;) {
        int ms = -1;
        if (deadline >= 0) {
            double left = deadline - mp_now();
            ms = left > 0 ? (int)(left < 3600 ? left * 1000 : 3600e3) + 1 : 0;
        }
        struct pollfd p = { fd, POLLIN, 0 };
        int r = poll(&p, 1, ms);
        if (r == -1 && errno != EINTR)
            return -1;
        if (r == 1 && (p.revents & POLLNVAL)) {
            errno = EBADF;
            return -1;
        }
        if (r == 1)
            return p.revents;
        if (r == 0 && ms == 0)
            return 0;
    }
}

/* Reads exactly n bytes into buf by the deadline. begun: bytes of this
 * message were read already, so an end of file here cuts it short.
 * MP_OK; MP_TIMEOUT; MP_CLOSED (end of file before the message began);
 * MP_ERROR. *got says how many bytes came. */
static enum mp_status read_full(int fd, unsigned char *buf, size_t n, double deadline,
                                bool begun, size_t *got)
{
    for (*got = 0; *got < n;) {
        if (deadline >= 0) {
            int r = wait_readable(fd, deadline);
            if (r == 0)
                return MP_TIMEOUT;
            if (r == -1)
                break;
        }
        ssize_t k = read(fd, buf + *got, n - *got);
        if (k == -1 && errno == EINTR)
            continue;
        if (k == 0 || (k == -1 && errno == ECONNRESET)) {
            if (!begun && *got == 0) {
                mp_set_error(EPIPE, "end of file: the other end is closed (Python: EOFError)");
                return MP_CLOSED;
            }
            mp_set_error(EPIPE, "got end of file during message");
            return MP_ERROR;
        }
        if (k == -1)
            break;
        *got += (size_t)k;
    }
    if (*got == n)
        return MP_OK;
    mp_set_error(errno, "recv: %s", strerror(errno));
    return MP_ERROR;
}

/* A message cut short or too long leaves the stream in the middle of one,
 * where no message begins: the connection is closed (as Python closes it
 * after "bad message length"), and every later call says "handle is
 * closed". */
static enum mp_status broken(mp_conn *c, int err, const char *why)
{
    mp_conn_close(c);
    mp_set_error(err, "%s", why);
    return MP_ERROR;
}

enum mp_status mp_conn_recv(mp_conn *c, void *buf, size_t size, size_t *len, double timeout)
{
    *len = 0;
    if (!usable(c, false))
        return MP_ERROR;
    double deadline = timeout < 0 ? -1.0 : mp_now() + timeout;
    unsigned char header[4];
    size_t got;
    enum mp_status status = read_full(c->fd, header, 4, deadline, false, &got);
    if (status == MP_TIMEOUT && got > 0)
        return broken(c, ETIMEDOUT, "timed out in the middle of a message");
    if (status == MP_TIMEOUT)
        mp_set_error(EAGAIN, "nothing received yet");
    if (status == MP_ERROR && got > 0)
        mp_conn_close(c);          /* cut short: no message begins here */
    if (status != MP_OK)
        return status;
    uint32_t n = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 |
                 (uint32_t)header[2] << 8 | header[3];
    if (n > MESSAGE_MAX || n > size)
        return broken(c, EMSGSIZE, "bad message length");
    status = read_full(c->fd, buf, n, deadline, true, &got);
    if (status == MP_TIMEOUT)
        return broken(c, ETIMEDOUT, "timed out in the middle of a message");
    if (status != MP_OK) {
        mp_conn_close(c);          /* cut short, as above */
        return status;
    }
    *len = n;
    return MP_OK;
}

/* Readable means a message has begun to arrive, or end of file. A pipe says
 * which (POLLHUP without POLLIN: no writer, nothing left); a socket says
 * POLLHUP even with bytes still to read, so a peek tells. */
enum mp_status mp_conn_poll(mp_conn *c, double timeout)
{
    if (!usable(c, false))
        return MP_ERROR;
    int revents = wait_readable(c->fd, timeout < 0 ? -1.0 : mp_now() + timeout);
    if (revents == -1) {
        mp_set_error(errno, "poll: %s", strerror(errno));
        return MP_ERROR;
    }
    if (revents == 0) {
        mp_set_error(EAGAIN, "nothing received yet");
        return MP_TIMEOUT;
    }
    bool eof = !(revents & POLLIN);
    if (c->writable && !eof) {
        char byte;
        ssize_t k = recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        eof = k == 0 || (k == -1 && errno == ECONNRESET);
    }
    if (eof) {
        mp_set_error(EPIPE, "end of file: the other end is closed (Python: EOFError)");
        return MP_CLOSED;
    }
    return MP_OK;
}

/* (close of a descriptor of ours cannot fail in a way that leaves it open.) */
void mp_conn_close(mp_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}
