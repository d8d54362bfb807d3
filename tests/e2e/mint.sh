#!/bin/sh
# End-to-end: ocv keygen and ocv mint, checked by openssl (an independent
# reader): extensions are what was asked, chains verify, CRLs revoke.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
ID=spiffe://example.org/ns/mint/sa/check

for t in ec-p256 ec-p384 ec-p521 rsa ed25519; do
    expect_exit 0 "keygen $t" -- "$OCV" keygen --type $t -o $t.key --pub $t.pub
    expect_exit 0 "openssl reads the $t key" -- openssl pkey -in $t.key -noout
    expect_exit 0 "openssl reads the $t public key" -- openssl pkey -pubin -in $t.pub -noout
done
mode=$(stat -c %a ec-p256.key)
[ "$mode" = 600 ] && e2e_pass || e2e_fail "private key mode $mode, want 600"
expect_exit 2 "keygen refuses to overwrite" -- "$OCV" keygen --type ec-p256 -o ec-p256.key
expect_exit 0 "keygen --force overwrites" -- "$OCV" keygen --type ec-p256 -o ec-p256.key --force
expect_exit 2 "keygen refuses RSA 1024" -- "$OCV" keygen --type rsa --bits 1024 -o w.key
expect_exit 2 "keygen unknown type" -- "$OCV" keygen --type dsa -o w.key
expect_exit 2 "keygen without -o" -- "$OCV" keygen --type rsa

"$OCV" keygen --type ec-p256 -o root.key >/dev/null
expect_exit 0 "mint root" -- "$OCV" mint cert --key root.key --subject "CN=Mint Root,O=ocv" --ca -o root.pem
"$OCV" keygen --type ec-p384 -o inter.key --pub inter.pub >/dev/null
expect_exit 0 "mint intermediate" -- "$OCV" mint cert --pub inter.pub --subject "CN=Mint Inter" --ca \
    --path-len 0 --issuer-cert root.pem --issuer-key root.key -o inter.pem
"$OCV" keygen --type ec-p256 -o leaf.key --pub leaf.pub >/dev/null
expect_exit 0 "mint leaf" -- "$OCV" mint cert --pub leaf.pub --subject "CN=leaf" --uri "$ID" \
    --dns leaf.example.org --serial 1234abcd --valid-for 2h --eku clientAuth,serverAuth \
    --issuer-cert inter.pem --issuer-key inter.key -o leaf.pem

openssl x509 -in leaf.pem -noout -text > leaf.txt 2>&1
expect_grep "URI:$ID" leaf.txt "URI SAN"
expect_grep "DNS:leaf.example.org" leaf.txt "DNS SAN"
expect_grep "TLS Web Client Authentication, TLS Web Server Authentication" leaf.txt "EKU"
expect_grep "Digital Signature" leaf.txt "key usage"
expect_grep "CA:FALSE" leaf.txt "basic constraints of a leaf"
expect_grep "0x1234abcd" leaf.txt "serial"
expect_grep "Subject Key Identifier" leaf.txt "SKI"
openssl x509 -in inter.pem -noout -text > inter.txt 2>&1
expect_grep "CA:TRUE, pathlen:0" inter.txt "intermediate basic constraints"
expect_grep "Certificate Sign, CRL Sign" inter.txt "CA key usage"
expect_exit 0 "openssl verifies the chain" -- openssl verify -CAfile root.pem -untrusted inter.pem leaf.pem

# CRLs: openssl reads them and agrees on what is revoked.
expect_exit 0 "mint clean CRL" -- "$OCV" mint crl --issuer-cert inter.pem --issuer-key inter.key \
    --valid-for 1d --number 3 -o clean.crl
expect_exit 0 "mint revoking CRL" -- "$OCV" mint crl --issuer-cert inter.pem --issuer-key inter.key \
    --revoke 1234abcd --revoke ff --valid-for 1d --number 4 -o revoked.crl
