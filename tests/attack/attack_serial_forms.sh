#!/bin/sh
# Attack class: serials compared as encodings (issue 8 #4). A serial is an
# integer: a certificate whose serial carries a redundant leading zero is
# not DER and is refused (MALFORMED) rather than escaping its CRL entry;
# entries typed as `openssl x509 -serial` prints them (upper case, no 00
# before a top bit, colons, 0x) are stored in the one canonical form and
# match; text that is no serial is refused at bundle build.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
INTER=$(spki_of_cert "$P/inter.pem")
V="$OCV verify --anchors $P/anchors.pem --no-policy --chain $P/inter.pem"

/usr/bin/python3 "$HERE/reserial.py" "$P/leaf.pem" "$P/inter.key" padded.pem 00
expect_reason 1 MALFORMED "a serial with a redundant leading zero (its CRL lists 0badc0de)" -- \
    $V --cert padded.pem --crl "$P/crl_revoked.pem"
expect_grep "not minimally encoded" .out "the detail says why"
expect_reason 1 REVOKED "the canonical certificate is revoked by the same CRL" -- \
    $V --cert "$P/leaf.pem" --crl "$P/crl_revoked.pem"

# A top-bit serial: DER needs 00 8b..., openssl prints 8BADC0DE.
"$OCV" keygen --type ec-p256 -o t.key --pub t.pub >/dev/null
"$OCV" mint cert --pub t.pub --subject "CN=top" --uri "$ID" --serial 8badc0de \
    --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o top.pem
PRINTED=$(openssl x509 -in top.pem -noout -serial | cut -d= -f2)
[ "$PRINTED" = 8BADC0DE ] && e2e_pass || e2e_fail "openssl prints $PRINTED"
new_authority auth
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
echo '[]' > none.json
build --full --valid-for 1d -o b1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b1.cose >/dev/null
expect_reason 0 OK "not revoked yet" -- $V --cert top.pem --db dev.db
n=2
for typed in "$PRINTED" "0x008badc0de" "00:8B:AD:C0:DE" "8badc0de"; do
    printf '[{"type":"serial","issuer":"%s","value":"%s"}]\n' "$(echo "$INTER" | tr a-f A-F)" "$typed" > e.json
    build --delta --add e.json --valid-for 1d -o b$n.cose 2>/dev/null
    "$OCV" revocation sync --db dev.db b$n.cose >/dev/null
    expect_reason 1 REVOKED "an entry typed '$typed' revokes the top-bit serial" -- $V --cert top.pem --db dev.db
    build --delta --remove e.json --valid-for 1d -o u$n.cose 2>/dev/null
    "$OCV" revocation sync --db dev.db u$n.cose >/dev/null
    expect_reason 0 OK "removing '$typed' removes the canonical entry" -- $V --cert top.pem --db dev.db
    n=$((n + 1))
done
before=$(state dev.db auth.db)
for bad in "8badc0dg" "00" "" "0x" "8b:adc0de" "$(printf 'ab%.0s' $(seq 1 21))"; do
    printf '[{"type":"serial","issuer":"%s","value":"%s"}]\n' "$INTER" "$bad" > bad.json
    expect_exit 2 "bundle build refuses serial text '$bad'" -- build --delta --add bad.json --valid-for 1d -o bad.cose
done
expect_unchanged "$before" "refused builds" dev.db auth.db
e2e_finish attack_serial_forms
