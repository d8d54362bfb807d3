/*
 * device.c - the public device API (ocv.h: ocv_device_*): a store, its
 * audit log and the device key behind one handle, so an embedded device
 * syncs, reports and signs receipts without the ocv binary, and `ocv
 * revocation sync|status|receipt` are thin callers of the same code.
 *
 * Implementation notes: a change's audit record is written by the
 * store's pre-commit hook inside the write transaction, so the change
 * commits only once its record is on disk; a refusal (nothing changed)
 * is recorded after the attempt; a COMMIT that fails after its record was
 * written gets a follow-up record saying the change is not applied.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "decision/audit.h"
#include "ocv.h"
#include "revocation/bundle.h"
#include "revocation/integrity.h"
#include "revocation/receipt.h"
#include "revocation/store.h"
#include "verifier/pkey.h"

/* Imported CRLs listed by ocv_device_crl_status, at most. */
#define DEVICE_MAX_CRLS 1024

struct ocv_device {
    ocv_store *store;
    char *db_path;
    ocv_audit_log *log; /* NULL: no audit */
    ocv_pkey key;
    int has_key;
    char device_id[OCV_MAX_AUTHORITY_ID_BYTES + 1];
    int64_t skew;
};

void ocv_device_options_init(ocv_device_options *options)
{
    memset(options, 0, sizeof(*options));
    options->clock_skew_seconds = 60;
}

/* Everything but the log. */
static void release(ocv_device *d)
{
    ocv_store_close(d->store);
    ocv_pkey_free(&d->key);
    free(d->db_path);
    free(d);
}

static int64_t resolve_now(int64_t now)
{
    return now > 0 ? now : ocv_now();
}

static ocv_reason open_key(ocv_device *d, const ocv_device_options *o, char *err, size_t err_len)
{
    if (o->device_key == NULL)
        return OCV_OK;
    size_t id_len = o->device_id != NULL ? strlen(o->device_id) : 0;
    if (id_len == 0 || id_len > OCV_MAX_AUTHORITY_ID_BYTES) {
        ocv_errf(err, err_len, "a device key needs a device id of 1..%d bytes",
                 OCV_MAX_AUTHORITY_ID_BYTES);
        return OCV_CONFIG_INVALID;
    }
    char why[300] = "";
    if (ocv_pkey_parse(o->device_key, o->device_key_len, 1, 0, &d->key, why, sizeof(why)) !=
        OCV_OK) {
        ocv_errf(err, err_len, "the device key: %s", why);
        return OCV_CONFIG_INVALID;
    }
    d->has_key = 1;
    memcpy(d->device_id, o->device_id, id_len + 1);
    return OCV_OK;
}

ocv_reason ocv_device_open(ocv_device **out, const ocv_device_options *options, char *err,
                           size_t err_len)
{
    if (out == NULL || options == NULL)
        return OCV_INTERNAL_ERROR;
    *out = NULL;
    if (options->db_path == NULL) {
        ocv_errf(err, err_len, "no store: set db_path");
        return OCV_CONFIG_INVALID;
    }
    if (options->clock_skew_seconds < 0 || options->clock_skew_seconds > 3600) {
        ocv_errf(err, err_len, "clock skew outside 0..3600 s");
        return OCV_CONFIG_INVALID;
    }
    ocv_device *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return OCV_INTERNAL_ERROR;
    ocv_pkey_init(&d->key);
    d->skew = options->clock_skew_seconds;
    d->db_path = strdup(options->db_path);
    ocv_reason r = d->db_path != NULL ? OCV_OK : OCV_INTERNAL_ERROR;
    if (r == OCV_OK)
        r = open_key(d, options, err, err_len);
    if (r == OCV_OK)
        r = ocv_store_open(options->db_path, 0, &d->store, err, err_len);
    if (r == OCV_OK && options->audit_path != NULL) {
        ocv_audit_options ao;
        ocv_audit_options_init(&ao);
        if (d->has_key) {
            ao.device_key = &d->key;
            ao.device_id = d->device_id;
        }
        char why[400] = "";
        r = ocv_audit_open(options->audit_path, &ao, &d->log, why, sizeof(why));
        if (r != OCV_OK)
            ocv_errf(err, err_len, "audit: %s", why);
    }
    if (r != OCV_OK) {
        release(d); /* the log is the last thing opened: never open here */
        return r;
    }
    *out = d;
    return OCV_OK;
}

