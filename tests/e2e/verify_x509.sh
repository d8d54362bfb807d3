#!/bin/sh
# End-to-end: `ocv verify` on X.509 chains made with `ocv keygen/mint`.
# Every reason the X.509 path can give, the hostile inputs, the exit codes
# and the JSON fields.
. "$(dirname "$0")/lib.sh"
P=${OCV_FIXTURES:-$T}/pki
[ -f "$P/anchors.pem" ] || sh "$(dirname "$0")/../fixtures/make_pki.sh" "$P" >"$T/pki.log" 2>&1 || {
    cat "$T/pki.log"; e2e_fail "make_pki.sh"; e2e_finish verify_x509; exit 1; }

V="$OCV verify --anchors $P/anchors.pem --no-policy"
expect_reason 0 OK "valid leaf + intermediate" -- $V --cert "$P/leaf.pem" --chain "$P/inter.pem"
expect_reason 0 OK "P-384 leaf" -- $V --cert "$P/leaf384.pem" --chain "$P/inter.pem"
expect_reason 0 OK "RSA 2048 chain" -- $V --cert "$P/rsa_leaf.pem"
expect_reason 0 OK "DER leaf" -- $V --cert "$P/leaf.der" --chain "$P/inter.pem"
cat "$P/leaf.pem" "$P/inter.pem" > "$T/fullchain.pem"
expect_reason 0 OK "leaf file carrying its intermediate" -- $V --cert "$T/fullchain.pem"
cat "$P/long1.pem" "$P/inter.pem" > "$T/extra.pem"
expect_reason 0 OK "unrelated extra intermediate is ignored" -- $V --cert "$P/leaf.pem" --chain "$T/extra.pem"
expect_reason 1 POLICY_MISSING "no policy, no --no-policy" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --cert "$P/leaf.pem" --chain "$P/inter.pem"

# Time, evaluated at the request time, not the wall clock.
expect_reason 1 EXPIRED "expired leaf" -- $V --cert "$P/expired.pem" --chain "$P/inter.pem"
expect_reason 1 NOT_YET_VALID "leaf valid only in the future" -- $V --cert "$P/future.pem" --chain "$P/inter.pem"
expect_reason 1 EXPIRED "expired intermediate" -- $V --cert "$P/leaf_old.pem" --chain "$P/inter_old.pem"
NOW=$(date +%s)
expect_reason 0 OK "future leaf at a time inside its validity" -- \
    $V --cert "$P/future.pem" --chain "$P/inter.pem" --at $((NOW + 86500))
expect_reason 1 EXPIRED "valid leaf evaluated two hours later" -- \
    $V --cert "$P/leaf.pem" --chain "$P/inter.pem" --at $((NOW + 7200))
expect_reason 0 OK "expired leaf evaluated in its past" -- \
    $V --cert "$P/expired.pem" --chain "$P/inter.pem" --at $((NOW - 5000))

# Trust and signatures.
expect_reason 1 CHAIN_UNTRUSTED "leaf from another CA" -- $V --cert "$P/stranger.pem" --chain "$P/root2.pem"
expect_reason 1 CHAIN_UNTRUSTED "intermediate missing" -- $V --cert "$P/leaf.pem"
expect_reason 1 CHAIN_UNTRUSTED "chain loop" -- $V --cert "$P/loop_leaf.pem" --chain "$P/loop_chain.pem"
cat "$P/leaf.pem" "$P/inter.pem" > "$T/leaf_inter.pem"
expect_reason 1 CHAIN_INVALID "leaf signed by a non-CA (one chain file)" -- \
    $V --cert "$P/by_leaf.pem" --chain "$T/leaf_inter.pem"
expect_reason 1 SIGNATURE_INVALID "corrupted leaf signature" -- $V --cert "$P/bad_sig.der" --chain "$P/inter.pem"
expect_reason 1 SIGNATURE_INVALID "intermediate from a forged root of the same name" -- \
    $V --cert "$P/leaf.pem" --chain "$P/forged_inter.pem"
cat "$P/inter.pem" "$P/inter.pem" > "$T/dup.pem"
expect_reason 1 CHAIN_INVALID "duplicate certificate" -- $V --cert "$P/leaf.pem" --chain "$T/dup.pem"
expect_reason 1 TOO_LARGE "chain of 20 certificates" -- $V --cert "$P/long_leaf.pem" --chain "$P/long_chain.pem"

