#!/bin/sh
# bench/serve.sh - `ocv serve` under wrk (run by bench/run.sh; OCV names the
# binary). On loopback, in one run:
#   wrk straight at ocv serve (Envoy shape), repeated and distinct tokens,
#     with and without the audit log and the decision log;
#   ocv serve on one core (taskset): the requests per second one core
#     answers, audited, with wrk on the other core (median of 3), and as
#     the reference measured in the same rounds, nginx answering "return
#     200" on that core;
#   peak RSS of ocv serve after 1,000 connections;
#   nginx serving a static file alone, with the auth_request hop to ocv
#     serve (repeated token, audited, and "distinct" tokens: 1000 cycled
#     with the verified-signature cache off, so every request verifies a
#     signature), and, as the control, with the hop to the cheapest
#     possible auth service: another nginx process answering "return 200".
#     Static, control and ocv runs alternate, 3 rounds; medians.
# Requests per second, p50 and p99 from wrk --latency. Printed, never
# asserted. SERVE_BENCH_SECONDS (default 5) per run.
set -eu
: "${OCV:?}"
SECS=${SERVE_BENCH_SECONDS:-5}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v wrk >/dev/null || { echo "serve bench: wrk not installed (make deps)"; exit 0; }
D=$(mktemp -d)
SERVE_PID= NGINX_PID= NULL_PID=
cleanup() {
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    [ -n "$NULL_PID" ] && kill "$NULL_PID" 2>/dev/null && wait "$NULL_PID" 2>/dev/null
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
    rm -rf "$D"
}
trap cleanup EXIT
cd "$D"

SUB=spiffe://bench.example/ns/shop/sa/api
ISS=https://issuer.bench.example
"$OCV" keygen --type ec-p256 -o iss.key --jwks iss.jwks --kid b1 >/dev/null
"$OCV" mint token --key iss.key --kid b1 --iss $ISS --sub $SUB --valid-for 1h -o tok.jwt
i=0
: > tokens.txt
while [ $i -lt 1000 ]; do
    "$OCV" mint token --key iss.key --kid b1 --iss $ISS --sub $SUB --jti "t$i" --valid-for 1h -o - >> tokens.txt
    echo >> tokens.txt
    i=$((i + 1))
done
"$OCV" keygen --type ec-p256 -o auth.key --pub auth.pub >/dev/null
"$OCV" revocation init --db rev.db --authority acme --authority-pub auth.pub >/dev/null
"$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --full \
    --valid-for 1d -o b1.cose 2>/dev/null
"$OCV" revocation sync --db rev.db b1.cose >/dev/null
cat > policy.json <<EOP
{"version": 1, "rules": [{"id": "shop", "subjects": ["$SUB"], "issuers": ["$ISS"],
  "purposes": ["orders:read"]}]}
