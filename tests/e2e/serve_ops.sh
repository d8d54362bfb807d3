#!/bin/sh
# End-to-end: operating `ocv serve`: SIGHUP with a broken file keeps the
# old configuration serving (one log line, counted in /metrics) and a good
# one takes effect; SIGTERM under load answers every request it accepted
# and exits 0; every limit (header and body caps, connection limits,
# per-connection timeout) does what it says.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
cd "$T" || exit 1
serve_fixtures
B="Authorization: Bearer"

# ---- SIGHUP ------------------------------------------------------------
serve_config ocv.json
serve_start ocv.json || { e2e_finish serve_ops; exit 1; }
U=http://127.0.0.1:$PORT/envoy
wait_reloads() { # wait_reloads N: until N "reload" lines are in serve.log
    i=0
    while [ "$(grep -c '"event":"reload"' serve.log)" -lt "$1" ] && [ $i -lt 200 ]; do
        sleep 0.05
        i=$((i + 1))
    done
}
req 200 "before any reload" -- -H "$B $(cat ok.jwt)" $U/orders/7
cp policy.json policy.good
printf '{"version": 1, "rules": [' > policy.json
kill -HUP $SERVE_PID
wait_reloads 1
req 200 "a broken policy: the old one keeps serving" -- -H "$B $(cat ok.jwt)" $U/orders/7
expect_grep '"event":"reload","result":"refused"' serve.log "one log line says why"
expect_grep 'policy.json' serve.log "naming the file"
n=$(grep -c '"event":"reload"' serve.log)
expect_exit 0 "exactly one reload line ($n)" -- test "$n" -eq 1
req 200 "metrics" -- http://127.0.0.1:$PORT/metrics
expect_grep 'ocv_reloads_total{result="failed"} 1' .b "the failed reload is counted"
# A broken serve section is refused the same way.
cp policy.good policy.json
sed 's/"threads": 2/"threads": 0/' ocv.json > ocv.bad && cp ocv.json ocv.good && cp ocv.bad ocv.json
kill -HUP $SERVE_PID
wait_reloads 2
req 200 "a broken serve section: still serving" -- -H "$B $(cat ok.jwt)" $U/orders/7
expect_grep 'serve.threads' serve.log "the serve section's error"
# A good change takes effect: orders:read is no longer granted.
cp ocv.good ocv.json
sed 's/"orders:read"\]/"orders:list"]/g' policy.good > policy.json
kill -HUP $SERVE_PID
wait_reloads 3
req 403 "the new policy decides" -- -H "$B $(cat ok.jwt)" $U/orders/7
hdr X-OCV-Reason PURPOSE_NOT_ALLOWED "new rules"
req 200 "metrics" -- http://127.0.0.1:$PORT/metrics
expect_grep 'ocv_reloads_total{result="ok"} 1' .b "the good reload is counted"
expect_grep 'ocv_reloads_total{result="failed"} 2' .b "two refused"
serve_stop
expect_exit 0 "exit 0 after SIGTERM" -- test "$SERVE_RC" -eq 0
cp policy.good policy.json

# ---- SIGTERM under load ---------------------------------------------------
rm -f audit.log
serve_config load.json '"log": {"level": "warn"}'
serve_start load.json || { e2e_finish serve_ops; exit 1; }
cat > load.py <<'EOP'
import http.client, os, signal, sys, threading, time
port, pid, token = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
sig = signal.SIGKILL if len(sys.argv) > 4 and sys.argv[4] == "KILL" else signal.SIGTERM
answered, bad, lock, stop = [0], [], threading.Lock(), [False]
def worker():
    conn = None
    while not stop[0]:
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/envoy/orders/1", headers={"Authorization": "Bearer " + token})
            r = conn.getresponse()
            body = r.read()
            with lock:
                answered[0] += 1
                if r.status != 200 or r.getheader("x-spiffe-id") is None:
                    bad.append(r.status)
            if r.getheader("Connection", "").lower() == "close":
                conn.close(); conn = None
        except (ConnectionError, OSError, http.client.HTTPException):
            # not answered: a connection the server closed or never took
            if conn is not None:
                conn.close()
            conn = None
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2); c.connect(); c.close()
            except OSError:
                return  # the listener is gone: drained
