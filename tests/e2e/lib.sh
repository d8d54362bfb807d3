# Shared helpers for end-to-end tests of the ocv binary. Source it; it
# makes $T (a temporary directory removed on exit) and the counters.
# Each script ends with 'e2e_finish NAME', which prints
# "e2e NAME: N passed, N failed" and exits non-zero on any failure.
set -u
: "${OCV:?OCV must name the ocv binary}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
E2E_PASSED=0
E2E_FAILED=0

e2e_pass() { E2E_PASSED=$((E2E_PASSED + 1)); }
e2e_fail() { E2E_FAILED=$((E2E_FAILED + 1)); echo "FAIL: $*"; }

# expect_exit CODE DESCRIPTION -- command...
expect_exit() {
    want=$1; what=$2; shift 3
    "$@" >"$T/.out" 2>"$T/.err"
    got=$?
    if [ "$got" -eq "$want" ]; then e2e_pass; else
        e2e_fail "$what: exit $got, want $want"; sed 's/^/  | /' "$T/.out" "$T/.err"; fi
}

# expect_reason CODE REASON DESCRIPTION -- ocv verify ... (adds --json)
expect_reason() {
    want=$1; reason=$2; what=$3; shift 4
    "$@" --json >"$T/.out" 2>"$T/.err"
    got=$?
    if [ "$got" -eq "$want" ] && grep -q "\"reason\": *\"$reason\"" "$T/.out"; then e2e_pass; else
        e2e_fail "$what: exit $got (want $want), want reason $reason"
        sed 's/^/  | /' "$T/.out" "$T/.err"; fi
}

# expect_grep PATTERN FILE DESCRIPTION
expect_grep() {
    if grep -q -- "$1" "$2"; then e2e_pass; else e2e_fail "$3: '$1' not in $2"; sed 's/^/  | /' "$2"; fi
}

e2e_finish() {
    echo "e2e $1: $E2E_PASSED passed, $E2E_FAILED failed"
    [ "$E2E_FAILED" -eq 0 ]
}
