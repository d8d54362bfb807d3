#!/bin/sh
# The operator's side of every command (issue 13): an exit-2 error under
# --json is one JSON object on stdout, a usage error is one line and a
# pointer to --help, -h and `ocv help CMD` work everywhere, bundle build
# does not overwrite, policy lint/explain and bundle build speak JSON, and
# the small surprises stay fixed.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
cd "$T" || exit 1

# expect_json_error DESCRIPTION -- command... (adds nothing: give --json)
# Exit 2, stdout is exactly one line, one JSON object whose "error" is
# usage or config and whose "detail" is a non-empty string.
expect_json_error() {
    what=$1; shift 2
    "$@" >"$T/.out" 2>"$T/.err"
    got=$?
    if [ "$got" -eq 2 ] && [ "$(wc -l <"$T/.out")" -eq 1 ] && python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert isinstance(o, dict), "not an object"
assert o["error"] in ("usage", "config"), o
assert isinstance(o["detail"], str) and o["detail"], o
assert isinstance(o["command"], str), o
' "$T/.out" 2>"$T/.py"; then e2e_pass; else
        e2e_fail "$what: exit $got, want 2 and one JSON error object"
        sed 's/^/  | /' "$T/.out" "$T/.err" "$T/.py"; fi
}

"$OCV" keygen --type ec-p256 -o auth.key --pub auth.pub >/dev/null
"$OCV" keygen --type ed25519 -o dev.key --pub dev.pub >/dev/null
printf '{"version": 1, "rules": [{"id": "r1", "subjects": ["spiffe://x/*"], "issuers": ["https://i"], "purposes": ["p"]}]}\n' >policy.json
printf '{"policy": "policy.json", "anchors": "missing-anchors.pem"}\n' >noanchors.json
echo '[]' >none.json

# ---- item 2: every --json command reports an error as one JSON object ----
expect_json_error "verify: missing credential file" -- "$OCV" verify --cert nope.pem --anchors nope.pem --no-policy --json
expect_json_error "verify: unknown option" -- "$OCV" verify --bogus --json
expect_json_error "inspect: no file given" -- "$OCV" inspect --json
expect_json_error "trust status: bad config" -- "$OCV" trust status --config nope.json --json
expect_json_error "revocation init: missing key" -- "$OCV" revocation init --db d.db --authority a --authority-pub nope.pub --json
expect_json_error "revocation sync: missing store" -- "$OCV" revocation sync --db nope.db --json b.cose
expect_json_error "revocation status: missing store" -- "$OCV" revocation status --db nope.db --json
expect_json_error "revocation import-crl: missing anchors" -- "$OCV" revocation import-crl --db nope.db --anchors nope.pem --json x.crl
expect_json_error "revocation receipt: missing store" -- "$OCV" revocation receipt --db nope.db --device-key dev.key --device-id d -o r.cose --json
expect_json_error "audit verify: missing log" -- "$OCV" audit verify --json nope.log
expect_json_error "audit head: missing log" -- "$OCV" audit head --json nope.log
expect_json_error "audit tail: missing log" -- "$OCV" audit tail --json nope.log
expect_json_error "receipt verify: missing key" -- "$OCV" receipt verify --device-pub nope.pub --receipt r.cose --json
expect_json_error "policy lint: missing file" -- "$OCV" policy lint --json nope.json
expect_json_error "policy explain: missing argument" -- "$OCV" policy explain --policy policy.json --json
expect_json_error "bundle build: missing key" -- "$OCV" bundle build --state s.db --authority a --authority-key nope.key --full --valid-for 1d -o b.cose --json
expect_json_error "bundle build: unknown option" -- "$OCV" bundle build --bogus --json
"$OCV" revocation sync --db nope.db --json b.cose >"$T/.out" 2>/dev/null
expect_grep '"error":"config","command":"revocation sync","detail":"' "$T/.out" "sync error object"
"$OCV" verify --bogus --json >"$T/.out" 2>/dev/null
expect_grep '{"error":"usage","command":"verify","detail":"verify: unknown option' "$T/.out" "usage error object"
# without --json nothing reaches stdout
"$OCV" revocation status --db nope.db >"$T/.o2" 2>/dev/null
expect_exit 0 "no JSON without --json" -- test ! -s "$T/.o2"

