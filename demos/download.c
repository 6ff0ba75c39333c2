/* SPDX-License-Identifier: MIT */
/*
 * download - worker processes download URLs that they take from one queue.
 *
 * Seed section 二 (进程介绍,举栗: downloading images concurrently). The
 * Python it re-builds:
 *
 *     def download(q: Queue):
 *         while True:
 *             url = q.get()
 *             r = requests.get(url)
 *             img_name = url.split('/')[-1]
 *             img_name = os.path.join('./', img_name)
 *             with open(img_name, 'wb') as f:
 *                 f.write(r.content)
 *             if q.empty():            # the bug: see below
 *                 break
 *
 *     tasks = Queue()
 *     tasks.put(url1)
 *     tasks.put(url2)
 *     p1 = Process(target=download, args=(tasks, ))
 *     p2 = Process(target=download, args=(tasks, ))
 *     p1.start(); p2.start()
 *     p1.join(); p2.join()
 *     print("主进程运行结束")           # "main process finished"
 *
 * The seed's bug. A worker leaves its loop only if it finds the queue empty
 * right after a download. Give it one URL and two workers: p1 gets the URL,
 * p2 waits in q.get() for a second URL that never comes, and the main waits
 * in p2.join() for ever (Python's version hangs every time). With more URLs
 * it is a race: a worker that saw "not empty" calls get, another worker
 * takes the last URL first, and the first one blocks for ever. empty() only
 * says what was true a moment ago; it cannot say that no URL will ever come.
 *
 * The fix: the main says so itself. It puts every URL, then closes the queue;
 * get hands out what is left, then returns MP_CLOSED to every worker:
 *
 *     for (;;) {
 *         if (mp_queue_get(tasks, url, MP_FOREVER) == MP_CLOSED)
 *             break;           // closed and drained: no URL will ever come
 *         download(url);
 *     }
 *
 * (In Python: put one None per worker after the URLs, and `if url is None:
 * break`. That "poison pill" is how multiprocessing.Pool stops its workers.)
 *
 * The rest is requests.get re-built on a plain socket (HTTP/1.0, http://
 * only: https needs TLS, and forklore uses libc alone); the HTTP itself is
 * lib/http*.c, shared with `serve`. --timeout bounds the whole of one URL,
 * redirects included, so a server that drips a byte a second cannot hold a
 * worker. The file name is the URL's last path segment, as the seed's
 * url.split('/')[-1], refused if it would not stay in --dir. The body goes
 * to a hidden temporary file, renamed only once complete: a failed or
 * interrupted download (on Ctrl-C or SIGTERM the worker removes it before
 * it dies) leaves no file.
 *
 * Each worker reports every URL to the main through a second queue; the
 * main prints the summary and exits 0 only if every URL was saved. A failed
 * URL is also one line on standard error, as curl and wget say it.
 *
 * What to watch for:
 *   - One line per URL, with the PID of the worker that fetched it: the
 *     workers share the URLs out, none is fetched twice.
 *   - Against `serve --delay 1`, 8 URLs take about 8 s with --workers 1 and
 *     about 2 s with --workers 4: the workers mostly wait for the network.
 *   - `download --workers 4 URL` (one URL) ends at once: the seed's hangs.
 *   - With --timeline, the chart after the run has one row per worker that
 *     took a URL, marked with the first letter of the file it was
 *     fetching. Against `serve --delay`, the rows are busy side by side,
 *     and each row shows, letter by letter, the URLs it fetched in turn.
 *     Its scale is fitted to the run (download sleeps no ticks): to compare
 *     runs, give them one with --timeline-scale SECONDS.
 *
 * Run it (with `build/bin/serve --dir DIR` running on port PORT):
 *           build/bin/download http://127.0.0.1:PORT/a.png http://127.0.0.1:PORT/b.jpg
 *           printf 'http://127.0.0.1:PORT/%s\n' a.png b.jpg | build/bin/download --workers 4 -
 *           build/bin/download --timeline http://127.0.0.1:PORT/a.png http://127.0.0.1:PORT/b.jpg
 * (No --tick: the seed sleeps nowhere in this lesson.)
 */
#include "mp.h"
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_WORKERS 64

/* What a worker tells the main about each URL, through a second queue. */
struct result {
    bool saved;
    long long bytes;
};

static mp_queue *tasks;      /* URLs, HTTP_MAX_URL bytes each */
static mp_queue *results;    /* one struct result per URL */
static const char *dir = ".";
static double url_timeout = 10;   /* --timeout: for the whole of one URL */

static void catch_interrupts(void);
static struct result download(const char *url);