ocv_reason ocv_device_close(ocv_device *d, char *err, size_t err_len)
{
    if (d == NULL)
        return OCV_OK;
    ocv_reason r = OCV_OK;
    if (d->log != NULL) {
        char why[400];
        ocv_strlcpy(why, ocv_audit_error(d->log), sizeof(why));
        if (ocv_audit_close(d->log) != OCV_OK) {
            ocv_errf(err, err_len, "audit: %s", why[0] ? why : "the log could not be written");
            r = OCV_CONFIG_INVALID;
        }
    }
    if (d->store != NULL)
        ocv_store_checkpoint(d->store);
    release(d);
    return r;
}

/* ---- sync ------------------------------------------------------------ */

/* The record of one bundle, written by the pre-commit hook. */
typedef struct sync_record {
    ocv_device *d;
    const char *label;
    int64_t now;
    const ocv_apply_result *res;
    int written, failed;
} sync_record;

static json_t *bundle_fields(const ocv_device *d, const char *label, const char *result,
                             const char *reason, int64_t sequence, const char *detail)
{
    json_t *f = json_object();
    json_object_set_new(f, "db", json_string(d->db_path));
    json_object_set_new(f, "bundle", json_string(label != NULL ? label : ""));
    json_object_set_new(f, "result", json_string(result));
    json_object_set_new(f, "reason", json_string(reason));
    json_object_set_new(f, "sequence", json_integer(sequence));
    json_object_set_new(f, "detail", json_string(detail));
    return f;
}

static ocv_reason record_before_commit(void *ctx)
{
    sync_record *c = ctx;
    if (c->written)
        return OCV_OK; /* one record per change, however many commits it takes */
    json_t *f = bundle_fields(c->d, c->label, "applied", "OK", c->res->sequence, "");
    json_object_set_new(f, "added", json_integer((json_int_t)c->res->added));
    json_object_set_new(f, "removed", json_integer((json_int_t)c->res->removed));
    ocv_reason r = ocv_audit_log_event(c->d->log, "bundle", c->now, f);
    json_decref(f);
    c->written = r == OCV_OK;
    c->failed = r != OCV_OK;
    return r == OCV_OK ? OCV_OK : OCV_CONFIG_INVALID;
}

static const char *outcome_name(ocv_sync_outcome o)
{
    static const char *const names[] = {"applied", "unchanged", "skipped", "refused"};
    return names[o];
}

static ocv_reason log_event(ocv_device *d, const char *event, int64_t now, json_t *fields,
                            char *detail, size_t detail_len)
{
    ocv_reason r = ocv_audit_log_event(d->log, event, now, fields);
    json_decref(fields);
    if (r != OCV_OK) {
        ocv_errf(detail, detail_len, "audit: %s", ocv_audit_error(d->log));
        return OCV_CONFIG_INVALID;
    }
    return OCV_OK;
}

ocv_reason ocv_device_record_refusal(ocv_device *d, const char *label, int64_t now,
                                     const ocv_sync_result *res)
{
    if (d == NULL || res == NULL)
        return OCV_INTERNAL_ERROR;
    if (d->log == NULL)
        return OCV_OK;
    char why[OCV_MAX_DETAIL_BYTES];
    return log_event(d, "bundle", resolve_now(now),
                     bundle_fields(d, label, outcome_name(res->outcome),
                                   ocv_reason_name(res->reason), res->sequence, res->detail),
                     why, sizeof(why));
}

typedef ocv_reason (*apply_fn)(ocv_store *store, const void *src, size_t len, int64_t at,
                               int64_t skew, ocv_apply_result *res, char *detail,
                               size_t detail_len);

static ocv_reason apply_bytes(ocv_store *store, const void *src, size_t len, int64_t at,
                              int64_t skew, ocv_apply_result *res, char *detail, size_t detail_len)
{
    return ocv_bundle_apply_signed(store, src, len, at, skew, res, detail, detail_len);
}

