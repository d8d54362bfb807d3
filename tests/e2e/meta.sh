#!/bin/sh
# Meta-tests: every reason is asserted by some test (or listed as pending
# with the issue that brings it), and generated docs are up to date.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
pending="$root/tests/reasons_pending.txt"
units=$(ls "$root"/tests/unit/test_*.c | grep -v test_reason.c)
e2e=$(ls "$root"/tests/e2e/*.sh "$root"/tests/attack/*.sh)
names=$(sed -n 's/^ *X(OCV_[A-Z_]*, *[0-9]*, *"\([A-Z_]*\)".*/\1/p' "$root/include/ocv_reasons.h")
for name in $names; do
    asserted=0
    if grep -qE "OCV_${name}[^A-Z_]" $units ||
        grep -qE "(expect_reason [0-9]|refuse) ${name} |\"reason\\\\?\":\\\\?\"${name}\\\\?\"" $e2e; then
        asserted=1
    fi
    listed=0
    grep -q "^${name} " "$pending" && listed=1
    if [ $asserted -eq 1 ] && [ $listed -eq 1 ]; then
        e2e_fail "$name is asserted by a test: remove it from tests/reasons_pending.txt"
    elif [ $asserted -eq 0 ] && [ $listed -eq 0 ]; then
        e2e_fail "no test asserts reason $name"
    else
        e2e_pass
    fi
done

sh "$root/scripts/gen_reasons_doc.sh" 2>/dev/null
if git -C "$root" diff --quiet -- docs/reasons.md 2>/dev/null; then e2e_pass; else
    e2e_fail "docs/reasons.md is stale: run scripts/gen_reasons_doc.sh and commit"; fi
e2e_finish meta
