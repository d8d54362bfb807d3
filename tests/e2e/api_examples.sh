#!/bin/sh
# Every example of docs/api.md is a complete program: extracted, compiled
# with -Wall -Wextra -Werror against libocv and run on inputs made by the
# openssl and ocv command lines, so the page and the library cannot drift
# apart (issue 13 item 7: the library does what the CLI does).
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
P=${OCV_FIXTURES:-$T}/pki
[ -f "$P/anchors.pem" ] || sh "$root/tests/fixtures/make_pki.sh" "$P" >"$T/pki.log" 2>&1
ID=spiffe://example.org/ns/demo/sa/web
libdir=${BUILD:-$root/build}
san=""
if nm -D "$libdir/libocv.so" 2>/dev/null | grep -q __asan_init; then san="-fsanitize=address,undefined"; fi
cd "$T" || exit 1

# extract NAME: the ```c block after <!-- example: NAME --> in docs/api.md
extract() {
    awk -v want="<!-- example: $1 -->" '
        $0 == want { armed = 1; next }
        armed && $0 == "```c" { inside = 1; next }
        inside && $0 == "```" { exit }
        inside { print }' "$root/docs/api.md"
}
names=$(sed -n 's/^<!-- example: \([a-z_]*\) -->$/\1/p' "$root/docs/api.md")
for name in verify_file from_memory config_reload device_sync device_sync_files device_status device_receipt; do
    case " $(echo $names) " in *" $name "*) e2e_pass ;; *) e2e_fail "docs/api.md has no example $name" ;; esac
done
for name in $names; do
    extract "$name" >"$name.c"
    # shellcheck disable=SC2086
    if ${CC:-cc} -std=c11 -Wall -Wextra -Werror $san -I"$root/include" -o "$name" "$name.c" \
        -L"$libdir" -Wl,-rpath,"$libdir" -locv >"$name.cc.log" 2>&1; then e2e_pass; else
        e2e_fail "docs/api.md: example $name does not compile"; sed 's/^/  | /' "$name.cc.log"; fi
done

