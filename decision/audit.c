/*
 * audit.c - the hash-chained, checkpointed audit log (decision/audit.h).
 *
 * Implementation notes
 *
 * Writing. Records wait in memory as their canonical text (serialised by
 * the caller's thread) without seq, ckpt, prev and hash: those depend on
 * the file's head, which another process may have moved. A flush takes
 * the file's exclusive flock, reads the last complete line (its seq, hash
 * and the latest checkpoint's seq), cuts a torn tail if a crashed writer
 * left one, then numbers and chains the batch into one buffer - splicing
 * the chain's members into each text exactly where jansson's sorted output
 * puts them, or asking jansson when a key makes that uncertain - inserting
 * a signed checkpoint after every `checkpoint_every`-th record since the
 * last checkpoint, writes it with one write() (O_APPEND) and fsyncs. A failed
 * write or fsync truncates the file back to its size before the batch, so
 * the chain on disk never holds half a batch that was reported failed.
 *
 * Threads. One mutex guards the queue and the counters; a second one
 * serialises flushes (the file lock serialises processes, not threads of
 * one process: flock locks belong to the open file description). With
 * batch_max_ms > 0 a flusher thread wakes when batch_max_records are
 * pending or batch_max_ms after the first pending record arrived.
 *
 * Verifying lives in audit_verify.c.
 */
#include "audit.h"
#include "audit_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/b64url.h"
#include "base/cbor_stream.h"
#include "base/util.h"
#include "decision/audit_record.h"
#include "verifier/cose_sign1.h"
#include "verifier/sigalg.h"

#define DEFAULT_DEVICE_ID "ocv-device"
#define MAX_DEVICE_ID     128u

