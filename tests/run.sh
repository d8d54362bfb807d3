#!/bin/sh
# Runs the whole suite: every cmocka unit binary in $BUILD/tests, then every
# end-to-end script in tests/e2e. Ends with one line "N passed, N failed".
# VALGRIND=1 runs the unit binaries under valgrind (leaks are failures).
set -u
: "${BUILD:?}" "${OCV:?}"
export OCV BUILD
here=$(cd "$(dirname "$0")" && pwd)
export OCV_TEST_ROOT="$here"
passed=0
failed=0
failed_names=""
log=$(mktemp)
OCV_FIXTURES=$(mktemp -d)
export OCV_FIXTURES
trap 'rm -rf "$log" "$OCV_FIXTURES"' EXIT

# The test PKI, made once with ocv's own tools, for units and e2e alike.
if ! sh "$here/fixtures/make_pki.sh" "$OCV_FIXTURES/pki" >"$log" 2>&1; then
    cat "$log"
    echo "fixtures: make_pki.sh failed"
    echo "0 passed, 1 failed"
    exit 1
fi

count_cmocka() {
    p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if [ "${VALGRIND:-0}" = 1 ]; then
        valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
            "$t" >"$log" 2>&1
    else
        "$t" >"$log" 2>&1
    fi
    rc=$?
    cat "$log"
    count_cmocka
    if [ $rc -ne 0 ]; then
        grep -q '\[  FAILED  \] [0-9]' "$log" || failed=$((failed + 1))
        failed_names="$failed_names $name"
    fi
done

if [ "${VALGRIND:-0}" != 1 ]; then
    for s in "$here"/e2e/*.sh "$here"/attack/attack_*.sh; do
        [ -f "$s" ] || continue
        name=$(basename "$s" .sh)
        sh "$s" >"$log" 2>&1
        rc=$?
        cat "$log"
        p=$(sed -n 's/^e2e .*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log" | tail -n 1)
        f=$(sed -n 's/^e2e .*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | tail -n 1)
        passed=$((passed + ${p:-0}))
        failed=$((failed + ${f:-0}))
        if [ $rc -ne 0 ]; then
            [ "${f:-0}" -gt 0 ] || failed=$((failed + 1))
            failed_names="$failed_names $name"
        fi
    done
fi

[ -n "$failed_names" ] && echo "failing:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
