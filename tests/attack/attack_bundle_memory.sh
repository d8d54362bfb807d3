#!/bin/sh
# Attack class: memory spent before authentication (issue 8 #16). Anyone
# can hand a device a bundle file; until its signature verifies it must
# cost memory independent of its size (ES256: the Sig_structure is hashed
# as a stream over a read-only mapping whose pages are dropped as they
# pass) or at most one copy (EdDSA needs its message whole), and a file
# over the cap is refused before it is read.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
new_authority auth
"$OCV" keygen --type ed25519 -o ed.key --pub ed.pub >/dev/null
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
"$OCV" revocation init --db dev.db --authority edda --authority-pub ed.pub >/dev/null
before=$(state dev.db)
MB=64
# A COSE_Sign1 nobody signed: protected {1: alg, 4: kid}, a 64 MiB payload
# of zeros, a signature of the right length.
forge() { # ALG_BYTES KID SIGLEN OUT
    /usr/bin/python3 - "$@" $MB <<'PY'
import sys
alg, kid, siglen, out, mb = bytes.fromhex(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
prot = bytes([0xa2, 0x01]) + alg + bytes([0x04, 0x40 | len(kid)]) + kid
n = mb << 20
with open(out, "wb") as f:
    f.write(bytes([0xd2, 0x84, 0x40 | len(prot)]) + prot + b"\xa0")
    f.write(bytes([0x5a]) + n.to_bytes(4, "big"))
    f.write(b"\0" * n)
    f.write(bytes([0x58, siglen]) + b"\1" * siglen)
PY
}
forge 26 acme 64 es.cose   # alg -7 (ES256)
forge 27 edda 64 ed.cose   # alg -8 (EdDSA)
rss() { /usr/bin/time -f %M -o rss.txt "$@" >/dev/null 2>&1; tail -n 1 rss.txt; }
kb=$(rss "$OCV" revocation sync --db dev.db es.cose)
[ "$kb" -lt $((MB * 1024 / 4)) ] && e2e_pass || e2e_fail "ES256: $kb KB peak for a $MB MiB unsigned bundle"
expect_exit 1 "ES256 unsigned bundle refused" -- "$OCV" revocation sync --db dev.db --json es.cose
expect_grep BUNDLE_SIGNATURE_INVALID .out "ES256: the reason"
kb=$(rss "$OCV" revocation sync --db dev.db ed.cose)
[ "$kb" -lt $((MB * 1024 * 3 / 2)) ] && e2e_pass || e2e_fail "EdDSA: $kb KB peak for a $MB MiB unsigned bundle"
expect_exit 1 "EdDSA unsigned bundle refused" -- "$OCV" revocation sync --db dev.db --json ed.cose
expect_grep BUNDLE_SIGNATURE_INVALID .out "EdDSA: the reason"
truncate -s $((1024 * 1024 * 1024 + 65 * 1024)) huge.cose
kb=$(rss "$OCV" revocation sync --db dev.db huge.cose)
expect_exit 1 "a file over the cap" -- "$OCV" revocation sync --db dev.db --json huge.cose
expect_grep TOO_LARGE .out "over the cap: TOO_LARGE"
[ "$kb" -lt 16384 ] && e2e_pass || e2e_fail "over the cap: $kb KB peak (it was read)"
expect_exit 2 "a missing bundle file is an I/O error, not a bad bundle" -- "$OCV" revocation sync --db dev.db nowhere.cose
expect_unchanged "$before" "refused bundles" dev.db
e2e_finish attack_bundle_memory
