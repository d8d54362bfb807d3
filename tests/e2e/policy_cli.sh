#!/bin/sh
# ocv policy lint / explain: exit codes and what they print.
. "$(dirname "$0")/lib.sh"

cat >"$T/policy.json" <<'EOF'
{"version": 1,
 "defaults": {"max_ttl": "1h", "clock_skew": "60s", "revocation_max_age": "24h",
              "require_revocation": false},
 "rules": [
  {"id": "payments-db", "subjects": ["spiffe://prod.example/ns/payments/*"],
   "issuers": ["https://issuer.prod.example"], "purposes": ["db:read"],
   "audiences": ["db.prod.example"], "max_ttl": "15m", "require_pop": false,
   "revocation": {"max_age": "1h", "allow_stale": "30m"}},
  {"id": "batch", "description": "queue workers, tokens only",
   "subjects": ["spiffe://prod.example/ns/batch/*"],
   "issuers": ["https://issuer.prod.example"], "purposes": ["queue:pop"],
   "credential_types": ["jwt", "cwt"], "algorithms": ["ES256", "EdDSA"]}
 ]}
EOF

# ---- lint -------------------------------------------------------------------
expect_exit 0 "lint: clean policy" -- "$OCV" policy lint "$T/policy.json"
expect_grep "2 rules, no findings" "$T/.out" "lint: clean summary"

sed 's/"max_ttl": "15m"/"max_ttl": "forever"/' "$T/policy.json" >"$T/bad_duration.json"
expect_exit 1 "lint: bad duration" -- "$OCV" policy lint "$T/bad_duration.json"
expect_grep "bad_duration.json:7:49: rules\[0\].max_ttl: \"forever\" is not a duration" \
    "$T/.out" "lint: schema error with line and column"

sed 's/"require_pop": false/"require_pop": "no"/' "$T/policy.json" >"$T/bad_type.json"
expect_exit 1 "lint: wrong type" -- "$OCV" policy lint "$T/bad_type.json"
expect_grep "bad_type.json:7:71: rules\[0\].require_pop: must be true or false" "$T/.out" \
    "lint: wrong type located"

sed 's/"id": "batch"/"id": "payments-db"/' "$T/policy.json" >"$T/dup_id.json"
expect_exit 1 "lint: duplicate rule id" -- "$OCV" policy lint "$T/dup_id.json"
expect_grep "dup_id.json:9:10: rules\[1\].id: duplicate rule id \"payments-db\" (first at line 5" \
    "$T/.out" "lint: duplicate rule id located"

printf '{"version": 1, "version": 1, "rules": []}' >"$T/dup_key.json"
expect_exit 1 "lint: duplicate key" -- "$OCV" policy lint "$T/dup_key.json"
expect_grep "dup_key.json:1:24: duplicate object key" "$T/.out" "lint: duplicate key located"

awk 'BEGIN { printf "{\"version\": 1, \"rules\": "; for (i = 0; i < 5000; i++) printf "[";
             for (i = 0; i < 5000; i++) printf "]"; printf "}" }' >"$T/deep.json"
expect_exit 1 "lint: deep nesting" -- "$OCV" policy lint "$T/deep.json"
expect_grep "deep.json:1:56: nesting deeper than the limit (32)" "$T/.out" "lint: nesting located"

printf '{"version": 1, "rules": [{"id": "r", "subjects": ["spiffe://a/b/"], "issuers": ["i"], "purposes": ["p"]}]}' \
    >"$T/slash.json"
expect_exit 1 "lint: trailing slash" -- "$OCV" policy lint "$T/slash.json"
expect_grep "slash.json:1:51: rules\[0\].subjects: \"spiffe://a/b/\": trailing slash" "$T/.out" \
    "lint: identity error located"

