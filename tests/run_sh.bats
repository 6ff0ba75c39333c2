#!/usr/bin/env bats
# tests/run.sh (make test): its closing line counts each test once, from the
# TAP plan and numbered results of bats, whatever else reaches the output.
load helpers

# closing TAP: the closing line tests/run.sh prints for the TAP on standard
# input, had bats exited with status ${BATS_STATUS:-0}.
closing() {
    run bash "$BATS_TEST_DIRNAME/run.sh" --count "${BATS_STATUS:-0}"
}

@test "run.sh: passes, skips and failures, one line at the end" {
    closing <<'TAP'
1..4
ok 1 first
ok 2 second # skip no network
not ok 3 third
# (in test file tests/x.bats, line 3)
ok 4 fourth
TAP
    check "$status" -eq 1
    check "${lines[-1]}" = "2 passed, 1 failed, 1 skipped"
    check "$(count_lines '^  third$')" -eq 1
}

@test "run.sh: all passed is status 0 and no skipped count" {
    closing <<'TAP'
1..2
ok 1 first
ok 2 second
TAP
    check "$status" -eq 0
    check "${lines[-1]}" = "2 passed, 0 failed"
}

@test "run.sh: a stray process's extra result lines do not change the count" {
    # a forked copy of bats prints a result of its own, with a number that
    # repeats one or lies past the plan: the total still adds up to the plan,
    # and bats's status 0 says every test process succeeded
    closing <<'TAP'
1..3
ok 1 first
not ok 2 second
# (in test file tests/x.bats, line 9)
ok 2 second
not ok 4 a stray copy
ok 3 third
ok 3 third
TAP
    check "$status" -eq 0
    check "${lines[-1]}" = "3 passed, 0 failed"
    check "$(count_lines '^note: test 2 was reported both passed and failed')" -eq 1
}

@test "run.sh: a test reported both ways while bats failed counts as failed" {
    BATS_STATUS=1 closing <<'TAP'
1..2
ok 1 first
ok 2 second
not ok 2 second
TAP
    check "$status" -eq 1
    check "${lines[-1]}" = "1 passed, 1 failed"
    check "$(count_lines '^  second$')" -eq 1
}

@test "run.sh: fewer results than the plan is a failure, and the line says so" {
    BATS_STATUS=1 closing <<'TAP'
1..5
ok 1 first
ok 2 second
TAP
    check "$status" -eq 1
    check "${lines[-1]}" = "2 passed, 0 failed, 3 not reported (bats stopped early)"
}

@test "run.sh: no plan at all is a failure" {
    BATS_STATUS=1 closing </dev/null
    check "$status" -eq 1
    check "${lines[-1]}" = "0 passed, 0 failed"
}

@test "run.sh: two groups' results as one, a stray line never taken for another group's" {
    printf '1..2\nok 1 a\nnot ok 3 a stray copy\nok 2 b\n' >"$BATS_TEST_TMPDIR/1.tap"
    printf '1..2\nok 1 c\nnot ok 2 d\n' >"$BATS_TEST_TMPDIR/2.tap"
    run bash -c '"$1" --merge 2 "$2/1.tap" 2 "$2/2.tap" | BATS_STATUS=1 "$1" --count 1' _ \
        "$BATS_TEST_DIRNAME/run.sh" "$BATS_TEST_TMPDIR"
    check "$status" -eq 1
    check "${lines[-1]}" = "3 passed, 1 failed"
    check "$(count_lines '^  d$')" -eq 1
    check "$(count_lines '^note: ignored 1 result line')" -eq 1
}

@test "run.sh: three groups' results as one; --merge refuses what is not a count" {
    printf '1..1\nok 1 a\n' >"$BATS_TEST_TMPDIR/1.tap"
    printf '1..2\nok 1 b\nok 2 c\n' >"$BATS_TEST_TMPDIR/2.tap"
    printf '1..1\nnot ok 1 d\n' >"$BATS_TEST_TMPDIR/3.tap"
    run bash -c '"$1" --merge 1 "$2/1.tap" 2 "$2/2.tap" 1 "$2/3.tap" | "$1" --count 1' _ \
        "$BATS_TEST_DIRNAME/run.sh" "$BATS_TEST_TMPDIR"
    check "$status" -eq 1
    check "${lines[-1]}" = "3 passed, 1 failed"
    check "$(count_lines '^  d$')" -eq 1
    run timeout 10 "$BATS_TEST_DIRNAME/run.sh" --merge 1 2 "$BATS_TEST_TMPDIR/1.tap" "$BATS_TEST_TMPDIR/2.tap"
    check "$status" -eq 2
    check "$output" = "run.sh: --merge: '$BATS_TEST_TMPDIR/1.tap' is not a count of tests"
    run timeout 10 "$BATS_TEST_DIRNAME/run.sh" --merge 1
    check "$status" -eq 2
    check "$output" = "run.sh: --merge: a count without its log"
}

@test "run.sh: an argument it does not know is a usage error, exit 2, before any test runs" {
    run timeout 10 "$BATS_TEST_DIRNAME/run.sh" --quick
    check "$status" -eq 2
    check "$output" = "usage: tests/run.sh [--full]"
}

@test "run.sh: a group that stopped early shows as tests not reported" {
    printf '1..2\nok 1 a\nok 2 b\n' >"$BATS_TEST_TMPDIR/1.tap"
    printf '1..3\nok 1 c\n' >"$BATS_TEST_TMPDIR/2.tap"
    run bash -c '"$1" --merge 2 "$2/1.tap" 3 "$2/2.tap" | "$1" --count 1' _ \
        "$BATS_TEST_DIRNAME/run.sh" "$BATS_TEST_TMPDIR"
    check "$status" -eq 1
    check "${lines[-1]}" = "3 passed, 0 failed, 2 not reported (bats stopped early)"
}
