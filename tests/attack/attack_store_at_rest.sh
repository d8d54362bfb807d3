#!/bin/sh
# Attack class: state at rest that lies (issue 8 #11). The attacker writes
# the store file but holds no authority key: rewriting or deleting a row,
# rewriting the digest to match, or editing an imported CRL's rows must
# make the store fail its proof, and then every decision denies
# (REVOCATION_MISSING, naming why), historical questions included, and
# `revocation status` says so.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
SUB=spiffe://example.org/ns/demo/sa/api
"$OCV" keygen --type ec-p256 -o iss.key --jwks iss.jwks --kid k1 >/dev/null
"$OCV" mint token --key iss.key --kid k1 --sub $SUB -o t.jwt
V="$OCV verify --token t.jwt --jwks iss.jwks --no-policy"
new_authority auth
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
echo '[]' > none.json
build --full --valid-for 1d -o b1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b1.cose >/dev/null
cp dev.db old.db
printf '[{"type":"subject","value":"%s"}]\n' "$SUB" > s.json
build --delta --add s.json --valid-for 1d -o b2.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b2.cose >/dev/null
expect_reason 1 REVOKED "baseline: the workload is revoked" -- $V --db dev.db
expect_exit 0 "status: proven" -- "$OCV" revocation status --db dev.db --json
expect_grep '"proven": *true' .out "status says proven"

# 1. Rewrite the revoked row's value.
cp dev.db t1.db
sqlite3 t1.db "UPDATE entry SET k = CAST(replace(CAST(k AS TEXT), 'api', 'apj') AS BLOB)"
expect_reason 1 REVOCATION_MISSING "a rewritten row un-revokes nothing" -- $V --db t1.db
expect_grep "not the state its digest commits to" .out "the detail says why"
expect_exit 1 "status: not proven" -- "$OCV" revocation status --db t1.db
expect_grep "NOT PROVEN" .out "status says so"
# 2. Delete it.
cp dev.db t2.db
sqlite3 t2.db "DELETE FROM entry"
expect_reason 1 REVOCATION_MISSING "a deleted row" -- $V --db t2.db
# A historical question skips the clock floor, never the proof: the
# tampered store once answered it (the revoked workload "was valid").
expect_reason 1 REVOCATION_MISSING "a deleted row, asked historically" -- \
    $V --db t2.db --at "$(date +%s)" --historical
expect_grep "fails its integrity check" .out "the detail says the proof failed"
# 3. Delete it and put the digest, LtHash and count of the earlier genuine state.
cp dev.db t3.db
sqlite3 t3.db "DELETE FROM entry; ATTACH 'old.db' AS o;
  UPDATE authority SET lthash = (SELECT lthash FROM o.authority), digest = (SELECT digest FROM o.authority),
  entry_count = 0;"
expect_reason 1 REVOCATION_MISSING "rows and digest rewritten to an earlier state" -- $V --db t3.db
expect_grep "not the signed ones" .out "the detail names the signed header"
# 4. The same, and the pinned key replaced by the attacker's, with the kept bundle dropped.
cp t3.db t4.db
"$OCV" keygen --type ec-p256 -o evil.key --pub evil.pub >/dev/null
sqlite3 t4.db "UPDATE authority SET bundle = x''"
expect_reason 1 REVOCATION_MISSING "no kept bundle" -- $V --db t4.db

# Imported CRLs: the leaf's serial row deleted.
"$OCV" revocation init --db crl.db --authority acme --authority-pub auth.pub >/dev/null
"$OCV" revocation import-crl --db crl.db --anchors "$P/inter.pem" "$P/crl_revoked.pem" >/dev/null 2>&1 ||
    "$OCV" revocation import-crl --db crl.db --anchors "$P/anchors.pem" "$P/crl_revoked.pem" >/dev/null
X="$OCV verify --anchors $P/anchors.pem --no-policy --cert $P/leaf.pem --chain $P/inter.pem"
expect_reason 1 REVOKED "baseline: the leaf is on the imported CRL" -- $X --db crl.db
cp crl.db c1.db
sqlite3 c1.db "DELETE FROM entry WHERE authority LIKE 'crl:%'"
expect_reason 1 REVOCATION_MISSING "a CRL row deleted" -- $X --db c1.db
expect_grep "listed but not stored" .out "the detail names the CRL serial"
cp crl.db c2.db
sqlite3 c2.db "UPDATE crl SET next_update = next_update + 864000"
expect_reason 1 REVOCATION_MISSING "a CRL's nextUpdate stretched" -- $X --db c2.db
expect_grep "differs from the signed CRL" .out "the detail says so"
e2e_finish attack_store_at_rest
