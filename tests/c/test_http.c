/* SPDX-License-Identifier: MIT */
/*
 * test_http - http_open_beneath's fallback (one component at a time with
 * O_NOFOLLOW), which serve uses where the kernel has no openat2: built from
 * lib/http_files.c itself with openat2 left out.
 *
 *     test_http DIR      DIR/www holds a.txt, sub/b.txt, in -> a.txt,
 *                        out -> ../outside.txt, fifo (a FIFO); DIR/outside.txt
 * Prints one line per path: "PATH: opened" or "PATH: refused (why)".
 */
#define HTTP_NO_OPENAT2
#include "http_files.c"       /* this program's own copy, without openat2 */

#include "mp.h"

#include <sys/stat.h>

int main(int argc, char **argv)
{
    int first = mp_parse_args(argc, argv, NULL, "DIR", "Tests http_open_beneath's fallback.");
    if (argc - first != 1)
        mp_usage_error("say DIR");
    char www[PATH_MAX];
    snprintf(www, sizeof www, "%s/www", argv[first]);
    int root = open(www, O_RDONLY | O_DIRECTORY);
    if (root == -1)
        mp_die("%s: %s", www, strerror(errno));
    const char *paths[] = { "a.txt", "sub/b.txt", "sub//./b.txt", "in", "out", "../outside.txt",
                            "sub/../a.txt", "fifo", "sub", "", "nope" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int fd = http_open_beneath(root, paths[i]);
        if (fd == -1) {
            mp_print("%s: refused (%s)", paths[i], strerror(errno));
            continue;
        }
        struct stat st;
        if (fstat(fd, &st) == -1)
            mp_die("fstat: %s", strerror(errno));
        mp_print("%s: opened%s", paths[i], S_ISREG(st.st_mode) ? "" : " (not a regular file)");
        close(fd);
    }
    return 0;
}