static ocv_reason apply_path(ocv_store *store, const void *src, size_t len, int64_t at,
                             int64_t skew, ocv_apply_result *res, char *detail, size_t detail_len)
{
    (void)len;
    return ocv_bundle_apply_file(store, src, at, skew, res, detail, detail_len);
}

static ocv_reason sync_with(ocv_device *d, apply_fn apply, const void *src, size_t len,
                            const char *label, int64_t now, unsigned flags, ocv_sync_result *out)
{
    if (out == NULL)
        return OCV_INTERNAL_ERROR;
    memset(out, 0, sizeof(*out));
    out->outcome = OCV_SYNC_REFUSED;
    if (d == NULL || src == NULL) {
        out->reason = OCV_INTERNAL_ERROR;
        return out->reason;
    }
    now = resolve_now(now);
    ocv_apply_result res;
    memset(&res, 0, sizeof(res));
    sync_record rec = {d, label, now, &res, 0, 0};
    if (d->log != NULL)
        ocv_store_set_commit_hook(d->store, record_before_commit, &rec);
    ocv_reason r = apply(d->store, src, len, now, d->skew, &res, out->detail, sizeof(out->detail));
    ocv_store_set_commit_hook(d->store, NULL, NULL);
    out->reason = r;
    out->sequence = res.sequence;
    out->added = res.added;
    out->removed = res.removed;
    if (r == OCV_OK)
        memcpy(out->state_digest, res.state_digest, sizeof(out->state_digest));
    out->outcome = r == OCV_BUNDLE_ROLLBACK ? OCV_SYNC_SKIPPED
                   : r != OCV_OK            ? OCV_SYNC_REFUSED
                   : res.no_op              ? OCV_SYNC_UNCHANGED
                                            : OCV_SYNC_APPLIED;
    if (rec.failed) {
        ocv_errf(out->detail, sizeof(out->detail), "audit: %s (nothing was applied)",
                 ocv_audit_error(d->log));
        out->reason = OCV_CONFIG_INVALID;
        out->outcome = OCV_SYNC_REFUSED;
        return out->reason;
    }
    if (d->log == NULL || (rec.written && r == OCV_OK))
        return r;
    if (rec.written) {
        /* the record went out, then COMMIT failed: say so in the log */
        json_t *f = bundle_fields(d, label, "rolled_back", ocv_reason_name(r), res.sequence,
                                  "COMMIT failed after this change's record was written: the "
                                  "change is not applied");
        ocv_reason lr = log_event(d, "bundle", now, f, out->detail, sizeof(out->detail));
        return lr != OCV_OK ? (out->reason = lr) : r;
    }
    if (r != OCV_OK && (flags & OCV_SYNC_DEFER_REFUSAL))
        return r;
    /* a refusal or a no-op re-apply: nothing committed, recorded now */
    ocv_reason lr = ocv_device_record_refusal(d, label, now, out);
    if (lr != OCV_OK) {
        ocv_errf(out->detail, sizeof(out->detail), "audit: %s", ocv_audit_error(d->log));
        out->reason = lr;
        return lr;
    }
    return r;
}

ocv_reason ocv_device_sync(ocv_device *d, const uint8_t *bundle, size_t len, const char *label,
                           int64_t now, unsigned flags, ocv_sync_result *out)
{
    return sync_with(d, apply_bytes, bundle, len, label, now, flags, out);
}

ocv_reason ocv_device_sync_file(ocv_device *d, const char *path, int64_t now, unsigned flags,
                                ocv_sync_result *out)
{
    return sync_with(d, apply_path, path, 0, path, now, flags, out);
}

/* ---- status ---------------------------------------------------------- */

