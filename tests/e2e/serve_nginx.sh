#!/bin/sh
# End-to-end: a real nginx (Debian's nginx-light) with auth_request ->
# `ocv serve` -> an upstream that echoes what it was told (nginx itself),
# over plain HTTP and over TLS with a client certificate passed as
# $ssl_client_escaped_cert. nginx runs on loopback ports derived from $$
# (retried when taken) with its own prefix in $T, and is stopped after.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
cd "$T" || exit 1
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
if [ ! -x "$NGINX" ]; then
    e2e_fail "nginx not installed (make deps installs nginx-light)"
    e2e_finish serve_nginx
    exit 1
fi
serve_fixtures
serve_config ocv.json
serve_start ocv.json || { e2e_finish serve_nginx; exit 1; }

# The server's TLS certificate and a client certificate straight from the
# test root. nginx checks that the client holds the key (the TLS
# handshake) and leaves the chain, its validity and revocation to ocv
# (ssl_verify_client optional_no_ca).
"$OCV" keygen --type ec-p256 -o srv.key --pub srv.pub >/dev/null
"$OCV" mint cert --pub srv.pub --subject "CN=localhost" --dns localhost --eku serverAuth \
    --issuer-cert "$P/root.pem" --issuer-key "$P/root.key" --valid-for 1d -o srv.pem
"$OCV" keygen --type ec-p256 -o client.key --pub client.pub >/dev/null
"$OCV" mint cert --pub client.pub --subject "CN=web" --uri "$ID" --eku clientAuth \
    --issuer-cert "$P/root.pem" --issuer-key "$P/root.key" --valid-for 1h -o client.pem
"$OCV" mint cert --pub client.pub --subject "CN=web" --uri "$ID" --eku clientAuth \
    --issuer-cert "$P/root.pem" --issuer-key "$P/root.key" \
    --not-before $((NOW - 7200)) --not-after $((NOW - 3600)) -o client_old.pem

mkdir -p ngx/logs ngx/tmp
write_nginx_conf() {
    cat > ngx/nginx.conf <<EON
master_process off;
daemon off;
worker_processes 1;
error_log $T/ngx/logs/error.log warn;
pid $T/ngx/nginx.pid;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $T/ngx/tmp/body;
    proxy_temp_path $T/ngx/tmp/proxy;
    fastcgi_temp_path $T/ngx/tmp/fastcgi;
    uwsgi_temp_path $T/ngx/tmp/uwsgi;
    scgi_temp_path $T/ngx/tmp/scgi;
    upstream ocv { server 127.0.0.1:$PORT; keepalive 8; }
    server {
        listen 127.0.0.1:$NPORT;
        listen 127.0.0.1:$SPORT ssl;
        ssl_certificate $T/srv.pem;
        ssl_certificate_key $T/srv.key;
        ssl_verify_client optional_no_ca;
        location / {
            auth_request /_ocv;
            auth_request_set \$ocv_subject \$upstream_http_x_ocv_subject;
            auth_request_set \$ocv_rule \$upstream_http_x_ocv_rule;
            auth_request_set \$ocv_reason \$upstream_http_x_ocv_reason;
            add_header X-OCV-Reason \$ocv_reason always;
            proxy_set_header X-OCV-Subject \$ocv_subject;
            proxy_set_header X-OCV-Rule \$ocv_rule;
            proxy_pass http://127.0.0.1:$UPORT;
        }
        location = /_ocv {
            internal;
            proxy_pass http://ocv/auth;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URI \$request_uri;
            proxy_set_header X-Original-Method \$request_method;
            proxy_set_header X-Client-Cert \$ssl_client_escaped_cert;
            proxy_set_header X-OCV-Purpose "";
        }
    }
    server {
        listen 127.0.0.1:$UPORT;
        location / { return 200 "upstream: subject=\$http_x_ocv_subject rule=\$http_x_ocv_rule\n"; }
    }
}
EON
}

# Ports from $$, three apart; retried when one is taken.
attempt=0
NGINX_PID=
while [ $attempt -lt 8 ] && [ -z "$NGINX_PID" ]; do
    base=$((20000 + ($$ * 13 + attempt * 997) % 30000))
    NPORT=$base SPORT=$((base + 1)) UPORT=$((base + 2))
    write_nginx_conf
    : > ngx/logs/error.log
    "$NGINX" -p "$T/ngx" -c "$T/ngx/nginx.conf" -e "$T/ngx/logs/error.log" 2>>ngx/logs/error.log &
    pid=$!
    i=0
    while [ $i -lt 100 ]; do
        if curl -s -o /dev/null --max-time 1 http://127.0.0.1:$UPORT/ 2>/dev/null; then
            NGINX_PID=$pid
            break
        fi
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
        i=$((i + 1))
    done
    if [ -z "$NGINX_PID" ]; then
        kill $pid 2>/dev/null
        wait $pid 2>/dev/null
    fi
    attempt=$((attempt + 1))
done
if [ -z "$NGINX_PID" ]; then
    e2e_fail "nginx did not start"
    sed 's/^/  | /' ngx/logs/error.log
    serve_stop
    e2e_finish serve_nginx
    exit 1
