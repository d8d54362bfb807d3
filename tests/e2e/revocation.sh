#!/bin/sh
# End-to-end: the revocation store fed by signed bundles and CRLs, its
# integrity checks through the CLI, decisions that use it, receipts,
# rotation, two authorities, a killed sync and a reader during a sync.
. "$(dirname "$0")/lib.sh"
P=${OCV_FIXTURES:-$T}/pki
[ -f "$P/anchors.pem" ] || sh "$(dirname "$0")/../fixtures/make_pki.sh" "$P" >"$T/pki.log" 2>&1
cd "$T" || exit 1
NOW=$(date +%s)
ID=spiffe://example.org/ns/demo/sa/web
spki_hex() { openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1; }
INTER=$(spki_hex "$P/inter.pem")
LEAFKEY=$(openssl pkey -pubin -in "$P/leaf.pub" -outform DER | sha256sum | cut -d' ' -f1)
# A leaf valid since two hours ago, to ask about a time behind the clock floor.
"$OCV" mint cert --pub "$P/leaf.pub" --subject "CN=web" --uri "$ID" --not-before $((NOW - 7200)) \
    --not-after $((NOW + 7200)) --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o "$T/old.pem"
OLD="$OCV verify --anchors $P/anchors.pem --no-policy --cert $T/old.pem --chain $P/inter.pem --db dev.db" 

"$OCV" keygen --type ec-p256 -o auth.key --pub auth.pub >/dev/null
"$OCV" keygen --type ed25519 -o beta.key --pub beta.pub >/dev/null
"$OCV" keygen --type ec-p256 -o evil.key --pub evil.pub >/dev/null
"$OCV" keygen --type ed25519 -o dev.key --pub dev.pub >/dev/null
expect_exit 0 "init" -- "$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub
expect_exit 0 "init twice with the same key is a no-op" -- "$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub
expect_grep "already pinned" .out "init twice says so"
expect_exit 2 "init again with another key" -- "$OCV" revocation init --db dev.db --authority acme --authority-pub evil.pub
expect_grep "another key" .err "the error names the conflict"
expect_exit 2 "init with a private key file" -- "$OCV" revocation init --db x.db --authority a --authority-pub auth.key

V="$OCV verify --anchors $P/anchors.pem --no-policy --cert $P/leaf.pem --chain $P/inter.pem --db dev.db"
expect_reason 0 OK "empty store, revocation not required" -- $V
expect_reason 1 REVOCATION_MISSING "empty store, revocation required" -- $V --require-revocation

build() { "$OCV" bundle build --state auth.db --authority acme --authority-key auth.key "$@" 2>>build.log; }
echo '[]' > none.json
expect_exit 0 "full bundle 1 (empty)" -- build --full --valid-for 1d -o b1.cose
expect_exit 0 "sync 1" -- "$OCV" revocation sync --db dev.db b1.cose
expect_reason 0 OK "current empty state, required" -- $V --require-revocation

# Propagation: revoke the leaf's serial at the authority, one delta, the
# very next decision is REVOKED, and a receipt proves the sequence.
printf '[{"type":"serial","issuer":"%s","value":"0badc0de"}]\n' "$INTER" > serial.json
expect_exit 0 "delta 2 revokes the serial" -- build --delta --add serial.json --valid-for 1d -o b2.cose
expect_exit 0 "sync 2" -- "$OCV" revocation sync --db dev.db b2.cose
expect_reason 1 REVOKED "the next decision sees the revocation" -- $V
expect_grep "serial $INTER 0badc0de" .out "detail names the entry"
expect_exit 0 "receipt" -- "$OCV" revocation receipt --db dev.db --device-key dev.key --device-id edge-7 -o r.cose
expect_exit 0 "receipt proves sequence 2" -- "$OCV" receipt verify --device-pub dev.pub --receipt r.cose --expect-seq 2 --authority acme
expect_exit 1 "receipt is behind sequence 3" -- "$OCV" receipt verify --device-pub dev.pub --receipt r.cose --expect-seq 3 --authority acme
expect_exit 2 "--expect-seq without --authority is a usage error" -- "$OCV" receipt verify --device-pub dev.pub --receipt r.cose --expect-seq 1
expect_exit 1 "receipt checked with another key" -- "$OCV" receipt verify --device-pub auth.pub --receipt r.cose
expect_exit 1 "receipt for another authority" -- "$OCV" receipt verify --device-pub dev.pub --receipt r.cose --authority beta
cp r.cose r2.cose && printf 'x' >> r2.cose
expect_exit 1 "receipt with a trailing byte" -- "$OCV" receipt verify --device-pub dev.pub --receipt r2.cose