/* --- the lesson: workers take URLs from one queue ------------------------- */

/* A worker: URLs from the queue until it is closed and empty (the fix). */
static int worker(void *arg)
{
    (void)arg;
    catch_interrupts();
    char url[HTTP_MAX_URL];
    for (;;) {
        enum mp_status status = mp_queue_get(tasks, url, MP_FOREVER);
        if (status == MP_CLOSED)
            return 0;         /* closed and drained: no URL will ever come */
        if (status != MP_OK)
            mp_die(N_("get a URL: %s"), mp_last_error());
        const char *slash = strrchr(url, '/');     /* the job: the file's name */
        mp_timeline_begin("worker", slash != NULL ? slash + 1 : url);   /* nothing without --timeline */
        struct result res = download(url);
        mp_timeline_end();
        if (mp_queue_put(results, &res, MP_FOREVER) != MP_OK)
            mp_die(N_("put a result: %s"), mp_last_error());
    }
}

/* The queues, before fork, so that every worker shares them. As in the
 * seed, every URL is put first; then close says "no more will come". */
static void fill_queues(char **urls, size_t n)
{
    tasks = mp_queue_new(HTTP_MAX_URL, n);
    results = mp_queue_new(sizeof(struct result), n);
    if (tasks == NULL || results == NULL)
        mp_die(N_("create the queues: %s"), mp_last_error());
    for (size_t i = 0; i < n; i++) {
        char item[HTTP_MAX_URL] = { 0 };
        snprintf(item, sizeof item, "%s", urls[i]);
        if (mp_queue_put(tasks, item, MP_FOREVER) != MP_OK)
            mp_die(N_("put a URL: %s"), mp_last_error());
    }
    if (mp_queue_close(tasks) != MP_OK)
        mp_die(N_("close the queue: %s"), mp_last_error());
}

/* p1.start(); p2.start(); p1.join(); p2.join() for nworkers workers. */
static void run_workers(long nworkers)
{
    mp_process *workers = calloc((size_t)nworkers, sizeof *workers);
    if (workers == NULL)
        mp_die(N_("out of memory"));
    for (long i = 0; i < nworkers; i++) {
        mp_process_init(&workers[i], worker, NULL);
        /* Daemonic: if the main is killed outright, the kernel ends the
         * workers too (Linux), rather than leaving them running alone. */
        workers[i].daemon = true;
        if (mp_process_start(&workers[i]) != MP_OK)
            mp_die(N_("start %s: %s"), workers[i].name, mp_last_error());
    }
    for (long i = 0; i < nworkers; i++) {
        if (mp_process_join(&workers[i], MP_FOREVER) != MP_OK)
            mp_die(N_("join %s: %s"), workers[i].name, mp_last_error());
        if (mp_process_exitcode(&workers[i]) != 0)
            mp_warn(N_("%s (PID %ld) ended with exit code %d"), workers[i].name,
                    (long)workers[i].pid, mp_process_exitcode(&workers[i]));
    }
    free(workers);
}

/* Every worker has ended: counts what they reported. A URL a worker never
 * reported (it crashed, say) counts as failed. */
static size_t count_saved(void)
{
    if (mp_queue_close(results) != MP_OK)
        mp_die(N_("close the queue: %s"), mp_last_error());
    struct result res;
    size_t saved = 0;
    while (mp_queue_get(results, &res, MP_FOREVER) == MP_OK)
        saved += res.saved;
    return saved;
}

/* Adds url to the list, after checking it fits in a queue item. */
static void add_url(char ***urls, size_t *n, const char *url)
{
    if (strlen(url) >= HTTP_MAX_URL)
        mp_usage_error(N_("URL longer than %d bytes: '%.40s...'"), HTTP_MAX_URL - 1, url);
    if (!http_visible(url, strlen(url)))
        mp_usage_error(N_("URL %zu has a space, a control character or a non-ASCII byte "
                          "(percent-encode it)"), *n + 1);
    *urls = realloc(*urls, (*n + 1) * sizeof **urls);
    if (*urls == NULL || ((*urls)[*n] = strdup(url)) == NULL)
        mp_die(N_("out of memory"));
    (*n)++;
}

/* "-": one URL per line from standard input; blank lines and #comments skipped. */
static void read_urls(char ***urls, size_t *n)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) != -1) {
        while (len > 0 && isspace((unsigned char)line[len - 1]))
            line[--len] = '\0';
        char *start = line + strspn(line, " \t");
        if (*start != '\0' && *start != '#')
            add_url(urls, n, start);
    }
    if (ferror(stdin))        /* getline's -1 is also a read error, not only the end */
        mp_die(N_("read URLs from standard input: %s"), strerror(errno));
    free(line);
}

