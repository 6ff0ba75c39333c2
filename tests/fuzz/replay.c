/* SPDX-License-Identifier: MIT */
/*
 * replay - runs one fuzz target (linked in) over saved inputs, without
 * libFuzzer: `make test` replays every seed and every input that ever made a
 * target crash or hang (tests/fuzz/TARGET/), so a regression fails the suite.
 *
 *     replay DIR_OR_FILE...     prints "replayed N inputs"; a crash ends it
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the whole file into a buffer of exactly its size, so that the
 * sanitizers catch a read past its end, and runs the target on it. */
static void replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (f == NULL || fstat(fileno(f), &st) == -1) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    uint8_t *data = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    if (data == NULL || fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        fprintf(stderr, "replay: %s: cannot read it\n", path);
        exit(1);
    }
    fclose(f);                /* read-only: nothing to lose */
    LLVMFuzzerTestOneInput(data, (size_t)st.st_size);
    free(data);
}

int main(int argc, char **argv)
{
    long n = 0;
    for (int i = 1; i < argc; i++) {
        DIR *dir = opendir(argv[i]);
        if (dir == NULL) {    /* a file */
            replay_file(argv[i]);
            n++;
            continue;
        }
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            char path[4096];
            if (e->d_name[0] == '.')
                continue;     /* ".", "..", hidden files */
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            replay_file(path);
            n++;
        }
        closedir(dir);
    }
    printf("replayed %ld inputs\n", n);
    return n > 0 ? 0 : 1;
}
