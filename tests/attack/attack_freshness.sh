#!/bin/sh
# Attack class: freshness that one source vouches for on behalf of
# another (issue 8 #7, #8). next_update always binds, a max age only
# tightens; with two authorities each one's data must be fresh on its own;
# revocation required with no source at all, or with a pinned authority
# that never synced, denies.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
V="$OCV verify --anchors $P/anchors.pem --no-policy --cert $P/week.pem --chain $P/inter.pem"
new_authority auth
new_authority beta
"$OCV" revocation init --db dev.db --authority acme --authority-pub auth.pub >/dev/null
"$OCV" revocation init --db dev.db --authority beta --authority-pub beta.pub >/dev/null
echo '[]' > none.json
build --full --valid-for 7d -o a1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db a1.cose >/dev/null
expect_reason 1 REVOCATION_MISSING "beta is pinned but never synced, revocation required" -- $V --db dev.db --require-revocation
expect_grep "beta" .out "the detail names the authority"
# beta's data: issued two days ago, valid three days; acme's: issued now.
"$OCV" bundle build --state beta.db --authority beta --authority-key beta.key --full \
    --at $((NOW - 2 * 86400)) --next-update $((NOW + 86400)) -o b1.cose 2>/dev/null
"$OCV" revocation sync --db dev.db --at $((NOW - 2 * 86400 + 10)) b1.cose >/dev/null 2>&1 ||
    "$OCV" revocation sync --db dev.db b1.cose >/dev/null
before=$(state dev.db)
expect_reason 0 OK "both fresh by next_update" -- $V --db dev.db --require-revocation
expect_reason 1 REVOCATION_STALE "a max age of 1d: beta's data is 2 days old, acme's fresh" -- \
    $V --db dev.db --revocation-max-age 1d
expect_grep "beta" .out "the detail names the stale authority"
expect_reason 1 REVOCATION_STALE "past beta's next_update, a generous max age does not excuse it" -- \
    $V --db dev.db --revocation-max-age 30d --at $((NOW + 2 * 86400))
expect_grep "next_update" .out "the detail says next_update"
expect_reason 1 REVOCATION_MISSING "revocation required, no source configured" -- \
    "$OCV" verify --anchors "$P/anchors.pem" --no-policy --cert "$P/leaf.pem" --chain "$P/inter.pem" --require-revocation
expect_unchanged "$before" "decisions" dev.db
e2e_finish attack_freshness