int main(int argc, char **argv)
{
    mp_main_guard();              /* if __name__ == '__main__': (lesson 11) */

    long nworkers = 2;
    const struct mp_option options[] = {
        { "--workers", MP_OPT_INT, &nworkers, 1, MAX_WORKERS, "N",
          N_("worker processes (default 2, as the seed; at most 64)") },
        { "--dir", MP_OPT_TEXT, &dir, 0, 0, "DIR", N_("save the files in DIR (default .)") },
        { "--timeout", MP_OPT_SECONDS, &url_timeout, 0.01, 3600, "SECONDS",
          N_("limit per URL: connect + head + body (default 10)") },
        MP_TIMELINE_OPTIONS,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_tick_option = false;       /* no sleep in this lesson: no --tick */
    int first = mp_parse_args(argc, argv, options, "URL...",
                              N_("Seed 2: workers share out the URLs through one queue "
                                 "(- reads URLs from stdin)."));
    char **urls = NULL;
    size_t n = 0;
    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "-") == 0)
            read_urls(&urls, &n);
        else
            add_url(&urls, &n, argv[i]);
    }
    if (n == 0)
        mp_usage_error(N_("no URL given (- reads them from standard input)"));
    struct stat st;
    if (stat(dir, &st) == -1)
        mp_die(N_("--dir %s: %s"), dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        mp_die(N_("--dir %s: not a directory"), dir);

    fill_queues(urls, n);
    /* Before the workers are forked: they must share the span table. */
    if (mp_timeline_setup(argc, argv, MP_TIMELINE_FIT) != MP_OK)
        mp_die(N_("timeline: %s"), mp_last_error());
    double start = mp_now();
    run_workers(nworkers);
    size_t saved = count_saved();
    mp_print(_("main process finished: %zu saved, %zu failed, %.2f s"), saved, n - saved,
             mp_now() - start);
    mp_timeline_show();       /* every worker is joined: their spans are complete */

    for (size_t i = 0; i < n; i++)
        free(urls[i]);
    free(urls);
    mp_queue_free(tasks);
    mp_queue_free(results);
    return saved == n ? 0 : 1;
}

/* --- one URL, one file ---------------------------------------------------- */

/* Removing the temporary file when a signal ends the worker. */
static char temp_path[PATH_MAX];
static volatile sig_atomic_t have_temp;   /* temp_path exists on disk */
static sigset_t interrupts;               /* SIGINT, SIGTERM, SIGHUP */

static void on_interrupt(int sig)
{
    if (have_temp)
        unlink(temp_path);    /* async-signal-safe, like signal and raise */
    signal(sig, SIG_DFL);
    raise(sig);               /* dies of sig once this handler returns */
}

static void catch_interrupts(void)
{
    sigemptyset(&interrupts);
    sigaddset(&interrupts, SIGINT);
    sigaddset(&interrupts, SIGTERM);
    sigaddset(&interrupts, SIGHUP);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sa.sa_mask = interrupts;
    if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1
        || sigaction(SIGHUP, &sa, NULL) == -1)
        mp_die(N_("sigaction: %s"), strerror(errno));
    signal(SIGPIPE, SIG_IGN); /* a server that hangs up: write says EPIPE */
}

/* mkstemp in dir, recorded with the interrupting signals blocked, so that
 * on_interrupt always knows whether there is a temporary file. */
static int make_temp(void)
{
    sigprocmask(SIG_BLOCK, &interrupts, NULL);   /* cannot fail: valid arguments */
    snprintf(temp_path, sizeof temp_path, "%s/.download-XXXXXX", dir);
    int out = mkstemp(temp_path);
    have_temp = out != -1;
    sigprocmask(SIG_UNBLOCK, &interrupts, NULL);
    return out;
}

/* Complete (ok): gives the temporary file its name; else removes it. */
static bool finish_temp(bool ok, const char *path, const char *name, char *why,
                        size_t whysize)
{
    sigprocmask(SIG_BLOCK, &interrupts, NULL);
    if (ok && rename(temp_path, path) == -1) {
        snprintf(why, whysize, _("rename to %s: %s"), name, _(strerror(errno)));
        ok = false;
    }
    if (!ok)
        unlink(temp_path);    /* a failed download leaves no file */
    have_temp = 0;
    sigprocmask(SIG_UNBLOCK, &interrupts, NULL);
    return ok;
}

/* Copies the body to out: the part read with the head, then the rest, up
 * to Content-Length if there is one, else to the end of the connection. */
