#!/bin/sh
# End-to-end: `ocv serve` and its audit log (group commit through the
# library's batching writer): with a device key the log carries signed
# checkpoints and `ocv audit verify --device-pub` passes after SIGTERM and
# after kill -9 under load; "decisions": "deny" logs only denies and SIGHUP
# changes the selection without reopening the log; a log that cannot be
# written turns every later decision into 403 INTERNAL_ERROR (never an
# allow without a record) and SIGTERM then exits 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
cd "$T" || exit 1
serve_fixtures
B="Authorization: Bearer"
decisions() { grep -c '"event":"decision"' "${1:-audit.log}"; }

# ---- a device key: signed checkpoints ----------------------------------
"$OCV" keygen --type ec-p256 -o dev.key --pub dev.pub >/dev/null
SERVE_AUDIT='{"path": "audit.log", "device_key": "dev.key", "device_id": "edge-1",
   "checkpoint_every": 5, "batch_count": 64}' serve_config key.json
serve_start key.json || { e2e_finish serve_audit; exit 1; }
U=http://127.0.0.1:$PORT/envoy
i=0
while [ $i -lt 6 ]; do
    req 200 "allow $i" -- -H "$B $(cat ok.jwt)" $U/orders/$i
    req 403 "deny $i" -- -H "$B $(cat expired.jwt)" $U/orders/$i
    i=$((i + 1))
done
# Each record names the revocation state its decision read: a sync while
# serving shows in the very next record.
expect_exit 0 "sync while serving" -- sh -c '"$OCV" bundle build --state auth.db --authority acme \
    --authority-key auth.key --delta --valid-for 1d -o b2.cose 2>/dev/null &&
    "$OCV" revocation sync --db dev.db b2.cose'
req 200 "allow after the sync" -- -H "$B $(cat ok.jwt)" $U/orders/after
metrics_wait 'ocv_audit_records_total 13'
expect_grep 'ocv_audit_records_total 13' .b "thirteen records written"
expect_exit 0 "records before the sync name sequence 1" -- \
    sh -c 'grep "\"event\":\"decision\"" audit.log | head -n 12 |
        grep -c "\"revocation\":\[{\"authority\":\"acme\",\"sequence\":1}\]" | grep -qx 12'
expect_exit 0 "the record after it names sequence 2" -- \
    sh -c 'grep "\"event\":\"decision\"" audit.log | tail -n 1 |
        grep -q "\"revocation\":\[{\"authority\":\"acme\",\"sequence\":2}\]"'
serve_stop
expect_exit 0 "exit 0 after SIGTERM" -- test "$SERVE_RC" -eq 0
# One record shape (decision/audit.h): the sidecar's decision record and
# `ocv verify --audit`'s have the same fields (issue 12 item 5).
"$OCV" verify --config key.json --token ok.jwt --purpose orders:read --audit cli.log >/dev/null 2>&1
record_keys() {
    grep '"event":"decision"' "$1" | head -n 1 |
        python3 -c 'import json,sys; print(" ".join(sorted(json.loads(sys.stdin.read()))))'
}
record_keys audit.log > serve.keys
record_keys cli.log > cli.keys
if [ -s serve.keys ] && cmp -s serve.keys cli.keys; then e2e_pass; else
    e2e_fail "verify --audit and the sidecar write different decision records"; cat serve.keys cli.keys; fi
expect_grep '"revocation":\[{"authority":' cli.log "the CLI's record names the revocation in force"
expect_grep '"event":"audit_closed","result":"ok","records_written":13,"records_pending":0' \
    serve.log "the close is logged"
expect_exit 0 "verify --device-pub after SIGTERM" -- \
    "$OCV" audit verify --device-pub dev.pub --device-id edge-1 audit.log
cp .out verify.out
n=$(grep -c '"event":"checkpoint"' audit.log)
expect_exit 0 "a checkpoint after every 5 records and one at close ($n)" -- test "$n" -eq 3
expect_exit 0 "the last record is the closing checkpoint" -- \
    sh -c 'tail -n 1 audit.log | grep -q "\"event\":\"checkpoint\""'
expect_exit 1 "another device's key does not verify it" -- \
    "$OCV" audit verify --device-pub auth.pub audit.log
# A record edited below the last checkpoint (hashes recomputed or not) fails.
sed '2s/"reason":"EXPIRED"/"reason":"OK"/' audit.log > edited.log
expect_exit 1 "the edit happened" -- cmp -s audit.log edited.log
expect_exit 1 "an edited record under a checkpoint" -- \
    "$OCV" audit verify --device-pub dev.pub edited.log

# kill -9 under load with the key: what survived verifies with the key,
# and a restart chains on.
cat > load.py <<'EOP'
import http.client, os, signal, sys, threading, time
port, pid, token = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
answered, lock, stop = [0], threading.Lock(), [False]
def worker():
    conn = None
    while not stop[0]:
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/envoy/orders/1", headers={"Authorization": "Bearer " + token})
            r = conn.getresponse(); r.read()
            if r.status == 200:
                with lock:
                    answered[0] += 1
        except (ConnectionError, OSError, http.client.HTTPException):
            return
threads = [threading.Thread(target=worker) for _ in range(4)]
for t in threads: t.start()
time.sleep(1.0)
os.kill(pid, signal.SIGKILL)
stop[0] = True
for t in threads: t.join(30)
print("answered", answered[0])
EOP
before=$(decisions)
serve_start key.json || { e2e_finish serve_audit; exit 1; }
python3 load.py $PORT $SERVE_PID "$(cat ok.jwt)" > kill.out 2>&1
wait $SERVE_PID
cat kill.out
answered=$(sed -n 's/^answered \([0-9]*\)$/\1/p' kill.out)
lost=$((before + ${answered:-0} - $(decisions)))
expect_exit 0 "answered under load (${answered:-none}), lost $lost <= 64 (batch_count)" -- \
    test "${answered:-0}" -gt 100 -a "$lost" -le 64
