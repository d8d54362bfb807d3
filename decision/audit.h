/*
 * audit.h - the audit log as evidence: JSON lines, each chained to the one
 * before by SHA-256, with checkpoints of the chain's head signed by the
 * device key, so rewriting or truncating the log is detected up to the
 * last checkpoint (docs/formats/audit-log.md).
 *
 *   {"seq": n, "time": unix, "event": "...", ...fields...,
 *    "ckpt": seq of the latest checkpoint before this record (0: none),
 *    "prev": hex(hash of record n-1, or 64 zeros), "hash": hex(...)}
 *
 * hash = SHA-256(prev || the record without "hash", serialised by jansson
 * with sorted keys, no spaces, ASCII only).
 *
 * A checkpoint is a record of its own (event "checkpoint") that carries
 * the head it covers - "count" (the records before it) and "head" (the
 * hash of record count) - plus "every", "device" and "sig": a COSE_Sign1
 * by the device key over {1: device id, 2: count, 3: head, 4: every,
 * 5: time} (base64url). With a device key, writers add one after every
 * `checkpoint_every` records, at close, and on demand.
 *
 * What the chain alone proves: nothing against a writer of the file (the
 * hash is unkeyed); it finds accidental damage and edits that did not
 * recompute the hashes. What checkpoints add: every record up to the last
 * checkpoint that verifies with the device's public key is exactly what
 * the device wrote; a rewritten record, a removed checkpoint or a
 * truncation before the last surviving checkpoint is found. Records after
 * the last checkpoint are NOT protected: they can be edited (with hashes
 * recomputed) or removed together with that checkpoint, and only a head
 * held elsewhere (a sync receipt carries it) reveals it.
 *
 * Crash safety: a batch is written with one write() and fsynced before
 * its records are acknowledged as durable; a crash loses at most the
 * unsynced batch. A torn last line (an interrupted write, never
 * acknowledged) is cut off by the next writer, under the lock, which
 * records how many bytes it removed (event "recovered"); the chain never
 * breaks.
 *
 * Concurrency: appends from several processes are serialised by an
 * exclusive flock on the log held for one batch; each batch re-reads the
 * head from the file, so every process chains onto the others. Within a
 * process, an ocv_audit_log is thread-safe.
 *
 * Ownership: fields passed in are borrowed for the call (copied); the
 * options' device key is borrowed for the log's lifetime.
 */
#ifndef OCV_DECISION_AUDIT_H
#define OCV_DECISION_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ocv.h"
#include "verifier/pkey.h"

/* One record: 64 KiB is far above any record ocv writes (a decision
 * record with a 2 KiB identity is under 3 KiB). */
#define OCV_AUDIT_MAX_LINE (64u * 1024u)
/* Pending records held before a caller waits for the flusher: bounds
 * memory (about 8 MiB of serialised records) whatever the load. */
#define OCV_AUDIT_MAX_PENDING 16384u

typedef struct ocv_audit_options {
    size_t batch_max_records;   /* records per write+fsync at most, and the flusher
                                   writes as soon as this many are pending; 0 means 1 */
    unsigned batch_max_ms;      /* 0: synchronous (each call writes and fsyncs);
                                   >0: a background flusher, at most this late */
    const ocv_pkey *device_key; /* NULL: no checkpoints (borrowed) */
    const char *device_id;      /* named in checkpoints; NULL means "" */
    size_t checkpoint_every;    /* 0: checkpoints at close and on demand only */
    int log_allows, log_denies; /* which decisions are recorded (default both) */
} ocv_audit_options;

/* Defaults: synchronous, no key, both allows and denies logged. */
void ocv_audit_options_init(ocv_audit_options *options);

/* The head of the chain: how many records, and the last one's hash. */
typedef struct ocv_audit_head {
    int64_t count;
    char hash[65]; /* hex; 64 zeros for an empty chain */
} ocv_audit_head;

typedef struct ocv_audit_log ocv_audit_log;

/*
 * Opens (creates) a log for appending. The path must be a regular file or
 * not exist. Reasons: OCV_OK; OCV_CONFIG_INVALID (err says why);
 * OCV_INTERNAL_ERROR. *out is NULL unless OCV_OK.
 */
OCV_MUST_CHECK ocv_reason ocv_audit_open(const char *path, const ocv_audit_options *options,
                                         ocv_audit_log **out, char *err, size_t err_len);

/*
 * Queues one record (synchronous logs: writes and fsyncs it). fields is a
 * JSON object or NULL; its members must not be named seq, time, event,
 * ckpt, prev or hash. Thread-safe. Reasons: OCV_OK; OCV_CONFIG_INVALID (the
 * log failed to write earlier or now: the error is sticky, err via
 * ocv_audit_error); OCV_MALFORMED (a reserved field name); OCV_TOO_LARGE
 * (the record would exceed OCV_AUDIT_MAX_LINE); OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_audit_log_event(ocv_audit_log *log, const char *event, int64_t time,
                                              json_t *fields);

/* Where a decision came from (all optional). */
typedef struct ocv_audit_decision_meta {
    const char *purpose, *audience;
    const char *contract;      /* the sidecar's "nginx" | "envoy"; NULL: none */
    const char *listen, *peer; /* request source: listen address, peer */
    const uint8_t *credential; /* fingerprinted (SHA-256), never stored */
    size_t credential_len;
    const char *credential_sha256; /* or the fingerprint already taken (hex) */
} ocv_audit_decision_meta;