# Every other entry type.
printf '[{"type":"serial","issuer":"%s","value":"0badc0de"}]\n' "$INTER" > unrevoke.json
printf '[{"type":"subject","value":"%s"}]\n' "$ID" > subject.json
expect_exit 0 "delta 3: unrevoke serial, revoke subject" -- build --delta --remove unrevoke.json --add subject.json --valid-for 1d -o b3.cose
expect_exit 0 "sync 3" -- "$OCV" revocation sync --db dev.db b3.cose
expect_reason 1 REVOKED "revoked by workload identity" -- $V
expect_grep "subject " .out "detail names the subject entry"
expect_reason 1 REVOKED "historical: revocation is today's, so a credential revoked since stays revoked" -- \
    $OLD --at $((NOW - 3600)) --historical
printf '[{"type":"key","value":"%s"}]\n' "$LEAFKEY" > key.json
expect_exit 0 "delta 4: key instead of subject" -- build --delta --remove subject.json --add key.json --valid-for 1d -o b4.cose
expect_exit 0 "sync 4" -- "$OCV" revocation sync --db dev.db b4.cose
expect_reason 1 REVOKED "revoked by key (SPKI SHA-256)" -- $V
printf '[{"type":"subject_before","value":"%s","before":%s}]\n' "$ID" $((NOW + 600)) > before.json
expect_exit 0 "delta 5: issued-before instead of key" -- build --delta --remove key.json --add before.json --valid-for 3d -o b5.cose
expect_exit 0 "sync 5" -- "$OCV" revocation sync --db dev.db b5.cose
expect_reason 1 REVOKED "issued before the rotation cut" -- $V
expect_reason 0 OK "a leaf issued after the cut" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --no-policy --cert "$P/future.pem" --chain "$P/inter.pem" \
    --db dev.db --at $((NOW + 86400 + 100)) --revocation-max-age 30d
expect_exit 0 "delta 6: clear" -- build --delta --remove before.json --valid-for 1d -o b6.cose
expect_exit 0 "sync 6" -- "$OCV" revocation sync --db dev.db b6.cose
expect_reason 0 OK "nothing revoked any more" -- $V

# Time: clock floor and staleness.
expect_reason 1 CLOCK_BEHIND_FLOOR "a clock rolled back behind the floor" -- $V --at $((NOW - 3600))
expect_reason 1 CLOCK_BEHIND_FLOOR "the same for a leaf valid then" -- $OLD --at $((NOW - 3600))
# "Was it valid at T?" is its own question, asked explicitly and marked.
expect_reason 0 OK "--historical: behind the floor on purpose" -- $OLD --at $((NOW - 3600)) --historical
expect_grep '"historical": true' .out "the JSON decision is marked historical"
expect_reason 1 NOT_YET_VALID "--historical: the leaf's own window still counts" -- $OLD --at $((NOW - 9000)) --historical
expect_exit 0 "--historical in text" -- $OLD --at $((NOW - 3600)) --historical --audit hist.log
expect_grep "^HISTORICAL (as of " .out "the text decision says it is historical"
expect_grep "\"historical_at\":$((NOW - 3600))" hist.log "the audit record names the past time it was asked about"
expect_exit 2 "--historical needs --at" -- $V --historical
expect_grep "give it --at" .err "the usage error says what is missing"
expect_reason 1 REVOCATION_STALE "data past next_update" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --no-policy --cert "$P/week.pem" --chain "$P/inter.pem" --db dev.db --at $((NOW + 2 * 86400))
expect_reason 1 REVOCATION_STALE "data older than --revocation-max-age" -- $V --revocation-max-age 1s --at $((NOW + 120))

