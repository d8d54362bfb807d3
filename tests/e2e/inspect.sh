#!/bin/sh
# End-to-end: `ocv inspect` on each credential kind (JWT, CWT binary and
# base64url, certificate chains in PEM and DER), marked UNVERIFIED, with
# dates, subject, SANs, kids and thumbprints; garbage is exit 1.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
SUB=spiffe://example.org/ns/pay/sa/api
"$OCV" keygen --type ec-p256 -o k.key --jwks k.jwks --kid k1 >/dev/null
"$OCV" mint token --key k.key --kid k1 --iss https://i.example --sub $SUB --aud svc --iat 1800000000 --exp 1800000600 -o t.jwt
expect_exit 0 "inspect a JWT" -- "$OCV" inspect t.jwt
expect_grep "^UNVERIFIED JWT" .out "the JWT is marked unverified"
expect_grep 'iat: "2027-01-15T08:00:00Z"' .out "iat as a date"
expect_grep 'kid: "k1"' .out "the kid"
expect_grep "subject: \"$SUB\"" .out "the subject"
printf 'Bearer %s\n' "$(cat t.jwt)" > bearer.txt
expect_exit 0 "inspect a Bearer token file" -- "$OCV" inspect bearer.txt --json
expect_grep '"verified": false' .out "json says unverified"
expect_grep '"exp": "2027-01-15T08:10:00Z"' .out "json: exp as a date"

for tag in 61 18 none; do
    "$OCV" mint token --format cwt --tag $tag --base64url --key k.key --kid k1 --sub $SUB --typ application/cwt \
        --iat 1800000000 --exp 1800000600 -o t$tag.cwt
    expect_exit 0 "inspect a base64url CWT in tag $tag" -- "$OCV" inspect t$tag.cwt --json
    expect_grep '"format": "CWT"' .out "tag $tag: a CWT"
    expect_grep '"typ": "application/cwt"' .out "tag $tag: typ shown"
done
expect_grep '"kid": "6b31"' .out "the CWT kid in hex"
"$OCV" mint token --format cwt --key k.key --kid k1 --sub $SUB -o bin.cwt
expect_exit 0 "inspect a binary CWT" -- "$OCV" inspect bin.cwt
expect_grep "^UNVERIFIED CWT" .out "the CWT is marked unverified"
expect_grep "sub: \"$SUB\"" .out "the CWT sub is named"
expect_exit 1 "--type jwt on a CWT" -- "$OCV" inspect --type jwt bin.cwt

"$OCV" keygen --type ec-p256 -o root.key >/dev/null
"$OCV" mint cert --key root.key --subject "CN=Zürich Prod Root,O=ocv" --ca -o root.pem
"$OCV" mint cert --key k.key --subject "CN=api" --uri $SUB --dns api.example \
    --issuer-cert root.pem --issuer-key root.key -o leaf.pem
cat leaf.pem root.pem > chain.pem
expect_exit 0 "inspect a PEM chain" -- "$OCV" inspect chain.pem
expect_grep "^UNVERIFIED X.509" .out "the chain is marked unverified"
expect_grep "URI:$SUB" .out "the URI SAN"
expect_grep "DNS:api.example" .out "the DNS SAN"
expect_grep 'issuer: "CN=Zürich Prod Root, O=ocv"' .out "the issuer DN with UTF-8 kept"
expect_grep "spki_sha256: \"$(openssl x509 -in leaf.pem -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)\"" .out "the SPKI thumbprint"
expect_grep "x5t#S256" .out "the certificate thumbprint"
openssl x509 -in leaf.pem -outform DER > leaf.der
openssl x509 -in root.pem -outform DER > root.der
cat leaf.der root.der > chain.der
expect_exit 0 "inspect a DER chain" -- "$OCV" inspect chain.der --json
expect_grep '"ca": true' .out "DER chain: the root is a CA"
expect_grep '"not_after"' .out "DER chain: validity shown"

printf 'hello world\n' > junk.txt
expect_exit 1 "inspect garbage" -- "$OCV" inspect junk.txt
expect_exit 2 "inspect without a file" -- "$OCV" inspect
e2e_finish inspect
