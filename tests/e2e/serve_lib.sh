# Helpers for the `ocv serve` end-to-end tests (serve_*.sh source it after
# lib.sh; run on its own it only defines functions). They make the
# credentials, a revocation store, a policy and a configuration in $T,
# start the server on a kernel-chosen port and stop it.

SERVE_TESTS=$(cd "$(dirname "$0")" && pwd)

# serve_fixtures: keys, tokens, store (acme, sequence 1), policy.
serve_fixtures() {
    NOW=$(date +%s)
    SUB=spiffe://example.org/ns/shop/sa/api
    ISS=https://issuer.example
    ID=spiffe://example.org/ns/demo/sa/web
    P=${OCV_FIXTURES:-$T}/pki
    [ -f "$P/root.pem" ] || sh "$SERVE_TESTS/../fixtures/make_pki.sh" "$P" >"$T/pki.log" 2>&1
    "$OCV" keygen --type ec-p256 -o iss.key --jwks iss.jwks --kid i1 >/dev/null
    mint() { "$OCV" mint token --key iss.key --kid i1 --iss $ISS --sub $SUB "$@"; }
    mint -o ok.jwt
    mint --format cwt --base64url -o ok.cwt
    mint --iat $((NOW - 7200)) --exp $((NOW - 3600)) -o expired.jwt
    mint --jti tok-42 -o t42.jwt
    "$OCV" keygen --type ec-p256 -o auth.key --pub auth.pub >/dev/null
    "$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
    "$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --full \
        --valid-for 1d -o b1.cose 2>/dev/null
    "$OCV" revocation sync --db dev.db b1.cose >/dev/null
    cat > policy.json <<EOP
{"version": 1, "rules": [
  {"id": "shop-api", "subjects": ["$SUB"], "issuers": ["$ISS"], "purposes": ["orders:read"],
   "credential_types": ["jwt", "cwt"]},
  {"id": "web-certs", "subjects": ["$ID"], "issuers": ["CN=Test Root, O=ocv tests"],
   "purposes": ["orders:read"], "credential_types": ["x509"]}]}
EOP
}

# serve_config FILE [EXTRA_SERVE_MEMBERS]: the configuration with routes
# GET /orders/ -> orders:read, POST /orders -> orders:write; the audit
# member is $SERVE_AUDIT (default {"path": "audit.log"}).
serve_config() {
    audit_member=${SERVE_AUDIT:-'{"path": "audit.log"}'}
    cat > "$1" <<EOC
{"anchors": "$P/root.pem", "jwks": "iss.jwks", "db": "dev.db", "policy": "policy.json",
 "serve": {"listen": "127.0.0.1:0", "threads": ${SERVE_THREADS:-2},
   "routes": [{"methods": ["GET", "HEAD"], "prefix": "/orders/", "purpose": "orders:read"},
              {"methods": ["POST"], "path": "/orders", "purpose": "orders:write"}],
   "audit": $audit_member${2:+, $2}}}
EOC
}

# serve_start CONFIG [FLAGS...]: starts `ocv serve` (stderr in serve.log),
# sets SERVE_PID and PORT (read from the "listening" line).
serve_start() {
    : > serve.log
    "$OCV" serve --config "$@" 2>>serve.log &
    SERVE_PID=$!
    PORT=
    i=0
    while [ $i -lt 200 ] && [ -z "$PORT" ]; do
        PORT=$(sed -n 's/.*"event":"listening","listen":"127.0.0.1:\([0-9]*\)".*/\1/p' serve.log | head -n 1)
        [ -n "$PORT" ] || sleep 0.05
        i=$((i + 1))
    done
    if [ -z "$PORT" ]; then
        kill -TERM "$SERVE_PID" 2>/dev/null
        wait "$SERVE_PID" 2>/dev/null
        e2e_fail "ocv serve did not start"
        sed 's/^/  | /' serve.log
        return 1
    fi
}

# serve_stop: SIGTERM, wait; sets SERVE_RC.
serve_stop() {
    kill -TERM "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID"
    SERVE_RC=$?
}

# req WANT_STATUS DESCRIPTION -- curl arguments...: one request; the
# response headers land in .h and the body in .b.
req() {
    want=$1 what=$2
    shift 3
    got=$(curl -s -o .b -D .h -w '%{http_code}' --max-time 20 "$@")
    if [ "$got" = "$want" ]; then e2e_pass; else
        e2e_fail "$what: HTTP $got, want $want"
        sed 's/^/  | /' .h .b
    fi
}

# hdr NAME VALUE DESCRIPTION: the last response carried header NAME: VALUE.
hdr() {
    if tr -d '\r' < .h | grep -qi "^$1: $2\$"; then e2e_pass; else
        e2e_fail "$3: no '$1: $2'"
        sed 's/^/  | /' .h
    fi
}

# no_hdr NAME DESCRIPTION
no_hdr() {
    if tr -d '\r' < .h | grep -qi "^$1:"; then
        e2e_fail "$2: unexpected header $1"
        sed 's/^/  | /' .h
    else e2e_pass; fi
}

# urlenc FILE: the file URL-encoded the way nginx escapes a certificate.
urlenc() {
    python3 -c 'import sys, urllib.parse; sys.stdout.write(urllib.parse.quote(open(sys.argv[1]).read(), safe=""))' "$1"
}

# metrics_wait PATTERN: fetches /metrics into .b until it holds PATTERN
# (fixed string; at most 2 s): audit counters move when the batch is
# written, a few milliseconds after the answer.
metrics_wait() {
    i=0
    while [ $i -lt 40 ]; do
        curl -s -o .b --max-time 5 "http://127.0.0.1:$PORT/metrics"
        grep -qF -- "$1" .b && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# log_wait PATTERN: serve.log holds PATTERN (fixed string) within 2 s,
# while the server runs: decision lines are flushed within 10 ms.
log_wait() {
    i=0
    while [ $i -lt 40 ]; do
        grep -qF -- "$1" serve.log && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
