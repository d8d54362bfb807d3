# Shared helpers for the attack suite (tests/attack/): each script attacks
# one class of guarantee that the docs make and asserts the exact reason,
# and that the device's state (store, audit log) is unchanged by the
# attempt. Source it after nothing else; it sources the e2e helpers.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../e2e/lib.sh"
P=${OCV_FIXTURES:-$T}/pki
[ -f "$P/anchors.pem" ] || sh "$HERE/../fixtures/make_pki.sh" "$P" >"$T/pki.log" 2>&1
NOW=$(date +%s)
ID=spiffe://example.org/ns/demo/sa/web

# SHA-256 of a certificate's or key file's SubjectPublicKeyInfo.
spki_of_cert() { openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1; }
spki_of_key() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1; }

# state FILE...: one line naming the content of every file (a store is
# dumped logically, so WAL or page layout differences do not count).
state() {
    for f in "$@"; do
        if [ ! -e "$f" ]; then echo "$f absent"
        elif sqlite3 "$f" .dump >/dev/null 2>&1; then echo "$f $(sqlite3 "$f" .dump | sha256sum)"
        else echo "$f $(sha256sum < "$f")"; fi
    done
}

# expect_unchanged BEFORE WHAT FILE...: the files hold what BEFORE recorded.
expect_unchanged() {
    before=$1; what=$2; shift 2
    if [ "$before" = "$(state "$@")" ]; then e2e_pass; else e2e_fail "$what: state changed"; fi
}

# A pinned authority and a store with one applied full bundle.
# new_store DB AUTHKEY: auth key/pub in $T, an empty full bundle applied.
new_authority() {
    "$OCV" keygen --type ec-p256 -o "$T/$1.key" --pub "$T/$1.pub" >/dev/null
}
build() { "$OCV" bundle build --state "$T/auth.db" --authority acme --authority-key "$T/auth.key" "$@"; }