static ocv_reason authority_status(ocv_store *store, const char *id, int64_t now,
                                   ocv_authority_status *out)
{
    ocv_authority_state st;
    ocv_store_counts c;
    memset(out, 0, sizeof(*out));
    ocv_authority_state_init(&st);
    if (ocv_store_get_authority(store, id, &st) != OCV_OK ||
        ocv_store_count(store, id, &c) != OCV_OK) {
        ocv_authority_state_free(&st);
        return OCV_INTERNAL_ERROR;
    }
    uint8_t check[OCV_STATE_DIGEST_BYTES];
    ocv_strlcpy(out->id, id, sizeof(out->id));
    out->sequence = st.sequence;
    out->issued_at = st.issued_at;
    out->next_update = st.next_update;
    out->applied_at = st.applied_at;
    memcpy(out->state_digest, st.digest, sizeof(out->state_digest));
    out->digest_intact = ocv_lthash_digest(&st.lthash, check) == OCV_OK &&
                         memcmp(check, st.digest, sizeof(check)) == 0;
    out->stale = st.sequence == 0 || now > st.next_update;
    out->serial = c.serial;
    out->jti = c.jti;
    out->key = c.key;
    out->subject = c.subject;
    out->subject_before = c.subject_before;
    ocv_authority_state_free(&st);
    return OCV_OK;
}

ocv_reason ocv_device_status(ocv_device *d, int64_t now, ocv_device_state *out)
{
    if (d == NULL || out == NULL)
        return OCV_INTERNAL_ERROR;
    memset(out, 0, sizeof(*out));
    now = resolve_now(now);
    char ids[OCV_MAX_AUTHORITIES][OCV_MAX_AUTHORITY_ID_BYTES + 1];
    char(*issuers)[65] = calloc(DEVICE_MAX_CRLS, 65);
    ocv_reason r = issuers != NULL ? OCV_OK : OCV_INTERNAL_ERROR;
    if (r == OCV_OK &&
        (ocv_store_list_authorities(d->store, ids, &out->authority_count) != OCV_OK ||
         ocv_store_get_clock_floor(d->store, &out->clock_floor) != OCV_OK ||
         ocv_store_list_crls(d->store, issuers, DEVICE_MAX_CRLS, &out->crl_count) != OCV_OK))
        r = OCV_INTERNAL_ERROR;
    free(issuers);
    for (size_t i = 0; r == OCV_OK && i < out->authority_count; i++)
        r = authority_status(d->store, ids[i], now, &out->authorities[i]);
    if (r != OCV_OK)
        return r;
    out->proven = ocv_store_prove(d->store, out->problem, sizeof(out->problem)) == OCV_OK;
    if (out->proven)
        out->problem[0] = 0;
    return OCV_OK;
}

ocv_reason ocv_device_crl_status(ocv_device *d, size_t index, int64_t now, ocv_crl_status *out)
{
    if (d == NULL || out == NULL)
        return OCV_INTERNAL_ERROR;
    memset(out, 0, sizeof(*out));
    char(*issuers)[65] = calloc(DEVICE_MAX_CRLS, 65);
    size_t count = 0;
    if (issuers == NULL ||
        ocv_store_list_crls(d->store, issuers, DEVICE_MAX_CRLS, &count) != OCV_OK) {
        free(issuers);
        return OCV_INTERNAL_ERROR;
    }
    if (index >= count) {
        free(issuers);
        return OCV_CONFIG_INVALID;
    }
    ocv_crl_record rec;
    ocv_crl_record_init(&rec);
    ocv_reason r = ocv_store_get_crl(d->store, issuers[index], &rec);
    free(issuers);
    if (r != OCV_OK) {
        ocv_crl_record_free(&rec);
        return OCV_INTERNAL_ERROR;
    }
    ocv_strlcpy(out->issuer, rec.issuer, sizeof(out->issuer));
    if (rec.number.len <= 20)
        ocv_hex_encode(rec.number.data, rec.number.len, out->crl_number);
    out->this_update = rec.this_update;
    out->next_update = rec.next_update;
    out->serials = rec.entry_count;
    out->stale = resolve_now(now) > rec.next_update;
    ocv_crl_record_free(&rec);
    return OCV_OK;
}

/* ---- receipts -------------------------------------------------------- */

/* With a log, the receipt's own event is recorded and checkpointed first,
 * so the receipt carries (and signs) a head that covers it. */
