#!/bin/sh
# Attack class: the same identifier compared in two forms (issue 8 #3, #15).
# A SPIFFE ID with an upper-case trust domain or scheme is not a valid
# SPIFFE ID: it is refused (MALFORMED), never folded into the revoked or
# policy-named workload's ID. A fallback identity (CN, DNS SAN) that reads
# like a SPIFFE ID is refused too, so it can never match a SPIFFE rule.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
"$OCV" keygen --type ec-p256 -o iss.key --jwks iss.jwks --kid k1 >/dev/null
cat > policy.json <<P
{"version": 1, "rules": [{"id": "web", "subjects": ["$ID"], "purposes": ["read"],
  "issuers": ["https://issuer.example", "CN=Test Root, O=ocv tests"]}]}
P
new_authority auth
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
printf '[{"type":"subject","value":"%s"}]\n' "$ID" > s.json
build --full --add s.json --valid-for 1d -o b1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b1.cose >/dev/null
before=$(state dev.db)

for variant in "spiffe://Example.org/ns/demo/sa/web" "SPIFFE://example.org/ns/demo/sa/web" \
    "Spiffe://example.org/ns/demo/sa/web"; do
    for fmt in jwt cwt; do
        "$OCV" mint token --format $fmt --key iss.key --kid k1 --iss https://issuer.example --sub "$variant" -o t.$fmt
        expect_reason 1 MALFORMED "$fmt sub $variant (revoked workload in another case)" -- \
            "$OCV" verify --token t.$fmt --jwks iss.jwks --db dev.db --policy policy.json --purpose read
        expect_grep "upper case\|lower case" .out "the detail says why"
    done
done
"$OCV" mint token --key iss.key --kid k1 --iss https://issuer.example --sub "$ID" -o exact.jwt
expect_reason 1 REVOKED "the exact ID is revoked" -- "$OCV" verify --token exact.jwt --jwks iss.jwks --db dev.db --policy policy.json --purpose read

# X.509: a URI SAN with an upper-case trust domain.
"$OCV" keygen --type ec-p256 -o l.key --pub l.pub >/dev/null
"$OCV" mint cert --pub l.pub --subject "CN=web" --uri "spiffe://EXAMPLE.org/ns/demo/sa/web" \
    --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o upper.pem
expect_reason 1 MALFORMED "X.509 URI SAN with an upper-case trust domain" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --cert upper.pem --chain "$P/inter.pem" --db dev.db --policy policy.json --purpose read

# Fallback identities that read like SPIFFE IDs (#15).
"$OCV" mint cert --pub l.pub --subject "CN=$ID" --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o cn.pem
expect_reason 1 MALFORMED "a CN fallback that reads like the rule's SPIFFE ID" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --cert cn.pem --chain "$P/inter.pem" --identity-fallback cn --policy policy.json --purpose read
expect_grep "fallback identity" .out "the detail names the fallback"
"$OCV" mint cert --pub l.pub --subject "CN=x" --dns "spiffe.example.org" --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o dns.pem
expect_reason 1 NO_MATCHING_RULE "an ordinary DNS fallback is an opaque identity" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --cert dns.pem --chain "$P/inter.pem" --identity-fallback dns --policy policy.json --purpose read

# DNS names (RFC 4343) and CNs (X.520) are case-insensitive: a certificate
# whose dNSName or CN differs from the revoked entry only in case is the
# same workload. The identity settles to lower case, entries are kept in
# lower case (bundle build folds what the operator typed), so no spelling
# escapes. Under --no-policy only revocation stands between it and OK.
printf '[{"type":"subject","value":"web.example.com"}]\n' > dns.json
build --delta --add dns.json --valid-for 1d -o b2.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b2.cose >/dev/null
X509="--anchors $P/anchors.pem --chain $P/inter.pem --db dev.db --no-policy"
"$OCV" mint cert --pub l.pub --subject "CN=x" --dns "Web.Example.COM" --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o dnsmixed.pem
expect_reason 1 REVOKED "a dNSName in another case than the revoked entry" -- \
    "$OCV" verify $X509 --cert dnsmixed.pem --identity-fallback dns