# Refusals, each leaving the store exactly as it was.
snapshot() { "$OCV" revocation status --db dev.db --json --at "$NOW"; sqlite3 dev.db 'SELECT hex(k), authority, before, expires FROM entry ORDER BY 1, 2; SELECT * FROM meta; SELECT id, seq, hex(digest), issued_at, next_update FROM authority;'; }
snapshot > before.txt
refuse() { # REASON DESCRIPTION sync-args...
    reason=$1 what=$2
    shift 2
    "$OCV" revocation sync --db dev.db --json "$@" > .out 2>.err
    rc=$?
    if [ $rc -eq 1 ] && grep -q "\"reason\":\"$reason\"" .out; then e2e_pass; else
        e2e_fail "$what: exit $rc, want 1 and $reason"; cat .out .err; fi
    snapshot > after.txt
    if cmp -s before.txt after.txt; then e2e_pass; else e2e_fail "$what: the store changed"; diff before.txt after.txt | head; fi
}
printf 'not a bundle' > garbage.cose
refuse BUNDLE_MALFORMED "garbage" garbage.cose
head -c 100 b2.cose > truncated.cose
refuse BUNDLE_MALFORMED "truncated bundle" truncated.cose
refuse BUNDLE_ROLLBACK "replayed old bundle" b2.cose
"$OCV" bundle build --state evil.db --authority acme --authority-key evil.key --full --valid-for 1d -o forged.cose 2>/dev/null
refuse BUNDLE_SIGNATURE_INVALID "bundle of 'acme' signed by another key" forged.cose
"$OCV" bundle build --state evil2.db --authority nobody --authority-key evil.key --full --valid-for 1d -o nobody.cose 2>/dev/null
refuse BUNDLE_AUTHORITY_UNKNOWN "unknown authority" nobody.cose
cp auth.db auth-fork.db
expect_exit 0 "delta 7" -- build --delta --add subject.json --valid-for 1d -o b7.cose
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --delta --add key.json --valid-for 1d -o b8.cose 2>/dev/null
refuse BUNDLE_CHAIN_BROKEN "delta 8 without delta 7" b8.cose
refuse BUNDLE_EXPIRED "sync after next_update" --at $((NOW + 2 * 86400)) b7.cose
"$OCV" bundle build --state auth-fork.db --authority acme --authority-key auth.key --delta --add key.json --at $((NOW + 7200)) --valid-for 1d -o future.cose 2>/dev/null
refuse BUNDLE_FROM_FUTURE "bundle issued in two hours" future.cose
expect_exit 0 "sync 7 then 8 in order" -- "$OCV" revocation sync --db dev.db b7.cose b8.cose
expect_exit 0 "re-applying the current bundle is a no-op" -- "$OCV" revocation sync --db dev.db b8.cose
expect_grep "unchanged" .out "no-op reported"

# Key rotation: accepted when signed by the pinned key, and only the new
# key signs afterwards.
"$OCV" keygen --type ec-p256 -o next.key --pub next.pub >/dev/null
expect_exit 0 "bundle 9 rotates to the next key" -- build --delta --rotate-to next.pub --valid-for 1d -o b9.cose
expect_exit 0 "sync rotation" -- "$OCV" revocation sync --db dev.db b9.cose
expect_exit 0 "bundle 10 signed by the next key" -- \
    "$OCV" bundle build --state auth.db --authority acme --authority-key next.key --delta --valid-for 1d -o b10.cose
expect_exit 2 "the old key no longer matches the authority state" -- \
    "$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --delta --valid-for 1d -o x.cose
expect_exit 0 "sync 10 (new key)" -- "$OCV" revocation sync --db dev.db b10.cose
"$OCV" bundle build --state evil3.db --authority acme --authority-key evil.key --delta --rotate-to evil.pub --valid-for 1d -o forged-rotation.cose 2>/dev/null
snapshot > before.txt
refuse BUNDLE_SIGNATURE_INVALID "forged rotation" forged-rotation.cose

# A second authority, Ed25519: pinned separately, revokes on its own.
expect_exit 0 "init beta" -- "$OCV" revocation init --db dev.db --authority beta --authority-pub beta.pub
expect_exit 0 "beta full bundle" -- "$OCV" bundle build --state beta.db --authority beta --authority-key beta.key --full --add subject.json --valid-for 1d -o beta1.cose
expect_exit 0 "sync beta" -- "$OCV" revocation sync --db dev.db beta1.cose
"$OCV" bundle build --state auth.db --authority acme --authority-key next.key --delta --remove key.json --valid-for 1d -o b11.cose 2>/dev/null
"$OCV" bundle build --state auth.db --authority acme --authority-key next.key --delta --remove subject.json --valid-for 1d -o b12.cose 2>/dev/null
expect_exit 0 "acme withdraws its entries" -- "$OCV" revocation sync --db dev.db b11.cose b12.cose
expect_reason 1 REVOKED "still revoked by the second authority" -- $V
expect_grep "authority beta" .out "detail names beta"
expect_exit 0 "status" -- "$OCV" revocation status --db dev.db --json
expect_grep '"authority":"beta"' .out "status lists beta"
expect_grep '"digest_intact":true' .out "digests intact"