cat >"$T/shadow.json" <<'EOF'
{"version": 1, "rules": [
  {"id": "first", "subjects": ["spiffe://a/ns/*"], "issuers": ["i", "j"], "purposes": ["p"]},
  {"id": "second", "subjects": ["spiffe://a/ns/*"], "issuers": ["j"], "purposes": ["q"],
   "credential_types": ["jwt"]},
  {"id": "third", "subjects": ["spiffe://a/ns/*"], "issuers": ["k"], "purposes": ["q"]},
  {"id": "fourth", "subjects": ["spiffe://a/x", "spiffe://a/ns/*"], "issuers": ["i"],
   "purposes": ["r"], "max_ttl": "0s"},
  {"id": "fifth", "subjects": ["spiffe://a/y"], "issuers": ["i"], "purposes": ["r"],
   "max_ttl": "90d", "revocation": {"allow_stale": "10d"}}
 ]}
EOF
expect_exit 1 "lint: shadowed rules" -- "$OCV" policy lint "$T/shadow.json"
expect_grep "shadow.json:3:3: rule 'second': can never match: shadowed by rule 'first' (line 2)" \
    "$T/.out" "lint: shadowed rule"
expect_grep "shadow.json:6:3: rule 'fourth': subject 'spiffe://a/ns/\*' is shadowed by rule 'first'" \
    "$T/.out" "lint: shadowed subject"
expect_grep "rule 'fourth': can never match: max_ttl 0s" "$T/.out" "lint: max_ttl 0s"
expect_grep "rule 'fifth': max_ttl 90d is beyond the sane bound of 30d" "$T/.out" "lint: sane max_ttl"
expect_grep "rule 'fifth': revocation.allow_stale 10d is beyond the sane bound of 7d" "$T/.out" \
    "lint: sane allow_stale"
expect_grep "rule 'fifth': revocation.allow_stale has no effect" "$T/.out" "lint: useless allow_stale"
if grep -q "rule 'third'" "$T/.out"; then e2e_fail "lint: 'third' trusts another issuer"; else e2e_pass; fi
expect_grep "^6 findings in" "$T/.out" "lint: finding count"

cat >"$T/dnscase.json" <<'EOF'
{"version": 1, "rules": [
  {"id": "web", "subjects": ["Web.Example.com", "alice", "Bob"], "issuers": ["i"], "purposes": ["p"]}
 ]}
EOF
expect_exit 1 "lint: upper-case DNS name" -- "$OCV" policy lint "$T/dnscase.json"
expect_grep "rule 'web': subject 'Web.Example.com' has upper-case letters: it can match a token's sub, never a DNS name" \
    "$T/.out" "lint: upper-case DNS name located"
if grep -q "'Bob'" "$T/.out"; then e2e_fail "lint: a token-like sub in upper case is no finding"; else e2e_pass; fi

expect_exit 1 "lint: ceiling" -- "$OCV" policy lint --max-ttl-ceiling 10m "$T/policy.json"
expect_grep "rule 'payments-db': max_ttl 15m is above the ceiling 10m" "$T/.out" "lint: ceiling rule"
expect_grep "rule 'batch': max_ttl 1h (defaults) is above the ceiling 10m" "$T/.out" \
    "lint: ceiling defaults"
expect_exit 0 "lint: ceiling respected" -- "$OCV" policy lint --max-ttl-ceiling 1h "$T/policy.json"

printf '{"version": 1, "rules": []}' >"$T/empty.json"
expect_exit 1 "lint: no rules" -- "$OCV" policy lint "$T/empty.json"
expect_grep "no rules: every decision is NO_MATCHING_RULE" "$T/.out" "lint: no rules"

# 100,000 rules lint in one pass, clean
awk 'BEGIN { printf "{\"version\": 1, \"rules\": [\n";
             for (i = 0; i < 100000; i++)
                 printf "%s{\"id\": \"r%d\", \"subjects\": [\"spiffe://prod.example/ns/n%d/*\"], \"issuers\": [\"https://issuer.prod.example\"], \"purposes\": [\"db:read\"], \"max_ttl\": \"15m\"}\n", (i ? "," : ""), i, i;
             printf "]}\n" }' >"$T/many.json"
expect_exit 0 "lint: 100,000 rules" -- "$OCV" policy lint "$T/many.json"
expect_grep "100000 rules, no findings" "$T/.out" "lint: 100,000 rules summary"