# ---- item 5: one line and "try --help", -h, ocv help CMD ------------------
expect_exit 2 "unknown option" -- "$OCV" verify --bogus
expect_grep "^ocv: verify: unknown option '--bogus'$" "$T/.err" "usage error: one line"
expect_grep "^try \`ocv verify --help\`$" "$T/.err" "usage error: the next step"
expect_exit 0 "usage error: two lines, not the whole help" -- test "$(wc -l <"$T/.err")" -eq 2
expect_exit 2 "missing value" -- "$OCV" revocation sync --db
expect_grep "option '--db' needs a value" "$T/.err" "missing value named"
expect_grep "try \`ocv revocation sync --help\`" "$T/.err" "verb in the hint"
for c in revocation audit bench bundle mint policy receipt trust; do
    expect_exit 2 "ocv $c without a verb" -- "$OCV" $c
    expect_grep "^try \`ocv $c --help\`$" "$T/.err" "ocv $c without a verb points at --help"
    expect_exit 0 "ocv $c without a verb: one line and the next step" -- test "$(wc -l <"$T/.err")" -eq 2
done
expect_exit 2 "unknown command" -- "$OCV" frobnicate
expect_grep "try \`ocv --help\`" "$T/.err" "unknown command hint"
for c in verify inspect keygen serve "mint cert" "mint crl" "mint token" "revocation init" \
    "revocation sync" "revocation status" "revocation import-crl" "revocation receipt" \
    "bundle build" "receipt verify" "audit verify" "audit tail" "bench x509" "bench token" \
    "bench revocation" "policy lint" "policy explain" "trust status" mint revocation bundle \
    receipt audit bench policy trust; do
    # shellcheck disable=SC2086
    expect_exit 0 "ocv $c -h" -- "$OCV" $c -h
    expect_grep "^usage: ocv" "$T/.out" "ocv $c -h prints the usage"
    # shellcheck disable=SC2086
    "$OCV" $c --help >"$T/help1" 2>&1
    # shellcheck disable=SC2086
    "$OCV" help $c >"$T/help2" 2>&1
    expect_exit 0 "ocv help $c is ocv $c --help" -- cmp -s "$T/help1" "$T/help2"
done
expect_exit 2 "help for an unknown command" -- "$OCV" help frobnicate

# ---- item 3: bundle build -o does not overwrite without --force -----------
B="$OCV bundle build --state auth.db --authority acme --authority-key auth.key"
expect_exit 0 "bundle 1" -- $B --full --valid-for 1d -o b1.cose
cp b1.cose b1.copy
expect_exit 2 "bundle build refuses to overwrite" -- $B --delta --valid-for 1d -o b1.cose
expect_grep "b1.cose exists (use --force to replace it)" "$T/.err" "overwrite refusal names --force"
expect_exit 0 "the refused build left the file alone" -- cmp -s b1.cose b1.copy
expect_exit 0 "the refused build did not move the state" -- $B --delta --valid-for 1d --json -o b2.cose
expect_grep '"sequence":2' "$T/.out" "sequence 2 follows 1 after a refusal"
expect_grep '{"bundle":"b2.cose","authority":"acme","sequence":2,"kind":"delta","added":0,"removed":0,"bytes":' "$T/.out" "bundle build --json"
expect_exit 0 "--force replaces" -- $B --delta --valid-for 1d --force -o b2.cose
expect_exit 2 "--json with -o -" -- $B --delta --valid-for 1d --json -o -

