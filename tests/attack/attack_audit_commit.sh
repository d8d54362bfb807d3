#!/bin/sh
# The record and the change are one unit (issue 8, finding 13): with
# --audit, a sync or CRL import writes and fsyncs its record inside the
# store's write transaction, before COMMIT. Fault injection on the log (a
# missing directory, a directory, a file-size limit that makes the write
# fail) must leave the store byte-for-byte unchanged and exit 2; a COMMIT
# that fails after the record was written gets a follow-up record.
. "$(dirname "$0")/lib.sh"
P=${OCV_FIXTURES:-$T}/pki
[ -f "$P/anchors.pem" ] || sh "$(dirname "$0")/../fixtures/make_pki.sh" "$P" >"$T/pki.log" 2>&1
cd "$T" || exit 1
INTER=$(openssl x509 -in "$P/inter.pem" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
"$OCV" keygen --type ec-p256 -o auth.key --pub auth.pub >/dev/null
"$OCV" keygen --type ed25519 -o dev.key --pub dev.pub >/dev/null
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
build() { "$OCV" bundle build --state auth.db --authority acme --authority-key auth.key "$@" 2>>build.log; }
build --full --valid-for 1d -o b1.cose
printf '[{"type":"serial","issuer":"%s","value":"0badc0de"}]\n' "$INTER" > serial.json
build --delta --add serial.json --valid-for 1d -o b2.cose
cat "$P/root.pem" "$P/inter.pem" > cas.pem 2>/dev/null || cp "$P/anchors.pem" cas.pem

# The store as bytes and as content (the WAL is checkpointed by each sync).
snapshot() { { sha256sum dev.db; sqlite3 dev.db .dump | sha256sum; } > "$1"; }
same_store() {
    snapshot now.sum
    if cmp -s "$1" now.sum; then e2e_pass; else e2e_fail "$2: the store changed"; fi
}

expect_exit 0 "sync 1 with a log" -- "$OCV" revocation sync --db dev.db --audit log b1.cose
expect_grep '"result":"applied"' log "the applied bundle's record"
snapshot s1.sum

# Fault: the log's directory does not exist.
expect_exit 2 "a log in a missing directory" -- "$OCV" revocation sync --db dev.db --audit /nonexistent/dir/log b2.cose
same_store s1.sum "a log in a missing directory"
# Fault: the log is a directory.
mkdir adir
expect_exit 2 "a log that is a directory" -- "$OCV" revocation sync --db dev.db --audit adir b2.cose
same_store s1.sum "a log that is a directory"
# Fault: every write to the log fails, after the bundle was verified and
# staged: the transaction is rolled back. The fault is a file size limit
# (EFBIG) of 64 KiB: above what SQLite writes before COMMIT (its 32 KiB
# shared-memory file), below the log, grown past it first.
LIMIT=128 # 512-byte blocks
many=$(for i in $(seq 250); do printf 'b1.cose '; done)
"$OCV" revocation sync --db dev.db --audit log $many >/dev/null
[ "$(wc -c < log)" -gt 65536 ] && e2e_pass || e2e_fail "the log did not grow past the limit"
cp log log.before
snapshot s1.sum
( trap '' XFSZ; ulimit -f $LIMIT; exec "$OCV" revocation sync --db dev.db --audit log b2.cose ) >out.txt 2>err.txt
rc=$?
[ $rc -eq 2 ] && e2e_pass || e2e_fail "a failing log write: exit $rc, want 2"
expect_grep "write failed" err.txt "says the write failed"
expect_grep "nothing was applied" err.txt "says nothing was applied"
same_store s1.sum "a failing log write"
cmp -s log log.before && e2e_pass || e2e_fail "a failing write left bytes in the log"
expect_exit 0 "the log still verifies" -- "$OCV" audit verify log
expect_exit 0 "status: still sequence 1" -- "$OCV" revocation status --db dev.db --json
expect_grep '"sequence":1' .out "sequence 1 in force"
# The same sync with a working log applies, record first.
expect_exit 0 "sync 2 with a working log" -- "$OCV" revocation sync --db dev.db --audit log b2.cose
expect_grep '"added":1,"bundle":"b2.cose"' log "the record counts the entry"

# Fault: COMMIT fails after the record was written (the store's WAL, for a
# bundle of 3000 entries, hits the size limit the small fresh log does
# not): a follow-up record says the change is not applied, and the store
# is unchanged.
python3 -c 'import json; print(json.dumps([{"type":"jti","issuer":"https://i.example","value":"t%d" % i} for i in range(3000)]))' > many.json
build --delta --add many.json --valid-for 1d -o b3.cose
snapshot s2.sum
( trap '' XFSZ; ulimit -f $LIMIT; exec "$OCV" revocation sync --db dev.db --audit fresh.log b3.cose ) >out.txt 2>err.txt
rc=$?
[ $rc -ne 0 ] && e2e_pass || e2e_fail "a failed COMMIT: exit 0"
same_store s2.sum "a failed COMMIT"
expect_grep '"result":"applied"' fresh.log "the record written before COMMIT"
expect_grep '"result":"rolled_back"' fresh.log "the follow-up record"
expect_exit 0 "the fresh log verifies" -- "$OCV" audit verify fresh.log
expect_grep "intact: 2 records" .out "two records"

# import-crl: the same unit.
"$OCV" revocation import-crl --db dev.db --anchors "$P/anchors.pem" --audit log "$P/crl_revoked.pem" >/dev/null 2>&1
snapshot s3.sum
cp log log.before
( trap '' XFSZ; ulimit -f $LIMIT; exec "$OCV" revocation import-crl --db dev.db --anchors "$P/anchors.pem" --audit log "$P/crl_revoked.pem" ) >out.txt 2>err.txt
rc=$?
[ $rc -eq 2 ] && e2e_pass || e2e_fail "import-crl with a failing log write: exit $rc, want 2"
same_store s3.sum "import-crl with a failing log write"
cmp -s log log.before && e2e_pass || e2e_fail "import-crl: a failing write left bytes in the log"

# A decision whose record cannot be written is not reported.
( trap '' XFSZ; ulimit -f $LIMIT; exec "$OCV" verify --anchors "$P/anchors.pem" --no-policy --cert "$P/leaf.pem" --chain "$P/inter.pem" --audit log ) >out.txt 2>err.txt
rc=$?
[ $rc -eq 2 ] && e2e_pass || e2e_fail "verify with a failing log: exit $rc, want 2"
if [ -s out.txt ]; then e2e_fail "verify printed a decision it could not record"; else e2e_pass; fi

e2e_finish attack_audit_commit