int ocv_audit_is_hex64(const char *s)
{
    if (s == NULL || strlen(s) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* ---- the file's tail ------------------------------------------------ */

char *ocv_audit_last_newline(char *p, size_t len)
{
    while (len > 0)
        if (p[--len] == '\n')
            return p + len;
    return NULL;
}

/* Reads the last complete line's seq, hash and checkpoint position. */
int ocv_audit_read_tail(int fd, ocv_audit_tail *t)
{
    memset(t, 0, sizeof(*t));
    memcpy(t->hash, OCV_AUDIT_ZERO_HASH, 65);
    t->size = lseek(fd, 0, SEEK_END);
    if (t->size <= 0)
        return t->size < 0 ? -1 : 0;
    off_t window = (off_t)(2 * OCV_AUDIT_MAX_LINE);
    off_t start = t->size > window ? t->size - window : 0;
    size_t len = (size_t)(t->size - start);
    char *buf = malloc(len + 1);
    if (buf == NULL || pread(fd, buf, len, start) != (ssize_t)len) {
        free(buf);
        return -1;
    }
    buf[len] = 0;
    char *nl = ocv_audit_last_newline(buf, len);
    if (nl == NULL) { /* no complete line in the window */
        free(buf);
        if (start > 0)
            return -1;
        t->torn = len;
        return 0;
    }
    t->torn = len - (size_t)(nl - buf) - 1;
    *nl = 0;
    char *line = ocv_audit_last_newline(buf, (size_t)(nl - buf));
    line = line ? line + 1 : buf;
    json_t *rec = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
    free(buf);
    int rc = ocv_audit_tail_of(rec, t);
    json_decref(rec);
    return rc;
}

int ocv_audit_tail_of(json_t *rec, ocv_audit_tail *t)
{
    const char *h = json_string_value(json_object_get(rec, "hash"));
    const char *ev = json_string_value(json_object_get(rec, "event"));
    json_t *s = json_object_get(rec, "seq");
    json_t *c = json_object_get(rec, "ckpt");
    if (!ocv_audit_is_hex64(h) || !json_is_integer(s) || json_integer_value(s) <= 0 || ev == NULL ||
        (c != NULL && !json_is_integer(c)))
        return -1;
    memcpy(t->hash, h, 65);
    t->seq = json_integer_value(s);
    t->last_ckpt = strcmp(ev, "checkpoint") == 0 ? t->seq : c ? json_integer_value(c) : 0;
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---- the log ------------------------------------------------------- */

struct ocv_audit_log {
    char *path;
    int fd;
    ocv_audit_options opt;
    char device_id[MAX_DEVICE_ID + 1];
    pthread_mutex_t mu;       /* queue, counters, error */
    pthread_mutex_t flush_mu; /* one flush at a time */
    pthread_cond_t work, room;
    char **queue; /* canonical texts without the chain's members */
    size_t qlen, qcap;
    struct timespec oldest; /* when the oldest queued record arrived (about) */
    int stop, threaded;
    pthread_t thread;
    ocv_reason sticky;
    char error[512];
    ocv_audit_head head;
    uint64_t records, batches;
};

void ocv_audit_options_init(ocv_audit_options *o)
{
    memset(o, 0, sizeof(*o));
    o->batch_max_records = 1;
    o->log_allows = o->log_denies = 1;
}

/* A growing text buffer for one batch. */
typedef struct text_buf {
    char *p;
    size_t len, cap;
} text_buf;

static int text_add(text_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

/* Signs {1: device, 2: count, 3: head, 4: every, 5: time}. */
static ocv_reason sign_checkpoint(const ocv_audit_log *log, int64_t count, const char *head,
                                  int64_t every, int64_t time, ocv_bytes *b64)
{
    uint8_t head_raw[32];
    size_t head_len;
    if (ocv_hex_decode(head, 64, head_raw, sizeof(head_raw), &head_len) != 0)
        return OCV_INTERNAL_ERROR;
    ocv_cbor_out w;
    ocv_cbor_out_init(&w);
    ocv_cbor_out_map(&w, 5);
    ocv_cbor_out_uint(&w, 1);
    ocv_cbor_out_text(&w, log->device_id, strlen(log->device_id));
    ocv_cbor_out_uint(&w, 2);
    ocv_cbor_out_uint(&w, (uint64_t)count);
    ocv_cbor_out_uint(&w, 3);
    ocv_cbor_out_bytes(&w, head_raw, sizeof(head_raw));
    ocv_cbor_out_uint(&w, 4);
    ocv_cbor_out_uint(&w, (uint64_t)every);
    ocv_cbor_out_uint(&w, 5);
    ocv_cbor_out_uint(&w, (uint64_t)(time < 0 ? 0 : time));
    ocv_bytes payload, cose;
    ocv_reason r = ocv_cbor_out_finish(&w, &payload);
    if (r != OCV_OK)
        return r;
    r = ocv_sign1_create(ocv_alg_for_key(log->opt.device_key), log->opt.device_key,
                         (const uint8_t *)log->device_id, strlen(log->device_id), payload.data,
                         payload.len, &cose);
    ocv_bytes_free(&payload);
    if (r != OCV_OK)
        return r;
    r = ocv_b64url_encode(cose.data, cose.len, b64);
    ocv_bytes_free(&cose);
    return r;
}

/* A checkpoint's time is the device's clock when it signed (the records'
 * own times may be an evaluation time given with --at). */
static json_t *checkpoint_record(const ocv_audit_log *log, int64_t count, const char *head,
                                 int64_t time)
{
    ocv_bytes sig;
    int64_t every = (int64_t)log->opt.checkpoint_every;
    if (sign_checkpoint(log, count, head, every, time, &sig) != OCV_OK)
        return NULL;
    json_t *rec = json_pack("{s:s, s:I, s:I, s:s, s:I, s:s, s:s#}", "event", "checkpoint", "time",
                            (json_int_t)time, "count", (json_int_t)count, "head", head, "every",
                            (json_int_t)every, "device", log->device_id, "sig",
                            (const char *)sig.data, (int)sig.len);
    ocv_bytes_free(&sig);
    return rec;
}

/* ---- chaining: splicing the chain's members into the record's text ---- */

/* One member to insert: its key and its value as JSON text. */
typedef struct member {
    const char *key;
    char value[72];
} member;

static int emit_member(text_buf *out, int *first, const member *m)
{
    int rc = (*first ? 0 : text_add(out, ",", 1)) | text_add(out, "\"", 1) |
             text_add(out, m->key, strlen(m->key)) | text_add(out, "\":", 2) |
             text_add(out, m->value, strlen(m->value));
    *first = 0;
    return rc != 0 ? -1 : 0;
}

/* The end of the JSON value starting at obj[v] (jansson's compact output:
 * no whitespace): the index of the ',' or '}' that follows it. */
static size_t value_end(const char *obj, size_t v, size_t len)
{
    size_t depth = 0;
    int in_str = 0;
    for (; v < len; v++) {
        char c = obj[v];
        if (in_str) {
            if (c == '\\')
                v++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return v;
            depth--;
        } else if (c == ',' && depth == 0) {
            return v;
        }
    }
    return len;
}

/* strcmp order of a key against the raw key text raw[0..len). */
static int key_cmp(const char *key, const char *raw, size_t len)
{
    size_t kl = strlen(key), n = kl < len ? kl : len;
    int c = memcmp(key, raw, n);
    return c != 0 ? c : kl < len ? -1 : kl > len ? 1 : 0;
}

/*
 * Appends to out the compact object text obj with the members m (keys
 * ascending, none already present) inserted where JSON_SORT_KEYS puts
 * them, so the result is byte for byte what jansson writes for the object
 * with those members; at[i] is where member i begins in out (its comma). obj is jansson's own
 * compact, sorted, ASCII-only output; a top-level key with an escape (whose order jansson takes
 * from the unescaped bytes) returns -1 and the caller asks jansson instead.
 */
static int splice(text_buf *out, const char *obj, const member *m, size_t m_count, size_t *at)
{
    size_t len = strlen(obj), p = 1, next = 0;
    int first = 1;
    if (len < 2 || obj[0] != '{' || obj[len - 1] != '}' || text_add(out, "{", 1) != 0)
        return -1;
    while (p < len - 1) {
        if (obj[p] != '"')
            return -1;
        size_t ks = p + 1, ke = ks;
        while (ke < len && obj[ke] != '"' && obj[ke] != '\\')
            ke++;
        if (ke + 1 >= len || obj[ke] != '"' || obj[ke + 1] != ':')
            return -1;
        size_t v = value_end(obj, ke + 2, len);
        if (v >= len)
            return -1;
        while (next < m_count && key_cmp(m[next].key, obj + ks, ke - ks) < 0) {
            at[next] = out->len;
            if (emit_member(out, &first, &m[next++]) != 0)
                return -1;
        }
        if ((!first && text_add(out, ",", 1) != 0) || text_add(out, obj + p, v - p) != 0)
            return -1;
        first = 0;
        p = obj[v] == ',' ? v + 1 : v;
    }
    while (next < m_count) {
        at[next] = out->len;
        if (emit_member(out, &first, &m[next++]) != 0)
            return -1;
    }
    return text_add(out, "}", 1);
}

/* The slow path: jansson adds the members and serialises. */
static int rebuild(text_buf *out, const char *obj, const member *m, size_t m_count)
{
    json_t *rec = json_loads(obj, JSON_REJECT_DUPLICATES, NULL);
    int rc = rec != NULL ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < m_count; i++)
        rc = json_object_set_new(rec, m[i].key, json_loads(m[i].value, JSON_DECODE_ANY, NULL));
    char *text =
        rc == 0 ? json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII) : NULL;
    rc = text != NULL ? text_add(out, text, strlen(text)) : -1;
    free(text);
    json_decref(rec);
    return rc;
}

static int add_members(text_buf *out, const char *obj, const member *m, size_t m_count)
{
    size_t mark = out->len, at[4];
    if (m_count <= 4 && splice(out, obj, m, m_count, at) == 0)
        return 0;
    out->len = mark;
    return rebuild(out, obj, m, m_count);
}

/* The chain's members of the next record after t. */
static void chain_members(const ocv_audit_tail *t, member m[3])
{
    m[0] = (member){"ckpt", ""};
    m[1] = (member){"prev", "\""};
    m[2] = (member){"seq", ""};
    snprintf(m[0].value, sizeof(m[0].value), "%lld", (long long)t->last_ckpt);
    memcpy(m[1].value + 1, t->hash, 64);
    memcpy(m[1].value + 65, "\"", 2);
    snprintf(m[2].value, sizeof(m[2].value), "%lld", (long long)(t->seq + 1));
}

static int chain_done(text_buf *out, size_t mark, const char *hex, int is_ckpt, ocv_audit_tail *t)
{
    if (out->len - mark >= OCV_AUDIT_MAX_LINE || text_add(out, "\n", 1) != 0)
        return -1;
    t->seq++;
    memcpy(t->hash, hex, 65);
    if (is_ckpt)
        t->last_ckpt = t->seq;
    return 0;
}

/* The general way: the chain's members added, hashed, then the hash
 * added (jansson's serialisation where the record's keys need it). */
static int chain_text_twice(text_buf *out, text_buf *scratch, const char *base, int is_ckpt,
                            ocv_audit_tail *t)
{
    member chain[3], h = {"hash", ""};
    chain_members(t, chain);
    uint8_t digest[32];
    char hex[65];
    scratch->len = 0;
    /* scratch holds prev || canonical: one SHA-256 call covers both */
    if (text_add(scratch, t->hash, 64) != 0 || add_members(scratch, base, chain, 3) != 0 ||
        ocv_sha256((const uint8_t *)scratch->p, scratch->len, digest) != 0)
        return -1;
    scratch->p[scratch->len] = 0;
    ocv_hex_encode(digest, sizeof(digest), hex);
    snprintf(h.value, sizeof(h.value), "\"%s\"", hex);
    size_t mark = out->len;
    if (add_members(out, scratch->p + 64, &h, 1) != 0)
        return -1;
    return chain_done(out, mark, hex, is_ckpt, t);
}

/*
 * Numbers, chains and serialises one record, given as its canonical text
 * without the chain's members, onto the batch:
 *   canonical = text + {ckpt, prev, seq}; hash = SHA-256(prev || canonical);
 *   line = canonical + {hash}.
 * One pass: the record is spliced once with a placeholder hash member,
 * which (its comma with it) is all that line has beyond canonical; the
 * digest is then written into the placeholder.
 */
static int chain_text(text_buf *out, text_buf *scratch, const char *base, int is_ckpt,
                      ocv_audit_tail *t)
{
    static const char placeholder[] = ",\"hash\":\"";
    member m[4];
    chain_members(t, m);
    m[3] = m[2];
    m[2] = m[1];
    m[1] = (member){"hash", "\"0000000000000000000000000000000000000000000000000000000000000000\""};
    size_t mark = out->len, at[4];
    size_t p_len = sizeof(placeholder) - 1, h_len = p_len + 65;
    if (splice(out, base, m, 4, at) != 0 || memcmp(out->p + at[1], placeholder, p_len) != 0) {
        out->len = mark;
        return chain_text_twice(out, scratch, base, is_ckpt, t);
    }
    size_t h = at[1], end = out->len;
    uint8_t digest[32];
    char hex[65];
    scratch->len = 0;
    if (text_add(scratch, t->hash, 64) != 0 || text_add(scratch, out->p + mark, h - mark) != 0 ||
        text_add(scratch, out->p + h + h_len, end - h - h_len) != 0 ||
        ocv_sha256((const uint8_t *)scratch->p, scratch->len, digest) != 0)
        return -1;
    ocv_hex_encode(digest, sizeof(digest), hex);
    memcpy(out->p + h + p_len, hex, 64);
    return chain_done(out, mark, hex, is_ckpt, t);
}

/* Serialises a record made here (checkpoint, recovered) and chains it. */
static int chain_json(text_buf *out, text_buf *scratch, json_t *rec, int is_ckpt, ocv_audit_tail *t)
{
    char *text = rec ? json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII) : NULL;
    int rc = text != NULL ? chain_text(out, scratch, text, is_ckpt, t) : -1;
    free(text);
    json_decref(rec);
    return rc;
}

/* "PATH: WHAT[: WHY]" */
static void set_error(ocv_audit_log *log, const char *what, const char *why)
{
    pthread_mutex_lock(&log->mu);
    snprintf(log->error, sizeof(log->error), "%s: %s%s%s", log->path, what, why ? ": " : "",
             why ? why : "");
    pthread_mutex_unlock(&log->mu);
}

/* Builds the batch text under the file lock. */
static ocv_reason build_batch(ocv_audit_log *log, char **recs, size_t n, int force_ckpt,
                              ocv_audit_tail *t, text_buf *out)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    text_buf scratch = {NULL, 0, 0}; /* one record's hashed text at a time */
    const ocv_pkey *key = log->opt.device_key;
    if (key == NULL && t->last_ckpt > 0) {
        set_error(log,
                  "the log carries signed checkpoints; a writer without the device key would "
                  "leave records no checkpoint covers",
                  NULL);
        r = OCV_CONFIG_INVALID;
        goto out;
    }
    if (t->torn > 0) {
        json_t *rec = json_pack("{s:s, s:I, s:I}", "event", "recovered", "time",
                                (json_int_t)ocv_now(), "torn_bytes", (json_int_t)t->torn);
        if (chain_json(out, &scratch, rec, 0, t) != 0)
            goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (chain_text(out, &scratch, recs[i], 0, t) != 0)
            goto out;
        if (key != NULL && log->opt.checkpoint_every > 0 &&
            t->seq - t->last_ckpt >= (int64_t)log->opt.checkpoint_every &&
            chain_json(out, &scratch, checkpoint_record(log, t->seq, t->hash, ocv_now()), 1, t) !=
                0)
            goto out;
    }
    if (key != NULL && force_ckpt && t->last_ckpt != t->seq && t->seq > 0 &&
        chain_json(out, &scratch, checkpoint_record(log, t->seq, t->hash, ocv_now()), 1, t) != 0)
        goto out;
    r = OCV_OK;
out:
    free(scratch.p);
    return r;
}

