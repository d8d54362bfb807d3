/*
 * audit_verify.c - reading and verifying the audit log (decision/audit.h,
 * docs/formats/audit-log.md): the chain recomputed record by record from
 * the parsed form, checkpoints verified through the sigalg seam, an
 * expected head compared.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit.h"
#include "audit_internal.h"
#include "base/b64url.h"
#include "base/cbor_stream.h"
#include "base/util.h"
#include "verifier/cose_sign1.h"

/* A checkpoint's COSE_Sign1 in base64url: a few hundred bytes. */
#define MAX_SIG_B64 4096u

/* hash = SHA-256(prev || canonical record without "hash") */
static int record_hash(json_t *record, const char *prev, char out[65])
{
    char *text = json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (text == NULL)
        return -1;
    size_t n = strlen(text);
    uint8_t *buf = malloc(64 + n);
    if (buf == NULL) {
        free(text);
        return -1;
    }
    memcpy(buf, prev, 64);
    memcpy(buf + 64, text, n);
    uint8_t digest[32];
    int rc = ocv_sha256(buf, 64 + n, digest);
    free(buf);
    free(text);
    if (rc == 0)
        ocv_hex_encode(digest, sizeof(digest), out);
    return rc;
}

/* ---- reading and verifying ----------------------------------------- */

/* Opens a log for reading: it must exist, be a regular file, not be empty. */
static FILE *open_for_reading(const char *path, char *err, size_t err_len)
{
    struct stat st;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        ocv_errf(err, err_len, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        ocv_errf(err, err_len, "%s: %s", path,
                 !S_ISREG(st.st_mode) ? "not a regular file" : "empty: the log holds no records");
        fclose(f);
        return NULL;
    }
    return f;
}

ocv_reason ocv_audit_read_head(const char *path, ocv_audit_head *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->hash, OCV_AUDIT_ZERO_HASH, 65);
    FILE *f = open_for_reading(path, err, err_len);
    if (f == NULL)
        return OCV_CONFIG_INVALID;
    ocv_audit_tail t;
    int rc = ocv_audit_read_tail(fileno(f), &t);
    fclose(f);
    if (rc != 0 || t.seq == 0) {
        ocv_errf(err, err_len, "%s: the last record is unreadable", path);
        return OCV_MALFORMED;
    }
    out->count = t.seq;
    memcpy(out->hash, t.hash, 65);
    return OCV_OK;
}

typedef struct verifier_state {
    const ocv_pkey *pub;
    const char *device_id;
    char prev[65];
    int64_t last_ckpt;      /* seq of the latest checkpoint */
    int64_t every;          /* of the latest verified checkpoint */
    int64_t since;          /* records after it */
    int64_t last_ckpt_line; /* its line */
} verifier_state;

static int payload_matches(const uint8_t *p, size_t len, const char *device, int64_t count,
                           const char *head, int64_t every, int64_t time)
{
    ocv_cbor_pull r;
    ocv_cbor_item it, v;
    uint8_t head_raw[32];
    size_t head_len;
    if (ocv_hex_decode(head, 64, head_raw, sizeof(head_raw), &head_len) != 0)
        return 0;
    ocv_cbor_pull_init(&r, p, len);
    if (ocv_cbor_pull_expect(&r, OCV_CBOR_MAP, &it) != 0 || it.u != 5)
        return 0;
    for (uint64_t key = 1; key <= 5; key++) {
        ocv_cbor_kind kind = key == 1 ? OCV_CBOR_TEXT : key == 3 ? OCV_CBOR_BYTES : OCV_CBOR_UINT;
        if (ocv_cbor_pull_expect(&r, OCV_CBOR_UINT, &it) != 0 || it.u != key ||
            ocv_cbor_pull_expect(&r, kind, &v) != 0)
            return 0;
        int ok = key == 1   ? v.len == strlen(device) && memcmp(v.p, device, v.len) == 0
                 : key == 3 ? v.len == 32 && memcmp(v.p, head_raw, 32) == 0
                 : key == 2 ? (int64_t)v.u == count && v.u <= INT64_MAX
                 : key == 4 ? (int64_t)v.u == every && v.u <= INT64_MAX
                            : (int64_t)v.u == time && v.u <= INT64_MAX;
        if (!ok)
            return 0;
    }
    return ocv_cbor_pull_done(&r);
}

