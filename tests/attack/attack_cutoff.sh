#!/bin/sh
# Attack class: a state change reported but not made (issue 8 #5), and a
# lifetime measured from a time the credential claims (#9). Raising a
# subject_before cut-off replaces the old one on the device and at the
# authority alike; a token whose iat lies in the future is denied
# (NOT_YET_VALID), so it cannot claim to be issued after a cut-off, nor
# shorten its lifetime under max_ttl.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
SUB=spiffe://example.org/ns/demo/sa/api
"$OCV" keygen --type ec-p256 -o iss.key --jwks iss.jwks --kid k1 >/dev/null
new_authority auth
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
printf '[{"type":"subject_before","value":"%s","before":%s}]\n' "$SUB" $((NOW - 3600)) > cut1.json
printf '[{"type":"subject_before","value":"%s","before":%s}]\n' "$SUB" $((NOW + 60)) > cut2.json
build --full --add cut1.json --valid-for 1d -o b1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b1.cose >/dev/null
"$OCV" mint token --key iss.key --kid k1 --sub $SUB --iat $((NOW - 600)) --valid-for 1h -o t.jwt
V="$OCV verify --token t.jwt --jwks iss.jwks --db dev.db --no-policy"
expect_reason 0 OK "issued after the first cut-off" -- $V
expect_exit 0 "raise the cut-off" -- build --delta --add cut2.json --valid-for 1d -o b2.cose
cat .out .err > both; expect_grep "+1" both "bundle build reports the change"
expect_exit 0 "sync the raised cut-off" -- "$OCV" revocation sync --db dev.db b2.cose
expect_reason 1 REVOKED "issued before the raised cut-off" -- $V
[ "$(sqlite3 dev.db "select count(*) from entry where before = $((NOW + 60))")" = 1 ] && e2e_pass ||
    e2e_fail "the device holds the raised cut-off"
[ "$(sqlite3 dev.db "select count(*) from entry")" = 1 ] && e2e_pass || e2e_fail "one entry, replaced"

# A future iat: after the cut-off on paper, in the future in fact.
"$OCV" mint token --key iss.key --kid k1 --sub $SUB --iat $((NOW + 3600)) --valid-for 1h -o future.jwt
before=$(state dev.db)
expect_reason 1 NOT_YET_VALID "iat an hour ahead of the evaluation time" -- \
    "$OCV" verify --token future.jwt --jwks iss.jwks --db dev.db --no-policy
expect_grep "issued in the future" .out "the detail says why"
"$OCV" mint token --key iss.key --kid k1 --sub $SUB --iat $((NOW + 30)) --valid-for 1h -o skew.jwt
expect_reason 1 REVOKED "iat within the skew is still before the cut-off check" -- \
    "$OCV" verify --token skew.jwt --jwks iss.jwks --db dev.db --no-policy --at $((NOW + 30))
# max_ttl: a ten-year token claiming iat 30 minutes before exp.
cat > policy.json <<P
{"version": 1, "defaults": {"max_ttl": "1h"},
 "rules": [{"id": "api", "subjects": ["$SUB"], "issuers": ["https://issuer.example"], "purposes": ["read"]}]}
P
"$OCV" mint token --key iss.key --kid k1 --iss https://issuer.example --sub $SUB \
    --iat $((NOW + 10 * 365 * 86400 - 1800)) --exp $((NOW + 10 * 365 * 86400)) -o long.jwt
expect_reason 1 NOT_YET_VALID "a ten-year token claiming a 30-minute lifetime" -- \
    "$OCV" verify --token long.jwt --jwks iss.jwks --policy policy.json --purpose read
expect_unchanged "$before" "denied decisions" dev.db
e2e_finish attack_cutoff
