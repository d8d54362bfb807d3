#!/bin/sh
# End-to-end: `ocv verify` with a policy, for certificates and tokens: the
# same valid credential allowed for its bound purpose and denied for
# another, and every policy reason through the whole pipeline.
. "$(dirname "$0")/lib.sh"
P=${OCV_FIXTURES:-$T}/pki
[ -f "$P/anchors.pem" ] || sh "$(dirname "$0")/../fixtures/make_pki.sh" "$P" >"$T/pki.log" 2>&1
cd "$T" || exit 1
NOW=$(date +%s)
ID=spiffe://example.org/ns/demo/sa/web
PAY=spiffe://prod.example/ns/payments/sa/api
ISS=https://issuer.prod.example

"$OCV" keygen --type ec-p256 -o issuer.key --jwks issuer.jwks --kid i1 >/dev/null
"$OCV" keygen --type ec-p256 -o client.key --pub client.pub >/dev/null
cat > policy.json <<EOF
{"version": 1,
 "defaults": {"max_ttl": "1h", "clock_skew": "60s", "revocation_max_age": "24h"},
 "rules": [
  {"id": "web-certs", "subjects": ["$ID"], "issuers": ["CN=Test Root, O=ocv tests"],
   "purposes": ["orders:read"], "audiences": ["orders.example"], "credential_types": ["x509"],
   "max_ttl": "2h"},
  {"id": "payments-db", "subjects": ["spiffe://prod.example/ns/payments/*"], "issuers": ["$ISS"],
   "purposes": ["db:read"], "audiences": ["db.prod.example"], "credential_types": ["jwt", "cwt"],
   "algorithms": ["ES256"], "max_ttl": "15m"},
  {"id": "payments-pop", "subjects": ["spiffe://prod.example/ns/payments-pop/*"], "issuers": ["$ISS"],
   "purposes": ["db:write"], "require_pop": true},
  {"id": "payments-fresh", "subjects": ["spiffe://prod.example/ns/payments-fresh/*"], "issuers": ["$ISS"],
   "purposes": ["db:read"], "revocation": {"max_age": "1s", "allow_stale": "1h"}}
 ]}
EOF
expect_exit 0 "the policy lints clean" -- "$OCV" policy lint policy.json

C="$OCV verify --anchors $P/anchors.pem --policy policy.json --cert $P/leaf.pem --chain $P/inter.pem"
expect_reason 0 OK "certificate, bound purpose and audience" -- $C --purpose orders:read --audience orders.example
expect_grep '"rule": "web-certs"' .out "the decision names the rule"
expect_reason 1 PURPOSE_NOT_ALLOWED "the same certificate for another purpose" -- $C --purpose orders:write --audience orders.example
expect_reason 1 PURPOSE_NOT_ALLOWED "no purpose at all" -- $C --audience orders.example
expect_reason 1 AUDIENCE_MISMATCH "the same certificate at another service" -- $C --purpose orders:read --audience billing.example
expect_reason 1 NO_MATCHING_RULE "a workload no rule names" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --policy policy.json --cert "$P/no_uri.pem" --chain "$P/inter.pem" \
    --identity-fallback dns --purpose orders:read --audience orders.example
expect_reason 1 ISSUER_NOT_ALLOWED "the rule's identity from another anchor" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --policy policy.json --cert "$P/rsa_leaf.pem" --purpose orders:read --audience orders.example
expect_reason 1 TTL_TOO_LONG "a certificate living longer than max_ttl" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --policy policy.json --cert "$P/week.pem" --chain "$P/inter.pem" \
    --purpose orders:read --audience orders.example
expect_reason 0 OK "an explain trace lists the policy checks" -- $C --purpose orders:read --audience orders.example --explain
for c in policy.rule policy.purpose policy.audience policy.ttl policy.pop; do
    expect_grep "\"check\": \"$c\"" .out "explain has $c"
done

# Tokens.
tok() { "$OCV" mint token --key issuer.key --kid i1 --iss $ISS --aud db.prod.example "$@"; }
K="--jwks issuer.jwks --policy policy.json --audience db.prod.example"
tok --sub $PAY --valid-for 10m -o ok.jwt
expect_reason 0 OK "token, bound purpose" -- "$OCV" verify --token ok.jwt $K --purpose db:read
expect_grep '"rule": "payments-db"' .out "token decision names the rule"
expect_reason 1 PURPOSE_NOT_ALLOWED "the same token for another purpose" -- "$OCV" verify --token ok.jwt $K --purpose db:write
tok --sub $PAY --valid-for 10m --scope "db:write" -o scoped.jwt
expect_reason 1 PURPOSE_NOT_ALLOWED "a purpose the token's scope does not carry" -- "$OCV" verify --token scoped.jwt $K --purpose db:read
tok --sub $PAY --valid-for 30m -o long.jwt
expect_reason 1 TTL_TOO_LONG "a token issued for longer than max_ttl" -- "$OCV" verify --token long.jwt $K --purpose db:read
tok --sub $PAY --valid-for 10m --no-iat -o noiat.jwt
expect_reason 1 TTL_TOO_LONG "a token without iat: lifetime unknown" -- "$OCV" verify --token noiat.jwt $K --purpose db:read
"$OCV" mint token --key issuer.key --kid i1 --iss https://other.example --aud db.prod.example --sub $PAY -o other.jwt
expect_reason 1 ISSUER_NOT_ALLOWED "a token from another issuer" -- "$OCV" verify --token other.jwt $K --purpose db:read
tok --sub $PAY --valid-for 10m --format cwt -o ok.cwt
expect_reason 0 OK "a CWT under the same rule" -- "$OCV" verify --token ok.cwt $K --purpose db:read --audience db.prod.example
"$OCV" keygen --type ed25519 -o ed.key --jwks ed.jwks --kid e1 >/dev/null
"$OCV" mint token --key ed.key --kid e1 --iss $ISS --aud db.prod.example --sub $PAY -o ed.jwt
expect_reason 1 ALG_NOT_ALLOWED "an algorithm the rule does not allow" -- \
    "$OCV" verify --token ed.jwt --jwks ed.jwks --policy policy.json --purpose db:read --audience db.prod.example
