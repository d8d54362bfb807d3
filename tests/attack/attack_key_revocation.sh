#!/bin/sh
# Attack class: a lookup keyed by what the attacker controls (issue 8 #2).
# A revoked key must stay revoked whatever kid the token names: dropped
# (the kid sits in the CWT's unprotected header), changed, or longer than
# any field. Key entries name the SPKI SHA-256 of the key that verified;
# an entry naming a kid is refused at build time.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
SUB=spiffe://example.org/ns/demo/sa/api
"$OCV" keygen --type ec-p256 -o iss.key --jwks iss.jwks --kid k1 >/dev/null
"$OCV" keygen --type ec-p256 -o iss.key2 --pub iss.pub >/dev/null 2>&1
"$OCV" keygen --type ec-p256 -o iss.nokid.key --jwks nokid.jwks >/dev/null
KEYHASH=$(spki_of_key iss.key)

new_authority auth
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
printf '[{"type":"key","value":"%s"}]\n' "$KEYHASH" > k.json
build --full --add k.json --valid-for 1d -o b1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b1.cose >/dev/null
before=$(state dev.db)

for fmt in jwt cwt; do
    "$OCV" mint token --format $fmt --key iss.key --kid k1 --sub $SUB -o with.$fmt
    "$OCV" mint token --format $fmt --key iss.key --sub $SUB -o without.$fmt
    expect_reason 1 REVOKED "$fmt with the revoked key's kid" -- "$OCV" verify --token with.$fmt --jwks iss.jwks --db dev.db --no-policy
    expect_grep "key $KEYHASH" .out "$fmt: the entry names the key"
    expect_reason 1 REVOKED "$fmt signed by the revoked key, kid dropped" -- "$OCV" verify --token without.$fmt --jwks iss.jwks --db dev.db --no-policy
done
# The CWT's kid is unprotected: strip it from a kid-carrying token by hand.
"$OCV" mint token --format cwt --key iss.key --kid "$(head -c 200 /dev/zero | tr '\0' k)" --sub $SUB -o longkid.cwt 2>/dev/null &&
    expect_reason 1 KEY_UNKNOWN "a CWT with a 200-byte kid the key set does not name" -- "$OCV" verify --token longkid.cwt --jwks iss.jwks --db dev.db --no-policy
"$OCV" keygen --type ec-p256 -o long.key --jwks long.jwks --kid "$(head -c 200 /dev/zero | tr '\0' k)" >/dev/null
LONGHASH=$(spki_of_key long.key)
"$OCV" mint token --format cwt --key long.key --kid "$(head -c 200 /dev/zero | tr '\0' k)" --sub $SUB -o long.cwt
printf '[{"type":"key","value":"%s"}]\n' "$LONGHASH" > k2.json
build --delta --add k2.json --valid-for 1d -o b2.cose 2>/dev/null
cp dev.db long.db
"$OCV" revocation sync --db long.db b2.cose >/dev/null
expect_reason 1 REVOKED "a CWT whose kid is over 128 bytes is revocable by its key" -- "$OCV" verify --token long.cwt --jwks long.jwks --db long.db --no-policy

# A key entry naming a kid would never match: refused before it is signed.
printf '[{"type":"key","value":"k1"}]\n' > kid.json
expect_exit 2 "bundle build refuses a key entry naming a kid" -- build --delta --add kid.json --valid-for 1d -o bad.cose
expect_grep "SubjectPublicKeyInfo" .err "the refusal says what a key entry names"
expect_unchanged "$before" "decisions and a refused build" dev.db
e2e_finish attack_key_revocation
