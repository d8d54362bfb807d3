#!/bin/sh
# Attack class: a key or anchor of one trust source vouching for another
# (issue 9). Every key and anchor belongs to one trust source; a token whose
# iss (or trust domain) names source B but which only a key of source A
# verifies, or whose kid is A's, and an X.509-SVID of trust domain B under
# trust domain A's anchors, are denied TRUST_SOURCE_MISMATCH. A token whose
# iss names a certificate anchor never satisfies a rule written for
# certificates. The device's state (the revocation store) is unchanged.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
BUNDLE="python3 $HERE/../fixtures/spiffe_bundle.py"
PAY=spiffe://b.example/ns/payments/sa/api

# Two OIDC issuers, each with its own key.
"$OCV" keygen --type ec-p256 -o a.key --jwks a.jwks --kid ka >/dev/null
"$OCV" keygen --type ec-p256 -o b.key --jwks b.jwks --kid kb >/dev/null
# Two SPIFFE trust domains, each with its CA (x509-svid) and JWT key.
"$OCV" keygen --type ec-p256 -o ca_a.key --jwks ca_a.jwks >/dev/null
"$OCV" keygen --type ec-p256 -o ca_b.key --jwks ca_b.jwks >/dev/null
"$OCV" mint cert --key ca_a.key --subject "CN=A Root,O=a.example" --ca -o ca_a.pem
"$OCV" mint cert --key ca_b.key --subject "CN=B Root,O=b.example" --ca -o ca_b.pem
"$OCV" keygen --type ec-p256 -o ja.key --jwks ja.jwks --kid ja1 >/dev/null
"$OCV" keygen --type ec-p256 -o jb.key --jwks jb.jwks --kid jb1 >/dev/null
$BUNDLE -o a.bundle --seq 1 --x509 ca_a.jwks ca_a.pem --jwt ja.jwks
$BUNDLE -o b.bundle --seq 1 --x509 ca_b.jwks ca_b.pem --jwt jb.jwks
"$OCV" keygen --type ec-p256 -o leaf.key --pub leaf.pub >/dev/null
"$OCV" mint cert --pub leaf.pub --subject "CN=api" --uri $PAY \
    --issuer-cert ca_b.pem --issuer-key ca_b.key -o leaf_b.pem
"$OCV" mint cert --pub leaf.pub --subject "CN=api" --uri $PAY \
    --issuer-cert ca_a.pem --issuer-key ca_a.key -o forged_leaf.pem

cat > policy.json <<P
{ "version": 1, "rules": [
  { "id": "payments", "subjects": ["spiffe://b.example/ns/payments/*"],
    "issuers": ["issuer-b", "td-b"], "purposes": ["pay"] } ] }
P
cat > ocv.json <<C
{ "policy": "policy.json", "db": "dev.db",
  "trust_sources": [
    { "name": "issuer-a", "kind": "oidc", "issuer": "https://a.example", "files": ["a.jwks"] },
    { "name": "issuer-b", "kind": "oidc", "issuer": "https://b.example", "files": ["b.jwks"] },
    { "name": "td-a", "kind": "spiffe", "trust_domain": "spiffe://a.example", "files": ["a.bundle"] },
    { "name": "td-b", "kind": "spiffe", "trust_domain": "spiffe://b.example", "files": ["b.bundle"] } ] }
C
new_authority auth
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
build --full --valid-for 1d -o b1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b1.cose >/dev/null
before=$(state dev.db)

V="$OCV verify --config ocv.json --purpose pay"
for fmt in jwt cwt; do
    # the genuine token of issuer B passes: the test can fail
    "$OCV" mint token --format $fmt --key b.key --kid kb --iss https://b.example --sub $PAY -o good.$fmt
    expect_reason 0 OK "$fmt: issuer B's own token" -- $V --token good.$fmt
    expect_grep '"issuer": "issuer-b"' .out "$fmt: the decision names the source that vouched"
    # key A signs a token claiming issuer B and B's workload
    "$OCV" mint token --format $fmt --key a.key --kid ka --iss https://b.example --sub $PAY -o forged.$fmt
    expect_reason 1 TRUST_SOURCE_MISMATCH "$fmt: issuer A's key (kid ka) claiming issuer B" -- $V --token forged.$fmt
    expect_grep "issuer-a" .out "$fmt: the detail names the source whose key it is"
    "$OCV" mint token --format $fmt --key a.key --iss https://b.example --sub $PAY -o forged_nokid.$fmt
    expect_reason 1 TRUST_SOURCE_MISMATCH "$fmt: issuer A's key without kid claiming issuer B" -- $V --token forged_nokid.$fmt
    # A's kid with B's iss, signed by some other key: the kid alone is A's
    "$OCV" mint token --format $fmt --key leaf.key --kid ka --iss https://b.example --sub $PAY -o kid_a.$fmt
    expect_reason 1 TRUST_SOURCE_MISMATCH "$fmt: a kid of issuer A under issuer B's iss" -- $V --token kid_a.$fmt
    # a JWT-SVID of trust domain B signed by trust domain A's jwt-svid key
    "$OCV" mint token --format $fmt --key ja.key --kid ja1 --sub $PAY --aud pay.example -o svid_a.$fmt
    expect_reason 1 TRUST_SOURCE_MISMATCH "$fmt: trust domain A's key for a B identity" -- $V --token svid_a.$fmt
    # issuer A's key, issuer A's iss, B's workload: verifies, but the rule trusts B only
    "$OCV" mint token --format $fmt --key a.key --kid ka --iss https://a.example --sub $PAY -o own_a.$fmt
    expect_reason 1 ISSUER_NOT_ALLOWED "$fmt: issuer A for B's workload" -- $V --token own_a.$fmt
    # an issuer no source knows, signed by A's key
    "$OCV" mint token --format $fmt --key a.key --kid ka --iss https://c.example --sub $PAY --aud pay.example -o unknown_iss.$fmt
    expect_reason 1 TRUST_SOURCE_MISMATCH "$fmt: an unknown issuer signed by A's key" -- $V --token unknown_iss.$fmt