# ---- item 3: revocation sync over a directory (cron, USB drops) ----------
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
mkdir drop
D="$OCV bundle build --state drop-auth.db --authority acme --authority-key auth.key"
printf '[{"type":"jti","issuer":"https://i","value":"t3"}]\n' >r3.json
printf '[{"type":"jti","issuer":"https://i","value":"t4"}]\n' >r4.json
$D --full --valid-for 1d -o drop/acme-01.cose 2>/dev/null
# sequence 2 is named so that it sorts last: the order comes from the bundles
$D --delta --add r3.json --valid-for 1d -o drop/zz-sequence-2.cose 2>/dev/null
$D --delta --add r4.json --valid-for 1d -o drop/acme-03.cose 2>/dev/null
$D --delta --add none.json --valid-for 1d -o drop/acme-04.cose 2>/dev/null
expect_exit 0 "sync DIR applies every new bundle, whatever the names' order" -- \
    "$OCV" revocation sync --db dev.db --audit dev.log drop
expect_grep "drop/zz-sequence-2.cose applied OK sequence 2" "$T/.out" "sync DIR: sequence 2"
expect_grep "drop/acme-04.cose applied OK sequence 4" "$T/.out" "sync DIR: up to sequence 4"
expect_exit 0 "sync DIR: every bundle reported once" -- test "$(wc -l <"$T/.out")" -eq 4
expect_exit 0 "sync DIR: a delta retried after its base is logged once" -- \
    test "$(grep -c 'acme-03.cose' dev.log)" -eq 1
expect_exit 0 "the audit log of a directory sync verifies" -- "$OCV" audit verify dev.log
"$OCV" revocation status --db dev.db --json >"$T/status.json"
expect_grep '"sequence":4' "$T/status.json" "the store is at sequence 4"
expect_exit 0 "sync DIR again: nothing new, exit 0" -- "$OCV" revocation sync --db dev.db --json drop
expect_grep '"bundle":"drop/acme-01.cose","result":"skipped","reason":"BUNDLE_ROLLBACK"' "$T/.out" "older: skipped"
expect_grep '"bundle":"drop/acme-04.cose","result":"unchanged","reason":"OK"' "$T/.out" "current: unchanged"
expect_exit 1 "an older bundle named on its own is still refused" -- "$OCV" revocation sync --db dev.db drop/acme-01.cose
expect_grep "refused BUNDLE_ROLLBACK" "$T/.out" "explicit older bundle refused"
mkdir gap
$D --delta --add none.json --valid-for 1d -o gap/acme-05.cose 2>/dev/null
$D --delta --add none.json --valid-for 1d -o gap/acme-06.cose 2>/dev/null
rm gap/acme-05.cose
expect_exit 1 "sync DIR with a gap: the orphan delta is refused" -- "$OCV" revocation sync --db dev.db gap
expect_grep "gap/acme-06.cose refused BUNDLE_CHAIN_BROKEN" "$T/.out" "the gap is named"
expect_exit 2 "sync of a missing path: exit 2, not BUNDLE_MALFORMED" -- "$OCV" revocation sync --db dev.db missing-dir
expect_grep "missing-dir: No such file or directory" "$T/.err" "missing path named"
# ---- item 4: progress on a terminal only; --quiet -------------------------
"$OCV" revocation init --db tty.db --authority acme --authority-pub auth.pub >/dev/null
"$OCV" revocation sync --db tty.db drop >"$T/pipe.out" 2>"$T/pipe.err"
if grep -q "$(printf '\033')\|ETA\|bundles," "$T/pipe.out" "$T/pipe.err"; then
    e2e_fail "progress or escape codes into a pipe"; sed 's/^/  | /' "$T/pipe.err"; else e2e_pass; fi
if command -v script >/dev/null 2>&1; then
    "$OCV" revocation init --db tty2.db --authority acme --authority-pub auth.pub >/dev/null
    script -qec "'$OCV' revocation sync --db tty2.db drop" /dev/null >"$T/tty.out" 2>&1
    expect_grep "revocation sync: .*/4 bundles, .*/s" "$T/tty.out" "progress on a terminal"
    expect_grep "drop/acme-04.cose applied OK" "$T/tty.out" "results still printed on a terminal"
    script -qec "'$OCV' revocation sync --quiet --db tty2.db drop" /dev/null >"$T/tty.out" 2>&1
    if grep -q "bundles," "$T/tty.out"; then e2e_fail "--quiet still shows progress"; else e2e_pass; fi
    expect_grep "drop/acme-04.cose unchanged OK" "$T/tty.out" "--quiet keeps the results"
