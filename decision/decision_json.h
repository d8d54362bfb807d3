/*
 * decision_json.h - the decision as JSON: the one rendering that
 * `ocv verify --json` prints and `ocv serve` logs, so the CLI and the
 * server can never disagree on a field's name or meaning.
 *
 * Members, in this order: decision ("allow"|"deny"), reason (the stable
 * name), subject (string or null), subject_verified (false: the identity
 * was read from bytes whose signature did not verify, i.e. claimed), rule
 * (string or null), detail, policy_applied, revocation_stale_allowed and
 * revocation_stale_seconds (only when a rule accepted stale data),
 * evaluated_at (RFC 3339 UTC), and with explain the checks array
 * ({check, outcome, reason, detail} for every check run).
 *
 * Nothing secret is in a decision (no credential bytes, no keys), so the
 * object is safe to log.
 *
 * The text is compact JSON, members in the order above, strings escaped
 * as jansson's JSON_ENSURE_ASCII escapes them (base/json_text.h); text
 * that is not UTF-8 becomes null (subject, rule, issuer) or "" (detail,
 * a check's name and detail).
 *
 * Ownership: returns malloc'd text the caller frees; NULL only when
 * memory runs out. Thread safety: none needed (reads only *d).
 */
#ifndef OCV_DECISION_JSON_H
#define OCV_DECISION_JSON_H

#include "ocv.h"

/* The decision as JSON object text; explain adds the "checks" array. */
char *ocv_decision_json(const ocv_decision *d, int explain);

/* "pass", "fail" or "skipped". */
const char *ocv_decision_outcome_name(ocv_check_outcome o);

#endif