# CRLs into the store.
cat "$P/root.pem" "$P/inter.pem" > cas.pem
expect_exit 0 "import a CRL" -- "$OCV" revocation import-crl --db crl.db --anchors cas.pem "$P/crl_ok.pem"
expect_reason 0 OK "store with a clean CRL" -- "$OCV" verify --anchors "$P/anchors.pem" --no-policy --cert "$P/leaf.pem" --chain "$P/inter.pem" --db crl.db
expect_exit 0 "import the revoking CRL (number 2)" -- "$OCV" revocation import-crl --db crl.db --anchors cas.pem "$P/crl_revoked.pem"
expect_reason 1 REVOKED "revoked through the imported CRL" -- "$OCV" verify --anchors "$P/anchors.pem" --no-policy --cert "$P/leaf.pem" --chain "$P/inter.pem" --db crl.db
expect_exit 0 "status lists the imported CRL" -- "$OCV" revocation status --db crl.db --json
expect_grep '"crl_number":"02"' .out "CRL number"
expect_grep '"serials":1,' .out "CRL serial count"
expect_exit 1 "CRL number 1 after 2: rollback" -- "$OCV" revocation import-crl --db crl.db --anchors cas.pem --json "$P/crl_ok.pem"
expect_grep '"reason":"BUNDLE_ROLLBACK"' .out "rollback reason"
expect_exit 1 "CRL of an untrusted CA" -- "$OCV" revocation import-crl --db crl.db --anchors "$P/root.pem" --json "$P/crl_other_ca.pem"
expect_grep '"reason":"CHAIN_UNTRUSTED"' .out "untrusted CRL reason"
expect_exit 1 "forged CRL" -- "$OCV" revocation import-crl --db crl.db --anchors cas.pem --json "$P/crl_forged.pem"
expect_grep '"reason":"BUNDLE_SIGNATURE_INVALID"' .out "forged CRL reason"
expect_exit 1 "expired CRL" -- "$OCV" revocation import-crl --db crl.db --anchors cas.pem --json "$P/crl_expired.pem"
expect_grep '"reason":"BUNDLE_EXPIRED"' .out "expired CRL reason"

# A killed sync leaves the old state or the new one, never a mix.
awk -v n=200000 'BEGIN { printf "["; for (i = 0; i < n; i++) printf "%s{\"type\":\"jti\",\"issuer\":\"https://i\",\"value\":\"t%d\"}", (i ? "," : ""), i; print "]" }' > big.json
"$OCV" bundle build --state auth.db --authority acme --authority-key next.key --delta --add big.json --valid-for 1d -o big.cose 2>/dev/null
"$OCV" revocation status --db dev.db --json --at "$NOW" > pre.json
"$OCV" revocation sync --db dev.db big.cose > /dev/null 2>&1 &
pid=$!
sleep 0.3
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
"$OCV" revocation status --db dev.db --json --at "$NOW" > post.json
if grep -q '"digest_intact":false' post.json; then e2e_fail "digest broken after kill -9"; else e2e_pass; fi
if grep -q '"sequence":13' post.json || cmp -s pre.json post.json; then e2e_pass; else e2e_fail "after kill -9: neither old nor new state"; cat pre.json post.json; fi
expect_exit 0 "sync after the kill completes" -- "$OCV" revocation sync --db dev.db big.cose

# A reader during a sync sees the old state or the new, never an error.
printf '[{"type":"subject","value":"%s"}]\n' "$ID" > s2.json
"$OCV" bundle build --state auth.db --authority acme --authority-key next.key --delta --remove big.json --valid-for 1d -o big2.cose 2>/dev/null
"$OCV" revocation sync --db dev.db big2.cose > sync.log 2>&1 &
pid=$!
i=0
: > reads.log
while [ $i -lt 20 ]; do
    $V --json 2>&1 | grep -o '"reason": "[A-Z_]*"' >> reads.log
    i=$((i + 1))
done
wait $pid
if grep -v -e '"reason": "OK"' -e '"reason": "REVOKED"' reads.log | grep -q .; then
    e2e_fail "a reader during sync saw: $(sort reads.log | uniq -c)"; else e2e_pass; fi
expect_grep "applied OK" sync.log "the concurrent sync applied"

# Every revocation event in the tamper-evident audit log.
"$OCV" revocation sync --db dev.db --audit audit.log b1.cose garbage.cose > /dev/null 2>&1
"$OCV" revocation receipt --db dev.db --authority acme --device-key dev.key --device-id edge-7 --audit audit.log -o r3.cose
expect_exit 2 "a keyless writer may not append to a checkpointed log" -- \
    "$OCV" revocation import-crl --db crl.db --anchors cas.pem --audit audit.log "$P/crl_revoked.pem"