fi
expect_exit 0 "--quiet is accepted by every command" -- "$OCV" policy lint --quiet policy.json
$B --delta --valid-for 1d --quiet -o b5.cose 2>"$T/quiet.err"
expect_exit 0 "bundle build --quiet prints no summary" -- test ! -s "$T/quiet.err"

mkdir empty
expect_exit 0 "sync of an empty directory" -- "$OCV" revocation sync --db dev.db empty
expect_grep "empty: no bundles" "$T/.out" "empty directory says so"

# ---- items 2 and 6: policy lint --json, --config names the policy ---------
expect_exit 0 "policy lint --json" -- "$OCV" policy lint --json policy.json
expect_grep '{"policy":"policy.json","loads":true,"rules":1,"findings":\[\]}' "$T/.out" "lint --json clean"
printf '{"version": 1, "rules": []}\n' >empty.json
expect_exit 1 "policy lint --json with a finding" -- "$OCV" policy lint --json empty.json
expect_grep '"findings":\[{"file":"empty.json","line":1,"column":1,"rule":null,"message":"no rules: every decision is NO_MATCHING_RULE"}\]' "$T/.out" "lint --json finding"
printf '{"version": 1, "rules": [' >broken.json
expect_exit 1 "policy lint --json, a policy that does not load" -- "$OCV" policy lint --json broken.json
expect_grep '"loads":false' "$T/.out" "lint --json: does not load"
printf '{"policy": "empty.json"}\n' >config.json
expect_exit 1 "policy lint --config lints the config's policy" -- "$OCV" policy lint --config config.json
expect_grep "1 finding in .*empty.json" "$T/.out" "lint --config: the config's policy, not nothing"
printf '{"audience": "svc"}\n' >nopolicy.json
expect_exit 2 "policy lint --config naming no policy" -- "$OCV" policy lint --config nopolicy.json
expect_grep "names no policy" "$T/.err" "lint --config without a policy says so"
expect_exit 0 "policy explain --json" -- "$OCV" policy explain --policy policy.json --subject spiffe://x/a --purpose p --json
python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["decision"] == "allow" and o["reason"] == "OK" and o["rule"]["id"] == "r1", o
assert o["checks"] and all(set(c) == {"name", "outcome", "detail"} for c in o["checks"]), o
' "$T/.out" && e2e_pass || e2e_fail "policy explain --json fields"
expect_exit 1 "policy explain --json, a deny" -- "$OCV" policy explain --policy policy.json --subject spiffe://y/a --purpose p --json
expect_grep '"decision":"deny","reason":"NO_MATCHING_RULE"' "$T/.out" "explain --json deny"

# ---- item 6: small surprises ----------------------------------------------
"$OCV" keygen --type ec-p256 -o ca.key --pub ca.pub >/dev/null
"$OCV" keygen --type ec-p256 -o other.key --pub other.pub >/dev/null
"$OCV" mint cert --key ca.key --subject "CN=CA" --ca -o ca.pem
expect_exit 2 "mint cert with an issuer key that is not the issuer's" -- \
    "$OCV" mint cert --pub other.pub --subject "CN=x" --issuer-cert ca.pem --issuer-key other.key -o x.pem
expect_grep "other.key is not the private key of ca.pem" "$T/.err" "the mismatch is named"
expect_exit 0 "and nothing was written" -- test ! -e x.pem
expect_exit 2 "mint crl with an issuer key that is not the issuer's" -- \
    "$OCV" mint crl --issuer-cert ca.pem --issuer-key other.key --valid-for 1d -o x.crl
