#!/bin/sh
# End-to-end: trust sources (docs/trust.md). SPIFFE bundles in the shape
# SPIRE writes them (x5c, several keys, unknown uses, a jwt-svid key
# without kid), federation of two trust domains under a policy that allows
# one, JWT-SVIDs, OIDC sources with PEM keys, configuration errors, and
# `ocv trust status`.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
cd "$T" || exit 1
BUNDLE="python3 $HERE/../fixtures/spiffe_bundle.py"
A=spiffe://a.example/ns/web/sa/api
B=spiffe://b.example/ns/pay/sa/api

for td in a b; do
    "$OCV" keygen --type ec-p256 -o ca_$td.key --jwks ca_$td.jwks >/dev/null
    "$OCV" mint cert --key ca_$td.key --subject "CN=$td Root,O=$td.example" --ca -o ca_$td.pem
    "$OCV" keygen --type ec-p256 -o j_$td.key --jwks j_$td.jwks --kid j$td >/dev/null
done
"$OCV" keygen --type ec-p256 -o ca_a2.key --jwks ca_a2.jwks >/dev/null
"$OCV" mint cert --key ca_a2.key --subject "CN=a Root 2,O=a.example" --ca -o ca_a2.pem
"$OCV" keygen --type ec-p256 -o j_a2.key --jwks j_a2.jwks --kid ja2 >/dev/null
"$OCV" keygen --type rsa --bits 2048 -o enc.key --jwks enc.jwks --kid enc1 >/dev/null
"$OCV" keygen --type ec-p256 -o leaf.key --pub leaf.pub >/dev/null
"$OCV" mint cert --pub leaf.pub --subject "CN=a" --uri $A --issuer-cert ca_a2.pem --issuer-key ca_a2.key -o leaf_a.pem
"$OCV" mint cert --pub leaf.pub --subject "CN=b" --uri $B --issuer-cert ca_b.pem --issuer-key ca_b.key -o leaf_b.pem

# trust domain a: two x509 authorities (one with an x5c chain), two JWT
# keys, an encryption key and a key of an unknown use, both skipped.
$BUNDLE -o a.bundle --seq 7 --hint 600 --x509 ca_a.jwks ca_a.pem ca_b.pem --x509 ca_a2.jwks ca_a2.pem \
    --jwt j_a.jwks --jwt j_a2.jwks --use enc enc.jwks --use x509-ca-next enc.jwks
$BUNDLE -o b.bundle --seq 3 --x509 ca_b.jwks ca_b.pem --jwt j_b.jwks
cat > policy.json <<P
{ "version": 1, "rules": [
  { "id": "web", "subjects": ["spiffe://a.example/ns/web/*"], "issuers": ["spiffe://a.example"],
    "purposes": ["read"] },
  { "id": "pay", "subjects": ["spiffe://b.example/ns/pay/*"], "issuers": ["oidc-x"],
    "purposes": ["read"] } ] }
P
cat > ocv.json <<C
{ "policy": "policy.json",
  "trust_sources": [
    { "name": "td-a", "kind": "spiffe", "trust_domain": "spiffe://a.example", "files": ["a.bundle"] },
    { "name": "td-b", "kind": "spiffe", "trust_domain": "spiffe://b.example", "files": ["b.bundle"] },
    { "name": "oidc-x", "kind": "oidc", "issuer": "https://x.example", "files": ["x.pem"] } ] }
C
"$OCV" keygen --type ec-p256 -o x.key --pub x.pem >/dev/null
V="$OCV verify --config ocv.json --purpose read"

expect_exit 0 "trust status loads the federation" -- "$OCV" trust status --config ocv.json
expect_grep "spiffe_sequence 7" .out "status: trust domain a's sequence"
expect_grep "spiffe_sequence 3" .out "status: trust domain b's sequence"
expect_grep "keys 2, anchors 2" .out "status: a's two authorities and two JWT keys"
expect_grep "2 key(s) of another use skipped" .out "status: the enc and unknown-use keys are skipped"
expect_grep "skipped a key of use x509-ca-next" .out "status: the skipped use is named"
expect_grep "only x5c\[0\] is an anchor" .out "status: an x5c chain is reported"
expect_exit 0 "trust status --json" -- "$OCV" trust status --config ocv.json --json
expect_grep '"spiffe_sequence": 7' .out "status json: the sequence"

