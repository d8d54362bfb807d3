#!/bin/sh
# make bench: fixtures made on the spot with ocv's own tools, then
# `ocv bench`. Figures are printed, never asserted.
set -eu
: "${OCV:?}"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for kind in ec-p256 ec-p384 rsa; do
    "$OCV" keygen --type $kind -o "$D/root-$kind.key" --pub "$D/root-$kind.pub" >/dev/null
    "$OCV" mint cert --key "$D/root-$kind.key" --subject "CN=Bench Root" --ca -o "$D/root-$kind.pem"
    "$OCV" keygen --type $kind -o "$D/inter-$kind.key" --pub "$D/inter-$kind.pub" >/dev/null
    "$OCV" mint cert --pub "$D/inter-$kind.pub" --subject "CN=Bench Intermediate" --ca \
        --issuer-cert "$D/root-$kind.pem" --issuer-key "$D/root-$kind.key" -o "$D/inter-$kind.pem"
    "$OCV" keygen --type $kind -o "$D/leaf-$kind.key" --pub "$D/leaf-$kind.pub" >/dev/null
    "$OCV" mint cert --pub "$D/leaf-$kind.pub" --subject "CN=bench" --uri spiffe://bench/w \
        --issuer-cert "$D/inter-$kind.pem" --issuer-key "$D/inter-$kind.key" --valid-for 1d \
        -o "$D/leaf-$kind.pem"
    echo
    echo "== X.509 chain, $kind (leaf + intermediate + anchor)"
    "$OCV" bench x509 --anchors "$D/root-$kind.pem" --cert "$D/leaf-$kind.pem" \
        --chain "$D/inter-$kind.pem" --batches 7 --batch-size 20
done

echo
echo "== tokens (JWT and CWT; one thread, then two)"
"$OCV" bench token --tokens "${OCV_BENCH_TOKENS:-1000}" --batches 5 --threads 2 --dir "$D"
echo
"$OCV" bench revocation --entries "${OCV_BENCH_ENTRIES:-1000000}" --delta 10000 --dir "$D"

if [ -n "${POLICY_BENCH:-}" ]; then
    echo
    "$POLICY_BENCH"
fi

# ocv serve behind nginx and alone (wrk); bench/serve.sh
if [ -x "$(dirname "$0")/serve.sh" ] || [ -f "$(dirname "$0")/serve.sh" ]; then
    OCV="$OCV" sh "$(dirname "$0")/serve.sh"
fi
