#!/usr/bin/env bats
# docs/ stays true: every demo has a page, the pages link up, and each page's
# commands and sample outputs still match what the demos do. The work is done
# by tests/docs_check.sh; docs/README.md explains the conventions it reads.
load helpers

# page FILE: check one page (its commands, samples and quoted lines).
page() {
    run "$BATS_TEST_DIRNAME/docs_check.sh" page "$1"
    check "$status" -eq 0
}

@test "every demo has a lesson page" {
    run "$BATS_TEST_DIRNAME/docs_check.sh" coverage
    check "$status" -eq 0
}

@test "docs/README.md links every page of docs/" {
    run "$BATS_TEST_DIRNAME/docs_check.sh" index
    check "$status" -eq 0
}

@test "no relative link in docs/ is dead" {
    run "$BATS_TEST_DIRNAME/docs_check.sh" links
    check "$status" -eq 0
}

@test "every picture a page shows exists and is a well-formed SVG" {
    run "$BATS_TEST_DIRNAME/docs_check.sh" pictures
    check "$status" -eq 0
}

@test "the lessons with a timeline show the picture of their run" {
    for page in 01-concurrency 02-download 06-serial 07-parallel 08-daemon 09-pool_map 10-pool_apply; do
        grep -qE "^!\[[^]]+\]\(pictures/$page[-a-z_0-9]*\.svg\)$" "$BATS_TEST_DIRNAME/../docs/$page.md" ||
            { echo "docs/$page.md shows no picture"; false; }
    done
}

@test "every page with commands is checked by a test in this file" {
    for f in "$BATS_TEST_DIRNAME"/../docs/*.md; do
        grep -qE '^```(sh run|text sample|c from )' "$f" || continue
        grep -qF "page docs/$(basename "$f")" "$BATS_TEST_FILENAME" ||
            { echo "docs/$(basename "$f") has no test in tests/docs.bats"; false; }
    done
}

@test "docs/01-concurrency.md: its commands and samples match the demo" {
    page docs/01-concurrency.md
}

@test "docs/02-download.md: its commands and samples match the demos" {
    page docs/02-download.md
}

@test "docs/03-list_copy.md: its commands and samples match the demo" {
    page docs/03-list_copy.md
}

@test "docs/04-shared_queue.md: its commands and samples match the demo" {
    page docs/04-shared_queue.md
}

@test "docs/12-shared_counter.md: its commands and samples match the demo" {
    page docs/12-shared_counter.md
}

@test "docs/13-pipe_join.md: its commands and samples match the demo" {
    page docs/13-pipe_join.md
}

@test "docs/05-process_class.md: its commands and samples match the demo" {
    page docs/05-process_class.md
}

@test "docs/06-serial.md: its commands and samples match the demo" {
    page docs/06-serial.md
}

@test "docs/07-parallel.md: its commands and samples match the demo" {
    page docs/07-parallel.md
}

@test "docs/08-daemon.md: its commands and samples match the demo" {
    page docs/08-daemon.md
}

@test "docs/09-pool_map.md: its commands and samples match the demos" {
    page docs/09-pool_map.md
}

@test "docs/10-pool_apply.md: its commands and samples match the demo" {
    page docs/10-pool_apply.md
}

@test "docs/11-start_methods.md: its commands and samples match the demo" {
    page docs/11-start_methods.md
}

@test "docs/seed-errata.md: its commands run and its samples match" {
    page docs/seed-errata.md
}

@test "docs/python-to-c.md: the lines it quotes are still in the sources" {
    page docs/python-to-c.md
}
