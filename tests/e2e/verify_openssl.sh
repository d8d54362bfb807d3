#!/bin/sh
# End-to-end: `ocv verify` on a PKI made by the openssl command line, an
# issuer independent of ocv's own mint: EC and RSA chains, PSS, a CRL from
# `openssl ca -gencrl`.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "openssl missing (make deps installs it)"; e2e_fail openssl; e2e_finish verify_openssl; exit 1; }
cd "$T" || exit 1
ID=spiffe://example.org/ns/ossl/sa/api
q() { "$@" >/dev/null 2>&1 || { e2e_fail "openssl: $*"; }; }

cat > ca.ext <<'X'
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=URI:%s\n' "$ID" > leaf.ext

q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout root.key -out root.pem \
    -subj "/CN=OpenSSL Root" -days 3650 -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout inter.key -out inter.csr -subj "/CN=OpenSSL Intermediate"
q openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -set_serial 2 -days 365 -out inter.pem -extfile ca.ext
q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=api"
q openssl x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -set_serial 4096 -days 1 -out leaf.pem -extfile leaf.ext
q openssl x509 -in leaf.pem -outform DER -out leaf.der

# RSA-PSS leaf under an RSA root.
q openssl req -x509 -newkey rsa:2048 -nodes -keyout rroot.key -out rroot.pem -subj "/CN=OpenSSL RSA Root" \
    -days 3650 -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
q openssl req -newkey rsa:2048 -nodes -keyout pss.key -out pss.csr -subj "/CN=pss"
q openssl x509 -req -in pss.csr -CA rroot.pem -CAkey rroot.key -set_serial 7 -days 1 -out pss.pem \
    -extfile leaf.ext -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sha256
q openssl x509 -req -in leaf.csr -CA rroot.pem -CAkey rroot.key -set_serial 8 -days 1 -out sha1.pem \
    -extfile leaf.ext -sha1

# A CRL of the intermediate revoking serial 4096 (0x1000).
mkdir -p ca && : > ca/index.txt && echo 01 > ca/crlnumber
printf 'V\t301231000000Z\t\t1000\tunknown\t/CN=api\n' > ca/index.txt
sed -i 's/^V\(.*\)$/R\1/; s/^R\t\([0-9Z]*\)\t\t/R\t\1\t241124000000Z\t/' ca/index.txt
cat > ca.cnf <<X
[ ca ]
default_ca = d
[ d ]
database = $T/ca/index.txt
crlnumber = $T/ca/crlnumber
default_md = sha256
default_crl_days = 1
X
q openssl ca -config ca.cnf -gencrl -keyfile inter.key -cert inter.pem -out revoked.crl
: > ca/index.txt
q openssl ca -config ca.cnf -gencrl -keyfile inter.key -cert inter.pem -out clean.crl
cat root.pem rroot.pem > anchors.pem

V="$OCV verify --anchors anchors.pem --no-policy"
expect_reason 0 OK "openssl EC chain" -- $V --cert leaf.pem --chain inter.pem
expect_grep "\"subject\": \"$ID\"" "$T/.out" "identity from openssl leaf"
expect_reason 0 OK "openssl DER leaf" -- $V --cert leaf.der --chain inter.pem
expect_reason 0 OK "openssl RSA-PSS leaf" -- $V --cert pss.pem
expect_reason 1 ALG_NOT_ALLOWED "openssl SHA-1 leaf" -- $V --cert sha1.pem
expect_reason 0 OK "openssl CRL, not listed" -- $V --cert leaf.pem --chain inter.pem --crl clean.crl
expect_reason 1 REVOKED "openssl CRL revoking the leaf" -- $V --cert leaf.pem --chain inter.pem --crl revoked.crl
expect_reason 1 CHAIN_UNTRUSTED "openssl chain without its root" -- \
    "$OCV" verify --anchors rroot.pem --no-policy --cert leaf.pem --chain inter.pem
# openssl agrees with ocv on the same files.
expect_exit 0 "openssl verify agrees" -- openssl verify -CAfile root.pem -untrusted inter.pem leaf.pem
e2e_finish verify_openssl
