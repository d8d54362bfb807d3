#!/bin/sh
# End-to-end: tokens minted by `ocv mint token`, verified by `ocv verify
# --token`: every algorithm, every defect with its reason, key selection,
# hostile key files, time, and revocation of a token through the store.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
NOW=$(date +%s)
SUB=spiffe://example.org/ns/pay/sa/api

for t in ec-p256:ES256 ec-p384:ES384 ec-p521:ES512 ed25519:EdDSA rsa:RS256 rsa:PS384; do
    type=${t%%:*} alg=${t##*:}
    [ -f "$type.key" ] || "$OCV" keygen --type $type --bits 2048 -o $type.key --jwks $type.jwks --kid $type >/dev/null
    for fmt in jwt cwt; do
        "$OCV" mint token --format $fmt --key $type.key --alg $alg --kid $type --iss https://issuer.example \
            --sub $SUB -o tok.$fmt
        expect_reason 0 OK "$fmt $alg" -- "$OCV" verify --token tok.$fmt --jwks $type.jwks --no-policy
    done
done
expect_grep "\"subject\": \"$SUB\"" .out "subject from the token"
expect_grep '"subject_verified": true' .out "verified subject"

K="--jwks ec-p256.jwks --no-policy"
mint() { "$OCV" mint token --key ec-p256.key --kid ec-p256 --sub $SUB "$@"; }

# Every defect, as a JWT and as a CWT.
for d in bad-signature:SIGNATURE_INVALID alg-none:ALG_NOT_ALLOWED hs256-confusion:ALG_NOT_ALLOWED \
    wrong-kid:KEY_UNKNOWN duplicate-claim:MALFORMED unknown-crit:MALFORMED trailing-bytes:MALFORMED \
    exp-before-nbf:MALFORMED oversized:TOO_LARGE wrong-rs-length:SIGNATURE_INVALID; do
    name=${d%%:*} reason=${d##*:}
    mint --defect $name -o d.jwt
    expect_reason 1 $reason "JWT defect $name" -- "$OCV" verify --token d.jwt $K
done
for d in bad-signature:SIGNATURE_INVALID alg-none:ALG_NOT_ALLOWED hs256-confusion:ALG_NOT_ALLOWED \
    wrong-kid:KEY_UNKNOWN duplicate-claim:MALFORMED unknown-crit:MALFORMED trailing-bytes:MALFORMED \
    exp-before-nbf:MALFORMED wrong-rs-length:SIGNATURE_INVALID alg-unprotected:ALG_NOT_ALLOWED \
    indefinite-length:MALFORMED; do
    name=${d%%:*} reason=${d##*:}
    mint --format cwt --defect $name -o d.cwt
    expect_reason 1 $reason "CWT defect $name" -- "$OCV" verify --token d.cwt $K
done

# A binary CWT whose last signature byte is 0x0a must not lose it to
# whitespace trimming: mint until one ends so (a 1 in 256 chance each).
i=0
while [ $i -lt 2000 ]; do
    mint --format cwt -o nl.cwt
    [ "$(tail -c 1 nl.cwt | od -An -tx1 | tr -d ' ')" = 0a ] && break
    i=$((i + 1))
done
expect_reason 0 OK "a CWT ending in byte 0x0a" -- "$OCV" verify --token nl.cwt $K

# Formats: stdin, base64url CWT, garbage, JWE-shaped, empty.
mint -o ok.jwt
expect_reason 0 OK "token on standard input" -- sh -c "\"$OCV\" verify --token - $K --json < ok.jwt"
mint --format cwt --base64url -o ok.b64
expect_reason 0 OK "CWT in base64url" -- "$OCV" verify --token ok.b64 $K
printf 'hello world' > junk.txt
expect_reason 1 UNSUPPORTED_FORMAT "garbage" -- "$OCV" verify --token junk.txt $K
printf 'a.b.c.d.e' > jwe.txt
expect_reason 1 UNSUPPORTED_FORMAT "JWE shape" -- "$OCV" verify --token jwe.txt $K
: > empty.txt
expect_reason 1 MALFORMED "empty token" -- "$OCV" verify --token empty.txt $K
head -c 40 ok.jwt > cut.jwt
expect_reason 1 UNSUPPORTED_FORMAT "JWT cut inside its header" -- "$OCV" verify --token cut.jwt $K
sed 's/\.[^.]*$/./' ok.jwt > nosig.jwt
expect_reason 1 MALFORMED "JWT without its signature" -- "$OCV" verify --token nosig.jwt $K
sed 's/\.[^.]*\./.e30./' ok.jwt > swapped.jwt
expect_reason 1 MALFORMED "JWT whose payload lost exp (signature not reached)" -- "$OCV" verify --token swapped.jwt $K

# Time.
mint --iat $((NOW - 7200)) --exp $((NOW - 3600)) -o old.jwt
expect_reason 1 EXPIRED "expired token" -- "$OCV" verify --token old.jwt $K
mint --nbf $((NOW + 3600)) --exp $((NOW + 7200)) -o later.jwt
expect_reason 1 NOT_YET_VALID "token not valid yet" -- "$OCV" verify --token later.jwt $K
expect_reason 0 OK "the same token at its time" -- "$OCV" verify --token later.jwt $K --at $((NOW + 3700))
mint --no-exp -o noexp.jwt
expect_reason 1 MALFORMED "token without exp" -- "$OCV" verify --token noexp.jwt $K
mint --claim 'exp="tomorrow"' -o strexp.jwt
expect_reason 1 MALFORMED "exp as a string" -- "$OCV" verify --token strexp.jwt $K
mint --claim "exp=$((NOW + 600)).75" -o realexp.jwt
expect_reason 0 OK "a fractional NumericDate" -- "$OCV" verify --token realexp.jwt $K

# Key selection and key files.
mint -o kid.jwt
"$OCV" mint token --key ec-p256.key --sub $SUB -o nokid.jwt
expect_reason 0 OK "no kid, exactly one key of the type" -- "$OCV" verify --token nokid.jwt $K
"$OCV" keygen --type ec-p256 -o other.key --jwks other.jwks --kid other >/dev/null
sed -n '/"kty"/,/"use"/p' other.jwks > other.member
sed '$d' ec-p256.jwks | sed '$d' | sed '$d' > two.jwks
printf '    },\n    {\n' >> two.jwks
cat other.member >> two.jwks
printf '    }\n  ]\n}\n' >> two.jwks
expect_reason 1 KEY_UNKNOWN "no kid, two keys could verify" -- "$OCV" verify --token nokid.jwt --jwks two.jwks --no-policy
expect_reason 0 OK "kid picks one of two keys" -- "$OCV" verify --token kid.jwt --jwks two.jwks --no-policy
sed 's/"use": "sig"/"use": "sig", "alg": "ES384"/' ec-p256.jwks > pinned.jwks
expect_exit 2 "an alg pin that does not fit the key" -- "$OCV" verify --token kid.jwt --jwks pinned.jwks --no-policy
sed 's/"use": "sig"/"use": "sig", "alg": "ES256"/' ec-p256.jwks > pinned.jwks
expect_reason 0 OK "a matching alg pin" -- "$OCV" verify --token kid.jwt --jwks pinned.jwks --no-policy
"$OCV" mint token --key rsa.key --alg RS256 --kid rsa --sub $SUB -o rs.jwt
sed 's/"use": "sig"/"use": "sig", "alg": "PS256"/' rsa.jwks > rsapin.jwks
expect_reason 1 ALG_NOT_ALLOWED "token alg differs from the key's pin" -- "$OCV" verify --token rs.jwt --jwks rsapin.jwks --no-policy
expect_reason 1 KEY_UNKNOWN "no issuer keys at all" -- "$OCV" verify --token kid.jwt --no-policy
sed 's/"use": "sig"/"use": "sig", "d": "AAAA"/' ec-p256.jwks > private.jwks
expect_exit 2 "private key material in a JWKS" -- "$OCV" verify --token kid.jwt --jwks private.jwks --no-policy
expect_grep "private key material" .err "the error says why"
printf '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}' > oct.jwks
expect_exit 2 "a symmetric key in a JWKS" -- "$OCV" verify --token kid.jwt --jwks oct.jwks --no-policy
printf '{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}' > short.jwks
expect_exit 2 "EC coordinates of the wrong size" -- "$OCV" verify --token kid.jwt --jwks short.jwks --no-policy
cat ec-p256.jwks | sed 's/"kid": "ec-p256"/"kid": "ec-p256", "kid": "dup"/' > dupmember.jwks
expect_exit 2 "duplicate JSON member in a JWKS" -- "$OCV" verify --token kid.jwt --jwks dupmember.jwks --no-policy

# Revocation of a token through the store: revoke at the authority, one
# delta, the very next decision is REVOKED, and a receipt proves it.
"$OCV" keygen --type ec-p256 -o auth.key --pub auth.pub >/dev/null
"$OCV" keygen --type ed25519 -o dev.key --pub dev.pub >/dev/null
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --full --valid-for 1d -o b1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b1.cose >/dev/null
mint --iss https://issuer.example --jti tok-42 -o t42.jwt
expect_reason 0 OK "token not revoked yet" -- "$OCV" verify --token t42.jwt $K --db dev.db --require-revocation
printf '[{"type":"jti","issuer":"https://issuer.example","value":"tok-42"}]' > revoke.json
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --delta --add revoke.json --valid-for 1d -o b2.cose 2>/dev/null
expect_exit 0 "sync the revocation" -- "$OCV" revocation sync --db dev.db b2.cose
expect_reason 1 REVOKED "the next decision on the token" -- "$OCV" verify --token t42.jwt $K --db dev.db
expect_grep "jti https://issuer.example tok-42" .out "detail names the jti"
"$OCV" revocation receipt --db dev.db --device-key dev.key --device-id edge-1 -o r.cose
expect_exit 0 "the receipt proves sequence 2" -- "$OCV" receipt verify --device-pub dev.pub --receipt r.cose --expect-seq 2 --authority acme
mint --format cwt --iss https://issuer.example --cti 0a0b0c -o c.cwt
printf '[{"type":"jti","issuer":"https://issuer.example","value":"0a0b0c"}]' > revoke2.json
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --delta --add revoke2.json --valid-for 1d -o b3.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b3.cose >/dev/null
expect_reason 1 REVOKED "a CWT revoked by its cti" -- "$OCV" verify --token c.cwt $K --db dev.db
printf '[{"type":"key","value":"ec-p256"}]' > revoke3.json
expect_exit 2 "a key entry naming a kid is refused (a kid can be dropped)" -- \
    "$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --delta --add revoke3.json --valid-for 1d -o b4.cose
KEYHASH=$(openssl pkey -in ec-p256.key -pubout -outform DER | sha256sum | cut -d' ' -f1)
printf '[{"type":"key","value":"%s"}]' "$(echo "$KEYHASH" | tr a-f A-F)" > revoke3.json
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --delta --add revoke3.json --valid-for 1d -o b4.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b4.cose >/dev/null
expect_reason 1 REVOKED "a JWT revoked by the key that verified it (SPKI SHA-256)" -- "$OCV" verify --token ok.jwt $K --db dev.db
expect_grep "key $KEYHASH" .out "the entry is stored in canonical (lower-case) form"

expect_exit 0 "mint token --help" -- "$OCV" mint token --help
expect_exit 2 "mint token: CWT-only defect on a JWT" -- "$OCV" mint token --key ec-p256.key --defect alg-unprotected
expect_exit 2 "mint token: alg that does not fit the key" -- "$OCV" mint token --key ec-p256.key --alg EdDSA
e2e_finish tokens