/* Writes one batch to the file: lock, read the head, write, fsync. */
static ocv_reason write_batch(ocv_audit_log *log, char **recs, size_t n, int force_ckpt)
{
    text_buf out = {NULL, 0, 0};
    ocv_audit_tail t;
    ocv_reason r = OCV_CONFIG_INVALID;
    if (flock(log->fd, LOCK_EX) != 0) {
        set_error(log, "cannot lock", strerror(errno));
        return r;
    }
    if (ocv_audit_read_tail(log->fd, &t) != 0) {
        set_error(log, "the last record is unreadable; run 'ocv audit verify'", NULL);
        goto unlock;
    }
    r = build_batch(log, recs, n, force_ckpt, &t, &out);
    if (r != OCV_OK || out.len == 0)
        goto unlock;
    off_t keep = t.size - (off_t)t.torn;
    if (t.torn > 0 && ftruncate(log->fd, keep) != 0) {
        set_error(log, "cannot cut the torn last line", strerror(errno));
        r = OCV_CONFIG_INVALID;
        goto unlock;
    }
    if (write_all(log->fd, out.p, out.len) != 0 || fsync(log->fd) != 0) {
        set_error(log, "write failed", strerror(errno));
        if (ftruncate(log->fd, keep) == 0)
            (void)fsync(log->fd);
        r = OCV_CONFIG_INVALID;
        goto unlock;
    }
    pthread_mutex_lock(&log->mu);
    log->head.count = t.seq;
    memcpy(log->head.hash, t.hash, 65);
    log->batches++;
    log->records += n;
    pthread_mutex_unlock(&log->mu);
unlock:
    flock(log->fd, LOCK_UN);
    free(out.p);
    return r;
}