threads = [threading.Thread(target=worker) for _ in range(6)]
for t in threads: t.start()
time.sleep(1.0)
if len(sys.argv) > 4 and sys.argv[4] == "HUP":
    for _ in range(5):  # reloads under load: no request may fail
        os.kill(pid, signal.SIGHUP)
        time.sleep(0.2)
before = answered[0]
os.kill(pid, sig)
for t in threads: t.join(30)
stop[0] = True
print("answered", answered[0], "before_sigterm", before, "bad", len(bad), bad[:5])
EOP
python3 load.py $PORT $SERVE_PID "$(cat ok.jwt)" > load.out 2>&1
wait $SERVE_PID
SERVE_RC=$?
cat load.out
expect_exit 0 "exit 0 after draining under load" -- test "$SERVE_RC" -eq 0
answered=$(sed -n 's/^answered \([0-9]*\) .*/\1/p' load.out)
expect_exit 0 "requests were answered under load (${answered:-none})" -- test "${answered:-0}" -gt 0
expect_grep ' bad 0 ' load.out "every answer complete and an allow"
expect_grep '"event":"drained","connections_left":0' serve.log "drained with no connection left"
records=$(grep -c '"event":"decision"' audit.log)
expect_exit 0 "an audit record for every answer ($records >= ${answered:-0})" -- test "$records" -ge "${answered:-1}"
expect_exit 0 "the audit log verifies after the drain" -- "$OCV" audit verify audit.log

# Five reloads under load, then the drain: every answer an allow.
serve_start load.json || { e2e_finish serve_ops; exit 1; }
python3 load.py $PORT $SERVE_PID "$(cat ok.jwt)" HUP > hup.out 2>&1
wait $SERVE_PID
SERVE_RC=$?
cat hup.out
expect_grep ' bad 0 ' hup.out "no request failed during five reloads under load"
n=$(grep -c '"event":"reload","result":"ok"' serve.log)
expect_exit 0 "five reloads applied ($n)" -- test "$n" -eq 5
expect_exit 0 "exit 0 after reloads and drain" -- test "$SERVE_RC" -eq 0

# ---- limits --------------------------------------------------------------
SERVE_THREADS=1 serve_config limits.json '"limits": {"max_header_bytes": 2048, "max_body_bytes": 16,
   "max_connections": 4, "max_connections_per_ip": 3, "connection_timeout": "10s"}'
serve_start limits.json || { e2e_finish serve_ops; exit 1; }
L=http://127.0.0.1:$PORT/envoy
req 200 "a small request" -- -H "$B $(cat ok.jwt)" $L/orders/7
big=$(head -c 3000 /dev/zero | tr '\0' 'a')
got=$(curl -s -o /dev/null -w '%{http_code}' -H "$B $(cat ok.jwt)" -H "X-Big: $big" $L/orders/7)
case $got in 4??) e2e_pass ;; *) e2e_fail "a head over max_header_bytes: HTTP $got, want 4xx" ;; esac
req 413 "a declared body over max_body_bytes" -- -H "$B $(cat ok.jwt)" --data-binary "$big" $L/orders/7
req 200 "a body within max_body_bytes" -- -H "$B $(cat ok.jwt)" -H "X-OCV-Purpose: orders:read" \
    --data-binary "0123456789" $L/orders/7
got=$(printf '%s' "$big" | curl -s -o /dev/null -w '%{http_code}' -H "$B $(cat ok.jwt)" \
    -H "Transfer-Encoding: chunked" --data-binary @- $L/orders/7)
