/*
 * serve_audit.c - the one seam between the sidecar and the audit log:
 * every decision the configuration selects ("decisions": both, allow or
 * deny) becomes an event "decision" record:
 *
 *   {"event":"decision", "time", "decision", "reason", "rule", "issuer",
 *    "subject", "subject_claimed" (true when the signature did not
 *    verify), "purpose", "audience", "credential_sha256" (never the
 *    credential), "revocation": [{"authority","sequence"}...] in force,
 *    "contract", "listen", "peer"}
 *
 * Implementation notes: the log is the library's batching writer
 * (ocv_audit_open: group commit, one write+fsync per batch of at most
 * batch_count records, at most batch_ms after the first; batch_ms 0 makes
 * each caller write and fsync before it returns, several threads' records
 * sharing one fsync). ocv_serve_audit_decision returns once the record is
 * in the batch buffer (batch_ms 0: on disk); the caller answers only then.
 * It also never lets more than batch_count answered records be off disk:
 * a record that far ahead of the writer is flushed before it returns
 * (wait_window), which is what bounds a crash's loss to one batch.
 * The writer's error is sticky: after a failed write every later record
 * is refused and the caller denies with INTERNAL_ERROR. The selection is
 * filtered here (an atomic, so SIGHUP can change it) and also given to
 * the library's options; the device key is loaded once and kept for the
 * log's lifetime (the library borrows it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "decision/audit.h"
#include "serve/serve_internal.h"
#include "verifier/pkey.h"

struct ocv_serve_audit {
    ocv_audit_log *log;
    ocv_pkey key;
    int has_key;
    atomic_uint which;
    pthread_mutex_t order;     /* queue order == ticket order */
    atomic_ullong accepted;    /* records handed to the writer (the last ticket) */
    unsigned long long window; /* answered records allowed off disk: batch_count */
    ocv_serve_metrics *metrics;
};

static ocv_reason load_key(const ocv_serve_config *cfg, ocv_serve_audit *a, char *err,
                           size_t err_len)
{
    if (cfg->audit_device_key[0] == 0)
        return OCV_OK;
    char why[512] = "";
    if (ocv_pkey_load_file(cfg->audit_device_key, 1, 0, &a->key, why, sizeof(why)) != OCV_OK) {
        ocv_errf(err, err_len, "audit device key %s: %s", cfg->audit_device_key, why);
        return OCV_CONFIG_INVALID;
    }
    a->has_key = 1;
    return OCV_OK;
}

ocv_reason ocv_serve_audit_open(const ocv_serve_config *cfg, ocv_serve_metrics *metrics,
                                ocv_serve_audit **out, char *err, size_t err_len)
{
    *out = NULL;
    if (cfg->audit_path[0] == 0)
        return OCV_OK;
    /* Refuse a log we could not chain onto before serving a single
     * request, and a checkpointed log without the device key (every write
     * would be refused: a keyless writer would leave records no
     * checkpoint covers). Only the tail is read, so a start costs the
     * same whatever the log's size; the whole chain is `ocv audit
     * verify`'s job. */
    int checkpointed = 0;
    char why[512] = "";
    ocv_reason r = ocv_audit_verify_tail(cfg->audit_path, &checkpointed, why, sizeof(why));
    if (r == OCV_MALFORMED) {
        ocv_errf(err, err_len, "audit log %s does not verify: %s", cfg->audit_path, why);
        return OCV_CONFIG_INVALID;
    }
    if (r == OCV_OK && checkpointed && cfg->audit_device_key[0] == 0) {
        ocv_errf(err, err_len,
                 "audit log %s carries signed checkpoints: give serve.audit.device_key",
                 cfg->audit_path);
        return OCV_CONFIG_INVALID;
    }
    ocv_serve_audit *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return OCV_INTERNAL_ERROR;
    ocv_pkey_init(&a->key);
    atomic_init(&a->which, cfg->audit_which);
    atomic_init(&a->accepted, 0);
    a->window = cfg->audit_batch_count;
    if (pthread_mutex_init(&a->order, NULL) != 0) {
        free(a);
        return OCV_INTERNAL_ERROR;
    }
    a->metrics = metrics;
    r = load_key(cfg, a, err, err_len);
    ocv_audit_options o;
    ocv_audit_options_init(&o);
    o.batch_max_records = cfg->audit_batch_count;
    o.batch_max_ms = cfg->audit_batch_ms;
    o.device_key = a->has_key ? &a->key : NULL;
    o.device_id = cfg->audit_device_id[0] ? cfg->audit_device_id : NULL;
    o.checkpoint_every = cfg->audit_checkpoint_every;
    /* the server's own selection (a->which, changed by SIGHUP) decides */
    o.log_allows = o.log_denies = 1;
    char why_open[512] = "";
    /* A log that cannot be opened for writing (a missing directory,
     * permissions) stops the start: better than denying every request. */
    if (r == OCV_OK &&
        (r = ocv_audit_open(cfg->audit_path, &o, &a->log, why_open, sizeof(why_open))) != OCV_OK)
        ocv_errf(err, err_len, "audit log %s", why_open);
    if (r != OCV_OK) {
        ocv_pkey_free(&a->key);
        pthread_mutex_destroy(&a->order);
        free(a);
        return r;
    }
    *out = a;
    return OCV_OK;
}

