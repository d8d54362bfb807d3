/*
 * audit.h - the tamper-evident audit log: JSON lines, each chained to the
 * one before by SHA-256, so a removed, reordered or edited record breaks
 * verification from that record on.
 *
 *   {"seq": n, "time": unix, "event": "...", ...fields...,
 *    "prev": hex(hash of record n-1, or 64 zeros), "hash": hex(...)}
 *
 * hash = SHA-256(prev || the record without "hash", serialised by jansson
 * with sorted keys and no spaces). Appends hold an exclusive flock, write
 * one line with O_APPEND and fsync before returning.
 *
 * Records of revocation events (bundles applied or refused, CRL imports,
 * receipts) are written by the tools through ocv_audit_append; decisions
 * join them with the sidecar.
 *
 * Ownership: fields are borrowed. Thread safety: one call at a time per
 * process; across processes the file lock serialises appends.
 */
#ifndef OCV_DECISION_AUDIT_H
#define OCV_DECISION_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ocv.h"

/* Appends one record; fields is a JSON object (may be NULL). Reasons:
 * OCV_OK, OCV_CONFIG_INVALID (cannot open/lock/write: err says why),
 * OCV_INTERNAL_ERROR (the existing log's last line is unreadable). */
OCV_MUST_CHECK ocv_reason ocv_audit_append(const char *path, const char *event, int64_t time,
                                           json_t *fields, char *err, size_t err_len);

/* Verifies the whole chain. OCV_OK with *records set; OCV_MALFORMED with
 * err naming the first bad line; OCV_CONFIG_INVALID when unreadable. */
OCV_MUST_CHECK ocv_reason ocv_audit_verify(const char *path, size_t *records, char *err,
                                           size_t err_len);

#endif