# Leaf rules.
expect_reason 1 MALFORMED "two URI SANs" -- $V --cert "$P/two_uris.pem" --chain "$P/inter.pem"
expect_reason 1 MALFORMED "no URI SAN" -- $V --cert "$P/no_uri.pem" --chain "$P/inter.pem"
expect_reason 0 OK "no URI SAN, DNS fallback configured" -- \
    $V --cert "$P/no_uri.pem" --chain "$P/inter.pem" --identity-fallback dns
expect_grep '"subject": "dns-only.example.org"' "$T/.out" "DNS fallback identity"
expect_reason 0 OK "no URI SAN, CN fallback configured" -- \
    $V --cert "$P/no_uri.pem" --chain "$P/inter.pem" --identity-fallback cn
expect_reason 1 CHAIN_INVALID "leaf is a CA" -- $V --cert "$P/leaf_ca.pem" --chain "$P/inter.pem"
expect_reason 1 CHAIN_INVALID "serverAuth-only leaf, clientAuth required" -- \
    $V --cert "$P/server_only.pem" --chain "$P/inter.pem"
expect_reason 0 OK "serverAuth-only leaf, --eku server" -- \
    $V --cert "$P/server_only.pem" --chain "$P/inter.pem" --eku server
expect_reason 1 CHAIN_INVALID "leaf key usage keyCertSign" -- $V --cert "$P/ku_certsign.pem" --chain "$P/inter.pem"

# Algorithms.
expect_reason 1 ALG_NOT_ALLOWED "SHA-1 signature" -- $V --cert "$P/sha1.pem" --chain "$P/inter.pem"
expect_reason 1 ALG_NOT_ALLOWED "RSA 1024 anchor" -- $V --cert "$P/weak_leaf.pem"

# Hostile bytes: a clear deny, never a crash.
expect_reason 1 MALFORMED "empty file" -- $V --cert "$P/empty.pem"
expect_reason 1 UNSUPPORTED_FORMAT "garbage" -- $V --cert "$P/garbage.pem"
expect_reason 1 MALFORMED "PEM with junk around it" -- $V --cert "$P/junk_around.pem" --chain "$P/inter.pem"
expect_reason 1 MALFORMED "truncated DER" -- $V --cert "$P/truncated.der" --chain "$P/inter.pem"
expect_reason 1 TOO_LARGE "10 MiB input" -- $V --cert "$P/huge.pem"
expect_reason 1 TOO_LARGE "10 MiB chain" -- $V --cert "$P/leaf.pem" --chain "$P/huge.pem"
expect_reason 1 UNSUPPORTED_FORMAT "garbage intermediates" -- \
    $V --cert "$P/leaf.pem" --chain "$P/garbage.pem"

# CRLs.
expect_reason 0 OK "current CRL, leaf not listed" -- \
    $V --cert "$P/leaf.pem" --chain "$P/inter.pem" --crl "$P/crl_ok.pem"
expect_reason 1 REVOKED "leaf revoked by CRL" -- \
    $V --cert "$P/leaf.pem" --chain "$P/inter.pem" --crl "$P/crl_revoked.pem"
expect_reason 1 REVOKED "revoked even next to a clean CRL" -- \
    $V --cert "$P/leaf.pem" --chain "$P/inter.pem" --crl "$P/crl_ok.pem" --crl "$P/crl_revoked.pem"
expect_reason 1 REVOCATION_STALE "expired CRL" -- \
    $V --cert "$P/leaf.pem" --chain "$P/inter.pem" --crl "$P/crl_expired.pem"
expect_reason 0 OK "expired CRL evaluated inside its window" -- \
    $V --cert "$P/week.pem" --chain "$P/inter.pem" --crl "$P/crl_expired.pem" --at $((NOW - 100000))
expect_reason 1 REVOCATION_STALE "the same CRL now" -- \
    $V --cert "$P/week.pem" --chain "$P/inter.pem" --crl "$P/crl_expired.pem"
expect_reason 1 REVOCATION_MISSING "CRL of another CA only" -- \
    $V --cert "$P/leaf.pem" --chain "$P/inter.pem" --crl "$P/crl_other_ca.pem"