/* Writes at most batch_max_records of the queue (the oldest) as one batch;
 * the error is sticky. */
static ocv_reason flush_batch(ocv_audit_log *log, int force_ckpt)
{
    pthread_mutex_lock(&log->mu);
    size_t n = log->qlen < log->opt.batch_max_records ? log->qlen : log->opt.batch_max_records;
    char **recs = malloc((n ? n : 1) * sizeof(*recs));
    ocv_reason r = recs ? log->sticky : OCV_INTERNAL_ERROR;
    if (recs == NULL) {
        n = 0;
    } else if (n > 0) { /* the queue is NULL while empty */
        memcpy(recs, log->queue, n * sizeof(*recs));
        memmove(log->queue, log->queue + n, (log->qlen - n) * sizeof(*recs));
        log->qlen -= n;
        if (log->qlen > 0) /* they arrived while the last batch was written */
            clock_gettime(CLOCK_REALTIME, &log->oldest);
        pthread_cond_broadcast(&log->room);
    }
    force_ckpt = force_ckpt && log->qlen == 0;
    pthread_mutex_unlock(&log->mu);
    if (r == OCV_OK && (n > 0 || force_ckpt))
        r = write_batch(log, recs, n, force_ckpt);
    for (size_t i = 0; i < n; i++)
        free(recs[i]);
    free(recs);
    if (r != OCV_OK) {
        pthread_mutex_lock(&log->mu);
        log->sticky = r;
        pthread_cond_broadcast(&log->room);
        pthread_mutex_unlock(&log->mu);
    }
    return r;
}

