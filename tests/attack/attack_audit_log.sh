#!/bin/sh
# Attacks on the audit log (issue 8, finding 12). The attacker writes the
# log file at rest but does not hold the device key. Each attack asserts
# the exact outcome of `ocv audit verify` and that verifying changed
# nothing. Decisions reach the log through `ocv verify --audit`.
. "$(dirname "$0")/lib.sh"
P=${OCV_FIXTURES:-$T}/pki
[ -f "$P/anchors.pem" ] || sh "$(dirname "$0")/../fixtures/make_pki.sh" "$P" >"$T/pki.log" 2>&1
cd "$T" || exit 1
"$OCV" keygen --type ed25519 -o dev.key --pub dev.pub >/dev/null
"$OCV" keygen --type ec-p256 -o evil.key --pub evil.pub >/dev/null
V="$OCV verify --anchors $P/anchors.pem --no-policy --cert $P/leaf.pem --chain $P/inter.pem"
A="--audit log --device-key dev.key --device-id edge-7"

# The attacker's tool: re-chain every record after an edit (no key needed),
# fixing the unsigned copies of each checkpoint's count and head and every
# record's pointer to the latest checkpoint too.
rechain() {
    python3 - "$1" <<'PY'
import hashlib, json, sys
path = sys.argv[1]
prev = "0" * 64
last = 0
out = []
for seq, line in enumerate(open(path).read().splitlines(), 1):
    rec = json.loads(line)
    rec["seq"] = seq
    rec["prev"] = prev
    rec.pop("hash", None)
    rec["ckpt"] = last
    if rec["event"] == "checkpoint":
        last = seq
        rec["head"] = prev
        rec["count"] = seq - 1
    canon = json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    prev = hashlib.sha256((prev + canon).encode()).hexdigest()
    rec["hash"] = prev
    out.append(json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=True))
open(path, "w").write("\n".join(out) + "\n")
PY
}

# Inputs that are no log at all exit 2, never "intact: 0 records".
expect_exit 2 "a missing log" -- "$OCV" audit verify missing.log
: > empty.log
expect_exit 2 "an empty log" -- "$OCV" audit verify empty.log
expect_grep "empty: the log holds no records" .err "says it is empty"
expect_exit 2 "/dev/null" -- "$OCV" audit verify /dev/null
expect_grep "not a regular file" .err "says /dev/null is not a log"
mkdir adir
expect_exit 2 "a directory" -- "$OCV" audit verify adir
expect_grep "not a regular file" .err "says a directory is not a log"
expect_exit 2 "a directory as the log of a decision" -- $V --audit adir

# Decisions are recorded, each followed by a signed checkpoint.
expect_reason 0 OK "decision 1 recorded" -- $V $A --purpose read
expect_reason 0 OK "decision 2 recorded" -- $V $A --purpose read
expect_reason 1 EXPIRED "a deny recorded" -- $V $A --at 4102444800
expect_reason 0 OK "decision 4 recorded" -- $V $A --purpose write
FP=$(sha256sum "$P/leaf.pem" | cut -d' ' -f1)
expect_grep "\"credential_sha256\":\"$FP\"" log "the credential's fingerprint, not the credential"
expect_grep '"decision":"deny","event":"decision"' log "the deny's record"
expect_grep '"reason":"EXPIRED"' log "the deny's reason"
expect_grep '"issuer":"CN=Test Root' log "an allow's record names the trust source that vouched"
expect_exit 0 "the whole log verifies with the device key" -- "$OCV" audit verify --device-pub dev.pub log
expect_grep "intact: 8 records" .out "four decisions and four checkpoints"
expect_grep "records 1..8 proven, 0 after the last checkpoint not protected" .out "all covered"
expect_exit 0 "json report" -- "$OCV" audit verify --json --device-pub dev.pub log
expect_grep '"intact":true,"reason":"OK","detail":"","records":8' .out "json: intact, 8 records"
expect_grep '"checkpoints_verified":4,"proven":8,"unprotected":0' .out "json: what is proven"
HEAD=$("$OCV" audit head log)
cp log good.log

# Attack: verify with the wrong key (of another type).
expect_exit 1 "another key" -- "$OCV" audit verify --device-pub evil.pub log
expect_grep "broken SIGNATURE_INVALID: log:2: checkpoint does not verify with this device key" .out "says which checkpoint"

# Attack: an edited record with every hash recomputed.
sed -i '1s/"decision":"allow"/"decision":"deny"/' log
rechain log
expect_exit 0 "the unkeyed chain alone is fooled (documented)" -- "$OCV" audit verify log
expect_exit 1 "the checkpoints are not" -- "$OCV" audit verify --device-pub dev.pub log
expect_grep "broken MALFORMED: log:2: checkpoint's signed content differs from the record" .out "names the checkpoint"
cp good.log log

# Attack: a deleted checkpoint (the chain re-computed).
sed -i '4d' log
rechain log
expect_exit 1 "a deleted checkpoint" -- "$OCV" audit verify --device-pub dev.pub log
expect_grep "broken MALFORMED: log:5: checkpoint's signed content differs from the record" .out "the next checkpoint no longer matches"
cp good.log log

# Attack: truncation into covered records (the chain re-computed).
sed -i '3d' log
rechain log
expect_exit 1 "a removed covered record" -- "$OCV" audit verify --device-pub dev.pub log
cp good.log log

# Attack: truncation at a checkpoint boundary. The log alone cannot tell
# (documented); the head a receipt carries can.
head -n 6 good.log > log
expect_exit 0 "truncated after a checkpoint: undetectable from the log alone" -- \
    "$OCV" audit verify --device-pub dev.pub log
expect_grep "records 1..6 proven" .out "says what is proven"
expect_exit 1 "the head held elsewhere finds the truncation" -- \
    "$OCV" audit verify --device-pub dev.pub --expect-head "$HEAD" log
expect_grep "6 records, the expected head names record 8: truncated" .out "says truncated"
# Removing only the last checkpoint leaves one record unprotected, and says so.
head -n 7 good.log > log
expect_exit 0 "the last checkpoint removed" -- "$OCV" audit verify --device-pub dev.pub log
expect_grep "records 1..6 proven, 1 after the last checkpoint not protected" .out "counts the unprotected record"
cp good.log log
expect_exit 0 "the expected head matches the intact log" -- \
    "$OCV" audit verify --device-pub dev.pub --expect-head "$HEAD" log
cmp -s log good.log && e2e_pass || e2e_fail "verifying changed the log"

# A keyless writer cannot append to a checkpointed log (its records would
# never be covered); the decision is then not reported (exit 2).
expect_exit 2 "a keyless writer is refused" -- $V --audit log --purpose read
expect_grep "carries signed checkpoints" .err "says why"
cmp -s log good.log && e2e_pass || e2e_fail "a refused append changed the log"

# On demand: ocv audit checkpoint.
"$OCV" audit head log > h1
expect_exit 0 "checkpoint on demand (nothing new: no record)" -- "$OCV" audit checkpoint --device-key dev.key --device-id edge-7 log
"$OCV" audit head log > h2
cmp -s h1 h2 && e2e_pass || e2e_fail "a checkpoint of a checkpointed head added a record"
expect_exit 2 "checkpoint needs the key" -- "$OCV" audit checkpoint log
expect_exit 2 "tail of a directory" -- "$OCV" audit tail adir

e2e_finish attack_audit_log