case $got in 200) e2e_fail "a chunked body over the cap was answered 200" ;; *) e2e_pass ;; esac
cat > conns.py <<'EOP'
import socket, sys, time
port = int(sys.argv[1])
def open_from(src):
    s = socket.socket(); s.settimeout(3); s.bind((src, 0)); s.connect(("127.0.0.1", port)); return s
def alive(s):
    # a request on the connection gets an answer (401: no credential)
    try:
        s.sendall(b"GET /envoy/orders/1 HTTP/1.1\r\nHost: x\r\n\r\n")
        return s.recv(64).startswith(b"HTTP/1.1 401")
    except OSError:
        return False
held = [open_from("127.0.0.1") for _ in range(3)]
print("per-ip: first three", all(alive(s) for s in held))
fourth = open_from("127.0.0.1")
print("per-ip: fourth refused", not alive(fourth))
other = open_from("127.0.0.2")
print("total: another address", alive(other))
fifth = open_from("127.0.0.3")
print("total: fifth refused", not alive(fifth))
EOP
python3 conns.py $PORT > conns.out 2>&1
expect_grep "per-ip: first three True" conns.out "three connections from one address"
expect_grep "per-ip: fourth refused True" conns.out "max_connections_per_ip"
expect_grep "total: another address True" conns.out "a fourth connection from another address"
expect_grep "total: fifth refused True" conns.out "max_connections"
serve_stop
expect_exit 0 "exit 0" -- test "$SERVE_RC" -eq 0

serve_config timeout.json '"limits": {"connection_timeout": "1s"}'
serve_start timeout.json || { e2e_finish serve_ops; exit 1; }
cat > idle.py <<'EOP'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.settimeout(10)
t = time.time()
try:
    data = s.recv(64)
except OSError:
    data = b""
print("closed after %.1f s, %d bytes" % (time.time() - t, len(data)))
EOP
python3 idle.py $PORT > idle.out 2>&1
secs=$(sed -n 's/closed after \([0-9]*\)\..*/\1/p' idle.out)
expect_exit 0 "an idle connection is closed after connection_timeout ($(cat idle.out))" -- \
    test "${secs:-99}" -ge 0 -a "${secs:-99}" -le 4
serve_stop
expect_exit 0 "exit 0" -- test "$SERVE_RC" -eq 0
# ---- /healthz follows the revocation data's freshness -------------------------
mkdir -p stale && cp iss.jwks policy.json stale/
"$OCV" revocation init --db stale/dev.db --authority acme --authority-pub auth.pub >/dev/null
"$OCV" bundle build --state stale/auth.db --authority acme --authority-key auth.key --full \
    --valid-for 6s -o stale/b1.cose 2>/dev/null
expect_exit 0 "a bundle valid for 6 s" -- "$OCV" revocation sync --db stale/dev.db stale/b1.cose
cat > stale/ocv.json <<EOC
{"jwks": "iss.jwks", "db": "dev.db", "policy": "policy.json", "clock_skew": "1s",
 "serve": {"listen": "127.0.0.1:0", "routes": [{"prefix": "/", "purpose": "orders:read"}]}}
EOC
serve_start stale/ocv.json || { e2e_finish serve_ops; exit 1; }
req 200 "healthz while fresh" -- http://127.0.0.1:$PORT/healthz
req 200 "a decision while fresh" -- -H "$B $(cat ok.jwt)" http://127.0.0.1:$PORT/envoy/x
sleep 8
req 503 "healthz once the data is stale" -- http://127.0.0.1:$PORT/healthz
expect_grep "unhealthy: authority acme: stale since" .b "healthz says why"
req 403 "a decision on stale data" -- -H "$B $(cat ok.jwt)" http://127.0.0.1:$PORT/envoy/x
hdr X-OCV-Reason REVOCATION_STALE "stale data denies"
req 200 "metrics" -- http://127.0.0.1:$PORT/metrics
expect_grep 'ocv_revocation_next_update_seconds{authority="acme"} -' .b "negative seconds to next_update"
serve_stop
expect_exit 0 "exit 0" -- test "$SERVE_RC" -eq 0

