/*
 * audit_record.h - the decision record's canonical text, written directly.
 *
 * What it does: writes the one shape of a decision record
 * (docs/formats/audit-log.md; decision/audit.h ocv_audit_decision_meta)
 * as the audit log's canonical text: compact JSON, members in ascending
 * byte order, non-ASCII escaped, exactly what jansson writes with
 * JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII (which `ocv audit
 * verify` recomputes the chain from). Every decision of a sidecar writes
 * one; building a jansson object and serialising it cost a fifth of an
 * audited request.
 *
 * Members: audience, contract, credential_sha256, decision, event
 * ("decision"), historical_at (only for a historical question), issuer,
 * listen, peer, policy_skipped (only when true), purpose, reason,
 * revocation ([{authority, sequence}] from ocv_decision.revocation), rule,
 * subject, subject_claimed, time. A text member that is empty, absent or
 * not valid UTF-8 (a hostile subject) is null, as jansson would refuse it.
 *
 * Ownership: the text is malloc'd; the caller frees it. NULL when memory
 * runs out. Thread safety: none needed (no shared state).
 */
#ifndef OCV_DECISION_AUDIT_RECORD_H
#define OCV_DECISION_AUDIT_RECORD_H

#include <stdint.h>

#include "decision/audit.h"
#include "ocv.h"

char *ocv_audit_decision_text(const ocv_decision *decision, const ocv_audit_decision_meta *meta,
                              int64_t time);

#endif