expect_exit 0 "verify --device-pub after kill -9 under load" -- \
    "$OCV" audit verify --device-pub dev.pub --device-id edge-1 audit.log
serve_start key.json || { e2e_finish serve_audit; exit 1; }
req 200 "serving again after the crash" -- -H "$B $(cat ok.jwt)" http://127.0.0.1:$PORT/envoy/orders/1
serve_stop
expect_exit 0 "verify --device-pub after the restart" -- \
    "$OCV" audit verify --device-pub dev.pub --device-id edge-1 audit.log
# Without the key the server refuses to start on a checkpointed log (it
# would leave records no checkpoint covers).
serve_config nokey.json
expect_exit 2 "no device key for a checkpointed log" -- "$OCV" serve --config nokey.json
expect_grep "carries signed checkpoints: give serve.audit.device_key" .err "says why"

# ---- decisions: deny, and SIGHUP keeps the log open ----------------------
rm -f audit.log
SERVE_AUDIT='{"path": "audit.log", "decisions": "deny"}' serve_config deny.json
serve_start deny.json || { e2e_finish serve_audit; exit 1; }
U=http://127.0.0.1:$PORT/envoy
req 200 "an allow" -- -H "$B $(cat ok.jwt)" $U/orders/1
req 403 "an expired token" -- -H "$B $(cat expired.jwt)" $U/orders/1
req 403 "no matching route" -- -H "$B $(cat ok.jwt)" $U/admin
req 200 "another allow" -- -H "$B $(cat ok.jwt)" $U/orders/2
metrics_wait 'ocv_audit_records_total 2'
expect_grep 'ocv_audit_records_total 2' .b "two records written"
n=$(decisions)
expect_exit 0 "decisions=deny: only the two denies ($n)" -- test "$n" -eq 2
if grep -q '"decision":"allow"' audit.log; then e2e_fail "an allow was logged"; else e2e_pass; fi
# SIGHUP switches the selection to both; the log stays open (one writer,
# one chain).
SERVE_AUDIT='{"path": "audit.log", "decisions": "both"}' serve_config deny.json
kill -HUP $SERVE_PID
i=0
while ! grep -q '"event":"reload","result":"ok"' serve.log && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
req 200 "an allow after the reload" -- -H "$B $(cat ok.jwt)" $U/orders/3
metrics_wait 'ocv_audit_records_total 3'
expect_grep 'ocv_audit_records_total 3' .b "the allow is recorded after SIGHUP"
serve_stop
expect_exit 0 "exit 0" -- test "$SERVE_RC" -eq 0
expect_grep '"decision":"allow"' audit.log "the allow after the reload"
expect_exit 0 "one chain across the reload" -- "$OCV" audit verify audit.log

# ---- a log that cannot be written: 403 INTERNAL_ERROR ----------------------
# A file-size limit (RLIMIT_FSIZE, 64 KiB: above the store's files) makes
# the writes fail with EFBIG once the log reaches it; the server ignores
# SIGXFSZ and keeps running. Batches of one record: the decision after
# the failed write is the first deny.
rm -f audit.log
SERVE_AUDIT='{"path": "audit.log", "batch_count": 1, "batch_ms": 1}' \
    serve_config full.json '"log": {"level": "warn"}'  # serve.log stays under the limit
REAL_OCV=$OCV
printf '#!/bin/sh\nulimit -f 128\nexec "%s" "$@"\n' "$REAL_OCV" > limited.sh
chmod +x limited.sh
OCV=$T/limited.sh
serve_start full.json || { e2e_finish serve_audit; exit 1; }
OCV=$REAL_OCV
U=http://127.0.0.1:$PORT/envoy
i=0 got=200
while [ $i -lt 400 ] && [ "$got" = 200 ]; do
    got=$(curl -s -o /dev/null -D .h -w '%{http_code}' -H "$B $(cat ok.jwt)" $U/orders/$i)
    i=$((i + 1))
done
expect_exit 0 "the log filled up: HTTP $got after $i requests" -- test "$got" = 403
hdr X-OCV-Reason INTERNAL_ERROR "the deny's reason"
req 403 "every later decision is denied too" -- -H "$B $(cat ok.jwt)" $U/orders/1
hdr X-OCV-Reason INTERNAL_ERROR "still INTERNAL_ERROR"
req 403 "a deny is denied INTERNAL_ERROR as well" -- -H "$B $(cat expired.jwt)" $U/orders/1
hdr X-OCV-Reason INTERNAL_ERROR "no unaudited deny either"
req 200 "metrics" -- http://127.0.0.1:$PORT/metrics
expect_grep 'ocv_audit_failures_total [1-9]' .b "the failures are counted"
expect_grep 'ocv_decisions_total{decision="deny",reason="INTERNAL_ERROR"} [1-9]' .b \
    "the denies are counted"
expect_grep '"event":"audit_failed"' serve.log "one line says why"
expect_grep 'File too large' serve.log "with the system's error"
serve_stop
expect_exit 0 "SIGTERM: exit 1, the log could not be closed cleanly" -- test "$SERVE_RC" -eq 1
expect_grep '"event":"audit_closed","result":"failed"' serve.log "the failed close is logged"
expect_exit 0 "what was written still verifies" -- "$OCV" audit verify audit.log
e2e_finish serve_audit
