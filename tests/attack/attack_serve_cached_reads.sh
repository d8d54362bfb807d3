#!/bin/sh
# Attack class: a check outside the state it guards. `ocv serve` answers a
# repeated credential from its store connections' cache and remembered
# lookups, without a transaction, while SQLite's WAL-index header says
# nothing committed. The attacker holds a token the server has answered
# many times (both threads, both pooled connections) and bets that the
# revocation synced by another process is not seen, or is seen a request
# late. Every round: the token allowed six times, its jti revoked by a
# sync, and every one of the next requests is 403 REVOKED, its audit record
# naming the new sequence. Then a plain sqlite3 writer (no ocv, no bundle)
# is also seen by the next request, and the store cannot be switched out
# of WAL mode under the server to hide a commit from the header.
. "$(dirname "$0")/lib.sh"
. "$HERE/../e2e/serve_lib.sh"
cd "$T" || exit 1
serve_fixtures
serve_config ocv.json
serve_start ocv.json || { e2e_finish attack_serve_cached_reads; exit 1; }
U=http://127.0.0.1:$PORT/envoy/orders/7
B="Authorization: Bearer"
mint() { "$OCV" mint token --key iss.key --kid i1 --iss $ISS --sub $SUB "$@"; }
round=1
while [ $round -le 6 ]; do
    mint --jti "hot-$round" -o hot.jwt
    i=0
    while [ $i -lt 6 ]; do
        req 200 "round $round: hot-$round allowed (request $i)" -- -H "$B $(cat hot.jwt)" $U
        i=$((i + 1))
    done
    printf '[{"type":"jti","issuer":"%s","value":"hot-%s"}]' "$ISS" $round > revoke.json
    "$OCV" bundle build --state auth.db --authority acme --authority-key auth.key --delta \
        --add revoke.json --valid-for 1d -o r$round.cose 2>/dev/null
    expect_exit 0 "round $round: sync while serving" -- "$OCV" revocation sync --db dev.db r$round.cose
    i=0
    while [ $i -lt 4 ]; do
        req 403 "round $round: the next request after the sync (request $i)" -- -H "$B $(cat hot.jwt)" $U
        hdr X-OCV-Reason REVOKED "round $round: revoked"
        i=$((i + 1))
    done
    round=$((round + 1))
done

# A writer that is not ocv: one row put in with sqlite3 (WAL mode, as the
# store is kept) is seen by the very next request as well.
mint --jti cold -o cold.jwt
req 200 "cold allowed" -- -H "$B $(cat cold.jwt)" $U
req 200 "cold allowed again (remembered)" -- -H "$B $(cat cold.jwt)" $U
key=$(printf 'j\000%s\000cold' "$ISS" | od -An -tx1 | tr -d ' \n')
expect_exit 0 "a plain sqlite3 write" -- sqlite3 dev.db \
    "INSERT INTO entry (k, authority, before, expires) VALUES (x'$key', 'acme', 0, 0)"
req 403 "the next request after a plain sqlite3 write" -- -H "$B $(cat cold.jwt)" $U
hdr X-OCV-Reason REVOKED "revoked by the row"
out=$(sqlite3 dev.db "PRAGMA journal_mode = DELETE" 2>&1)
case $out in
    wal | *locked* | *busy*) e2e_pass ;;
    *) e2e_fail "the store left WAL mode under the server: $out" ;;
esac
expect_exit 0 "still in WAL mode" -- test "$(sqlite3 dev.db 'PRAGMA journal_mode')" = wal

serve_stop
expect_exit 0 "exit status after SIGTERM" -- test "$SERVE_RC" -eq 0
expect_exit 0 "the audit log verifies" -- "$OCV" audit verify audit.log
grep '"reason":"REVOKED"' audit.log > revoked.rec
n=$(grep -c . revoked.rec)
expect_exit 0 "25 REVOKED records ($n)" -- test "$n" -eq 25
round=1
while [ $round -le 6 ]; do
    expect_exit 0 "round $round: every REVOKED record of hot-$round names sequence $((round + 1))" -- \
        sh -c "test \$(grep -c '\"sequence\":$((round + 1))}' revoked.rec) -ge 4"
    round=$((round + 1))
done
e2e_finish attack_serve_cached_reads