void ocv_serve_audit_set_which(ocv_serve_audit *a, unsigned which)
{
    if (a != NULL)
        atomic_store(&a->which, which);
}

/* The library's one decision record (decision/audit.h), from what the
 * server knows of the request. */
static ocv_audit_decision_meta record_meta(const ocv_serve_meta *m)
{
    ocv_audit_decision_meta am;
    memset(&am, 0, sizeof(am));
    am.purpose = m->purpose;
    am.audience = m->audience;
    am.contract = m->contract;
    am.listen = m->listen;
    am.peer = m->peer;
    am.credential_sha256 = m->fingerprint;
    return am;
}

/* Returns once record `ticket` is within `window` records of the last
 * one on disk: so at most batch_count answered decisions are ever off
 * disk, which bounds what a crash can lose. Records reach the writer in
 * ticket order (the order mutex) and the writer writes in queue order.
 * Normally no wait at all; a thread that is a window ahead flushes itself
 * (ocv_audit_flush waits for the writer's batch in progress, then writes
 * what is queued, its own record included) and gets the writer's sticky
 * error if the log has failed. */
static ocv_reason wait_window(ocv_serve_audit *a, unsigned long long ticket)
{
    uint64_t written = 0, batches = 0;
    ocv_audit_stats(a->log, &written, &batches);
    if (ticket <= written + a->window)
        return OCV_OK;
    return ocv_audit_flush(a->log);
}

int ocv_serve_audit_wants(ocv_serve_audit *a, int allow)
{
    return a != NULL &&
           (atomic_load(&a->which) & (allow ? OCV_SERVE_AUDIT_ALLOWS : OCV_SERVE_AUDIT_DENIES));
}

ocv_reason ocv_serve_audit_decision(ocv_serve_audit *a, const ocv_decision *d,
                                    const ocv_serve_meta *meta)
{
    if (!ocv_serve_audit_wants(a, d->allow))
        return OCV_OK;
    ocv_audit_decision_meta am = record_meta(meta);
    unsigned long long ticket = 0;
    pthread_mutex_lock(&a->order);
    ocv_reason r = ocv_audit_log_decision(a->log, d, &am);
    if (r == OCV_OK)
        ticket = atomic_fetch_add(&a->accepted, 1) + 1;
    pthread_mutex_unlock(&a->order);
    if (r == OCV_OK)
        r = wait_window(a, ticket);
    if (r != OCV_OK)
        atomic_fetch_add(&a->metrics->audit_failures, 1);
    return r;
}

void ocv_serve_audit_stats(ocv_serve_audit *a, ocv_serve_audit_counts *out)
{
    memset(out, 0, sizeof(*out));
    if (a == NULL)
        return;
    /* accepted first: written can only catch up, so pending is never
     * negative */
    out->accepted = atomic_load(&a->accepted);
    uint64_t written = 0, batches = 0;
    ocv_audit_stats(a->log, &written, &batches);
    out->written = written;
    out->batches = batches;
    out->failures = atomic_load(&a->metrics->audit_failures);
    out->pending = out->accepted > out->written ? out->accepted - out->written : 0;
}

const char *ocv_serve_audit_error(ocv_serve_audit *a)
{
    return a != NULL ? ocv_audit_error(a->log) : "";
}

ocv_reason ocv_serve_audit_close(ocv_serve_audit *a, char *err, size_t err_len)
{
    if (err_len > 0)
        err[0] = 0;
    if (a == NULL)
        return OCV_OK;
    /* the error text lives in the log: write everything (and, with a key,
     * the closing checkpoint) first, so a failure's text can be copied
     * before the close frees the log */
    ocv_reason r = a->has_key ? ocv_audit_checkpoint(a->log) : ocv_audit_flush(a->log);
    if (r != OCV_OK)
        ocv_errf(err, err_len, "%s", ocv_audit_error(a->log));
    ocv_reason c = ocv_audit_close(a->log);
    if (r == OCV_OK && c != OCV_OK)
        ocv_errf(err, err_len, "the final write or checkpoint failed");
    ocv_pkey_free(&a->key);
    pthread_mutex_destroy(&a->order);
    free(a);
    return r != OCV_OK ? r : c;
}