"$OCV" mint cert --pub l.pub --subject "CN=WEB.example.com" --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o cnmixed.pem
expect_reason 1 REVOKED "a CN in another case than the revoked entry" -- \
    "$OCV" verify $X509 --cert cnmixed.pem --identity-fallback cn
# The operator types the name as the certificate spells it: folded at build.
printf '[{"type":"subject","value":"API.Example.com"}]\n' > dnsupper.json
build --delta --add dnsupper.json --valid-for 1d -o b3.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b3.cose >/dev/null
"$OCV" mint cert --pub l.pub --subject "CN=x" --dns "api.example.com" --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o api.pem
expect_reason 1 REVOKED "an entry typed in upper case revokes the lower-case dNSName" -- \
    "$OCV" verify $X509 --cert api.pem --identity-fallback dns
# A token's sub is case-sensitive, but revocation errs towards denying:
# an entry revokes every case of an identity that is no SPIFFE ID.
"$OCV" mint token --key iss.key --kid k1 --iss https://issuer.example --sub "API.EXAMPLE.COM" -o upper.jwt
expect_reason 1 REVOKED "a token sub in another case than the entry" -- \
    "$OCV" verify --token upper.jwt --jwks iss.jwks --db dev.db --no-policy
before=$(state dev.db)
# The policy sees the settled form: a rule names a DNS identity in lower case.
cat > dnspolicy.json <<P
{"version": 1, "rules": [{"id": "dns", "subjects": ["shop.example.com"], "purposes": ["read"],
  "issuers": ["CN=Test Root, O=ocv tests"]}]}
P
"$OCV" mint cert --pub l.pub --subject "CN=x" --dns "Shop.Example.com" --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o shop.pem
expect_reason 0 OK "a dNSName in another case matches the lower-case rule" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --chain "$P/inter.pem" --cert shop.pem --identity-fallback dns --policy dnspolicy.json --purpose read

# A DN identity (--identity subject) keeps its UTF-8: mbedtls's printer
# wrote every non-ASCII byte as '?', so CN=Zürich was "CN=Z??rich", its
# entry "CN=Zürich" never matched (revoked, yet allowed), and CN=Zärich
# was the same identity as CN=Zürich.
"$OCV" mint cert --pub l.pub --subject "CN=Zürich" --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o zu.pem
"$OCV" mint cert --pub l.pub --subject "CN=Zärich" --issuer-cert "$P/inter.pem" --issuer-key "$P/inter.key" -o za.pem
printf '[{"type":"subject","value":"CN=Zürich"}]\n' > dn.json
build --delta --add dn.json --valid-for 1d -o b4.cose 2>/dev/null
"$OCV" revocation sync --db dev.db b4.cose >/dev/null
DN="--anchors $P/anchors.pem --chain $P/inter.pem --identity subject --no-policy --db dev.db"
expect_reason 1 REVOKED "a UTF-8 DN is revoked by its entry" -- "$OCV" verify $DN --cert zu.pem
expect_reason 0 OK "a DN differing only in a non-ASCII letter is another identity" -- \
    "$OCV" verify $DN --cert za.pem
expect_grep '"subject": "CN=Z\\u00[Ee]4rich"' .out "the identity is the DN's own text"
before=$(state dev.db)

# Entries are held to the same form: an upper-case SPIFFE ID is refused.
printf '[{"type":"subject","value":"spiffe://Example.org/ns/demo/sa/web"}]\n' > upper.json
expect_exit 2 "bundle build refuses a subject entry that is no valid SPIFFE ID" -- build --delta --add upper.json --valid-for 1d -o bad.cose
expect_unchanged "$before" "decisions and a refused build" dev.db
e2e_finish attack_identity_forms
