#!/bin/sh
# Attacks on sync receipts (issue 8, finding 14): a replayed old receipt,
# a receipt of another authority, a wrong challenge, a wrong key. Each
# asserts the exact outcome of `ocv receipt verify`, and that verifying
# changed neither the receipt nor the device's store and log.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
NOW=$(date +%s)
"$OCV" keygen --type ec-p256 -o auth.key --pub auth.pub >/dev/null
"$OCV" keygen --type ed25519 -o beta.key --pub beta.pub >/dev/null
"$OCV" keygen --type ed25519 -o dev.key --pub dev.pub >/dev/null
"$OCV" keygen --type ec-p256 -o evil.key --pub evil.pub >/dev/null
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
"$OCV" revocation init --db dev.db --authority beta --authority-pub beta.pub >/dev/null
"$OCV" bundle build --state a.db --authority acme --authority-key auth.key --full --valid-for 1d -o a1.cose 2>/dev/null
"$OCV" bundle build --state a.db --authority acme --authority-key auth.key --full --valid-for 1d -o a2.cose 2>/dev/null
"$OCV" bundle build --state b.db --authority beta --authority-key beta.key --full --valid-for 1d -o b1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db a1.cose a2.cose b1.cose >/dev/null
D="--device-key dev.key --device-id edge-7"
R="$OCV receipt verify --device-pub dev.pub"

# A fresh receipt with a challenge and the audit log's head.
expect_exit 0 "receipt with a nonce and the log's head" -- \
    "$OCV" revocation receipt --db dev.db $D --authority acme --nonce n-0451 --audit log -o r.cose
expect_exit 0 "it verifies as expected" -- $R --receipt r.cose --authority acme --expect-seq 2 --expect-nonce n-0451 --max-age 1h
expect_grep "^ok device edge-7 holds acme sequence 2" .out "says what the device holds"
expect_grep "receipt issued" .out "shows issued_at"
expect_grep "nonce n-0451" .out "shows the nonce"
HEAD=$("$OCV" audit head log)
expect_grep "audit head $HEAD" .out "carries the log's head"
expect_exit 0 "the log verifies up to the receipt's head" -- "$OCV" audit verify --device-pub dev.pub --expect-head "$HEAD" log
expect_exit 0 "json" -- $R --receipt r.cose --authority acme --json
expect_grep '"issued_at":' .out "json shows issued_at"
expect_grep '"audit_head":{"count":' .out "json shows the audit head"
sha256sum r.cose dev.db log > before.sum

# Attack: a replayed old receipt (made two hours ago).
"$OCV" revocation receipt --db dev.db $D --authority acme --at $((NOW - 7200)) -o old.cose
expect_exit 1 "an old receipt is refused with --max-age" -- $R --receipt old.cose --authority acme --expect-seq 2 --max-age 1h
expect_grep "older than --max-age 3600 s" .out "says it is too old"
expect_exit 0 "within a longer max age it passes" -- $R --receipt old.cose --authority acme --expect-seq 2 --max-age 3h
"$OCV" revocation receipt --db dev.db $D --authority acme --at $((NOW + 7200)) -o future.cose
expect_exit 1 "a receipt from the future" -- $R --receipt future.cose --authority acme
expect_grep "in the future" .out "says so"

# Attack: a receipt of another authority presented for acme.
"$OCV" revocation receipt --db dev.db $D --authority beta -o beta.cose
expect_exit 2 "--expect-seq without --authority is a usage error" -- $R --receipt beta.cose --expect-seq 1
expect_grep "need --authority" .err "says why"
expect_exit 2 "--expect-digest without --authority is a usage error" -- $R --receipt beta.cose --expect-digest 00
expect_exit 1 "beta's receipt does not prove acme" -- $R --receipt beta.cose --authority acme --expect-seq 1
expect_grep "the receipt is for another authority" .out "says another authority"

# Attack: a wrong or missing challenge.
expect_exit 1 "another nonce" -- $R --receipt r.cose --authority acme --expect-nonce n-9999
expect_grep "another challenge" .out "says another challenge"
expect_exit 1 "no nonce at all" -- $R --receipt old.cose --authority acme --expect-nonce n-0451
expect_grep "carries no challenge" .out "says no challenge"

# Attack: verified with the wrong key (another type, and the same type).
expect_exit 1 "an EC key for an Ed25519 receipt" -- $R --receipt r.cose --device-pub evil.pub
expect_grep "invalid SIGNATURE_INVALID: the receipt's signature does not verify with this key" .out "SIGNATURE_INVALID, not ALG_NOT_ALLOWED"
expect_exit 1 "another Ed25519 key" -- "$OCV" receipt verify --device-pub beta.pub --receipt r.cose
expect_grep "invalid SIGNATURE_INVALID" .out "SIGNATURE_INVALID"

# A receipt without nonce and head is the old format: still decodes.
expect_exit 0 "old-format receipt decodes" -- $R --receipt old.cose --authority acme
sha256sum r.cose dev.db log > after.sum
cmp -s before.sum after.sum && e2e_pass || e2e_fail "verifying receipts changed the receipt, store or log"

e2e_finish attack_audit_receipt