expect_exit 0 "--allow-key-mismatch forges on purpose" -- \
    "$OCV" mint crl --issuer-cert ca.pem --issuer-key other.key --allow-key-mismatch --valid-for 1d -o x.crl
expect_exit 0 "the matching key still mints" -- \
    "$OCV" mint cert --pub other.pub --subject "CN=x" --issuer-cert ca.pem --issuer-key ca.key -o x.pem
expect_exit 2 "bench token --alg HS256 measures nothing" -- "$OCV" bench token --alg HS256
expect_grep "HS256 is not measured" "$T/.err" "bench token names the algorithms"
expect_exit 2 "bench revocation --dir missing" -- "$OCV" bench revocation --dir "$T/missing"
expect_grep "missing: No such file or directory" "$T/.err" "bench --dir error names the cause"

P=${OCV_FIXTURES:-$T}/pki
[ -f "$P/anchors.pem" ] || sh "$here/../fixtures/make_pki.sh" "$P" >"$T/pki.log" 2>&1

# ---- item 6: import-crl --chain, an intermediate's CRL ---------------------
I="$OCV revocation import-crl --db crl.db --anchors $P/anchors.pem"
expect_exit 1 "an intermediate's CRL without --chain" -- $I "$P/crl_revoked.pem"
expect_grep "refused CHAIN_UNTRUSTED" "$T/.out" "no anchor issued it"
expect_exit 1 "--chain with a forged intermediate (same name, other root key)" -- \
    $I --chain "$P/forged_inter.pem" "$P/crl_ok.pem"
expect_grep "refused SIGNATURE_INVALID: the CRL's issuer does not chain to a trust anchor" "$T/.out" "the forged chain is named"
expect_exit 1 "--chain: a CRL in the intermediate's name signed by another key" -- \
    $I --chain "$P/inter.pem" "$P/crl_forged.pem"
expect_grep "refused BUNDLE_SIGNATURE_INVALID" "$T/.out" "the forged CRL is refused"
"$OCV" mint cert --pub other.pub --subject "CN=Test Intermediate,O=ocv tests" \
    --issuer-cert "$P/root.pem" --issuer-key "$P/root.key" -o notca.pem
expect_exit 1 "--chain: the issuer named in the chain must be a CA" -- \
    $I --chain notca.pem "$P/crl_ok.pem"
expect_grep "refused CHAIN_INVALID: the CRL's issuer in the chain is not a CA" "$T/.out" "a leaf cannot issue CRLs"
expect_exit 0 "--chain: the intermediate's CRL is imported" -- $I --chain "$P/inter.pem" "$P/crl_revoked.pem"
expect_grep "imported OK 1 serials of 'CN=Test Intermediate" "$T/.out" "imported under the intermediate"
expect_reason 1 REVOKED "the leaf the intermediate's CRL lists is revoked" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --no-policy --cert "$P/leaf.pem" --chain "$P/inter.pem" --db crl.db
expect_exit 0 "the imported CRL is proven at rest without the chain" -- "$OCV" revocation status --db crl.db
expect_exit 2 "--chain that cannot be read" -- $I --chain missing.pem "$P/crl_ok.pem"

# ---- item 5: --eku and "leaf_eku" take the same words --------------------
V="$OCV verify --anchors $P/anchors.pem --no-policy --cert $P/server_only.pem --chain $P/inter.pem"
expect_reason 0 OK "--eku serverAuth (the configuration's spelling)" -- $V --eku serverAuth
expect_reason 1 CHAIN_INVALID "--eku clientAuth (the configuration's spelling)" -- $V --eku clientAuth
printf '{"leaf_eku": "server"}\n' >eku.json
expect_reason 0 OK "leaf_eku \"server\" (the command line's spelling)" -- $V --config eku.json
expect_exit 2 "--eku with an unknown word" -- $V --eku emailProtection
expect_grep "wants client (clientAuth), server (serverAuth) or any" "$T/.err" "--eku lists both spellings"

e2e_finish cli_ux
