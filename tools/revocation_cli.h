/*
 * revocation_cli.h - what `ocv revocation`'s verbs share across files
 * (cmd_revocation.c: arguments, init, status, import-crl, receipt;
 * revocation_sync.c: sync): the parsed arguments, the optional audit log,
 * and the record a change writes before it commits.
 */
#ifndef OCV_TOOLS_REVOCATION_CLI_H
#define OCV_TOOLS_REVOCATION_CLI_H

#include <stdint.h>

#include <jansson.h>

#include "decision/audit.h"
#include "ocv.h"
#include "revocation/bundle.h"
#include "revocation/crl_import.h"
#include "revocation/store.h"
#include "verifier/pkey.h"

typedef struct rev_args {
    const char *db, *authority, *authority_pub, *anchors, *chain, *device_key, *device_id, *out,
        *audit, *nonce;
    int64_t at, skew;
    int has_at, json;
} rev_args;

typedef struct rev_audit {
    ocv_audit_log *log; /* NULL without --audit */
    ocv_pkey key;
} rev_audit;

/* The record of a change, written by the store's pre-commit hook inside
 * the write transaction: the change commits only once its record is on
 * disk. */
typedef struct commit_record {
    rev_audit *au;
    const rev_args *a;
    const char *event;
    json_t *fields;                   /* built before the apply */
    const ocv_apply_result *bundle;   /* or NULL: read at commit time */
    const ocv_crl_import_result *crl; /* or NULL */
    int written, failed;
} commit_record;

/* Opens the store named by --db (create: make it if missing); 0, or
 * OCV_EXIT_USAGE after printing why. */
int ocv_rev_open_store(const rev_args *a, int create, ocv_store **store);

/* Opens --audit LOG (with --device-key, signed checkpoints); 0, or -1
 * after printing why. Without --audit, au->log is NULL. */
int ocv_rev_audit_open(const rev_args *a, rev_audit *au);

/* Closes the log; -1 (with a message) when its last write failed. */
int ocv_rev_audit_close(rev_audit *au);

/* Records one event (takes fields); 0, or -1 after printing why. */
int ocv_rev_audit_event(rev_audit *au, const rev_args *a, const char *event, json_t *fields);

/* The store's pre-commit hook: writes c's record; ctx is a commit_record. */
ocv_reason ocv_rev_record_before_commit(void *ctx);

/* After the apply: records a refusal (takes refusal); 0, or -1 after
 * printing why. */
int ocv_rev_record_after(commit_record *c, ocv_reason r, json_t *refusal);

/* Opens the library's device handle for --db, --audit, --device-key and
 * --device-id; 0, or -1 after printing why. */
int ocv_rev_open_device(const rev_args *a, ocv_device **out);

/* Closes it; 0, or -1 (with a message) when the log's last write failed. */
int ocv_rev_close_device(ocv_device *dev);

/* `ocv revocation sync` (revocation_sync.c). */
int ocv_rev_cmd_sync(const rev_args *a, int argc, char **argv);

#endif
