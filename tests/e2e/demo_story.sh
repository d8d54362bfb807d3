#!/bin/sh
# make demo reads as a story (issue 13 items 4 and 9): it runs to the end,
# shows every command (fixtures included) so any can be replayed, prints
# the policy, gives each scene's credential its own file, has a CWT scene,
# keeps its directory with KEEP=1, and sends no ANSI colours into a pipe.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$T/demo.out"

TMPDIR="$T" OCV="$OCV" sh "$root/scripts/demo.sh" >"$out" 2>&1
expect_exit 0 "the demo runs to the end" -- test $? -eq 0
if grep -q "$(printf '\033')" "$out"; then e2e_fail "escape codes in a pipe"; else e2e_pass; fi
NO_COLOR=1 TMPDIR="$T" OCV="$OCV" sh "$root/scripts/demo.sh" >/dev/null 2>&1
expect_exit 0 "the demo cleans up after itself" -- test -z "$(ls -d "$T"/ocv-demo.* 2>/dev/null)"
expect_exit 0 "fourteen scenes" -- test "$(grep -c '^== ' "$out")" -eq 14
for want in "allow OK spiffe://demo.example" "deny POLICY_MISSING" "deny EXPIRED" \
    "deny CHAIN_UNTRUSTED" "deny REVOKED" "deny PURPOSE_NOT_ALLOWED" "deny TTL_TOO_LONG" \
    "deny ALG_NOT_ALLOWED" "deny SIGNATURE_INVALID" "refused BUNDLE_ROLLBACK" \
    "skipped BUNDLE_ROLLBACK" "intact: 5 records"; do
    expect_grep "$want" "$out" "demo shows '$want'"
done
expect_grep '"rules": \[' "$out" "the policy file is printed"
expect_grep '^\$ ocv keygen --type ec-p256 -o root.key' "$out" "fixture commands are shown"
expect_grep "^\$ ocv mint cert --key root.key --subject 'CN=Demo Root'" "$out" "shown commands are quoted for replay"
expect_grep '^\$ ocv mint token --format cwt' "$out" "a CWT scene"
expect_grep '^\$ ocv verify --token orders.cwt' "$out" "the CWT is verified"
dups=$(grep -o ' -o [^ ]*' "$out" | sort | uniq -d)
expect_exit 0 "no file is written twice under one name (${dups:-none})" -- test -z "$dups"

KEEP=1 TMPDIR="$T" OCV="$OCV" sh "$root/scripts/demo.sh" >"$T/keep.out" 2>&1
kept=$(sed -n 's/^The demo directory is kept: //p' "$T/keep.out")
expect_exit 0 "KEEP=1 keeps the directory" -- test -f "$kept/orders.cwt"
# a shown command replays from the kept directory
expect_reason 0 OK "a command replayed from the kept directory" -- \
    sh -c "cd '$kept' && '$OCV' verify --token orders.cwt --jwks issuer.jwks --policy policy.json --purpose orders:read --audience orders \"\$@\"" sh

e2e_finish demo_story