# every public function is used by at least one example
for fn in $(sed -n 's/.*OCV_API[^(]*[ *]\(ocv_[a-z_]*\)(.*/\1/p' "$root/include/ocv.h" | sort -u); do
    if cat ./*.c | grep -q "$fn("; then e2e_pass; else e2e_fail "docs/api.md: no example calls $fn"; fi
done

# ---- verify_file: ocv_open, ocv_check, ocv_close ----------------------------
expect_exit 0 "verify_file: a good chain under a fresh CRL" -- ./verify_file "$P/anchors.pem" "$P/leaf.pem" "$P/inter.pem" "$P/crl_ok.pem"
expect_grep "^allow OK $ID" .out "verify_file prints the workload"
expect_exit 1 "verify_file: the leaf is on the CRL" -- ./verify_file "$P/anchors.pem" "$P/leaf.pem" "$P/inter.pem" "$P/crl_revoked.pem"
expect_grep "^deny REVOKED" .out "verify_file prints the reason"

# ---- from_memory: anchors and policy as blobs --------------------------------
cat >policy.json <<EOF
{"version": 1, "rules": [{"id": "web", "subjects": ["$ID"], "purposes": ["read"],
  "issuers": ["CN=Test Root, O=ocv tests"]}]}
EOF
expect_exit 0 "from_memory: allowed with the blob policy" -- ./from_memory "$P/anchors.pem" policy.json "$P/leaf.pem" "$P/inter.pem" read
grep -c "BEGIN CERTIFICATE" "$P/anchors.pem" >anchors.count
expect_grep "^1 source(s), $(cat anchors.count) anchor(s)" .out "from_memory: every anchor of the blob is loaded"
expect_grep "^allow OK $ID" .out "from_memory: the decision"
expect_exit 1 "from_memory: the policy from memory denies another purpose" -- ./from_memory "$P/anchors.pem" policy.json "$P/leaf.pem" "$P/inter.pem" write
expect_grep "^deny PURPOSE_NOT_ALLOWED" .out "from_memory: the policy's reason"
printf '{"version": 1, "rules": [\n  {"id": 5}]}\n' >bad_policy.json
expect_exit 2 "from_memory: a broken policy blob" -- ./from_memory "$P/anchors.pem" bad_policy.json "$P/leaf.pem" "$P/inter.pem" read
expect_grep "CONFIG_INVALID: flash:policy:2:" .err "from_memory: the error names the blob, line and column"
printf 'not a certificate\n' >junk.pem
expect_exit 2 "from_memory: anchors that are no certificates" -- ./from_memory junk.pem policy.json "$P/leaf.pem" "$P/inter.pem" read
expect_grep "flash:anchors: " .err "from_memory: the anchors error names the blob"

# ---- device_sync, device_status, device_receipt -----------------------------
"$OCV" keygen --type ec-p256 -o auth.key --pub auth.pub >/dev/null
"$OCV" keygen --type ec-p256 -o iss.key --jwks iss.jwks --kid k1 >/dev/null
"$OCV" keygen --type ec-p256 -o device.key --pub device.pub >/dev/null
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
printf '[{"type":"subject","value":"%s"}]\n' "$ID" >revoke.json
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --full \
    --add revoke.json --valid-for 1d -o b1.cose >/dev/null 2>&1
"$OCV" mint token --key iss.key --kid k1 --iss https://issuer.example --sub "$ID" -o web.jwt
expect_exit 0 "before the sync the token is allowed" -- "$OCV" verify --token web.jwt --jwks iss.jwks --no-policy --db dev.db

expect_exit 2 "device_sync: a store never initialised" -- ./device_sync missing.db audit.log b1.cose
expect_grep "missing.db" .err "device_sync: the error names the store"
before=$(sqlite3 dev.db .dump | sha256sum)
head -c 100 b1.cose >cut.cose
expect_exit 1 "device_sync: a truncated bundle" -- ./device_sync dev.db audit.log cut.cose
expect_grep "^BUNDLE_MALFORMED" .out "device_sync: the truncated bundle's reason"
"$OCV" keygen --type ec-p256 -o rogue.key --pub rogue.pub >/dev/null
"$OCV" bundle build --state rogue.db --authority acme --authority-key rogue.key --full \
    --add revoke.json --valid-for 1d -o rogue.cose >/dev/null 2>&1
expect_exit 1 "device_sync: a bundle signed by another key" -- ./device_sync dev.db audit.log rogue.cose
expect_grep "^BUNDLE_SIGNATURE_INVALID" .out "device_sync: the forged bundle's reason"
if [ "$before" = "$(sqlite3 dev.db .dump | sha256sum)" ]; then e2e_pass; else e2e_fail "refused bundles changed the store"; fi
expect_exit 0 "device_sync: the bundle from memory" -- ./device_sync dev.db audit.log b1.cose
expect_grep "^OK sequence 1 +1 -0" .out "device_sync: what it applied"
expect_exit 0 "device_sync: the same bundle again" -- ./device_sync dev.db audit.log b1.cose
expect_grep "^OK sequence 1 +0 -0" .out "device_sync: a re-apply changes nothing"
expect_reason 1 REVOKED "a decision sees the library's sync" -- "$OCV" verify --token web.jwt --jwks iss.jwks --no-policy --db dev.db
expect_exit 0 "the audit log of the library's syncs verifies" -- "$OCV" audit verify audit.log
expect_grep "4 records" .out "one record per sync attempt (two refusals, an apply, a no-op)"
grep -c '"event":"bundle"' audit.log >events.txt
expect_grep "^4$" events.txt "every attempt is a bundle event"

expect_exit 0 "device_status: the synced store" -- ./device_status dev.db
expect_grep "^authority acme sequence 1 subjects 1$" .out "device_status: the authority"
expect_grep "^proven$" .out "device_status: the proof"
cp dev.db tampered.db
sqlite3 tampered.db "DELETE FROM entry"
expect_exit 1 "device_status: a store whose rows were deleted" -- ./device_status tampered.db
expect_grep "^NOT PROVEN: " .out "device_status: says why"

expect_exit 0 "device_receipt: a receipt with a nonce" -- ./device_receipt dev.db device.key edge-7 n-42 r.cose
expect_exit 0 "the library's receipt verifies with the device key" -- "$OCV" receipt verify \
    --device-pub device.pub --receipt r.cose --authority acme --expect-seq 1 --expect-nonce n-42 --max-age 5m
expect_exit 1 "the receipt answers no other challenge" -- "$OCV" receipt verify \
    --device-pub device.pub --receipt r.cose --expect-nonce n-43
long=$(printf '%0200d' 0)
expect_exit 2 "device_receipt: a nonce over 128 bytes" -- ./device_receipt dev.db device.key edge-7 "$long" r2.cose
expect_grep "CONFIG_INVALID: a nonce is 1..128 bytes" .err "device_receipt: says why"
printf 'not a key\n' >bad.key
expect_exit 2 "device_receipt: a device key that does not parse" -- ./device_receipt dev.db bad.key edge-7 n r3.cose
expect_grep "the device key: " .err "device_receipt: names the key"

# ---- config_reload: ocv_config_load, ocv_reload, ocv_open_file, names -------
cat >config_policy.json <<EOF
{"version": 1, "rules": [{"id": "web", "subjects": ["$ID"], "purposes": ["read"],
  "issuers": ["https://issuer.example"]}]}
EOF
printf '{"jwks": "iss.jwks", "policy": "config_policy.json"}\n' >config.json
expect_exit 0 "config_reload: a token under the configuration file" -- ./config_reload config.json web.jwt
expect_grep "^allow OK (" .out "config_reload: the decision and its meaning"
expect_grep "^libocv [0-9][0-9.]*; REVOKED is reason [0-9][0-9]*$" .out "config_reload: version and reason number"
printf '{"jwks": "iss.jwks",\n "policy": 5}\n' >bad_config.json
expect_exit 2 "config_reload: a configuration with a wrong member" -- ./config_reload bad_config.json web.jwt
expect_grep "bad_config.json:2:" .err "config_reload: the error has file and line"

# ---- device_sync_files: deferred refusals over a drop in any order ---------
printf '[{"type":"jti","issuer":"https://issuer.example","value":"t-2"}]\n' >jti2.json
printf '[{"type":"jti","issuer":"https://issuer.example","value":"t-3"}]\n' >jti3.json
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --delta \
    --add jti2.json --valid-for 1d -o d2.cose >/dev/null 2>&1
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --delta \
    --add jti3.json --valid-for 1d -o d3.cose >/dev/null 2>&1
"$OCV" revocation init --db drop.db --authority acme --authority-pub auth.pub >/dev/null
expect_exit 0 "device_sync_files: newest first, every delta waits for its base" -- \
    ./device_sync_files drop.db drop.log d3.cose d2.cose b1.cose
expect_grep "^d3.cose OK sequence 3$" .out "device_sync_files: the last delta applied in the end"
grep -c '"event":"bundle"' drop.log >drop.count
expect_grep "^3$" drop.count "refusals that a retry turned around are never recorded"
expect_exit 0 "device_sync_files: the same drop again" -- ./device_sync_files drop.db drop.log d3.cose d2.cose b1.cose
expect_grep "^b1.cose BUNDLE_ROLLBACK sequence 1$" .out "device_sync_files: an older bundle is skipped"
grep -c '"event":"bundle"' drop.log >drop.count
expect_grep "^6$" drop.count "final refusals and the no-op are recorded once each"
expect_exit 0 "the drop's audit log verifies" -- "$OCV" audit verify drop.log

e2e_finish api_examples
