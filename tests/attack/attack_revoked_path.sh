#!/bin/sh
# Attack class: a check that runs on the leaf only (issue 8 #1).
# An intermediate CA is revoked, by the root's CRL imported into the store,
# by a bundle serial entry or by a bundle key entry; every leaf under it
# must be denied REVOKED from the store exactly as with --crl, and the
# anchor's own key is revocable too.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
INTER=$(spki_of_cert "$P/inter.pem")
ROOT=$(spki_of_cert "$P/root.pem")
INTER_SERIAL=$(openssl x509 -in "$P/inter.pem" -noout -serial | cut -d= -f2)
V="$OCV verify --anchors $P/anchors.pem --no-policy --cert $P/leaf.pem --chain $P/inter.pem"

new_authority auth
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
echo '[]' > none.json
build --full --valid-for 1d -o b1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b1.cose >/dev/null
expect_reason 0 OK "baseline: nothing revoked" -- $V --db dev.db

# The root's CRL revokes the intermediate.
"$OCV" mint crl --issuer-cert "$P/root.pem" --issuer-key "$P/root.key" --revoke "$INTER_SERIAL" \
    --valid-for 1d --number 1 -o root.crl
expect_reason 1 REVOKED "the root's CRL as --crl" -- $V --crl root.crl --crl "$P/crl_ok.pem"
cp dev.db crl.db
expect_exit 0 "import the root's CRL" -- "$OCV" revocation import-crl --db crl.db --anchors "$P/anchors.pem" root.crl
expect_reason 1 REVOKED "the root's CRL imported into the store" -- $V --db crl.db
expect_grep "$ROOT" .out "the detail names the root's CRL entry"

# A bundle serial entry for the intermediate, typed as openssl prints it.
printf '[{"type":"serial","issuer":"%s","value":"%s"}]\n' "$ROOT" "$INTER_SERIAL" > s.json
build --delta --add s.json --valid-for 1d -o b2.cose 2>/dev/null
cp dev.db serial.db
"$OCV" revocation sync --db serial.db b2.cose >/dev/null
expect_reason 1 REVOKED "a serial entry for the intermediate" -- $V --db serial.db

# A bundle key entry for the intermediate's key, and for the anchor's.
printf '[{"type":"key","value":"%s"}]\n' "$INTER" > k.json
printf '[{"type":"key","value":"%s"}]\n' "$ROOT" > r.json
build --delta --remove s.json --add k.json --valid-for 1d -o b3.cose 2>/dev/null
"$OCV" revocation sync --db serial.db b3.cose >/dev/null
expect_reason 1 REVOKED "a key entry for the intermediate" -- $V --db serial.db
build --delta --remove k.json --add r.json --valid-for 1d -o b4.cose 2>/dev/null
"$OCV" revocation sync --db serial.db b4.cose >/dev/null
expect_reason 1 REVOKED "a key entry for the anchor" -- $V --db serial.db

# Deciding never changes the store.
before=$(state serial.db)
$V --db serial.db >/dev/null 2>&1
expect_unchanged "$before" "a decision" serial.db
e2e_finish attack_revoked_path