/*
 * The one shape of a decision record (docs/formats/audit-log.md), for
 * `ocv verify --audit` and the sidecar alike, so the two never disagree:
 * decision, reason, rule, issuer, subject, subject_claimed, purpose,
 * audience, credential_sha256, revocation ([{authority, sequence}]: the
 * state in force, ocv_decision.revocation), contract, listen, peer (null
 * when unknown); policy_skipped and historical_at only when they apply
 * (decision/audit_record.h writes it). ocv_audit_decision_time is the
 * record's time: the evaluation time, except for a historical question
 * (asked now).
 */
int64_t ocv_audit_decision_time(const ocv_decision *decision);

/*
 * Records one decision as event "decision" at ocv_audit_decision_time.
 * Returns once the record is in the batch (synchronous logs: on disk).
 * Skipped (OCV_OK) when the options do not log this outcome. Thread-safe.
 * Reasons as ocv_audit_log_event.
 */
OCV_MUST_CHECK ocv_reason ocv_audit_log_decision(ocv_audit_log *log, const ocv_decision *decision,
                                                 const ocv_audit_decision_meta *meta);

/* Writes and fsyncs everything queued so far. Reasons: OCV_OK,
 * OCV_CONFIG_INVALID (write failed: the log's file is as before). */
OCV_MUST_CHECK ocv_reason ocv_audit_flush(ocv_audit_log *log);

/* Flushes and appends a signed checkpoint now (if the log has a key and
 * the last record is not already one). Reasons as ocv_audit_flush. */
OCV_MUST_CHECK ocv_reason ocv_audit_checkpoint(ocv_audit_log *log);

/* The head after this log's last flush (count 0 before any). */
void ocv_audit_get_head(ocv_audit_log *log, ocv_audit_head *out);

/* Counters for metrics: records written and batches (fsyncs). */
void ocv_audit_stats(ocv_audit_log *log, uint64_t *records, uint64_t *batches);

/* The last error's text ("" when none). */
const char *ocv_audit_error(ocv_audit_log *log);

/* Flushes, checkpoints (with a key), stops the flusher, frees. Returns
 * the final flush's reason. NULL is fine (OCV_OK). */
OCV_MUST_CHECK ocv_reason ocv_audit_close(ocv_audit_log *log);

/* One record, synchronously, without a key: open, append, close.
 * Reasons: as ocv_audit_open and ocv_audit_log_event (err says why). */
OCV_MUST_CHECK ocv_reason ocv_audit_append(const char *path, const char *event, int64_t time,
                                           json_t *fields, char *err, size_t err_len);

/*
 * Checks the link a writer chains onto, in time independent of the log's
 * size: the last complete record (a torn tail is ignored) must chain onto
 * the record before it (its seq, prev, checkpoint position and hash),
 * which is taken as written. The rest of the chain is
 * ocv_audit_verify_log's job. *checkpointed: the log carries a
 * checkpoint. Reasons: OCV_OK; OCV_CONFIG_INVALID (missing, not a regular
 * file, empty); OCV_MALFORMED (err says why).
 */
OCV_MUST_CHECK ocv_reason ocv_audit_verify_tail(const char *path, int *checkpointed, char *err,
                                                size_t err_len);

/*
 * Reads the head from the file's last complete record (a torn last line
 * is ignored), without verifying the chain. Reasons: OCV_OK;
 * OCV_CONFIG_INVALID (missing, not a regular file, empty, unreadable);
 * OCV_MALFORMED (the last record is not a record).
 */
OCV_MUST_CHECK ocv_reason ocv_audit_read_head(const char *path, ocv_audit_head *out, char *err,
                                              size_t err_len);

typedef struct ocv_audit_report {
    size_t records;             /* complete records, checkpoints included */
    size_t checkpoints;         /* checkpoint records seen */
    size_t checkpoints_checked; /* verified with the device key */
    int64_t covered;            /* records covered by the last verified checkpoint */
    size_t unprotected;         /* records after it */
    size_t torn_bytes;          /* an unterminated last line, ignored */
    ocv_audit_head head;
} ocv_audit_report;

/*
 * Verifies the chain and, with device_pub, every checkpoint's signature,
 * its count and head, and that no more than its "every" records follow a
 * checkpoint without the next one. device_id (optional) must match the
 * checkpoints' device. expect (optional) is a head held elsewhere (a
 * receipt carries one): record expect->count must exist and have that
 * hash, so a truncation or rewrite below it is found even after the last
 * checkpoint. Reasons: OCV_OK; OCV_MALFORMED (a record does not chain, a
 * checkpoint is missing or lies, the expected head is not in the log; err
 * names the line); OCV_SIGNATURE_INVALID (a checkpoint does not verify
 * with device_pub, or device_pub was given and no checkpoint exists);
 * OCV_CONFIG_INVALID (missing, not a regular file, empty, unreadable).
 * *report is filled as far as verification got.
 */
OCV_MUST_CHECK ocv_reason ocv_audit_verify_log(const char *path, const ocv_pkey *device_pub,
                                               const char *device_id, const ocv_audit_head *expect,
                                               ocv_audit_report *report, char *err, size_t err_len);

/* ocv_audit_verify_log without a key; *records on OCV_OK. */
OCV_MUST_CHECK ocv_reason ocv_audit_verify(const char *path, size_t *records, char *err,
                                           size_t err_len);

#endif