done

# The X.509 twin: a SPIFFE ID of trust domain B under trust domain A's CA.
expect_reason 0 OK "x509: B's own SVID" -- $V --cert leaf_b.pem
expect_grep '"issuer": "td-b"' .out "x509: the decision names the trust domain's source"
expect_reason 1 TRUST_SOURCE_MISMATCH "x509: a B SVID under A's anchor" -- $V --cert forged_leaf.pem
expect_grep "td-a" .out "x509: the detail names the anchors' source"

# The unnamed source of the old flags: an iss naming a certificate anchor
# (its key hash or its DN) is no token issuer.
ROOTHASH=$(spki_of_cert ca_b.pem)
cat > legacy_policy.json <<P
{ "version": 1, "rules": [
  { "id": "certs", "subjects": ["spiffe://b.example/ns/payments/*"],
    "issuers": ["sha256:$ROOTHASH", "CN=B Root, O=b.example"], "purposes": ["pay"] } ] }
P
L="$OCV verify --anchors ca_b.pem --jwks a.jwks --policy legacy_policy.json --purpose pay --db dev.db"
expect_reason 0 OK "legacy: the certificate the rule is for" -- $L --cert leaf_b.pem
"$OCV" mint token --key a.key --kid ka --iss "sha256:$ROOTHASH" --sub $PAY -o iss_hash.jwt
expect_reason 1 TRUST_SOURCE_MISMATCH "legacy: a token whose iss is an anchor's key hash" -- $L --token iss_hash.jwt
"$OCV" mint token --key a.key --kid ka --iss "CN=B Root, O=b.example" --sub $PAY -o iss_dn.jwt
expect_reason 1 TRUST_SOURCE_MISMATCH "legacy: a token whose iss is an anchor's DN" -- $L --token iss_dn.jwt

# Names that cannot collide: two anchors whose names differ only outside
# ASCII ("Zürich" / "Zärich") were both "CN=Z??rich Prod Root"; a rule
# naming one anchor must not admit a leaf under the other.
"$OCV" keygen --type ec-p256 -o zu.key >/dev/null
"$OCV" keygen --type ec-p256 -o za.key >/dev/null
"$OCV" mint cert --key zu.key --subject "CN=Zürich Prod Root" --ca -o zu.pem
"$OCV" mint cert --key za.key --subject "CN=Zärich Prod Root" --ca -o za.pem
cat zu.pem za.pem > z_anchors.pem
for z in zu za; do
    "$OCV" mint cert --pub leaf.pub --subject "CN=api" --uri $PAY --issuer-cert $z.pem --issuer-key $z.key -o leaf_$z.pem
done
cat > z_policy.json <<P
{ "version": 1, "rules": [
  { "id": "zurich", "subjects": ["spiffe://b.example/ns/payments/*"],
    "issuers": ["CN=Zürich Prod Root"], "purposes": ["pay"] } ] }
P
Z="$OCV verify --anchors z_anchors.pem --policy z_policy.json --purpose pay --db dev.db"
expect_reason 0 OK "the anchor the rule names, by its UTF-8 name" -- $Z --cert leaf_zu.pem
expect_grep '"issuer": "CN=Z\\u00FCrich Prod Root"' .out "the decision names the anchor with UTF-8 kept"
expect_reason 1 ISSUER_NOT_ALLOWED "an anchor whose name differs only outside ASCII" -- $Z --cert leaf_za.pem

expect_unchanged "$before" "forged issuers and trust domains" dev.db
e2e_finish attack_trust_scope
