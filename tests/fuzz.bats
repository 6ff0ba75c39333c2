#!/usr/bin/env bats
# The HTTP parsers' fuzz targets (tests/fuzz/, `make fuzz`), replayed without
# libFuzzer over their seeds and every input that ever made them crash or hang.
load helpers

replay() {
    run timeout 60 "$TESTBIN/replay_$1" "$BATS_TEST_DIRNAME/fuzz/$1"
    check "$status" -eq 0
    [[ "$output" =~ ^replayed\ [0-9]+\ inputs$ ]] || { echo "$output"; false; }
    check "${output//[^0-9]/}" -ge 5
}

@test "fuzz replay: the request parser (serve's side)" {
    replay request
}

@test "fuzz replay: the response head parser (download's side)" {
    replay response
}

@test "fuzz replay: the URL parser and redirects" {
    replay url
}

@test "fuzz replay: %-decoding, with an output buffer of 0 to 255 bytes" {
    replay unquote
}
