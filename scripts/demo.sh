#!/bin/sh
# make demo: a small PKI made on the spot with ocv's own tools, and real
# decisions with their reasons, told as a story. Nothing outside this
# repository is used.
#
# Every command is shown as it runs, from the demo directory, so any of them
# can be replayed: `make demo KEEP=1` keeps the directory and says where it
# is. Each scene has its own files (no credential is rewritten under the
# same name). Colours only on a terminal (and never with NO_COLOR set).
set -eu
: "${OCV:?}"
D=$(mktemp -d "${TMPDIR:-/tmp}/ocv-demo.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
    trap 'printf "\nThe demo directory is kept: %s\nReplay any command there: cd %s; PATH=%s:\$PATH\n" "$D" "$D" "$(dirname "$OCV")"' EXIT
else
    trap 'rm -rf "$D"' EXIT
fi
cd "$D"
NOW=$(date +%s)
ID=spiffe://demo.example/ns/shop/sa/checkout

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    BOLD=$(printf '\033[1m') DIM=$(printf '\033[2m') OFF=$(printf '\033[0m')
else
    BOLD='' DIM='' OFF=''
fi
ocv() { "$OCV" "$@"; }

# scene TITLE: a heading. note TEXT: one line of story.
scene() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$OFF"; }
note() { printf '%s\n' "$*"; }
# shown ARGS...: the arguments as a shell would need them to replay.
shown() {
    out=''
    for a in "$@"; do
        case $a in *[!A-Za-z0-9_./:=,@%+-]*) a="'$a'" ;; esac
        out="$out $a"
    done
    printf '%s' "${out# }"
}
# fixture ...: a command that makes a fixture, shown dimmed, its output
# hidden unless it fails. run ...: a command whose answer is the point.
fixture() {
    printf '%s$ ocv %s%s\n' "$DIM" "$(shown "$@")" "$OFF"
    if ! ocv "$@" >.out 2>&1; then cat .out; exit 1; fi
}
run() {
    printf '$ ocv %s\n' "$(shown "$@")"
    ocv "$@" 2>&1 || printf '%s(exit %d)%s\n' "$DIM" $? "$OFF"
}

scene "1. A trust anchor, an intermediate CA and a workload certificate"
note "The PKI is made with ocv's own tools (keygen, mint); openssl reads the files too."
fixture keygen --type ec-p256 -o root.key --pub root.pub
fixture mint cert --key root.key --subject "CN=Demo Root" --ca --valid-for 3650d -o root.pem
fixture keygen --type ec-p256 -o inter.key --pub inter.pub
fixture mint cert --pub inter.pub --subject "CN=Demo Intermediate" --ca --valid-for 365d \
    --issuer-cert root.pem --issuer-key root.key -o inter.pem
fixture keygen --type ec-p256 -o checkout.key --pub checkout.pub
fixture mint cert --pub checkout.pub --subject "CN=checkout" --uri "$ID" --serial 1001 \
    --valid-for 10m --issuer-cert inter.pem --issuer-key inter.key -o checkout.pem
fixture mint crl --issuer-cert inter.pem --issuer-key inter.key --valid-for 1d --number 1 -o clean.crl
note "The certificate, checked alone (--no-policy): chain, validity and revocation."
run verify --anchors root.pem --chain inter.pem --cert checkout.pem --crl clean.crl --no-policy --explain

scene "2. The same certificate without a policy: a sound signature is not enough"
run verify --anchors root.pem --chain inter.pem --cert checkout.pem --crl clean.crl

scene "3. An expired certificate"
fixture mint cert --pub checkout.pub --subject "CN=checkout" --uri "$ID" --serial 1002 \
    --not-before $((NOW - 7200)) --not-after $((NOW - 3600)) \
    --issuer-cert inter.pem --issuer-key inter.key -o expired.pem
run verify --anchors root.pem --chain inter.pem --cert expired.pem --no-policy

scene "4. A certificate from a CA nobody trusts"
fixture keygen --type ec-p256 -o rogue.key --pub rogue.pub
fixture mint cert --key rogue.key --subject "CN=Rogue Root" --ca -o rogue.pem
fixture mint cert --pub checkout.pub --subject "CN=checkout" --uri "$ID" --valid-for 1h \
    --issuer-cert rogue.pem --issuer-key rogue.key -o rogue-checkout.pem
run verify --anchors root.pem --chain rogue.pem --cert rogue-checkout.pem --no-policy

scene "5. The issuer revokes serial 1001 in its next CRL"
fixture mint crl --issuer-cert inter.pem --issuer-key inter.key --valid-for 1d --number 2 \
    --revoke 1001 -o revoked.crl
run verify --anchors root.pem --chain inter.pem --cert checkout.pem --crl revoked.crl --no-policy