/* Checks one checkpoint record (line n) against the chain and the key. */
static ocv_reason check_checkpoint(verifier_state *vs, json_t *rec, int64_t n,
                                   ocv_audit_report *rep, char *why, size_t why_len)
{
    json_t *count = json_object_get(rec, "count"), *every = json_object_get(rec, "every");
    json_t *time = json_object_get(rec, "time");
    const char *head = json_string_value(json_object_get(rec, "head"));
    const char *device = json_string_value(json_object_get(rec, "device"));
    const char *sig = json_string_value(json_object_get(rec, "sig"));
    if (!json_is_integer(count) || json_integer_value(count) != n - 1 || head == NULL ||
        strcmp(head, vs->prev) != 0 || !json_is_integer(every) || json_integer_value(every) < 0 ||
        device == NULL || sig == NULL || strlen(sig) > MAX_SIG_B64) {
        ocv_errf(why, why_len, "checkpoint does not cover the records before it");
        return OCV_MALFORMED;
    }
    rep->checkpoints++;
    if (vs->pub == NULL)
        return OCV_OK;
    ocv_bytes cose;
    ocv_sign1 msg;
    ocv_reason r = ocv_b64url_decode_alloc(sig, strlen(sig), &cose);
    if (r != OCV_OK) {
        ocv_errf(why, why_len, "checkpoint signature is not base64url");
        return OCV_MALFORMED;
    }
    char detail[128];
    r = ocv_sign1_parse(cose.data, cose.len, &msg, detail, sizeof(detail));
    if (r == OCV_OK && ocv_sign1_verify(&msg, vs->pub) != OCV_OK)
        r = OCV_SIGNATURE_INVALID;
    else if (r == OCV_OK &&
             !payload_matches(msg.payload, msg.payload_len, device, json_integer_value(count), head,
                              json_integer_value(every), json_integer_value(time)))
        r = OCV_MALFORMED;
    ocv_bytes_free(&cose);
    if (r == OCV_SIGNATURE_INVALID) {
        ocv_errf(why, why_len, "checkpoint does not verify with this device key");
        return r;
    }
    if (r != OCV_OK) {
        ocv_errf(why, why_len, "checkpoint's signed content differs from the record");
        return OCV_MALFORMED;
    }
    if (vs->device_id != NULL && strcmp(device, vs->device_id) != 0) {
        ocv_errf(why, why_len, "checkpoint is signed for device '%s'", device);
        return OCV_SIGNATURE_INVALID;
    }
    rep->checkpoints_checked++;
    rep->covered = n;
    vs->every = json_integer_value(every);
    vs->since = 0;
    vs->last_ckpt_line = n;
    return OCV_OK;
}

/* Checks one parsed record at line n; advances the state. */
static ocv_reason check_record(verifier_state *vs, json_t *rec, int64_t n, ocv_audit_report *rep,
                               char *why, size_t why_len)
{
    const char *h = json_string_value(json_object_get(rec, "hash"));
    const char *p = json_string_value(json_object_get(rec, "prev"));
    const char *ev = json_string_value(json_object_get(rec, "event"));
    json_t *seq = json_object_get(rec, "seq"), *ckpt = json_object_get(rec, "ckpt");
    char want[65], copy[65] = "";
    int ok = ocv_audit_is_hex64(h) && p != NULL && strcmp(p, vs->prev) == 0 &&
             json_is_integer(seq) && json_integer_value(seq) == n && ev != NULL &&
             (ckpt == NULL ? vs->last_ckpt == 0
                           : json_is_integer(ckpt) && json_integer_value(ckpt) == vs->last_ckpt);
    if (ok) {
        ocv_strlcpy(copy, h, sizeof(copy));
        json_object_del(rec, "hash");
        ok = record_hash(rec, vs->prev, want) == 0 && strcmp(want, copy) == 0;
    }
    if (!ok) {
        ocv_errf(why, why_len, "record does not chain (edited, removed or reordered)");
        return OCV_MALFORMED;
    }
    if (strcmp(ev, "checkpoint") == 0) {
        ocv_reason r = check_checkpoint(vs, rec, n, rep, why, why_len);
        if (r != OCV_OK)
            return r;
        vs->last_ckpt = n;
    } else if (vs->pub != NULL && rep->checkpoints_checked > 0 && vs->every > 0 &&
               ++vs->since > vs->every) {
        ocv_errf(why, why_len,
                 "more than %lld records after the checkpoint at line %lld: a checkpoint "
                 "was removed",
                 (long long)vs->every, (long long)vs->last_ckpt_line);
        return OCV_MALFORMED;
    }
    memcpy(vs->prev, copy, 65);
    return OCV_OK;
}