# X.509-SVIDs of both trust domains, each under its own bundle.
expect_reason 0 OK "x509-svid of a under a's second authority" -- $V --cert leaf_a.pem
expect_grep '"issuer": "td-a"' .out "the decision names the bundle's source"
expect_reason 1 ISSUER_NOT_ALLOWED "federation: b's SVID verifies but the policy allows only oidc-x for b" -- $V --cert leaf_b.pem
expect_grep "td-b" .out "the denial names the source that vouched"
# x5c[1] (b's root, in a's x5c chain) is no anchor of a
"$OCV" mint cert --pub leaf.pub --subject "CN=a" --uri $A --issuer-cert ca_b.pem --issuer-key ca_b.key -o a_by_b.pem
expect_reason 1 TRUST_SOURCE_MISMATCH "an x5c chain's second certificate vouches for nothing" -- $V --cert a_by_b.pem

# JWT-SVIDs: no iss (SPIRE's default), aud required, the sub's trust domain selects.
for fmt in jwt cwt; do
    "$OCV" mint token --format $fmt --key j_a2.key --kid ja2 --sub $A --aud svc.example -o svid.$fmt
    expect_reason 0 OK "$fmt JWT-SVID without iss" -- $V --audience svc.example --token svid.$fmt
    expect_grep '"issuer": "td-a"' .out "$fmt: JWT-SVID vouched by its trust domain"
    "$OCV" mint token --format $fmt --key j_a2.key --kid ja2 --sub $A -o noaud.$fmt
    expect_reason 1 MALFORMED "$fmt JWT-SVID without aud" -- $V --token noaud.$fmt
    expect_grep "must carry aud" .out "$fmt: the detail says aud"
    "$OCV" mint token --format $fmt --key j_b.key --kid jb --sub $B --aud svc.example -o svid_b.$fmt
    expect_reason 1 ISSUER_NOT_ALLOWED "$fmt JWT-SVID of b: the policy trusts oidc-x for b" -- $V --token svid_b.$fmt
    # an OIDC source with a PEM public key (no kid) and an explicit issuer
    "$OCV" mint token --format $fmt --key x.key --iss https://x.example --sub $B -o x.$fmt
    expect_reason 0 OK "$fmt signed by a PEM key of oidc-x" -- $V --token x.$fmt
    expect_grep '"issuer": "oidc-x"' .out "$fmt: PEM source named"
done

# A jwt-svid key without kid: the bundle is refused, naming the key.
$BUNDLE -o nokid.bundle --seq 1 --x509 ca_a.jwks ca_a.pem --jwt-nokid j_a.jwks
sed 's/a.bundle/nokid.bundle/' ocv.json > nokid.json
expect_exit 2 "a jwt-svid key without kid" -- "$OCV" verify --config nokid.json --cert leaf_a.pem --purpose read
expect_grep "key 1 (use 'jwt-svid'): a jwt-svid key needs a kid" .err "the refusal names the key"
# An x509-svid key whose x5c certifies another key.
$BUNDLE -o wrongkey.bundle --x509 ca_b.jwks ca_a.pem
sed 's/a.bundle/wrongkey.bundle/' ocv.json > wrongkey.json
expect_exit 2 "an x5c certificate of another key" -- "$OCV" trust status --config wrongkey.json
expect_grep "certifies another key" .err "the refusal says why"
# Only keys of other uses: nothing to trust.
$BUNDLE -o empty.bundle --use enc enc.jwks
sed 's/a.bundle/empty.bundle/' ocv.json > empty.json
expect_exit 2 "a bundle without x509-svid or jwt-svid keys" -- "$OCV" trust status --config empty.json

# policy lint against the configuration's trust sources.
expect_exit 0 "lint: every issuer names a source (oidc-x) or a trust domain" -- "$OCV" policy lint --config ocv.json policy.json
sed 's/"oidc-x"/"oidc-y"/' policy.json > policy_y.json
expect_exit 1 "lint: a rule naming a source the configuration lacks" -- "$OCV" policy lint --config ocv.json policy_y.json
expect_grep "issuer 'oidc-y' names no trust source of the configuration" .out "lint names the unknown source"

# Configuration errors.
cat > dup.json <<C
{ "trust_sources": [
    { "name": "s", "kind": "spiffe", "trust_domain": "spiffe://a.example", "files": ["a.bundle"] },
    { "name": "s", "kind": "spiffe", "trust_domain": "spiffe://b.example", "files": ["b.bundle"] } ] }