scene "6. The same decision as JSON, for machines"
run verify --anchors root.pem --chain inter.pem --cert checkout.pem --crl revoked.crl --no-policy --json

scene "7. A policy binds the workload to its purposes"
cat > policy.json <<EOF
{"version": 1,
 "defaults": {"max_ttl": "1h", "revocation_max_age": "24h"},
 "rules": [
  {"id": "checkout-orders", "subjects": ["spiffe://demo.example/ns/shop/*"],
   "issuers": ["CN=Demo Root", "https://issuer.demo.example"],
   "purposes": ["orders:read"], "audiences": ["orders"], "max_ttl": "15m"}]}
EOF
note "policy.json:"
sed 's/^/    /' policy.json
run policy lint policy.json
run policy explain --policy policy.json --subject "$ID" --purpose orders:read \
    --issuer https://issuer.demo.example --audience orders
note "The same credential, two purposes:"
run verify --anchors root.pem --chain inter.pem --cert checkout.pem --policy policy.json \
    --audience orders --purpose orders:read
run verify --anchors root.pem --chain inter.pem --cert checkout.pem --policy policy.json \
    --audience orders --purpose orders:delete

scene "8. A token (JWT) from an issuer whose key the service trusts, under the same policy"
fixture keygen --type ec-p256 -o issuer.key --jwks issuer.jwks --kid issuer-1
fixture mint token --key issuer.key --kid issuer-1 --iss https://issuer.demo.example \
    --sub "$ID" --aud orders --jti tok-7 --valid-for 10m -o orders.jwt
run verify --token orders.jwt --jwks issuer.jwks --policy policy.json \
    --purpose orders:read --audience orders --explain

scene "9. A CWT (COSE_Sign1, CBOR) from the same issuer: the same issuer key, the same policy"
fixture mint token --format cwt --key issuer.key --kid issuer-1 --iss https://issuer.demo.example \
    --sub "$ID" --aud orders --cti 0c7e --valid-for 10m -o orders.cwt
note "orders.jwt: $(wc -c <orders.jwt) bytes, orders.cwt: $(wc -c <orders.cwt) bytes"
run inspect orders.cwt
run verify --token orders.cwt --jwks issuer.jwks --policy policy.json \
    --purpose orders:read --audience orders

scene "10. A token issued for longer than the rule allows (max_ttl 15m)"
fixture mint token --key issuer.key --kid issuer-1 --iss https://issuer.demo.example \
    --sub "$ID" --aud orders --valid-for 1h -o long-lived.jwt
run verify --token long-lived.jwt --jwks issuer.jwks --policy policy.json \
    --purpose orders:read --audience orders

scene "11. Hostile tokens: alg none, an HS256 key confusion, a forged signature"
for defect in alg-none hs256-confusion bad-signature; do
    fixture mint token --key issuer.key --kid issuer-1 --sub "$ID" --defect $defect -o $defect.jwt
    run verify --token $defect.jwt --jwks issuer.jwks --no-policy
done

scene "12. Offline revocation: the authority signs a bundle, the device syncs it"
fixture keygen --type ec-p256 -o authority.key --pub authority.pub
fixture keygen --type ed25519 -o device.key --pub device.pub
run revocation init --db device.db --authority acme --authority-pub authority.pub
fixture bundle build --state authority.db --authority acme --authority-key authority.key \
    --full --valid-for 1d -o acme-1.cose
run revocation sync --db device.db --audit audit.log acme-1.cose
run verify --token orders.jwt --jwks issuer.jwks --db device.db --no-policy
note "The issuer revokes token tok-7; the authority ships a delta:"
printf '[{"type":"jti","issuer":"https://issuer.demo.example","value":"tok-7"}]\n' > revoke-tok-7.json
sed 's/^/    /' revoke-tok-7.json
fixture bundle build --state authority.db --authority acme --authority-key authority.key \
    --delta --add revoke-tok-7.json --valid-for 1d -o acme-2.cose
run revocation sync --db device.db --audit audit.log acme-2.cose
run verify --token orders.jwt --jwks issuer.jwks --db device.db --no-policy

scene "13. Replaying the old bundle to hide the revocation is refused; the store is untouched"
run revocation sync --db device.db --audit audit.log acme-1.cose
note "Handed the whole drop (a USB stick), sync applies only what is new:"
mkdir usb && cp acme-1.cose acme-2.cose usb/
run revocation sync --db device.db usb

scene "14. The device proves which revocation state it holds"
run revocation receipt --db device.db --device-key device.key --device-id edge-17 \
    --audit audit.log -o edge-17.receipt
run receipt verify --device-pub device.pub --receipt edge-17.receipt --authority acme --expect-seq 2
run audit verify --device-pub device.pub audit.log

printf '\nExit codes: 0 allow, 1 deny, 2 usage or configuration error. See docs/ and man ocv.\n'