tok --sub $PAY --valid-for 10m -o aud.jwt
expect_reason 1 AUDIENCE_MISMATCH "the service is not in the token's audience" -- \
    "$OCV" verify --token aud.jwt $K --purpose db:read --audience billing.example

# Proof of possession: cnf x5t#S256 against the TLS peer certificate.
"$OCV" mint cert --key client.key --subject "CN=client" -o client.pem
"$OCV" mint cert --key client.key --subject "CN=other" -o other.pem
POPSUB=spiffe://prod.example/ns/payments-pop/sa/w
tok --sub $POPSUB --valid-for 10m -o nopop.jwt
expect_reason 1 POP_REQUIRED "require_pop without a cnf binding" -- "$OCV" verify --token nopop.jwt $K --purpose db:write
tok --sub $POPSUB --valid-for 10m --cnf-x5t-cert client.pem -o pop.jwt
expect_reason 0 OK "cnf bound to the presented peer certificate" -- \
    "$OCV" verify --token pop.jwt $K --purpose db:write --peer-cert client.pem
expect_reason 1 POP_MISMATCH "cnf bound to another certificate" -- \
    "$OCV" verify --token pop.jwt $K --purpose db:write --peer-cert other.pem
expect_reason 1 POP_REQUIRED "cnf without a presented certificate" -- "$OCV" verify --token pop.jwt $K --purpose db:write
tok --sub $POPSUB --valid-for 10m --cnf-jkt-key client.pub -o jkt.jwt
expect_reason 0 OK "cnf jkt: the peer certificate's key" -- \
    "$OCV" verify --token jkt.jwt $K --purpose db:write --peer-cert client.pem
"$OCV" keygen --type ec-p256 -o stranger.key >/dev/null
"$OCV" mint cert --key stranger.key --subject "CN=stranger" -o stranger.pem
expect_reason 1 POP_MISMATCH "cnf jkt: another key" -- \
    "$OCV" verify --token jkt.jwt $K --purpose db:write --peer-cert stranger.pem

# Revocation freshness per rule, and an allowance that is recorded.
"$OCV" keygen --type ec-p256 -o auth.key --pub auth.pub >/dev/null
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --full --valid-for 1d --at $((NOW - 30)) -o b1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b1.cose >/dev/null
FRESH=spiffe://prod.example/ns/payments-fresh/sa/w
tok --sub $FRESH --valid-for 10m -o fresh.jwt
expect_reason 0 OK "data older than the rule's max_age, inside allow_stale" -- \
    "$OCV" verify --token fresh.jwt $K --purpose db:read --db dev.db
expect_grep '"revocation_stale_allowed": true' .out "the allowance is recorded"
tok --sub $FRESH --iat $((NOW + 3600)) --exp $((NOW + 4200)) -o later.jwt
expect_reason 1 REVOCATION_STALE "data older than max_age plus allow_stale" -- \
    "$OCV" verify --token later.jwt $K --purpose db:read --db dev.db --at $((NOW + 3700))
expect_reason 0 OK "payments-db has no rule max_age: 24h default" -- \
    "$OCV" verify --token ok.jwt $K --purpose db:read --db dev.db

# Configuration: the policy and the audience from the config file.
printf '{"jwks": "issuer.jwks", "policy": "policy.json", "audience": "db.prod.example"}' > ocv.json
expect_reason 0 OK "policy and audience from the configuration" -- "$OCV" verify --config ocv.json --token ok.jwt --purpose db:read
expect_reason 1 AUDIENCE_MISMATCH "the request's audience overrides the config's" -- \
    "$OCV" verify --config ocv.json --token ok.jwt --purpose db:read --audience x.example
expect_reason 0 OK "--no-policy overrides the config's policy" -- "$OCV" verify --config ocv.json --token ok.jwt --no-policy
printf '{"version": 1, "rules": [{"id": "x"}]}' > broken.json
expect_exit 2 "a broken policy is a configuration error" -- "$OCV" verify --token ok.jwt --jwks issuer.jwks --policy broken.json --purpose db:read
expect_grep "broken.json:1:" .err "with the file, line and column"
e2e_finish verify_policy