fi
stop_nginx() { kill -TERM "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; }
trap 'stop_nginx; kill -TERM $SERVE_PID 2>/dev/null; rm -rf "$T"' EXIT

N=http://127.0.0.1:$NPORT
B="Authorization: Bearer"
req 200 "valid token through nginx" -- -H "$B $(cat ok.jwt)" $N/orders/7
expect_grep "upstream: subject=$SUB rule=shop-api" .b "the upstream sees X-OCV-Subject and the rule"
req 403 "expired token" -- -H "$B $(cat expired.jwt)" $N/orders/7
hdr X-OCV-Reason EXPIRED "nginx passes the reason on"
req 403 "wrong purpose through the routes" -- -X POST -H "$B $(cat ok.jwt)" $N/orders
hdr X-OCV-Reason PURPOSE_NOT_ALLOWED "POST /orders is orders:write"
req 403 "no route rule" -- -H "$B $(cat ok.jwt)" $N/admin/x
hdr X-OCV-Reason NO_MATCHING_RULE "no rule for /admin/"
req 403 "the client cannot pick its purpose" -- -H "$B $(cat ok.jwt)" \
    -H "X-OCV-Purpose: orders:read" -X POST $N/orders
hdr X-OCV-Reason PURPOSE_NOT_ALLOWED "nginx blanks X-OCV-Purpose"
req 401 "no token" -- $N/orders/7
req 401 "a forged client-certificate header is replaced by nginx" -- \
    -H "X-Client-Cert: $(urlenc client.pem)" $N/orders/7

# Revoked by a sync while both run: the very next request.
req 200 "tok-42 before" -- -H "$B $(cat t42.jwt)" $N/orders/7
printf '[{"type":"jti","issuer":"%s","value":"tok-42"}]' $ISS > revoke.json
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --delta \
    --add revoke.json --valid-for 1d -o b2.cose 2>/dev/null
expect_exit 0 "sync while serving" -- "$OCV" revocation sync --db dev.db b2.cose
req 403 "tok-42 right after the sync" -- -H "$B $(cat t42.jwt)" $N/orders/7
hdr X-OCV-Reason REVOKED "revoked"

# Garbage: never a 200.
for h in "Authorization: Bearer" "Authorization: Bearer !!!" "Authorization: Basic Zm9vOmJhcg==" \
    "Authorization: Bearer $(head -c 3000 /dev/zero | tr '\0' 'A')" \
    "Authorization: Bearer $(cat ok.jwt | cut -c 1-60)"; do
    got=$(curl -s -o /dev/null -w '%{http_code}' -H "$h" $N/orders/7)
    case $got in 400|401) e2e_pass ;; *) e2e_fail "garbage '$(echo "$h" | cut -c 1-40)': HTTP $got, want 400 or 401" ;; esac
done
# A raw URI a route could be fooled by: ocv answers 400, which
# auth_request turns into a 500 for the client (any status but 2xx, 401
# and 403 is an error to nginx): refused either way, never 200.
for u in "/orders/../admin" "/orders/%2e%2e/admin" "/orders/%2E%2e/admin/" "/orders/x%00y"; do
    got=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is -H "$B $(cat ok.jwt)" "$N$u")
    case $got in 400|500) e2e_pass ;; *) e2e_fail "raw URI $u through nginx: HTTP $got, want 400 or 500" ;; esac
done
expect_grep '"status":400,"why":"X-Original-URI is not an acceptable path"' serve.log "ocv refused the raw URI with 400"

# A client certificate over real TLS, as $ssl_client_escaped_cert.
S=https://localhost:$SPORT
TLS="--cacert $P/root.pem --resolve localhost:$SPORT:127.0.0.1"
req 200 "client certificate over TLS" -- $TLS --cert client.pem --key client.key $S/orders/7
expect_grep "upstream: subject=$ID rule=web-certs" .b "identity from the certificate"
req 401 "TLS without a client certificate" -- $TLS $S/orders/7
req 200 "token over TLS, no client certificate" -- $TLS -H "$B $(cat ok.jwt)" $S/orders/7
req 403 "a client certificate from an unknown CA (nginx leaves it to ocv)" -- \
    $TLS --cert "$P/stranger.pem" --key "$P/stranger.key" $S/orders/7
hdr X-OCV-Reason CHAIN_UNTRUSTED "ocv refuses the chain"
got=$(curl -s -o /dev/null -w '%{http_code}' $TLS --cert client_old.pem --key client.key $S/orders/7)
case $got in 400|403) e2e_pass ;; *) e2e_fail "an expired client certificate: HTTP $got, want 400 (nginx) or 403" ;; esac

stop_nginx
serve_stop
trap 'rm -rf "$T"' EXIT
expect_exit 0 "ocv serve exits 0 after SIGTERM" -- test "$SERVE_RC" -eq 0
expect_exit 0 "the audit log verifies" -- "$OCV" audit verify audit.log
expect_grep '"contract":"nginx"' audit.log "nginx decisions audited"
e2e_finish serve_nginx
