#!/bin/sh
# End-to-end: the credential and key formats users already have (issue 9
# item 4), each its own case: base64url CWTs in every tagging, typ and cty
# header labels, "Bearer " and whitespace around a token file, --type, a
# single JWK or COSE_Key where a set is expected, PEM public keys.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
SUB=spiffe://example.org/ns/pay/sa/api
"$OCV" keygen --type ec-p256 -o k.key --pub k.pem --jwks k.jwks --kid k1 >/dev/null
K="--jwks k.jwks --no-policy"
mint() { "$OCV" mint token --key k.key --kid k1 --sub $SUB "$@"; }

# base64url CWTs: recognised by what they decode to, whatever the first
# character (tag 18 encodes to text beginning with '0', like DER).
for tag in 61 18 none; do
    mint --format cwt --tag $tag --base64url -o b64_$tag.cwt
    expect_reason 0 OK "base64url CWT, tag $tag" -- "$OCV" verify --token b64_$tag.cwt $K
    expect_grep '"subject_verified": true' .out "base64url CWT tag $tag verified"
    mint --format cwt --tag $tag -o bin_$tag.cwt
    expect_reason 0 OK "binary CWT, tag $tag" -- "$OCV" verify --token bin_$tag.cwt $K
done
[ "$(head -c 1 b64_18.cwt)" = 0 ] && e2e_pass || e2e_fail "the tag-18 base64url CWT should begin with '0'"

# Header labels: typ (16, RFC 9596) and content type (3).
mint --format cwt --typ application/cwt -o typ.cwt
expect_reason 0 OK "CWT with typ in the protected header" -- "$OCV" verify --token typ.cwt $K
mint --format cwt --cty application/cwt -o cty.cwt
expect_reason 0 OK "CWT with cty in the protected header" -- "$OCV" verify --token cty.cwt $K
mint --typ at+jwt -o typ.jwt
expect_reason 0 OK "JWT with typ at+jwt" -- "$OCV" verify --token typ.jwt $K

# The CLI strips "Bearer " and surrounding whitespace; the library takes exact bytes.
mint -o t.jwt
printf 'Bearer %s\n' "$(cat t.jwt)" > bearer.txt
expect_reason 0 OK "a token file holding 'Bearer <jwt>'" -- "$OCV" verify --token bearer.txt $K
printf '  \n\t%s  \n\n' "$(cat t.jwt)" > spaces.txt
expect_reason 0 OK "a token file with leading and trailing whitespace" -- "$OCV" verify --token spaces.txt $K
printf 'bearer   %s' "$(cat b64_18.cwt)" > bearer_cwt.txt
expect_reason 0 OK "'bearer' (any case) before a base64url CWT" -- "$OCV" verify --token bearer_cwt.txt $K
printf 'Token %s\n' "$(cat t.jwt)" > other_scheme.txt
expect_reason 1 UNSUPPORTED_FORMAT "another scheme is not stripped" -- "$OCV" verify --token other_scheme.txt $K

# --type forces the format.
expect_reason 0 OK "--type jwt on a JWT" -- "$OCV" verify --type jwt --token t.jwt $K
expect_reason 0 OK "--type cwt on a base64url CWT" -- "$OCV" verify --type cwt --token b64_18.cwt $K
expect_reason 1 UNSUPPORTED_FORMAT "--type cwt on a JWT" -- "$OCV" verify --type cwt --token t.jwt $K
expect_grep "the credential is a JWT, not the CWT" .out "the mismatch is named"
expect_reason 1 UNSUPPORTED_FORMAT "--type x509 on a token" -- "$OCV" verify --type x509 --token t.jwt $K
expect_exit 2 "--type with a bad value" -- "$OCV" verify --type saml --token t.jwt $K

# One JWK, one COSE_Key, where a set is expected.
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["keys"][0]))' k.jwks > one.jwk
expect_reason 0 OK "a single JWK as --jwks" -- "$OCV" verify --token t.jwt --jwks one.jwk --no-policy
python3 - k.jwks > one.cose <<'PY'
import base64, json, sys
k = json.load(open(sys.argv[1]))["keys"][0]
d = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
kid = k["kid"].encode()
# COSE_Key {1: 2 (EC2), 2: kid, -1: 1 (P-256), -2: x, -3: y}
out = bytes([0xa5, 0x01, 0x02, 0x02, 0x40 | len(kid)]) + kid + bytes([0x20, 0x01, 0x21, 0x58, 32]) \
    + d(k["x"]) + bytes([0x22, 0x58, 32]) + d(k["y"])
sys.stdout.buffer.write(out)
PY
mint --format cwt -o c.cwt
expect_reason 0 OK "a single COSE_Key as --cose-keys" -- "$OCV" verify --token c.cwt --cose-keys one.cose --no-policy

# PEM public keys as token keys, with an explicit issuer (an OIDC source).
"$OCV" mint token --key k.key --iss https://step.example --sub $SUB -o pem.jwt
cat > pem.json <<C
{ "no_policy": true,
  "trust_sources": [ { "name": "step", "kind": "oidc", "issuer": "https://step.example", "files": ["k.pem"] } ] }
C
expect_reason 0 OK "a PEM public key of an OIDC source" -- "$OCV" verify --config pem.json --token pem.jwt
"$OCV" mint token --key k.key --iss https://other.example --sub $SUB -o pem_other.jwt
expect_reason 1 TRUST_SOURCE_MISMATCH "the PEM key under another iss" -- "$OCV" verify --config pem.json --token pem_other.jwt
e2e_finish formats