ocv_reason ocv_audit_verify_log(const char *path, const ocv_pkey *device_pub, const char *device_id,
                                const ocv_audit_head *expect, ocv_audit_report *rep, char *err,
                                size_t err_len)
{
    memset(rep, 0, sizeof(*rep));
    memcpy(rep->head.hash, OCV_AUDIT_ZERO_HASH, 65);
    FILE *f = open_for_reading(path, err, err_len);
    if (f == NULL)
        return OCV_CONFIG_INVALID;
    verifier_state vs;
    memset(&vs, 0, sizeof(vs));
    vs.pub = device_pub;
    vs.device_id = device_id;
    memcpy(vs.prev, OCV_AUDIT_ZERO_HASH, 65);
    char *line = malloc(OCV_AUDIT_MAX_LINE + 2);
    ocv_reason r = line ? OCV_OK : OCV_INTERNAL_ERROR;
    int64_t n = 0;
    char why[256] = "";
    long at = ftell(f);
    while (r == OCV_OK && at >= 0 && fgets(line, OCV_AUDIT_MAX_LINE + 2, f) != NULL) {
        /* the bytes read, NULs included: strlen alone would take a complete
         * line holding a NUL for a torn tail, which the writer then refuses
         * to chain onto */
        long next = ftell(f);
        size_t got = next > at ? (size_t)(next - at) : 0;
        at = next;
        if (got == 0 || line[got - 1] != '\n') {
            if (got <= OCV_AUDIT_MAX_LINE && fgetc(f) == EOF) {
                rep->torn_bytes = got; /* an interrupted write: not part of the chain */
                break;
            }
            ocv_errf(err, err_len, "%s:%lld: overlong record", path, (long long)n + 1);
            r = OCV_MALFORMED;
            break;
        }
        if (strlen(line) != got) {
            ocv_errf(err, err_len, "%s:%lld: a NUL byte in a record", path, (long long)n + 1);
            r = OCV_MALFORMED;
            break;
        }
        n++;
        json_t *rec = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
        r = rec ? check_record(&vs, rec, n, rep, why, sizeof(why)) : OCV_MALFORMED;
        json_decref(rec);
        if (r != OCV_OK) {
            ocv_errf(err, err_len, "%s:%lld: %s", path, (long long)n, why[0] ? why : "not JSON");
            break;
        }
        rep->records = (size_t)n;
        rep->head.count = n;
        memcpy(rep->head.hash, vs.prev, 65);
        if (expect != NULL && expect->count == n && strcmp(expect->hash, vs.prev) != 0) {
            ocv_errf(err, err_len, "%s:%lld: not the record of the expected head (rewritten)", path,
                     (long long)n);
            r = OCV_MALFORMED;
        }
    }
    free(line);
    fclose(f);
    if (r == OCV_OK && at < 0) {
        ocv_errf(err, err_len, "%s: cannot tell the read position", path);
        r = OCV_INTERNAL_ERROR;
    }
    if (r == OCV_OK && n == 0) {
        ocv_errf(err, err_len, "%s: no complete record", path);
        r = OCV_CONFIG_INVALID;
    }
    if (r == OCV_OK && expect != NULL && n < expect->count) {
        ocv_errf(err, err_len, "%s: %lld records, the expected head names record %lld: truncated",
                 path, (long long)n, (long long)expect->count);
        r = OCV_MALFORMED;
    }
    if (r == OCV_OK && device_pub != NULL && rep->checkpoints_checked == 0) {
        ocv_errf(err, err_len, "%s: no checkpoint signed by this device key: nothing is proven",
                 path);
        r = OCV_SIGNATURE_INVALID;
    }
    rep->unprotected = rep->records - (size_t)rep->covered;
    return r;
}

