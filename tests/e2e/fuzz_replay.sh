#!/bin/sh
# Replays every fuzz target over its saved corpus (tests/fuzz/corpus/NAME:
# seeds, inputs kept by libFuzzer -merge, and regress_* inputs that once
# crashed) and over the test PKI, in the ordinary build: every input must
# be handled without a crash (sanitizers catch the rest under make
# sanitize). One process per target; a pass per target whose every input
# ran, and the last "input:" line names the culprit of a failure.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
for src in "$root"/tests/fuzz/fuzz_*.c; do
    name=${src##*/fuzz_}
    name=${name%.c}
    bin=$BUILD/fuzz/replay_$name
    if [ ! -x "$bin" ]; then e2e_fail "fuzz_$name: $bin not built"; continue; fi
    if ! ls "$root/tests/fuzz/corpus/$name"/* >/dev/null 2>&1; then
        e2e_fail "fuzz_$name: tests/fuzz/corpus/$name is empty"
        continue
    fi
    fixtures=""
    [ -n "${OCV_FIXTURES:-}" ] &&
        fixtures=$(ls "$OCV_FIXTURES"/pki/*.pem "$OCV_FIXTURES"/pki/*.der 2>/dev/null | grep -v huge)
    want=$(ls "$root/tests/fuzz/corpus/$name"/* | wc -l)
    want=$((want + $(echo $fixtures | wc -w)))
    # shellcheck disable=SC2086
    if "$bin" "$root/tests/fuzz/corpus/$name"/* $fixtures >"$T/out" 2>"$T/err" &&
        grep -qx "replay: $want inputs" "$T/out"; then
        e2e_pass
    else
        e2e_fail "fuzz_$name: $(grep '^input:' "$T/out" | tail -n 1)"
        tail -n 20 "$T/err"
    fi
done
# Regression inputs whose fix shows at the command line too.
expect_exit 1 "audit verify: a hash member longer than 64 characters" -- \
    "$OCV" audit verify "$root/tests/fuzz/corpus/audit/regress_hash_longer_than_64"
expect_grep "record does not chain" "$T/.out" "audit verify names the broken record"
expect_exit 1 "audit verify: a complete record holding NUL bytes is no torn tail" -- \
    "$OCV" audit verify "$root/tests/fuzz/corpus/audit/regress_nul_in_complete_record"
expect_grep "a NUL byte in a record" "$T/.out" "audit verify names the NUL byte"
e2e_finish fuzz_replay
