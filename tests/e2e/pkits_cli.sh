#!/bin/sh
# NIST PKITS 2011 through the ocv command line: every run of
# tests/pkits/cases.tsv as `ocv verify --no-policy --identity subject`
# with the run's intermediates, CRLs and initial policy settings. A run
# agrees when the exit is 0 for a valid path and 1 for an invalid one;
# exit 2 (a configuration error) never agrees. Runs listed in the PKITS
# table of docs/vector-deviations.md must disagree (by rejecting), so the
# list stays exact. tests/unit/test_pkits.c runs the same cases through
# the library and prints the score by section.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
D=${OCV_PKITS_DIR:-/usr/lib/python3/dist-packages/cryptography_vectors/x509/PKITS_data}
AT=1609459200
deviations=$(sed -n 's/^| pkits \([0-9.a-d]*\) .*/\1/p' "$root/../docs/vector-deviations.md")
exit2=0
while IFS='	' read -r run section leaf inters crls settings expected; do
    case "$run" in '#'*) continue ;; esac
    : >"$T/chain.der"
    if [ "$inters" != "-" ]; then
        for c in $(echo "$inters" | tr ',' ' '); do cat "$D/certs/$c.crt" >>"$T/chain.der"; done
    fi
    set -- --cert "$D/certs/$leaf.crt" --anchors "$D/certs/TrustAnchorRootCertificate.crt" \
        --no-policy --at $AT --skew 0 --identity san-or-subject --eku any
    [ -s "$T/chain.der" ] && set -- "$@" --chain "$T/chain.der"
    if [ "$crls" != "-" ]; then
        for c in $(echo "$crls" | tr ',' ' '); do set -- "$@" --crl "$D/crls/$c.crl"; done
    fi
    if [ "$settings" != "-" ]; then
        for s in $(echo "$settings" | tr ',' ' '); do
            case "$s" in
            E) set -- "$@" --require-explicit-policy ;;
            M) set -- "$@" --inhibit-policy-mapping ;;
            A) set -- "$@" --inhibit-any-policy ;;
            P*) set -- "$@" --initial-policy "2.16.840.1.101.3.2.1.48.${s#P}" ;;
            esac
        done
    fi
    "$OCV" verify "$@" >"$T/.out" 2>"$T/.err"
    got=$?
    [ $got -eq 2 ] && exit2=$((exit2 + 1))
    want=1
    [ "$expected" = valid ] && want=0
    listed=0
    for d in $deviations; do
        case "$run" in "$d" | "$d".[a-d]) listed=1 ;; esac
    done
    if [ $got -eq $want ] && [ $listed -eq 0 ]; then
        e2e_pass
    elif [ $got -ne $want ] && [ $got -ne 2 ] && [ $listed -eq 1 ] && [ $want -eq 0 ]; then
        e2e_pass # a documented rejection of a valid path
    else
        e2e_fail "PKITS $run ($leaf${settings:+ $settings}): exit $got, want $want$([ $listed -eq 1 ] && echo ' (listed as a deviation)')"
        sed 's/^/  | /' "$T/.out" "$T/.err" | head -4
    fi
done <"$root/pkits/cases.tsv"
if [ $exit2 -eq 0 ]; then e2e_pass; else e2e_fail "$exit2 PKITS runs ended in exit 2"; fi

# One CRL or anchor file ocv cannot use is a problem only for what it covers.
V="$OCV verify --cert $D/certs/ValidCertificatePathTest1EE.crt --chain $D/certs/GoodCACert.crt
    --no-policy --at $AT --identity subject --eku any"
mkdir -p "$T/anchors"
cp "$D/certs/TrustAnchorRootCertificate.crt" "$T/anchors/root.der"
cp "$D/certs/DSACACert.crt" "$T/anchors/dsa.crt"
expect_reason 0 OK "a DSA CRL of another CA is skipped" -- $V --anchors "$T/anchors" \
    --crl "$D/crls/GoodCACRL.crl" --crl "$D/crls/TrustAnchorRootCRL.crl" --crl "$D/crls/DSACACRL.crl"
$V --anchors "$T/anchors" --crl "$D/crls/GoodCACRL.crl" --crl "$D/crls/TrustAnchorRootCRL.crl" \
    --crl "$D/crls/DSACACRL.crl" --explain >"$T/explain" 2>&1
expect_grep "DSACACRL.crl skipped" "$T/explain" "--explain names the skipped CRL"
expect_grep "1 anchor certificate(s) skipped" "$T/explain" "--explain names the skipped anchor"
expect_reason 1 REVOCATION_MISSING "a CRL of the leaf's issuer that cannot be used" -- \
    "$OCV" verify --cert "$D/certs/InvalidUnknownCRLExtensionTest9EE.crt" \
    --chain "$D/certs/UnknownCRLExtensionCACert.crt" --anchors "$T/anchors" --no-policy --at $AT \
    --identity subject --eku any --crl "$D/crls/UnknownCRLExtensionCACRL.crl" \
    --crl "$D/crls/TrustAnchorRootCRL.crl"
expect_reason 1 MALFORMED "SPIFFE rules by default: no URI SAN" -- "$OCV" verify \
    --cert "$D/certs/ValidCertificatePathTest1EE.crt" --chain "$D/certs/GoodCACert.crt" \
    --anchors "$T/anchors" --no-policy --at $AT --eku any
expect_reason 1 MALFORMED "--identity san and no SAN" -- "$OCV" verify \
    --cert "$D/certs/ValidCertificatePathTest1EE.crt" --chain "$D/certs/GoodCACert.crt" \
    --anchors "$T/anchors" --no-policy --at $AT --eku any --identity san
expect_exit 2 "an initial policy that is no OID" -- $V --anchors "$T/anchors" --initial-policy 1.x
e2e_finish pkits_cli
