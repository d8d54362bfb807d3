#!/bin/sh
# End-to-end: `ocv serve` in the Envoy ext_authz HTTP-service shape (the
# original path under /envoy, the original method, XFCC), straight at the
# server: allow with x-spiffe-id, every deny with its reason, 401 and 400
# where they belong, a revocation synced while it runs, /healthz,
# /metrics, the decision log and the audit log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
cd "$T" || exit 1
serve_fixtures
serve_config ocv.json
serve_start ocv.json || { e2e_finish serve_envoy; exit 1; }
U=http://127.0.0.1:$PORT/envoy
B="Authorization: Bearer"

req 200 "valid JWT" -- -H "$B $(cat ok.jwt)" $U/orders/7
hdr x-spiffe-id "$SUB" "Envoy gets the identity for upstream"
hdr X-OCV-Rule shop-api "the rule"
expect_exit 0 "the decision line is on stderr while the server runs" -- \
    log_wait '"event":"decision","decision":"allow"'
req 200 "valid CWT in base64url" -- -H "$B $(cat ok.cwt)" $U/orders/7
req 403 "expired token" -- -H "$B $(cat expired.jwt)" $U/orders/7
hdr X-OCV-Reason EXPIRED "reason header"
no_hdr x-spiffe-id "no identity on a deny"
req 403 "POST /orders maps to orders:write" -- -X POST -H "$B $(cat ok.jwt)" $U/orders
hdr X-OCV-Reason PURPOSE_NOT_ALLOWED "wrong purpose through the routes"
req 403 "a path no route names" -- -H "$B $(cat ok.jwt)" $U/admin
hdr X-OCV-Reason NO_MATCHING_RULE "no route rule"
req 403 "the purpose header wins over the routes" -- -H "$B $(cat ok.jwt)" \
    -H "X-OCV-Purpose: orders:write" $U/orders/7
hdr X-OCV-Reason PURPOSE_NOT_ALLOWED "purpose from the header"
req 401 "no credential" -- $U/orders/7
hdr WWW-Authenticate Bearer "401 challenges"
no_hdr X-OCV-Reason "no reason without a credential"
req 401 "Basic credentials" -- -H "Authorization: Basic dXNlcjpwYXNz" $U/orders/7
hdr X-OCV-Reason MALFORMED "unreadable credential"
req 401 "a token of garbage" -- -H "$B hello" $U/orders/7
hdr X-OCV-Reason UNSUPPORTED_FORMAT "the verifier could not read it"
req 401 "a token with spaces and quotes" -- -H "$B a\"b c" $U/orders/7
req 400 "two Authorization headers" -- -H "$B $(cat ok.jwt)" -H "$B $(cat ok.jwt)" $U/orders/7
req 400 "dot segments in the original path" -- --path-as-is -H "$B $(cat ok.jwt)" $U/orders/../admin
req 400 "encoded dot segments" -- -H "$B $(cat ok.jwt)" "$U/orders/%2e%2e/admin"
req 400 "an encoded NUL" -- -H "$B $(cat ok.jwt)" "$U/orders/%00/x"
req 400 "a purpose header with a space" -- -H "$B $(cat ok.jwt)" -H "X-OCV-Purpose: a b" $U/orders/7
req 404 "not an endpoint" -- -H "$B $(cat ok.jwt)" http://127.0.0.1:$PORT/elsewhere

# XFCC: Cert= and Chain=, URL-encoded PEM; URI= alone is never trusted.
CERT=$(urlenc "$P/leaf.pem")
CHAIN=$(urlenc "$P/inter.pem")
X=x-forwarded-client-cert
req 200 "client certificate in XFCC" -- -H "$X: By=spiffe://example.org/envoy;Cert=\"$CERT\";Chain=\"$CHAIN\";URI=$ID" $U/orders/7
hdr x-spiffe-id "$ID" "identity from the certificate"
hdr X-OCV-Rule web-certs "the certificate rule"
req 401 "XFCC with URI= only" -- -H "$X: By=spiffe://example.org/envoy;URI=$ID" $U/orders/7
req 400 "XFCC with two elements" -- -H "$X: Cert=\"$CERT\",Cert=\"$CERT\"" $U/orders/7
req 400 "XFCC with a broken quote" -- -H "$X: Cert=\"$CERT" $U/orders/7
req 401 "XFCC Cert= that does not decode" -- -H "$X: Cert=%zz" $U/orders/7
EXP=$(urlenc "$P/expired.pem")
req 403 "an expired certificate in XFCC" -- -H "$X: Cert=\"$EXP\";Chain=\"$CHAIN\"" $U/orders/7
hdr X-OCV-Reason EXPIRED "certificate reason"
req 401 "nginx's certificate header is not read on the Envoy contract" -- \
    -H "X-Client-Cert: $CERT" $U/orders/7