# ---- a unix socket; kill -9 under load leaves a log that verifies --------
# Group commit (batches of at most 32 records, 5 ms): a crash loses at
# most the last unsynced batch - never more than batch_count answered
# decisions - and never breaks the chain.
rm -f audit.log
SERVE_AUDIT='{"path": "audit.log", "batch_count": 32}' serve_config unix.json '"log": {"level": "warn"}'
serve_start unix.json --listen 127.0.0.1:0 --listen "unix:$T/ocv.sock" || { e2e_finish serve_ops; exit 1; }
req 200 "over the unix socket" -- --unix-socket "$T/ocv.sock" -H "$B $(cat ok.jwt)" http://x/envoy/orders/7
hdr x-spiffe-id "$SUB" "identity over the unix socket"
python3 load.py $PORT $SERVE_PID "$(cat ok.jwt)" KILL > kill.out 2>&1
wait $SERVE_PID
cat kill.out
expect_grep ' bad 0 ' kill.out "every answer before the kill was an allow"
expect_exit 0 "the audit log verifies after kill -9 under load" -- "$OCV" audit verify audit.log
answered=$(sed -n 's/^answered \([0-9]*\) .*/\1/p' kill.out)
records=$(grep -c '"event":"decision"' audit.log)
lost=$((${answered:-0} + 1 - records))
echo "kill -9: answered $((${answered:-0} + 1)), records $records, lost $lost (batch_count 32)"
expect_exit 0 "requests were answered before the kill (${answered:-none})" -- test "${answered:-0}" -gt 100
expect_exit 0 "at most one batch of answered decisions lost ($lost <= 32)" -- test "$lost" -le 32
# The next writer chains onto what survived.
serve_start unix.json || { e2e_finish serve_ops; exit 1; }
req 200 "serving again on the same log" -- -H "$B $(cat ok.jwt)" http://127.0.0.1:$PORT/envoy/orders/7
serve_stop
expect_exit 0 "the log verifies after the restart" -- "$OCV" audit verify audit.log

# batch_ms 0: every answer waits for its record's fsync (several threads'
# records share one): kill -9 loses no answered decision.
rm -f audit.log
SERVE_AUDIT='{"path": "audit.log", "batch_ms": 0}' serve_config sync.json '"log": {"level": "warn"}'
serve_start sync.json || { e2e_finish serve_ops; exit 1; }
python3 load.py $PORT $SERVE_PID "$(cat ok.jwt)" KILL > kill0.out 2>&1
wait $SERVE_PID
cat kill0.out
expect_exit 0 "the audit log verifies after kill -9 (batch_ms 0)" -- "$OCV" audit verify audit.log
answered=$(sed -n 's/^answered \([0-9]*\) .*/\1/p' kill0.out)
records=$(grep -c '"event":"decision"' audit.log)
expect_exit 0 "batch_ms 0: every answered decision has its record ($records >= ${answered:-0})" -- \
    test "$records" -ge "${answered:-1}" -a "${answered:-0}" -gt 0
# An audit log that cannot be written stops the start (exit 2), as does
# one whose chain is broken.
serve_config noaudit.json
sed 's|"path": "audit.log"|"path": "no/such/dir/audit.log"|' noaudit.json > noaudit2.json
expect_exit 2 "an audit log in a missing directory" -- "$OCV" serve --config noaudit2.json
expect_grep "no/such/dir/audit.log: No such file or directory" .err "the error names the log"
sed 's/"reason":"OK"/"reason":"REVOKED"/' audit.log > broken.log
sed 's|"path": "audit.log"|"path": "broken.log"|' noaudit.json > noaudit3.json
expect_exit 2 "an audit log that does not verify" -- "$OCV" serve --config noaudit3.json
expect_grep "does not verify" .err "says so"
e2e_finish serve_ops
