#!/bin/sh
# Decisions in the audit log from several processes at once (the file lock
# serialises them onto one chain), and a writer killed with SIGKILL in the
# middle: the chain still verifies, checkpoints included.
. "$(dirname "$0")/lib.sh"
P=${OCV_FIXTURES:-$T}/pki
[ -f "$P/anchors.pem" ] || sh "$(dirname "$0")/../fixtures/make_pki.sh" "$P" >"$T/pki.log" 2>&1
cd "$T" || exit 1
"$OCV" keygen --type ed25519 -o dev.key --pub dev.pub >/dev/null
V="$OCV verify --anchors $P/anchors.pem --no-policy --cert $P/leaf.pem --chain $P/inter.pem"
A="--audit log --device-key dev.key --device-id edge-7"

writer() { i=0; while [ $i -lt 15 ]; do $V $A --purpose "p$1" >/dev/null 2>>err.log; i=$((i + 1)); done; }
writer 1 & w1=$!
writer 2 & w2=$!
writer 3 & w3=$!
writer 4 & w4=$!
wait $w1 $w2 $w3 $w4
[ -s err.log ] && { e2e_fail "a concurrent writer failed"; sed 's/^/  | /' err.log; } || e2e_pass
expect_exit 0 "60 decisions from 4 processes chain and are covered" -- "$OCV" audit verify --device-pub dev.pub log
# (at most one checkpoint per decision: a writer whose head is already a
# checkpoint adds none)
n=$(sed -n 's/^intact: \([0-9]*\) records.*/\1/p' .out)
[ "${n:-0}" -gt 60 ] && [ "${n:-0}" -le 120 ] && e2e_pass || e2e_fail "intact: ${n:-?} records, want 61..120"
expect_grep "0 after the last checkpoint not protected" .out "all covered"
[ "$(grep -c '"event":"decision"' log)" -eq 60 ] && e2e_pass || e2e_fail "not 60 decision records"

# SIGKILL a writer loop and its current child.
( while :; do $V $A --purpose killed >/dev/null 2>&1; done ) & loop=$!
sleep 1
kill -9 $(ps -o pid= --ppid $loop) $loop 2>/dev/null
wait $loop 2>/dev/null
expect_exit 0 "the chain verifies after kill -9" -- "$OCV" audit verify --device-pub dev.pub log
expect_exit 0 "a later writer chains on" -- $V $A --purpose after
expect_exit 0 "and the log verifies" -- "$OCV" audit verify --device-pub dev.pub log
expect_grep "0 after the last checkpoint not protected" .out "all covered after the crash"

e2e_finish audit_decisions
