#!/bin/sh
# make demo: a small PKI made on the spot with ocv's own tools, and real
# decisions with their reasons. Nothing outside this repository is used.
set -eu
: "${OCV:?}"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
NOW=$(date +%s)
ID=spiffe://demo.example/ns/shop/sa/checkout

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$(echo "$*" | sed "s|$D/||g; s|$OCV|ocv|")"; "$@" || true; }

say "A trust anchor, an intermediate CA and a workload certificate (ocv keygen / ocv mint)"
"$OCV" keygen --type ec-p256 -o "$D/root.key" --pub "$D/root.pub"
"$OCV" mint cert --key "$D/root.key" --subject "CN=Demo Root" --ca --valid-for 3650d -o "$D/root.pem"
"$OCV" keygen --type ec-p256 -o "$D/inter.key" --pub "$D/inter.pub"
"$OCV" mint cert --pub "$D/inter.pub" --subject "CN=Demo Intermediate" --ca --valid-for 365d \
    --issuer-cert "$D/root.pem" --issuer-key "$D/root.key" -o "$D/inter.pem"
"$OCV" keygen --type ec-p256 -o "$D/web.key" --pub "$D/web.pub"
"$OCV" mint cert --pub "$D/web.pub" --subject "CN=checkout" --uri "$ID" --serial 1001 \
    --valid-for 10m --issuer-cert "$D/inter.pem" --issuer-key "$D/inter.key" -o "$D/web.pem"
"$OCV" mint cert --pub "$D/web.pub" --subject "CN=checkout" --uri "$ID" --serial 1002 \
    --not-before $((NOW - 7200)) --not-after $((NOW - 3600)) \
    --issuer-cert "$D/inter.pem" --issuer-key "$D/inter.key" -o "$D/old.pem"
"$OCV" keygen --type ec-p256 -o "$D/rogue.key" --pub "$D/rogue.pub"
"$OCV" mint cert --key "$D/rogue.key" --subject "CN=Rogue Root" --ca -o "$D/rogue.pem"
"$OCV" mint cert --pub "$D/web.pub" --subject "CN=checkout" --uri "$ID" --valid-for 1h \
    --issuer-cert "$D/rogue.pem" --issuer-key "$D/rogue.key" -o "$D/rogue-web.pem"
"$OCV" mint crl --issuer-cert "$D/inter.pem" --issuer-key "$D/inter.key" --valid-for 1d \
    --number 1 -o "$D/clean.crl"
"$OCV" mint crl --issuer-cert "$D/inter.pem" --issuer-key "$D/inter.key" --valid-for 1d \
    --number 2 --revoke 1001 -o "$D/revoked.crl"
ls "$D"

V="$OCV verify --anchors $D/root.pem --chain $D/inter.pem"

say "1. A valid workload certificate (credential checked alone: --no-policy)"
run $V --cert "$D/web.pem" --crl "$D/clean.crl" --no-policy --explain

say "2. The same certificate without a policy: a sound signature is not enough"
run $V --cert "$D/web.pem" --crl "$D/clean.crl"

say "3. An expired certificate"
run $V --cert "$D/old.pem" --no-policy

say "4. A certificate from a CA nobody trusts"
run $OCV verify --anchors "$D/root.pem" --cert "$D/rogue-web.pem" --chain "$D/rogue.pem" --no-policy

say "5. A certificate revoked by its issuer's CRL"
run $V --cert "$D/web.pem" --crl "$D/revoked.crl" --no-policy

say "6. The same decision as JSON, for machines"
run $V --cert "$D/web.pem" --crl "$D/revoked.crl" --no-policy --json

say "7. A policy binds the workload to its purposes: the same credential, two purposes"
cat > "$D/policy.json" <<EOF
{"version": 1,
 "defaults": {"max_ttl": "1h", "revocation_max_age": "24h"},
 "rules": [
  {"id": "checkout-orders", "subjects": ["spiffe://demo.example/ns/shop/*"],
   "issuers": ["CN=Demo Root", "https://issuer.demo.example"],
   "purposes": ["orders:read"], "audiences": ["orders"], "max_ttl": "15m"}]}