# unreadable: exit 2
expect_exit 2 "lint: missing file" -- "$OCV" policy lint "$T/missing.json"
expect_grep "missing.json" "$T/.err" "lint: missing file named"
expect_exit 2 "lint: a directory" -- "$OCV" policy lint "$T"
expect_exit 2 "lint: no file" -- "$OCV" policy lint
expect_exit 2 "lint: two files" -- "$OCV" policy lint "$T/policy.json" "$T/empty.json"
expect_exit 2 "lint: bad ceiling" -- "$OCV" policy lint --max-ttl-ceiling soon "$T/policy.json"
expect_exit 2 "lint: explain's option" -- "$OCV" policy lint --subject x "$T/policy.json"
expect_exit 2 "policy: no verb" -- "$OCV" policy
expect_exit 2 "policy: unknown verb" -- "$OCV" policy frobnicate
expect_exit 0 "policy: help" -- "$OCV" policy --help
expect_grep "ocv policy lint" "$T/.out" "policy: help text"

# ---- lint with a configuration: anchors, audience, ceiling ------------------------
"$OCV" keygen --type ec-p256 -o "$T/root.key" >/dev/null 2>&1
"$OCV" mint cert --key "$T/root.key" --subject "CN=Policy Root,O=ocv tests" --ca \
    -o "$T/root.pem" >/dev/null 2>&1
root_sha=$(openssl x509 -in "$T/root.pem" -pubkey -noout | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1)
cat >"$T/certs.json" <<EOF
{"version": 1, "rules": [
  {"id": "by-name", "subjects": ["spiffe://a/n"], "issuers": ["CN=Policy Root, O=ocv tests"],
   "purposes": ["p"], "credential_types": ["x509"]},
  {"id": "by-key", "subjects": ["spiffe://a/k"], "issuers": ["sha256:$root_sha"],
   "purposes": ["p"]},
  {"id": "unknown", "subjects": ["spiffe://a/u"], "issuers": ["CN=Nobody"],
   "purposes": ["p"], "credential_types": ["x509"]},
  {"id": "unknown-key", "subjects": ["spiffe://a/v"],
   "issuers": ["https://tokens.example", "sha256:0000000000000000000000000000000000000000000000000000000000000000"],
   "purposes": ["p"]},
  {"id": "elsewhere", "subjects": ["spiffe://a/w"], "issuers": ["https://tokens.example"],
   "purposes": ["p"], "audiences": ["other.example"]}
 ]}
EOF
cat >"$T/ocv.json" <<EOF
{"anchors": "root.pem", "audience": "db.prod.example", "max_ttl_ceiling": "2h"}
EOF
expect_exit 1 "lint --config: unknown issuers" -- "$OCV" policy lint --config "$T/ocv.json" "$T/certs.json"
expect_grep "rule 'unknown': issuer 'CN=Nobody' is not a trust anchor" "$T/.out" "lint: unknown anchor name"
expect_grep "rule 'unknown-key': issuer 'sha256:0000" "$T/.out" "lint: unknown anchor key"
expect_grep "rule 'elsewhere': can never match: this service's audience 'db.prod.example'" \
    "$T/.out" "lint: audience never matches"
if grep -q "'by-name': issuer\|'by-key': issuer\|tokens.example' is not" "$T/.out"; then
    e2e_fail "lint --config: known anchors and token issuers are no findings"; sed 's/^/  | /' "$T/.out"
else e2e_pass; fi
expect_grep "no max_ttl (unlimited lifetime) above the ceiling 2h" "$T/.out" "lint: ceiling from config"
printf '{"anchors": 5}' >"$T/bad_config.json"
expect_exit 2 "lint --config: invalid configuration" -- "$OCV" policy lint --config "$T/bad_config.json" "$T/policy.json"
expect_grep "bad_config.json:1:13: \"anchors\"" "$T/.err" "lint: configuration error located"

# ---- explain --------------------------------------------------------------------
P="$T/policy.json"
expect_exit 0 "explain: allowed" -- "$OCV" policy explain --policy "$P" \
    --subject spiffe://prod.example/ns/payments/api --purpose db:read --audience db.prod.example
