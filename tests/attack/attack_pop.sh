#!/bin/sh
# Attack class: a binding that fails open (issue 8 #10). A credential
# bound to a key (cnf) is a stolen bearer token unless the presenter
# proves that key: whatever the policy says and under --no-policy too.
# A confirmation method ocv cannot verify denies POP_UNSUPPORTED.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
SUB=spiffe://example.org/ns/demo/sa/api
"$OCV" keygen --type ec-p256 -o iss.key --jwks iss.jwks --kid k1 >/dev/null
"$OCV" keygen --type ec-p256 -o other.key --pub other.pub >/dev/null
"$OCV" mint cert --pub other.pub --subject "CN=other" --uri "$ID" \
    --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o other.pem
mint() { "$OCV" mint token --key iss.key --kid k1 --iss https://issuer.example --sub $SUB "$@"; }
NP="--jwks iss.jwks --no-policy"
cat > policy.json <<P
{"version": 1, "rules": [{"id": "api", "subjects": ["$SUB"], "issuers": ["https://issuer.example"], "purposes": ["read"]}]}
P
WP="--jwks iss.jwks --policy policy.json --purpose read"

for m in '{"kid":"device-key-1"}' '{"jku":"https://issuer.example/keys"}' \
    '{"x5t":"AAAAAAAAAAAAAAAAAAAAAAAAAAA"}' '{"jwe":"x.y.z"}' '{}'; do
    mint --claim "cnf=$m" -o u.jwt
    expect_reason 1 POP_UNSUPPORTED "JWT cnf $m, no policy" -- "$OCV" verify --token u.jwt $NP --peer-cert "$P/leaf.pem"
    expect_reason 1 POP_UNSUPPORTED "JWT cnf $m, a policy not asking for PoP" -- "$OCV" verify --token u.jwt $WP --peer-cert "$P/leaf.pem"
done
"$OCV" mint token --format cwt --key iss.key --kid k1 --iss https://issuer.example --sub $SUB --cnf-kid dev-1 -o u.cwt
expect_reason 1 POP_UNSUPPORTED "CWT cnf kid (RFC 8747 method 3)" -- "$OCV" verify --token u.cwt $NP --peer-cert "$P/leaf.pem"

# Supported bindings are enforced without a policy.
mint --cnf-x5t-cert "$P/leaf.pem" -o x5t.jwt
expect_reason 1 POP_REQUIRED "x5t#S256-bound, no peer certificate, --no-policy" -- "$OCV" verify --token x5t.jwt $NP
expect_reason 1 POP_MISMATCH "x5t#S256-bound, another peer certificate" -- "$OCV" verify --token x5t.jwt $NP --peer-cert other.pem
expect_reason 0 OK "x5t#S256-bound, the bound certificate" -- "$OCV" verify --token x5t.jwt $NP --peer-cert "$P/leaf.pem"
JWK=$(/usr/bin/python3 - "$P/leaf.pub" <<'PY'
import sys, base64, json
from cryptography.hazmat.primitives import serialization
k = serialization.load_pem_public_key(open(sys.argv[1], "rb").read()).public_numbers()
b = lambda n: base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()
print(json.dumps({"kty": "EC", "crv": "P-256", "x": b(k.x), "y": b(k.y)}))
PY
)
mint --claim "cnf={\"jwk\":$JWK}" -o jwk.jwt
expect_reason 1 POP_REQUIRED "cnf jwk, no peer" -- "$OCV" verify --token jwk.jwt $NP
expect_reason 1 POP_MISMATCH "cnf jwk, another key presented" -- "$OCV" verify --token jwk.jwt $NP --peer-cert other.pem
expect_reason 0 OK "cnf jwk, the bound key presented" -- "$OCV" verify --token jwk.jwt $WP --peer-cert "$P/leaf.pem"
mint --claim "cnf={\"jwk\":{\"kty\":\"oct\",\"k\":\"AAAA\"}}" -o oct.jwt
expect_reason 1 MALFORMED "cnf jwk holding a symmetric key" -- "$OCV" verify --token oct.jwt $NP --peer-cert "$P/leaf.pem"
"$OCV" mint token --format cwt --key iss.key --kid k1 --iss https://issuer.example --sub $SUB --cnf-cose-key "$P/leaf.pub" -o ck.cwt
expect_reason 1 POP_REQUIRED "CWT cnf COSE_Key, no peer, --no-policy" -- "$OCV" verify --token ck.cwt $NP
expect_reason 1 POP_MISMATCH "CWT cnf COSE_Key, another key" -- "$OCV" verify --token ck.cwt $NP --peer-cert other.pem
expect_reason 0 OK "CWT cnf COSE_Key, the bound key" -- "$OCV" verify --token ck.cwt $WP --peer-cert "$P/leaf.pem"
e2e_finish attack_pop