EOF
run $OCV policy lint "$D/policy.json"
run $OCV policy explain --policy "$D/policy.json" --subject "$ID" --purpose orders:read \
    --issuer https://issuer.demo.example --audience orders
P="$OCV verify --anchors $D/root.pem --chain $D/inter.pem --policy $D/policy.json --audience orders"
run $P --cert "$D/web.pem" --purpose orders:read
run $P --cert "$D/web.pem" --purpose orders:delete

say "8. A token (JWT) from an issuer whose key the service trusts, under the same policy"
"$OCV" keygen --type ec-p256 -o "$D/issuer.key" --jwks "$D/issuer.jwks" --kid issuer-1 >/dev/null
"$OCV" mint token --key "$D/issuer.key" --kid issuer-1 --iss https://issuer.demo.example \
    --sub "$ID" --aud orders --jti tok-7 --valid-for 10m -o "$D/api.jwt"
run $OCV verify --token "$D/api.jwt" --jwks "$D/issuer.jwks" --policy "$D/policy.json" \
    --purpose orders:read --audience orders --explain

say "9. A token issued for longer than the rule allows (max_ttl 15m)"
"$OCV" mint token --key "$D/issuer.key" --kid issuer-1 --iss https://issuer.demo.example \
    --sub "$ID" --aud orders --valid-for 1h -o "$D/long.jwt"
run $OCV verify --token "$D/long.jwt" --jwks "$D/issuer.jwks" --policy "$D/policy.json" \
    --purpose orders:read --audience orders

say "10. Hostile tokens: alg none, an HS256 key confusion, a forged signature"
for defect in alg-none hs256-confusion bad-signature; do
    "$OCV" mint token --key "$D/issuer.key" --kid issuer-1 --sub "$ID" --defect $defect -o "$D/bad.jwt"
    run $OCV verify --token "$D/bad.jwt" --jwks "$D/issuer.jwks" --no-policy
done

say "11. Offline revocation: the authority signs a bundle, the device syncs it"
"$OCV" keygen --type ec-p256 -o "$D/authority.key" --pub "$D/authority.pub" >/dev/null
"$OCV" keygen --type ed25519 -o "$D/device.key" --pub "$D/device.pub" >/dev/null
run $OCV revocation init --db "$D/rev.db" --authority acme --authority-pub "$D/authority.pub"
"$OCV" bundle build --state "$D/auth.db" --authority acme --authority-key "$D/authority.key" \
    --full --valid-for 1d -o "$D/acme-1.cose"
run $OCV revocation sync --db "$D/rev.db" --audit "$D/audit.log" "$D/acme-1.cose"
run $OCV verify --token "$D/api.jwt" --jwks "$D/issuer.jwks" --db "$D/rev.db" --no-policy
printf '[{"type":"jti","issuer":"https://issuer.demo.example","value":"tok-7"}]\n' > "$D/revoke.json"
"$OCV" bundle build --state "$D/auth.db" --authority acme --authority-key "$D/authority.key" \
    --delta --add "$D/revoke.json" --valid-for 1d -o "$D/acme-2.cose"
run $OCV revocation sync --db "$D/rev.db" --audit "$D/audit.log" "$D/acme-2.cose"
run $OCV verify --token "$D/api.jwt" --jwks "$D/issuer.jwks" --db "$D/rev.db" --no-policy

say "12. Replaying the old bundle to hide the revocation is refused; the store is untouched"
run $OCV revocation sync --db "$D/rev.db" --audit "$D/audit.log" "$D/acme-1.cose"

say "13. The device proves which revocation state it holds"
run $OCV revocation receipt --db "$D/rev.db" --device-key "$D/device.key" --device-id edge-17 \
    --audit "$D/audit.log" -o "$D/edge-17.receipt"
run $OCV receipt verify --device-pub "$D/device.pub" --receipt "$D/edge-17.receipt" --authority acme --expect-seq 2
run $OCV audit verify --device-pub "$D/device.pub" "$D/audit.log"

printf '\nExit codes: 0 allow, 1 deny, 2 usage or configuration error. See docs/ and man ocv.\n'
