#!/bin/sh
# Docs that cannot drift (issue 13 item 8): every option that a
# subcommand's --help names appears in its docs/cli page and in the man
# page, every subcommand is in the man page's synopsis, and the README's C
# example compiles and runs.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
man="$T/ocv.1.txt"
# the man page as text: roff escapes and font changes removed
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(em/-/g' "$root/docs/man/ocv.1" >"$man"

# "page|command words": each --help to check, and where its options live
# one "PAGE COMMAND WORDS" a line: each --help to check, and its docs page
cat >"$T/commands" <<'LIST'
verify verify
inspect inspect
keygen keygen
serve serve
mint mint cert
mint mint crl
mint mint token
revocation revocation init
revocation revocation sync
revocation revocation status
revocation revocation import-crl
revocation revocation receipt
bundle bundle build
receipt receipt verify
audit audit verify
audit audit head
audit audit checkpoint
audit audit tail
bench bench x509
bench bench token
bench bench revocation
policy policy lint
policy policy explain
trust trust status
LIST
while read -r page words; do
    doc="$root/docs/cli/ocv-$page.md"
    if [ ! -f "$doc" ]; then e2e_fail "ocv $words: no docs/cli/ocv-$page.md"; continue; fi
    # shellcheck disable=SC2086
    "$OCV" $words --help >"$T/help" 2>&1
    # shellcheck disable=SC2086
    if ! grep -q "^usage: ocv" "$T/help"; then e2e_fail "ocv $words --help prints no usage"; continue; fi
    if grep -q "ocv $words" "$man"; then e2e_pass; else
        e2e_fail "man page: no 'ocv $words' (synopsis)"; fi
    for opt in $(grep -oE -- '--[a-z][a-z0-9-]+' "$T/help" | sort -u); do
        [ "$opt" = "--help" ] && continue
        if grep -q -- "$opt" "$doc"; then e2e_pass; else
            e2e_fail "ocv $words: $opt is in --help but not in docs/cli/ocv-$page.md"; fi
        if grep -q -- "$opt" "$man"; then e2e_pass; else
            e2e_fail "ocv $words: $opt is in --help but not in docs/man/ocv.1"; fi
    done
done <"$T/commands"

# ---- files the docs cite exist (NAME, an uppercase placeholder, aside) ----
for doc in "$root"/README.md "$root"/docs/*.md "$root"/docs/cli/*.md "$root"/docs/formats/*.md; do
    for path in $(grep -oE '(base|verifier|revocation|policy|decision|tools|serve|tests|scripts|include|docs|bench)/[A-Za-z0-9_./-]+\.(c|h|sh|md|json|txt|1)' "$doc" | sort -u); do
        case $path in *[A-Z][A-Z][A-Z]*) continue ;; esac
        if [ -e "$root/$path" ]; then e2e_pass; else
            e2e_fail "${doc#"$root"/} cites $path, which does not exist"; fi
    done
done

# ---- the README's C example is a complete program that compiles and runs ----
sed -n '/^```c$/,/^```$/p' "$root/README.md" | sed '1d;$d' >"$T/readme.c"
if grep -q "int main" "$T/readme.c"; then e2e_pass; else e2e_fail "README: the C example has no main"; fi
libdir=${BUILD:-$root/build}
san=""
# a sanitizer build's libocv.so wants the sanitizer runtime first
if nm -D "$libdir/libocv.so" 2>/dev/null | grep -q __asan_init; then san="-fsanitize=address,undefined"; fi
# shellcheck disable=SC2086
if ${CC:-cc} -std=c11 -Wall -Wextra -Werror $san -I"$root/include" -o "$T/readme" "$T/readme.c" \
    -L"$libdir" -Wl,-rpath,"$libdir" -locv >"$T/cc.log" 2>&1; then e2e_pass; else
    e2e_fail "README: the C example does not compile"; sed 's/^/  | /' "$T/cc.log"; fi
P=${OCV_FIXTURES:-$T}/pki
[ -f "$P/anchors.pem" ] || sh "$root/tests/fixtures/make_pki.sh" "$P" >"$T/pki.log" 2>&1
expect_exit 0 "README example: a good chain is allowed" -- "$T/readme" "$P/anchors.pem" "$P/leaf.pem" "$P/inter.pem"
expect_grep "^allow spiffe://" "$T/.out" "README example prints the workload"
expect_exit 1 "README example: a bad signature is denied" -- "$T/readme" "$P/anchors.pem" "$P/bad_sig.der" "$P/inter.pem"
expect_grep "^deny SIGNATURE_INVALID" "$T/.out" "README example prints the reason"
expect_exit 2 "README example: a missing file" -- "$T/readme" "$P/anchors.pem" "$T/missing.pem"

e2e_finish docs_drift
