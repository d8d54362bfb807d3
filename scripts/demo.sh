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
    --valid-for 1h --issuer-cert "$D/inter.pem" --issuer-key "$D/inter.key" -o "$D/web.pem"
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

printf '\nExit codes: 0 allow, 1 deny, 2 usage or configuration error. See docs/ and man ocv.\n'
