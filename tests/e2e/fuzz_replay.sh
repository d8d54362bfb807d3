#!/bin/sh
# Replays every fuzz target over its saved corpus (tests/fuzz/corpus/NAME)
# and over the test PKI, in the ordinary build: every input must be
# handled without a crash (sanitizers catch the rest under make sanitize).
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
for bin in "$BUILD"/fuzz/replay_*; do
    [ -x "$bin" ] || continue
    name=${bin##*/replay_}
    inputs=$(ls "$root/tests/fuzz/corpus/$name"/* 2>/dev/null)
    [ -n "${OCV_FIXTURES:-}" ] && inputs="$inputs $(ls "$OCV_FIXTURES"/pki/*.pem "$OCV_FIXTURES"/pki/*.der 2>/dev/null | grep -v huge)"
    for f in $inputs; do
        if "$bin" "$f" >/dev/null 2>"$T/err"; then e2e_pass; else
            e2e_fail "fuzz_$name on $f"; cat "$T/err"; fi
    done
done
e2e_finish fuzz_replay