"$OCV" revocation import-crl --db crl.db --anchors cas.pem --audit audit.log --device-key dev.key --device-id edge-7 "$P/crl_revoked.pem" > /dev/null
expect_exit 0 "audit log verifies" -- "$OCV" audit verify audit.log
expect_grep "intact: 6 records" .out "four events and two checkpoints recorded"
expect_exit 0 "audit log checkpoints verify" -- "$OCV" audit verify --device-pub dev.pub audit.log
expect_grep "records 1..6 proven, 0 after" .out "every record covered"
expect_grep '"reason":"BUNDLE_MALFORMED"' audit.log "refusal recorded"
expect_grep '"event":"receipt"' audit.log "receipt recorded"
expect_exit 0 "audit tail" -- "$OCV" audit tail -n 2 audit.log
expect_grep '"event":"crl_import"' .out "tail shows the last records"
sed -i 's/BUNDLE_MALFORMED/BUNDLE_ROLLBACK/' audit.log
expect_exit 1 "an edited audit log is found" -- "$OCV" audit verify audit.log
expect_exit 2 "audit log in a missing directory fails the command" -- \
    "$OCV" revocation sync --db dev.db --audit /nonexistent/a.log b1.cose

# A store altered outside ocv (an entry deleted with sqlite3) denies every
# decision, and status says so.
cp dev.db tampered.db
sqlite3 tampered.db "DELETE FROM entry WHERE rowid IN (SELECT rowid FROM entry LIMIT 1);" 2>/dev/null ||
    sqlite3 tampered.db "DELETE FROM entry WHERE k = (SELECT k FROM entry LIMIT 1);"
expect_reason 1 REVOCATION_MISSING "a tampered store denies" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --no-policy --cert "$P/leaf.pem" --chain "$P/inter.pem" --db tampered.db
expect_grep "integrity" .out "the detail says why"

# Pruning: an entry with an expiry leaves the authority's state and the
# device's in the same delta, and the digests still agree.
"$OCV" keygen --type ec-p256 -o pr.key --pub pr.pub >/dev/null
"$OCV" revocation init --db prune.db --authority pr --authority-pub pr.pub >/dev/null
printf '[{"type":"subject","value":"%s","expires":%s},{"type":"subject","value":"spiffe://x/keep"}]' "$ID" $((NOW + 100)) > exp.json
"$OCV" bundle build --state prauth.db --authority pr --authority-key pr.key --full --add exp.json --valid-for 1d -o p1.cose 2>/dev/null
"$OCV" revocation sync --db prune.db p1.cose >/dev/null
expect_reason 1 REVOKED "revoked before the entry expires" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --no-policy --cert "$P/leaf.pem" --chain "$P/inter.pem" --db prune.db
expect_exit 0 "a delta pruning expired entries" -- "$OCV" bundle build --state prauth.db --authority pr \
    --authority-key pr.key --delta --prune --at $((NOW + 200)) --valid-for 1d -o p2.cose
expect_exit 0 "the device applies the prune (digest agrees)" -- "$OCV" revocation sync --db prune.db --at $((NOW + 200)) p2.cose
expect_grep "(+0 -1)" .out "one entry removed"
expect_reason 0 OK "after the prune the workload is not revoked" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --no-policy --cert "$P/week.pem" --chain "$P/inter.pem" --db prune.db --at $((NOW + 200))

# Usage errors.
expect_exit 2 "sync without --db" -- "$OCV" revocation sync b1.cose
expect_exit 2 "sync on a missing store" -- "$OCV" revocation sync --db nope.db b1.cose
expect_exit 2 "unknown verb" -- "$OCV" revocation frob --db dev.db
expect_exit 2 "bundle build without kind" -- "$OCV" bundle build --state a.db --authority a --authority-key auth.key --valid-for 1d -o x
printf '[{"type":"jti","value":"x"}]' > bad.json
expect_exit 2 "entries: jti without issuer" -- build --delta --add bad.json --valid-for 1d -o x.cose
printf '[{"type":"subject","value":"x","frob":1}]' > bad.json
expect_exit 2 "entries: unknown member" -- build --delta --add bad.json --valid-for 1d -o x.cose
printf '{"type":"subject"}' > bad.json
expect_exit 2 "entries: not an array" -- build --delta --add bad.json --valid-for 1d -o x.cose
expect_exit 2 "verify with a missing store" -- "$OCV" verify --anchors "$P/anchors.pem" --no-policy --cert "$P/leaf.pem" --db nope.db
e2e_finish revocation