/* Writes everything queued so far, batch by batch (then a checkpoint when
 * asked); one flush at a time. */
static ocv_reason flush_now(ocv_audit_log *log, int force_ckpt)
{
    pthread_mutex_lock(&log->flush_mu);
    ocv_reason r;
    size_t left;
    do {
        r = flush_batch(log, force_ckpt);
        pthread_mutex_lock(&log->mu);
        left = log->qlen;
        pthread_mutex_unlock(&log->mu);
    } while (r == OCV_OK && left > 0);
    pthread_mutex_unlock(&log->flush_mu);
    return r;
}

static void deadline_after(const struct timespec *from, unsigned ms, struct timespec *ts)
{
    *ts = *from;
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void *flusher(void *arg)
{
    ocv_audit_log *log = arg;
    pthread_mutex_lock(&log->mu);
    while (!log->stop) {
        if (log->qlen == 0) {
            pthread_cond_wait(&log->work, &log->mu);
            continue;
        }
        /* one batch per batch_max_ms under a steady load, not one per
         * fsync: draining the queue in a loop wrote a batch as soon as the
         * last one was synced, about ten times as many fsyncs */
        struct timespec ts;
        deadline_after(&log->oldest, log->opt.batch_max_ms, &ts);
        while (!log->stop && log->qlen > 0 && log->qlen < log->opt.batch_max_records)
            if (pthread_cond_timedwait(&log->work, &log->mu, &ts) != 0)
                break;
        pthread_mutex_unlock(&log->mu);
        pthread_mutex_lock(&log->flush_mu);
        (void)flush_batch(log, 0);
        pthread_mutex_unlock(&log->flush_mu);
        pthread_mutex_lock(&log->mu);
    }
    pthread_mutex_unlock(&log->mu);
    return NULL;
}

ocv_reason ocv_audit_open(const char *path, const ocv_audit_options *options, ocv_audit_log **out,
                          char *err, size_t err_len)
{
    *out = NULL;
    ocv_audit_options defaults;
    ocv_audit_options_init(&defaults);
    const ocv_audit_options *o = options ? options : &defaults;
    const char *id = o->device_id ? o->device_id : DEFAULT_DEVICE_ID;
    if (strlen(id) == 0 || strlen(id) > MAX_DEVICE_ID) {
        ocv_errf(err, err_len, "audit: a device id of 1..%u bytes", MAX_DEVICE_ID);
        return OCV_CONFIG_INVALID;
    }
    if (o->device_key != NULL && !o->device_key->has_private) {
        ocv_errf(err, err_len, "audit: checkpoints need the device's private key");
        return OCV_CONFIG_INVALID;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ocv_errf(err, err_len, "%s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return OCV_CONFIG_INVALID;
    }
    ocv_audit_log *log = calloc(1, sizeof(*log));
    if (log == NULL || (log->path = strdup(path)) == NULL) {
        free(log);
        close(fd);
        return OCV_INTERNAL_ERROR;
    }
    log->fd = fd;
    log->opt = *o;
    if (log->opt.batch_max_records == 0)
        log->opt.batch_max_records = 1;
    if (log->opt.batch_max_records > OCV_AUDIT_MAX_PENDING)
        log->opt.batch_max_records = OCV_AUDIT_MAX_PENDING;
    ocv_strlcpy(log->device_id, id, sizeof(log->device_id));
    log->opt.device_id = log->device_id;
    memcpy(log->head.hash, OCV_AUDIT_ZERO_HASH, 65);
    pthread_mutex_init(&log->mu, NULL);
    pthread_mutex_init(&log->flush_mu, NULL);
    pthread_cond_init(&log->work, NULL);
    pthread_cond_init(&log->room, NULL);
    if (o->batch_max_ms > 0) {
        if (pthread_create(&log->thread, NULL, flusher, log) != 0) {
            ocv_errf(err, err_len, "audit: cannot start the flusher thread");
            ocv_reason ignored = ocv_audit_close(log);
            (void)ignored;
            return OCV_INTERNAL_ERROR;
        }
        log->threaded = 1;
    }
    *out = log;
    return OCV_OK;
}

static int reserved(const char *name)
{
    static const char *const names[] = {"seq", "time", "event", "ckpt", "prev", "hash"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

static ocv_reason enqueue(ocv_audit_log *log, char *text);

ocv_reason ocv_audit_log_event(ocv_audit_log *log, const char *event, int64_t time, json_t *fields)
{
    if (event == NULL || strcmp(event, "checkpoint") == 0 || strcmp(event, "recovered") == 0)
        return OCV_MALFORMED;
    json_t *rec = json_object();
    if (rec == NULL)
        return OCV_INTERNAL_ERROR;
    const char *k;
    json_t *v;
    json_object_foreach(fields, k, v)
    {
        if (reserved(k)) {
            json_decref(rec);
            return OCV_MALFORMED;
        }
        json_object_set(rec, k, v);
    }
    json_object_set_new(rec, "event", json_string(event));
    json_object_set_new(rec, "time", json_integer(time));
    /* serialised here, on the caller's thread; the flusher only splices in
     * the chain's members and hashes */
    char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(rec);
    return enqueue(log, text);
}

/* Queues one record's canonical text (ownership taken; NULL: out of
 * memory) for the flusher, or writes it at once without one. */
static ocv_reason enqueue(ocv_audit_log *log, char *text)
{
    if (text == NULL)
        return OCV_INTERNAL_ERROR;
    if (strlen(text) > OCV_AUDIT_MAX_LINE - 256) {
        free(text);
        return OCV_TOO_LARGE;
    }
    pthread_mutex_lock(&log->mu);
    while (log->sticky == OCV_OK && log->qlen >= OCV_AUDIT_MAX_PENDING)
        pthread_cond_wait(&log->room, &log->mu);
    ocv_reason r = log->sticky;
    if (r == OCV_OK && log->qlen == log->qcap) {
        size_t cap = log->qcap ? log->qcap * 2 : 64;
        char **q = realloc(log->queue, cap * sizeof(*q));
        if (q == NULL)
            r = OCV_INTERNAL_ERROR;
        else {
            log->queue = q;
            log->qcap = cap;
        }
    }
    if (r == OCV_OK) {
        if (log->qlen == 0)
            clock_gettime(CLOCK_REALTIME, &log->oldest);
        log->queue[log->qlen++] = text;
        text = NULL;
        if (log->qlen >= log->opt.batch_max_records || log->qlen == 1)
            pthread_cond_signal(&log->work);
    }
    int sync = !log->threaded;
    pthread_mutex_unlock(&log->mu);
    free(text);
    if (r == OCV_OK && sync)
        r = flush_now(log, 0);
    return r;
}

int64_t ocv_audit_decision_time(const ocv_decision *d)
{
    return d->evaluated_at && !d->historical ? d->evaluated_at : ocv_now();
}

ocv_reason ocv_audit_log_decision(ocv_audit_log *log, const ocv_decision *d,
                                  const ocv_audit_decision_meta *meta)
{
    if (d->allow ? !log->opt.log_allows : !log->opt.log_denies)
        return OCV_OK;
    return enqueue(log, ocv_audit_decision_text(d, meta, ocv_audit_decision_time(d)));
}

ocv_reason ocv_audit_flush(ocv_audit_log *log)
{
    return flush_now(log, 0);
}

ocv_reason ocv_audit_checkpoint(ocv_audit_log *log)
{
    return flush_now(log, 1);
}

void ocv_audit_get_head(ocv_audit_log *log, ocv_audit_head *out)
{
    pthread_mutex_lock(&log->mu);
    *out = log->head;
    pthread_mutex_unlock(&log->mu);
}

void ocv_audit_stats(ocv_audit_log *log, uint64_t *records, uint64_t *batches)
{
    pthread_mutex_lock(&log->mu);
    *records = log->records;
    *batches = log->batches;
    pthread_mutex_unlock(&log->mu);
}

const char *ocv_audit_error(ocv_audit_log *log)
{
    return log->error;
}

ocv_reason ocv_audit_close(ocv_audit_log *log)
{
    if (log == NULL)
        return OCV_OK;
    if (log->threaded) {
        pthread_mutex_lock(&log->mu);
        log->stop = 1;
        pthread_cond_broadcast(&log->work);
        pthread_mutex_unlock(&log->mu);
        pthread_join(log->thread, NULL);
    }
    ocv_reason r = flush_now(log, log->opt.device_key != NULL);
    for (size_t i = 0; i < log->qlen; i++)
        free(log->queue[i]);
    free(log->queue);
    pthread_mutex_destroy(&log->mu);
    pthread_mutex_destroy(&log->flush_mu);
    pthread_cond_destroy(&log->work);
    pthread_cond_destroy(&log->room);
    close(log->fd);
    free(log->path);
    free(log);
    return r;
}

ocv_reason ocv_audit_append(const char *path, const char *event, int64_t time, json_t *fields,
                            char *err, size_t err_len)
{
    ocv_audit_log *log;
    ocv_reason r = ocv_audit_open(path, NULL, &log, err, err_len);
    if (r != OCV_OK)
        return r;
    r = ocv_audit_log_event(log, event, time, fields);
    if (r != OCV_OK)
        ocv_errf(err, err_len, "%s", log->error[0] ? log->error : "audit: invalid record");
    ocv_reason c = ocv_audit_close(log);
    return r != OCV_OK ? r : c;
}