openssl crl -in revoked.crl -noout -text > crl.txt 2>&1
expect_grep "Serial Number: 1234ABCD" crl.txt "revoked serial listed"
expect_grep "X509v3 CRL Number" crl.txt "CRL number"
cat root.pem inter.pem > bundle.pem
cat clean.crl > crls.pem
"$OCV" mint crl --issuer-cert root.pem --issuer-key root.key --valid-for 1d -o root.crl
cat root.crl >> crls.pem
expect_exit 0 "openssl: not revoked by the clean CRL" -- \
    openssl verify -crl_check_all -CAfile bundle.pem -CRLfile crls.pem leaf.pem
cat revoked.crl root.crl > crls2.pem
expect_exit 2 "openssl: revoked by our CRL" -- \
    openssl verify -crl_check_all -CAfile bundle.pem -CRLfile crls2.pem leaf.pem
expect_exit 0 "mint CRL in DER" -- "$OCV" mint crl --issuer-cert inter.pem --issuer-key inter.key \
    --valid-for 1d --der -o clean.der
expect_exit 0 "openssl reads the DER CRL" -- openssl crl -inform DER -in clean.der -noout
"$OCV" mint crl --issuer-cert inter.pem --issuer-key inter.key --this-update 2600000000 \
    --next-update 2600086400 -o far.crl
expect_exit 0 "a CRL dated after 2050 (GeneralizedTime)" -- openssl crl -in far.crl -noout

# RSA-signed chain and DER output.
"$OCV" keygen --type rsa --bits 2048 -o rroot.key >/dev/null
expect_exit 0 "mint RSA root" -- "$OCV" mint cert --key rroot.key --subject "CN=RSA Root" --ca -o rroot.pem
expect_exit 0 "mint DER leaf under RSA" -- "$OCV" mint cert --pub leaf.pub --subject "CN=r" --uri "$ID" \
    --issuer-cert rroot.pem --issuer-key rroot.key --md sha384 --der -o r.der
expect_exit 0 "openssl verifies the RSA-signed DER leaf" -- sh -c \
    "openssl x509 -inform DER -in r.der -out r.pem && openssl verify -CAfile rroot.pem r.pem"
expect_exit 0 "mint RSA CRL" -- "$OCV" mint crl --issuer-cert rroot.pem --issuer-key rroot.key \
    --valid-for 1d -o r.crl
expect_exit 0 "openssl checks the RSA CRL's signature" -- openssl crl -in r.crl -CAfile rroot.pem -noout

# Usage errors.
expect_exit 2 "mint without kind" -- "$OCV" mint
expect_exit 2 "mint unknown kind" -- "$OCV" mint frob
expect_exit 2 "mint cert without subject" -- "$OCV" mint cert --key root.key -o x.pem
expect_exit 2 "mint cert with both --key and --pub" -- "$OCV" mint cert --key root.key --pub leaf.pub --subject CN=x -o x.pem
expect_exit 2 "mint cert self-signed without --key" -- "$OCV" mint cert --pub leaf.pub --subject CN=x -o x.pem
expect_exit 2 "mint cert bad serial" -- "$OCV" mint cert --key root.key --subject CN=x --serial zz -o x.pem
expect_exit 2 "mint cert bad key usage" -- "$OCV" mint cert --key root.key --subject CN=x --key-usage everything -o x.pem
expect_exit 2 "mint cert Ed25519 subject" -- "$OCV" mint cert --key ed25519.key --subject CN=x -o x.pem
expect_exit 2 "mint crl without next update" -- "$OCV" mint crl --issuer-cert inter.pem --issuer-key inter.key -o x.crl
expect_exit 2 "mint crl next before this" -- "$OCV" mint crl --issuer-cert inter.pem --issuer-key inter.key \
    --this-update 2000 --next-update 1000 -o x.crl
expect_exit 2 "mint crl missing issuer key" -- "$OCV" mint crl --issuer-cert inter.pem --issuer-key nope.key --valid-for 1d -o x.crl
expect_exit 0 "mint cert --help" -- "$OCV" mint cert --help
expect_exit 0 "mint crl --help" -- "$OCV" mint crl --help
expect_exit 0 "keygen --help" -- "$OCV" keygen --help
e2e_finish mint