C
expect_exit 2 "two sources with one name" -- "$OCV" trust status --config dup.json
expect_grep "two sources have the same name" .err "duplicate names named"
cat > same_td.json <<C
{ "trust_sources": [
    { "name": "s1", "kind": "spiffe", "trust_domain": "spiffe://a.example", "files": ["a.bundle"] },
    { "name": "s2", "kind": "spiffe", "trust_domain": "spiffe://a.example", "files": ["b.bundle"] } ] }
C
expect_exit 2 "two sources for one trust domain" -- "$OCV" trust status --config same_td.json
expect_grep "claim the same trust domain" .err "the clash is named"
expect_exit 2 "old flags mixed with trust sources" -- "$OCV" verify --config ocv.json --jwks j_a.jwks --cert leaf_a.pem --purpose read
expect_grep "cannot be combined with trust_sources" .err "the migration message"
cat > badtd.json <<C
{ "trust_sources": [ { "name": "s", "kind": "spiffe", "trust_domain": "spiffe://A.example", "files": ["a.bundle"] } ] }
C
expect_exit 2 "an upper-case trust domain" -- "$OCV" trust status --config badtd.json
cat > badkind.json <<C
{ "trust_sources": [ { "name": "s", "kind": "jwks", "files": ["a.bundle"] } ] }
C
expect_exit 2 "an unknown kind" -- "$OCV" trust status --config badkind.json
expect_grep '"kind": must be "oidc", "spiffe" or "ca"' .err "the kind error is positioned"

# A CA source: anchors from a directory, for certificates without a SPIFFE ID.
mkdir -p cas && cp ca_a.pem cas/1.pem && cp ca_b.pem cas/2.crt
"$OCV" mint cert --pub leaf.pub --subject "CN=host.example" --dns host.example --issuer-cert ca_b.pem --issuer-key ca_b.key -o dns.pem
cat > ca.json <<C
{ "no_policy": true, "identity_fallback": ["dns"],
  "trust_sources": [ { "name": "corp", "kind": "ca", "files": ["cas"] },
    { "name": "td-b", "kind": "spiffe", "trust_domain": "spiffe://b.example", "files": ["b.bundle"] } ] }
C
expect_reason 0 OK "a DNS certificate under a CA source directory" -- "$OCV" verify --config ca.json --cert dns.pem
expect_grep '"issuer": "corp"' .out "the CA source vouched"
expect_reason 0 OK "b's SVID under its bundle beside a CA with the same root" -- "$OCV" verify --config ca.json --cert leaf_b.pem
expect_grep '"issuer": "td-b"' .out "the SPIFFE source vouched, not the CA"
cat > ca_only.json <<C
{ "no_policy": true, "trust_sources": [ { "name": "corp", "kind": "ca", "files": ["cas"] } ] }
C
expect_reason 1 TRUST_SOURCE_MISMATCH "a SPIFFE ID under a CA source" -- "$OCV" verify --config ca_only.json --cert leaf_b.pem

# The old flags: one unnamed source, and a warning when its keys cannot be
# bound to one issuer.
expect_reason 0 OK "old flags keep working" -- "$OCV" verify --jwks j_a2.jwks --token svid.jwt --no-policy
expect_exit 0 "old flags with two key files" -- "$OCV" verify --jwks j_a.jwks --cose-keys j_b.jwks --token svid_b.jwt --no-policy
expect_grep "warning: .*2 token keys that no issuer binds" .err "the unbound keys are reported"
# an IdP's JWKS that also lists an encryption key loads; the enc key verifies nothing
python3 - j_a.jwks enc.jwks > mixed.jwks <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["keys"][0]; e = json.load(open(sys.argv[2]))["keys"][0]; e["use"] = "enc"
print(json.dumps({"keys": [a, e]}))
PY
"$OCV" mint token --key j_a.key --kid ja --sub $A -o ja.jwt
expect_reason 0 OK "a JWKS with an encryption key beside the signing key" -- "$OCV" verify --jwks mixed.jwks --token ja.jwt --no-policy
"$OCV" mint token --key enc.key --kid enc1 --sub $A -o enc.jwt
expect_reason 1 KEY_UNKNOWN "the encryption key verifies nothing" -- "$OCV" verify --jwks mixed.jwks --token enc.jwt --no-policy
e2e_finish trust