static bool save_body(int fd, int out, const char *start, size_t have, long long length,
                      double deadline, long long *bytes, char *why, size_t whysize)
{
    char buf[65536];
    *bytes = 0;
    if (length >= 0 && (long long)have > length)
        have = (size_t)length;          /* bytes past Content-Length: ignored */
    for (;;) {
        ssize_t written = have > 0 ? write(out, start, have) : 0;
        if (written == -1) {
            snprintf(why, whysize, _("write to %s: %s"), dir, _(strerror(errno)));
            return false;
        }
        if ((size_t)written < have) {   /* no errno: the file cannot grow further */
            snprintf(why, whysize, _("write to %s: only %zd of %zu bytes written "
                     "(disk full, or a file size limit)"), dir, written, have);
            return false;
        }
        *bytes += (long long)have;
        if (length >= 0 && *bytes == length)
            return true;
        size_t want = sizeof buf;
        if (length >= 0 && length - *bytes < (long long)want)
            want = (size_t)(length - *bytes);
        enum mp_status ready = http_wait(fd, POLLIN, deadline);
        if (ready == MP_TIMEOUT) {
            snprintf(why, whysize, _("gave up after %g s (--timeout), %lld bytes in"),
                     url_timeout, *bytes);
            return false;
        }
        ssize_t n = ready == MP_OK ? read(fd, buf, want) : -1;
        if (n == -1 && (errno == EAGAIN || errno == EINTR))
            n = 0;                      /* nothing after all: wait again */
        else if (n == 0 && length < 0)
            return true;                /* no Content-Length: the end is the end */
        else if (n <= 0) {
            const char *cause = n == 0 ? _("connection closed") : _(strerror(errno));
            if (length >= 0)
                snprintf(why, whysize, _("truncated: got %lld of %lld bytes (%s)"), *bytes,
                         length, cause);
            else
                snprintf(why, whysize, _("failed after %lld bytes (%s)"), *bytes, cause);
            return false;
        }
        start = buf;
        have = (size_t)n;
    }
}

/* requests.get(url), its body written to out, all within --timeout. */
static bool fetch(const char *url, int out, long long *bytes, char *why, size_t whysize)
{
    double deadline = mp_now() + url_timeout;
    char head[HTTP_MAX_HEAD];
    size_t body, got;
    struct http_response r;
    int fd = http_get(url, deadline, &r, head, sizeof head, &body, &got);
    if (fd == -1) {           /* the module knows the deadline, not the option */
        if (mp_now() >= deadline)
            snprintf(why, whysize, _("gave up after %g s (--timeout): %s"), url_timeout,
                     mp_last_error());
        else
            snprintf(why, whysize, "%s", mp_last_error());
        return false;
    }
    bool ok = save_body(fd, out, head + body, got - body, r.length, deadline, bytes, why,
                        whysize);
    close(fd);                /* read-only: nothing to lose */
    return ok;
}

/* Downloads url into dir/NAME through a temporary file. Prints the URL's
 * line (and a failure on stderr too); returns what happened. */
static struct result download(const char *url)
{
    struct result res = { false, 0 };
    char why[512], name[NAME_MAX + 1], path[PATH_MAX];
    struct http_url u;
    bool ok = http_parse_url(url, &u) == MP_OK && http_file_name(&u, name, sizeof name) == MP_OK;
    if (!ok)
        snprintf(why, sizeof why, "%s", mp_last_error());
    if (ok && snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        snprintf(why, sizeof why, "%s", _("path too long"));
        ok = false;
    }
    int out = ok ? make_temp() : -1;
    if (ok && out == -1) {
        snprintf(why, sizeof why, _("create a file in %s: %s"), dir, _(strerror(errno)));
        ok = false;
    }
    ok = ok && fetch(url, out, &res.bytes, why, sizeof why);
    if (ok && fchmod(out, 0644) == -1) {    /* mkstemp made it 0600 */
        snprintf(why, sizeof why, _("chmod %s: %s"), name, _(strerror(errno)));
        ok = false;
    }
    if (out != -1 && close(out) == -1 && ok) {
        snprintf(why, sizeof why, _("write %s: %s"), name, _(strerror(errno)));
        ok = false;
    }
    if (out != -1)
        ok = finish_temp(ok, path, name, why, sizeof why);

    res.saved = ok;
    if (ok) {
        mp_print(_("worker %ld: saved %s (%lld bytes)"), (long)getpid(), name, res.bytes);
    } else {
        mp_print(_("worker %ld: %s failed: %s"), (long)getpid(), url, why);
        mp_warn("%s: %s", url, why);
    }
    return res;
}