expect_grep "decision: *allow OK" "$T/.out" "explain: allow"
expect_grep "rule: *payments-db ($P:5:3)" "$T/.out" "explain: rule and its place"
expect_grep "PASS policy.purpose" "$T/.out" "explain: purpose check"
expect_grep "SKIP policy.ttl *depends on the credential" "$T/.out" "explain: credential checks skipped"
expect_grep "max_ttl: *15m (rule)" "$T/.out" "explain: what the rule allows"
expect_grep "revocation: *max age 1h (rule), allow_stale 30m" "$T/.out" "explain: revocation"

expect_exit 1 "explain: other purpose" -- "$OCV" policy explain --policy "$P" \
    --subject spiffe://prod.example/ns/payments/api --purpose db:write --audience db.prod.example
expect_grep "decision: *deny PURPOSE_NOT_ALLOWED" "$T/.out" "explain: PURPOSE_NOT_ALLOWED"
expect_grep "allows: db:read" "$T/.out" "explain: what is allowed instead"

expect_exit 1 "explain: audience" -- "$OCV" policy explain --policy "$P" \
    --subject spiffe://prod.example/ns/payments/api --purpose db:read --audience cache.example
expect_grep "decision: *deny AUDIENCE_MISMATCH" "$T/.out" "explain: AUDIENCE_MISMATCH"

expect_exit 1 "explain: issuer" -- "$OCV" policy explain --policy "$P" \
    --subject spiffe://prod.example/ns/payments/api --purpose db:read --issuer https://evil.example
expect_grep "decision: *deny ISSUER_NOT_ALLOWED" "$T/.out" "explain: ISSUER_NOT_ALLOWED"
expect_grep "payments-db (line 5): issuers https://issuer.prod.example" "$T/.out" \
    "explain: the level's rules"

expect_exit 1 "explain: no rule" -- "$OCV" policy explain --policy "$P" \
    --subject spiffe://prod.example/ns/paymentsx/api --purpose db:read
expect_grep "decision: *deny NO_MATCHING_RULE" "$T/.out" "explain: NO_MATCHING_RULE"

expect_exit 1 "explain: trailing slash" -- "$OCV" policy explain --policy "$P" \
    --subject spiffe://prod.example/ns/payments/api/ --purpose db:read
expect_grep "trailing slash" "$T/.out" "explain: invalid identity named"

expect_exit 1 "explain: type not covered" -- "$OCV" policy explain --policy "$P" \
    --subject spiffe://prod.example/ns/batch/w1 --purpose queue:pop --type x509
expect_grep "do not cover x509 credentials" "$T/.out" "explain: type"
expect_exit 0 "explain: type covered" -- "$OCV" policy explain --policy "$P" \
    --subject spiffe://prod.example/ns/batch/w1 --purpose queue:pop --type jwt
expect_grep "description: *queue workers, tokens only" "$T/.out" "explain: description"
expect_grep "algorithms: *ES256, EdDSA (rule)" "$T/.out" "explain: algorithms"

printf '{"policy": "policy.json", "audience": "db.prod.example"}' >"$T/explain_config.json"
expect_exit 0 "explain: policy and audience from --config" -- "$OCV" policy explain \
    --config "$T/explain_config.json" --subject spiffe://prod.example/ns/payments/x --purpose db:read
expect_grep "audience: *db.prod.example" "$T/.out" "explain: audience from config"

expect_exit 2 "explain: invalid policy" -- "$OCV" policy explain --policy "$T/bad_type.json" \
    --subject spiffe://a/b --purpose p
expect_grep "bad_type.json:7:71" "$T/.err" "explain: invalid policy located"
expect_exit 2 "explain: missing policy" -- "$OCV" policy explain --policy "$T/nope.json" \
    --subject spiffe://a/b --purpose p
expect_exit 2 "explain: no subject" -- "$OCV" policy explain --policy "$P" --purpose p
expect_exit 2 "explain: no policy" -- "$OCV" policy explain --subject spiffe://a/b --purpose p
expect_exit 2 "explain: bad type" -- "$OCV" policy explain --policy "$P" --subject spiffe://a/b \
    --purpose p --type saml
expect_exit 2 "explain: stray argument" -- "$OCV" policy explain --policy "$P" \
    --subject spiffe://a/b --purpose p extra

e2e_finish policy_cli