EOP
# config NAME CACHE AUDIT(0/1) [LOG_LEVEL [EXTRA_AUDIT_MEMBERS]]
config() {
    audit=
    [ "$3" = 1 ] && audit=', "audit": {"path": "audit-'$1'.log"'${5:+, $5}'}'
    audit="$audit, \"log\": {\"level\": \"${4:-info}\"}"
    cat > "$1.json" <<EOC
{"jwks": "iss.jwks", "db": "rev.db", "policy": "policy.json", "signature_cache": $2,
 "serve": {"listen": "127.0.0.1:0", "threads": ${THREADS:-2},
   "limits": {"max_connections": 2048, "max_header_bytes": 8192},
   "routes": [{"methods": ["GET"], "prefix": "/orders/", "purpose": "orders:read"}]$audit}}
EOC
}
start_serve() {
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
    ${PIN_SERVE:-} "$OCV" serve --config "$1.json" 2>serve.log >/dev/null &
    SERVE_PID=$!
    PORT=
    n=0
    while [ -z "$PORT" ] && [ $n -lt 100 ]; do
        sleep 0.05
        PORT=$(sed -n 's/.*"listen":"127.0.0.1:\([0-9]*\)".*/\1/p' serve.log | head -n 1)
        n=$((n + 1))
    done
}
# nginx_head DIR: starts DIR/nginx.conf with what every configuration
# here shares, up to and inside "http {": one foreground worker whose
# files live under $D/DIR (made here); the caller appends its servers and
# the closing brace.
nginx_head() {
    mkdir -p "$1/logs" "$1/tmp"
    cat > "$1/nginx.conf" <<EON
master_process off;
daemon off;
worker_processes 1;
worker_rlimit_nofile 4096;
error_log $D/$1/logs/error.log warn;
pid $D/$1/nginx.pid;
events { worker_connections 2048; }
http {
    access_log off;
    client_body_temp_path $D/$1/tmp/body; proxy_temp_path $D/$1/tmp/proxy;
    fastcgi_temp_path $D/$1/tmp/f; uwsgi_temp_path $D/$1/tmp/u; scgi_temp_path $D/$1/tmp/s;
EON
}
# start_null [PREFIX...]: the cheapest HTTP service there is, another
# nginx process answering "return 200" on port $NULL_PORT (the control
# behind nginx, and the one-core reference); NULL_PID.
NULL_PORT=$((20001 + ($$ * 17) % 30000))
start_null() {
    [ -n "$NULL_PID" ] && kill "$NULL_PID" 2>/dev/null && wait "$NULL_PID" 2>/dev/null
    nginx_head null
    printf '    server { listen 127.0.0.1:%s; location / { return 200; } }\n}\n' "$NULL_PORT" \
        >> null/nginx.conf
    "$@" "$NGINX" -p "$D/null" -c "$D/null/nginx.conf" 2>>null/logs/error.log &
    NULL_PID=$!
    sleep 0.3
}
cat > distinct.lua <<'EOL'
local tokens = {}
for line in io.lines("tokens.txt") do if #line > 0 then tokens[#tokens + 1] = line end end
local i = 0
request = function()
    i = i % #tokens + 1
    wrk.headers["Authorization"] = "Bearer " .. tokens[i]
    return wrk.format(nil, nil)
end
EOL
# cpu_ticks: utime + stime of ocv serve, in clock ticks.
cpu_ticks() {
    awk '{ print $14 + $15 }' /proc/$SERVE_PID/stat
}
# audit_line NAME [TICKS_BEFORE TICKS_AFTER]: the audit counters from
# /metrics (records per fsync) and, with ticks, CPU per answered request.
audit_line() {
    m=$(curl -s http://127.0.0.1:$PORT/metrics)
    recs=$(echo "$m" | sed -n 's/^ocv_audit_records_total \([0-9]*\)/\1/p')
    bat=$(echo "$m" | sed -n 's/^ocv_audit_batches_total \([0-9]*\)/\1/p')
    answered=$(echo "$m" | sed -n 's/^ocv_decision_duration_seconds_count \([0-9]*\)/\1/p')
    cpu=
    if [ -n "${3:-}" ] && [ "${answered:-0}" -gt 0 ]; then
        hz=$(getconf CLK_TCK)
        cpu=$(awk -v t="$(($3 - $2))" -v hz="$hz" -v n="$answered" \
            'BEGIN { us = t / hz * 1e6 / n; printf ", CPU %.1f us a request (%.0f req/s per core)", us, 1e6 / us }')
    fi
    echo "    (audit: $recs records in $bat write+fsync batches$cpu)"
}
# to_us 1.23ms -> 1230 (wrk's units: us, ms, s)
to_us() {
    echo "$1" | awk '/us$/ { print $0 + 0; next } /ms$/ { print ($0 + 0) * 1000; next }
                     /s$/ { print ($0 + 0) * 1000000; next } { print 0 }'
}
keyof() { printf '%s' "$1" | tr -c 'a-zA-Z0-9' '_'; }
# run LABEL wrk-args...: one wrk run, one result line.
run() {
    label=$1
    shift
    ${PIN_WRK:-nice -n 10} wrk --latency -t${WRK_THREADS:-2} -c64 -d"${SECS}s" "$@" > wrk.out 2>&1 || true
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' wrk.out)
    p50=$(sed -n 's/^ *50% *\([0-9.]*[a-z]*\).*/\1/p' wrk.out)
    p99=$(sed -n 's/^ *99% *\([0-9.]*[a-z]*\).*/\1/p' wrk.out)
    non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' wrk.out)
    printf '  %-46s %10s req/s  p50 %8s  p99 %8s%s\n' "$label" "${rps:-?}" "${p50:-?}" "${p99:-?}" \
        "${non2xx:+  non-2xx $non2xx}"
    key=$(keyof "$label")
    eval "RPS_$key=\${rps:-0}; P99_$key=\$(to_us \${p99:-0})"
    echo "$key ${rps:-0} $(to_us "${p99:-0}")" >> runs.txt
}
# median KEY rps|p99: the median over the runs labelled KEY.
median() {
    col=2
    [ "$2" = p99 ] && col=3
    awk -v k="$1" -v c=$col '$1 == k { print $c }' runs.txt | sort -n |
        awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'
}

echo
echo "== ocv serve (wrk -t2 -c64, ${SECS}s a run; ocv serve 2 threads, decision log to a file)"
config repeated 4096 0
start_serve repeated
A="Authorization: Bearer $(cat tok.jwt)"
run "ocv serve direct, repeated token" -H "$A" http://127.0.0.1:$PORT/envoy/orders/1
config quiet 4096 0 warn
start_serve quiet
run "ocv serve direct, repeated, no decision log" -H "$A" http://127.0.0.1:$PORT/envoy/orders/1
config distinct 0 0
start_serve distinct
run "ocv serve direct, distinct (no sig cache)" -s distinct.lua http://127.0.0.1:$PORT/envoy/orders/1
config audited 4096 1
start_serve audited
t0=$(cpu_ticks)
run "ocv serve direct, repeated, audited" -H "$A" http://127.0.0.1:$PORT/envoy/orders/1
t1=$(cpu_ticks)
audit_line audited "$t0" "$t1"
config auditedq 4096 1 warn
start_serve auditedq
t0=$(cpu_ticks)
run "ocv serve direct, repeated, audited, no decision log" -H "$A" http://127.0.0.1:$PORT/envoy/orders/1
t1=$(cpu_ticks)
audit_line auditedq "$t0" "$t1"
config audited0 4096 1 info '"batch_ms": 0'
start_serve audited0
run "ocv serve direct, repeated, audited, batch_ms 0" -H "$A" http://127.0.0.1:$PORT/envoy/orders/1
audit_line audited0

# One core: ocv serve (one thread) pinned to CPU 1, wrk (one thread) to
# CPU 0; the requests per second that one core answers, audited.
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    echo
    echo "== ocv serve on one core (taskset: serve 1 thread on CPU 1, wrk -t1 -c64 on CPU 0)"
    THREADS=1
    config core 4096 1
    config coreq 4096 1 warn
    THREADS=2
    for r in 1 2 3; do
        if [ -x "$NGINX" ]; then
            start_null taskset -c 1
            PIN_WRK="taskset -c 0" WRK_THREADS=1
            run "one core, reference: nginx return 200" http://127.0.0.1:$NULL_PORT/
            PIN_WRK= WRK_THREADS=
            kill "$NULL_PID"; wait "$NULL_PID" 2>/dev/null || true
            NULL_PID=
        fi
        for c in core coreq; do
            PIN_SERVE="taskset -c 1"
            start_serve $c
            PIN_SERVE=
            label="one core, audited, decision log on"
            [ $c = coreq ] && label="one core, audited, no decision log"
            t0=$(cpu_ticks)
            PIN_WRK="taskset -c 0" WRK_THREADS=1
            run "$label" -H "$A" http://127.0.0.1:$PORT/envoy/orders/1
            PIN_WRK= WRK_THREADS=
            t1=$(cpu_ticks)
            awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v s="$SECS" \
                'BEGIN { printf "    (ocv serve busy %.0f%% of its core)\n", t / hz / s * 100 }'
        done
    done
    ref=$(median "$(keyof "one core, reference: nginx return 200")" rps)
    for l in "one core, audited, decision log on" "one core, audited, no decision log"; do
        m=$(median "$(keyof "$l")" rps)
        awk -v l="$l" -v m="$m" -v r="$ref" \
            'BEGIN { printf "  median, %s: %s req/s on one core", l, m; if (r > 0) printf " (%.2f x nginx return 200 on one core, %s req/s)", m / r, r; printf "\n" }'
    done
fi

# Peak RSS at 1,000 connections.
start_serve repeated
nice -n 10 wrk -t2 -c1000 -d"${SECS}s" -H "$A" http://127.0.0.1:$PORT/envoy/orders/1 > wrk.out 2>&1 || true
rss=$(awk '/^VmHWM:/ { print $2 }' /proc/$SERVE_PID/status)
rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' wrk.out)
echo "  ocv serve peak RSS after 1000 connections:   $((rss / 1024)) MiB ($rss kB), $rps req/s"

if [ -x "$NGINX" ]; then
    mkdir -p www/static www/orders
    echo ok > www/static/x.txt
    echo ok > www/orders/x.txt
    base=$((NULL_PORT + 1))
    nginx_head ngx
    cat >> ngx/nginx.conf <<EON
    upstream ocv { server 127.0.0.1:$PORT; keepalive 64; }
    upstream null_auth { server 127.0.0.1:$NULL_PORT; keepalive 64; }
    server {
        listen 127.0.0.1:$base;
        root $D/www;
        location /static/ { }
        location /orders/ { auth_request /_ocv; }
        location /nullauth/ { auth_request /_null; alias $D/www/orders/; }
        location = /_null {
            internal;
            proxy_pass http://null_auth/auth;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
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
            proxy_set_header X-OCV-Purpose "";
        }
    }
}
EON
    start_null
    "$NGINX" -p "$D/ngx" -c "$D/ngx/nginx.conf" 2>>ngx/logs/error.log &
    NGINX_PID=$!
    sleep 0.5
    N=http://127.0.0.1:$base
    # restart_nginx_on CONFIG: ocv serve with CONFIG, nginx pointed at it.
    restart_nginx_on() {
        start_serve "$1"
        kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true
        sed -i "s/upstream ocv { server 127.0.0.1:[0-9]*;/upstream ocv { server 127.0.0.1:$PORT;/" ngx/nginx.conf
        "$NGINX" -p "$D/ngx" -c "$D/ngx/nginx.conf" 2>>ngx/logs/error.log &
        NGINX_PID=$!
        sleep 0.5
    }
    echo
    echo "== nginx (1 worker): alone, with the auth_request hop to another nginx that answers 200"
    echo "   (the control), and with the hop to ocv serve; 3 rounds, alternating"
    for r in 1 2 3; do
        restart_nginx_on repeated
        run "nginx static alone" $N/static/x.txt
        run "nginx + hop to nginx return 200" $N/nullauth/x.txt
        run "nginx + hop to ocv serve, repeated" -H "$A" $N/orders/x.txt
        restart_nginx_on audited
        run "nginx + hop to ocv serve, repeated, audited" -H "$A" $N/orders/x.txt
    done
    restart_nginx_on distinct
    run "nginx + hop to ocv serve, distinct (no sig cache)" -s "$D/distinct.lua" $N/orders/x.txt
    echo "  medians of 3:"
    for l in "nginx static alone" "nginx + hop to nginx return 200" "nginx + hop to ocv serve, repeated" \
        "nginx + hop to ocv serve, repeated, audited"; do
        printf '  %-46s %10s req/s  p99 %6s us\n' "$l" "$(median "$(keyof "$l")" rps)" \
            "$(median "$(keyof "$l")" p99)"
    done
    a=$(keyof "nginx static alone")
    z=$(keyof "nginx + hop to nginx return 200")
    o=$(keyof "nginx + hop to ocv serve, repeated")
    q=$(keyof "nginx + hop to ocv serve, repeated, audited")
    awk -v sr="$(median $a rps)" -v sp="$(median $a p99)" -v zr="$(median $z rps)" \
        -v zp="$(median $z p99)" -v orr="$(median $o rps)" -v op="$(median $o p99)" \
        -v qr="$(median $q rps)" -v qp="$(median $q p99)" 'BEGIN {
        if (sr == 0 || sp == 0 || zr == 0 || zp == 0) exit
        printf "  p99 with the hop / alone: %.2f (control), %.2f (ocv), %.2f (ocv, audited)\n", zp / sp, op / sp, qp / sp
        printf "  p99 with the hop to ocv / to the control: %.2f, %.2f audited\n", op / zp, qp / zp
        printf "  throughput with the hop / alone: %.2f (control), %.2f (ocv), %.2f (ocv, audited)\n", zr / sr, orr / sr, qr / sr }'
fi