# A revocation synced by another process while the server runs.
req 200 "tok-42 before the revocation" -- -H "$B $(cat t42.jwt)" $U/orders/7
printf '[{"type":"jti","issuer":"%s","value":"tok-42"}]' $ISS > revoke.json
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --delta \
    --add revoke.json --valid-for 1d -o b2.cose 2>/dev/null
expect_exit 0 "sync while serving" -- "$OCV" revocation sync --db dev.db b2.cose
req 403 "the very next request" -- -H "$B $(cat t42.jwt)" $U/orders/7
hdr X-OCV-Reason REVOKED "revoked"

req 200 "healthz" -- http://127.0.0.1:$PORT/healthz
expect_grep "revocation data fresh" .b "healthz says why"
req 200 "metrics" -- http://127.0.0.1:$PORT/metrics
expect_grep 'ocv_decisions_total{decision="deny",reason="REVOKED"} 1' .b "metrics count the revoked deny"
expect_grep 'ocv_decisions_total{decision="allow",reason="OK"} 4' .b "metrics count allows"
expect_grep 'ocv_revocation_sequence{authority="acme"} 2' .b "metrics show the sequence"
expect_grep 'ocv_http_responses_total{code="400"} 7' .b "metrics count 400s"
expect_grep 'ocv_cache_lookups_total{cache="signature",result="hit"} [1-9]' .b \
    "a repeated token's signature came from the cache"
expect_grep 'ocv_cache_lookups_total{cache="signature",result="miss"} [1-9]' .b "first sights miss"
expect_grep 'ocv_cache_lookups_total{cache="store",result="hit"} [1-9]' .b \
    "the unchanged store answered from the connections' cache"
expect_grep 'ocv_cache_lookups_total{cache="store",result="miss"} [1-9]' .b \
    "the sync sent a read to the store"
metrics_wait 'ocv_audit_records_total 11'
expect_grep 'ocv_audit_records_total 11' .b "every decision audited"
expect_grep 'ocv_audit_pending_records 0' .b "nothing left unwritten"
expect_grep 'ocv_audit_failures_total 0' .b "no audit failure"

serve_stop
expect_exit 0 "exit status after SIGTERM" -- test "$SERVE_RC" -eq 0
expect_grep '"event":"drained"' serve.log "drain logged"
expect_grep '"event":"decision","decision":"deny","reason":"REVOKED"' serve.log "decision line"
expect_grep '"credential_sha256":"' serve.log "fingerprint logged"
if grep -qF "$(cat ok.jwt)" serve.log audit.log; then e2e_fail "a raw token in the logs"; else e2e_pass; fi
expect_exit 0 "the audit log verifies" -- "$OCV" audit verify audit.log
expect_grep '"event":"decision"' audit.log "decision records"
expect_grep '"revocation":\[{"authority":"acme","sequence":2}\]' audit.log "sequence in force"
grep '"reason":"REVOKED"' audit.log > revoked.rec
expect_grep '"revocation":\[{"authority":"acme","sequence":2}\]' revoked.rec \
    "the very next decision after the sync records the new sequence"
expect_grep '"subject_claimed":false' audit.log "verified identity"
expect_grep '"peer":"127.0.0.1:' audit.log "peer address"
n=$(grep -c '"event":"decision"' audit.log)
expect_exit 0 "11 decision records ($n)" -- test "$n" -eq 11
sed 's/"reason":"REVOKED"/"reason":"OK"/' audit.log > edited.log
expect_exit 1 "an edited decision record fails verification" -- "$OCV" audit verify edited.log
e2e_finish serve_envoy