static ocv_reason audit_receipt(ocv_device *d, const char *authority, const char *nonce,
                                int64_t now, ocv_receipt_extras *x, char *err, size_t err_len)
{
    if (d->log == NULL)
        return OCV_OK;
    json_t *f = json_object();
    json_object_set_new(f, "db", json_string(d->db_path));
    json_object_set_new(f, "authority", json_string(authority));
    json_object_set_new(f, "device", json_string(d->device_id));
    if (nonce != NULL)
        json_object_set_new(f, "nonce", json_string(nonce));
    ocv_reason r = log_event(d, "receipt", now, f, err, err_len);
    if (r == OCV_OK && ocv_audit_checkpoint(d->log) != OCV_OK) {
        ocv_errf(err, err_len, "audit: %s", ocv_audit_error(d->log));
        r = OCV_CONFIG_INVALID;
    }
    if (r != OCV_OK)
        return r;
    ocv_audit_head head;
    ocv_audit_get_head(d->log, &head);
    x->has_audit_head = 1;
    x->audit_count = head.count;
    size_t len;
    if (ocv_hex_decode(head.hash, 64, x->audit_head, sizeof(x->audit_head), &len) != 0)
        return OCV_INTERNAL_ERROR;
    return OCV_OK;
}

/* The authority a receipt names: the one given, or the store's only one. */
static ocv_reason receipt_authority(ocv_device *d, const char *authority,
                                    char out[OCV_MAX_AUTHORITY_ID_BYTES + 1], char *err,
                                    size_t err_len)
{
    if (authority != NULL) {
        if (strlen(authority) > OCV_MAX_AUTHORITY_ID_BYTES)
            return OCV_BUNDLE_AUTHORITY_UNKNOWN;
        ocv_strlcpy(out, authority, OCV_MAX_AUTHORITY_ID_BYTES + 1);
        return OCV_OK;
    }
    char ids[OCV_MAX_AUTHORITIES][OCV_MAX_AUTHORITY_ID_BYTES + 1];
    size_t count = 0;
    if (ocv_store_list_authorities(d->store, ids, &count) != OCV_OK)
        return OCV_INTERNAL_ERROR;
    if (count != 1) {
        ocv_errf(err, err_len, "name the authority (the store has %zu)", count);
        return OCV_CONFIG_INVALID;
    }
    ocv_strlcpy(out, ids[0], OCV_MAX_AUTHORITY_ID_BYTES + 1);
    return OCV_OK;
}

ocv_reason ocv_device_receipt(ocv_device *d, const char *authority, const char *nonce, int64_t now,
                              uint8_t **out, size_t *out_len, char *err, size_t err_len)
{
    if (d == NULL || out == NULL || out_len == NULL)
        return OCV_INTERNAL_ERROR;
    *out = NULL;
    *out_len = 0;
    if (!d->has_key) {
        ocv_errf(err, err_len, "a receipt needs the device key (device_key, device_id)");
        return OCV_CONFIG_INVALID;
    }
    if (nonce != NULL && (nonce[0] == 0 || strlen(nonce) > OCV_MAX_RECEIPT_NONCE_BYTES)) {
        ocv_errf(err, err_len, "a nonce is 1..%d bytes", OCV_MAX_RECEIPT_NONCE_BYTES);
        return OCV_CONFIG_INVALID;
    }
    now = resolve_now(now);
    char id[OCV_MAX_AUTHORITY_ID_BYTES + 1];
    ocv_reason r = receipt_authority(d, authority, id, err, err_len);
    ocv_authority_state st;
    ocv_authority_state_init(&st);
    if (r == OCV_OK) /* an unknown authority records nothing */
        r = ocv_store_get_authority(d->store, id, &st);
    ocv_authority_state_free(&st);
    ocv_receipt_extras x;
    memset(&x, 0, sizeof(x));
    x.nonce = nonce;
    if (r == OCV_OK)
        r = audit_receipt(d, id, nonce, now, &x, err, err_len);
    ocv_bytes receipt;
    ocv_bytes_init(&receipt);
    if (r == OCV_OK)
        r = ocv_receipt_create(d->store, id, d->device_id, &d->key, now, &x, &receipt);
    if (r == OCV_BUNDLE_AUTHORITY_UNKNOWN)
        ocv_errf(err, err_len, "authority '%.128s' is not pinned in %s", id, d->db_path);
    if (r != OCV_OK) {
        ocv_bytes_free(&receipt);
        return r;
    }
    *out = receipt.data; /* malloc'd: ocv_free */
    *out_len = receipt.len;
    return OCV_OK;
}

void ocv_free(void *p)
{
    free(p);
}