ocv_reason ocv_audit_verify(const char *path, size_t *records, char *err, size_t err_len)
{
    ocv_audit_report rep;
    ocv_reason r = ocv_audit_verify_log(path, NULL, NULL, NULL, &rep, err, err_len);
    *records = r == OCV_OK ? rep.records : 0;
    return r;
}

/* ---- the tail alone -------------------------------------------------- */

/* Up to the last two complete lines of f (a torn tail left out) into buf,
 * NUL-terminated: *last, and *before (NULL when the log has one record).
 * 0, or -1 when they cannot be read or a line is overlong. */
static int last_two_lines(FILE *f, char **buf, char **before, char **last)
{
    *buf = *before = *last = NULL;
    if (fseeko(f, 0, SEEK_END) != 0)
        return -1;
    off_t size = ftello(f);
    /* two records and a torn tail, each at most OCV_AUDIT_MAX_LINE */
    off_t window = (off_t)(3 * OCV_AUDIT_MAX_LINE + 3);
    off_t start = size > window ? size - window : 0;
    size_t len = (size_t)(size - start);
    char *b = malloc(len + 1);
    if (b == NULL || fseeko(f, start, SEEK_SET) != 0 || fread(b, 1, len, f) != len) {
        free(b);
        return -1;
    }
    b[len] = 0;
    *buf = b;
    while (len > 0 && b[len - 1] != '\n') /* a torn tail is not part of the chain */
        len--;
    if (len == 0)
        return -1;
    b[--len] = 0;
    char *nl = ocv_audit_last_newline(b, len);
    *last = nl ? nl + 1 : b;
    if (nl == NULL)
        return start == 0 ? 0 : -1; /* one line filling the whole window is overlong */
    *nl = 0;
    char *nl2 = ocv_audit_last_newline(b, (size_t)(nl - b));
    if (nl2 == NULL && start > 0)
        return -1;
    *before = nl2 ? nl2 + 1 : b;
    return 0;
}

ocv_reason ocv_audit_verify_tail(const char *path, int *checkpointed, char *err, size_t err_len)
{
    *checkpointed = 0;
    FILE *f = open_for_reading(path, err, err_len);
    if (f == NULL)
        return OCV_CONFIG_INVALID;
    char *buf, *before, *last;
    int rc = last_two_lines(f, &buf, &before, &last);
    fclose(f);
    verifier_state vs;
    memset(&vs, 0, sizeof(vs));
    memcpy(vs.prev, OCV_AUDIT_ZERO_HASH, 65);
    int64_t n = 1;
    json_t *prev = rc == 0 && before ? json_loads(before, JSON_REJECT_DUPLICATES, NULL) : NULL;
    json_t *rec = rc == 0 ? json_loads(last, JSON_REJECT_DUPLICATES, NULL) : NULL;
    free(buf);
    ocv_reason r = rec != NULL && (before == NULL || prev != NULL) ? OCV_OK : OCV_MALFORMED;
    ocv_audit_tail t;
    if (r == OCV_OK && prev != NULL) { /* taken as written: only the link is checked */
        if (ocv_audit_tail_of(prev, &t) != 0) {
            r = OCV_MALFORMED;
        } else {
            memcpy(vs.prev, t.hash, 65);
            n = t.seq + 1;
            vs.last_ckpt = t.last_ckpt;
        }
    }
    ocv_audit_report rep;
    memset(&rep, 0, sizeof(rep));
    char why[256] = "not JSON";
    if (r == OCV_OK)
        r = check_record(&vs, rec, n, &rep, why, sizeof(why));
    if (r == OCV_OK)
        *checkpointed = vs.last_ckpt > 0;
    else
        ocv_errf(err, err_len, "%s: the last record: %s", path,
                 rc != 0 ? "unreadable or overlong" : why);
    json_decref(prev);
    json_decref(rec);
    return r == OCV_OK ? OCV_OK : OCV_MALFORMED;
}
