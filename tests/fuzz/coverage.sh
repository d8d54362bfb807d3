#!/bin/sh
# coverage.sh BUILD [NAME...]: line coverage of each parser by its kept
# corpus (make fuzz-cov). BUILD holds replay binaries built with clang
# -fprofile-instr-generate -fcoverage-mapping (COV=1); each replays
# tests/fuzz/corpus/NAME, and llvm-cov reports the source files that
# target is about (the parser, not the libraries it calls). Prints one
# block per target and a summary table; writes BUILD/cov/NAME.txt with
# the per-line view (llvm-cov show) for reading what was never reached.
set -eu
cd "$(dirname "$0")/../.."
build=$1
shift
[ $# -gt 0 ] || set -- $(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')
cov=$(command -v llvm-cov || command -v llvm-cov-14)
prof=$(command -v llvm-profdata || command -v llvm-profdata-14)

# The files a target is about.
files_of() {
    case $1 in
    jwt) echo verifier/jwt.c verifier/token.c base/b64url.c base/json.c ;;
    cwt) echo verifier/cwt.c verifier/token.c verifier/cose_sign1.c base/cbor_stream.c ;;
    cose_sign1) echo verifier/cose_sign1.c base/cbor_stream.c ;;
    jwks) echo verifier/keyset.c base/json.c base/b64url.c ;;
    cose_keyset) echo verifier/keyset.c base/cbor_stream.c ;;
    x509) echo verifier/x509.c base/b64url.c ;;
    crl) echo verifier/x509.c revocation/crl_import.c ;;
    receipt) echo revocation/receipt.c verifier/cose_sign1.c ;;
    config) echo decision/config.c base/json_doc.c ;;
    audit) echo decision/audit.c decision/audit_verify.c ;;
    entries) echo tools/entries_json.c ;;
    bundle) echo revocation/bundle.c verifier/cose_sign1.c base/cbor_stream.c ;;
    policy) echo policy/policy_load.c policy/policy_eval.c base/spiffe.c policy/strmap.c ;;
    *) echo "coverage.sh: no file list for $1" >&2; return 1 ;;
    esac
}

mkdir -p "$build/cov"
summary=$build/cov/summary.txt
printf '%-12s %-28s %8s %8s\n' target file lines covered > "$summary"
for name in "$@"; do
    bin=$build/fuzz/replay_$name
    rm -f "$build/cov/$name".prof*
    LLVM_PROFILE_FILE=$build/cov/$name.profraw "$bin" tests/fuzz/corpus/"$name"/* >/dev/null
    "$prof" merge -sparse -o "$build/cov/$name.profdata" "$build/cov/$name.profraw"
    files=$(files_of "$name")
    echo "== $name ($(ls tests/fuzz/corpus/"$name" | wc -l) inputs)"
    # shellcheck disable=SC2086
    "$cov" report "$bin" -instr-profile="$build/cov/$name.profdata" $files |
        awk -v files="$files" -v pwd="$(pwd)/" '
            BEGIN { n = split(files, f, " "); for (i = 1; i <= n; i++) { b = f[i]; sub(/.*\//, "", b); full[b] = f[i] } }
            /^Filename|^---/ { next }
            NF { if (index($1, pwd) == 1) $1 = substr($1, length(pwd) + 1); else if ($1 in full) $1 = full[$1]; print }' |
        tee "$build/cov/$name.report" |
        awk '{printf "  %-28s lines %5s, %6s covered (regions %s, functions %s)\n", $1, $8, $10, $4, $7}'
    awk -v t="$name" '$1 != "TOTAL" {printf "%-12s %-28s %8s %8s\n", t, $1, $8, $10}' \
        "$build/cov/$name.report" >> "$summary"
    # shellcheck disable=SC2086
    "$cov" show "$bin" -instr-profile="$build/cov/$name.profdata" $files > "$build/cov/$name.txt"
done
echo "== summary (also in $summary)"
cat "$summary"