expect_reason 1 REVOCATION_MISSING "CRL in the issuer's name signed by another CA" -- \
    $V --cert "$P/leaf.pem" --chain "$P/inter.pem" --crl "$P/crl_forged.pem"
expect_reason 1 ALG_NOT_ALLOWED "CRL signed with SHA-1" -- \
    $V --cert "$P/leaf.pem" --chain "$P/inter.pem" --crl "$P/crl_sha1.pem"

# JSON fields and --explain.
expect_reason 0 OK "json fields" -- $V --cert "$P/leaf.pem" --chain "$P/inter.pem" --explain
for f in '"decision": "allow"' '"subject": "spiffe://example.org/ns/demo/sa/web"' '"rule": null' \
    '"detail":' '"policy_applied": false' '"check": "signature"' '"outcome": "skipped"'; do
    expect_grep "$f" "$T/.out" "json output"
done
expect_reason 1 EXPIRED "explain shows the failing check and skipped ones" -- \
    $V --cert "$P/expired.pem" --chain "$P/inter.pem" --explain
expect_grep '"subject_verified": false' "$T/.out" "deny before the signature: identity is claimed"
expect_exit 0 "text output" -- $V --cert "$P/leaf.pem" --chain "$P/inter.pem" --explain
expect_grep "^allow OK spiffe://example.org/ns/demo/sa/web" "$T/.out" "text first line"

# A configuration file, and flags that override it.
printf '{"anchors": "%s/anchors.pem", "crls": ["%s/crl_ok.pem"], "no_policy": true}\n' "$P" "$P" > "$T/ocv.json"
expect_reason 0 OK "config file" -- "$OCV" verify --config "$T/ocv.json" --cert "$P/leaf.pem" --chain "$P/inter.pem"
expect_reason 1 REVOKED "--crl replaces the file's CRLs" -- \
    "$OCV" verify --cert "$P/leaf.pem" --chain "$P/inter.pem" --crl "$P/crl_revoked.pem" --config "$T/ocv.json"
printf '{"anchors": "anchors.pem", "no_policy": true}\n' > "$P/rel.json"
expect_reason 0 OK "relative paths from the config's directory" -- \
    "$OCV" verify --config "$P/rel.json" --cert "$P/leaf.pem" --chain "$P/inter.pem"
printf '{"anchors": "x.pem",\n "frob": 1}\n' > "$T/bad.json"
expect_exit 2 "unknown config member" -- "$OCV" verify --config "$T/bad.json" --cert "$P/leaf.pem"
expect_grep '"frob": unknown member' "$T/.err" "error names the member"
printf '{"anchors": \n' > "$T/syntax.json"
expect_exit 2 "config syntax error" -- "$OCV" verify --config "$T/syntax.json" --cert "$P/leaf.pem"
expect_grep 'syntax.json:2:' "$T/.err" "error has line and column"
expect_exit 2 "missing config" -- "$OCV" verify --config "$T/none.json" --cert "$P/leaf.pem"

# Usage and configuration errors: exit 2.
expect_exit 2 "no credential" -- "$OCV" verify --anchors "$P/anchors.pem"
expect_exit 2 "both --cert and --token" -- "$OCV" verify --cert "$P/leaf.pem" --token "$P/leaf.pem"
expect_exit 2 "missing anchors file" -- "$OCV" verify --cert "$P/leaf.pem" --anchors "$T/nope.pem"
expect_exit 2 "anchors file of garbage" -- "$OCV" verify --cert "$P/leaf.pem" --anchors "$P/garbage.pem"
expect_exit 2 "CRL file of garbage" -- $V --cert "$P/leaf.pem" --crl "$P/garbage.pem"
expect_exit 2 "bad --at" -- $V --cert "$P/leaf.pem" --at yesterday
expect_exit 2 "unknown option" -- $V --cert "$P/leaf.pem" --frobnicate
expect_exit 2 "missing credential file" -- $V --cert "$T/nope.pem"
expect_exit 0 "--help" -- "$OCV" verify --help
expect_grep "Exit: 0 allow, 1 deny" "$T/.out" "verify --help text"
expect_exit 2 "unknown command" -- "$OCV" frobnicate
expect_exit 0 "ocv --help" -- "$OCV" --help

e2e_finish verify_x509
