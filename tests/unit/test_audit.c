/* test_audit.c - the audit log: chain, checkpoints, attacks with
 * recomputed hashes, group commit from many threads, a failing write,
 * a crash (kill -9) while appending. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "decision/audit.h"
#include "revocation/store.h"
#include "testutil.h"
#include "verifier/pkey.h"

static char path[64];
static ocv_pkey device, other;

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/ocv-audit-XXXXXX");
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    if (ocv_pkey_generate(OCV_KEY_ED25519, 0, &device) != OCV_OK ||
        ocv_pkey_generate(OCV_KEY_EC_P256, 0, &other) != OCV_OK)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    ocv_pkey_free(&device);
    ocv_pkey_free(&other);
    return 0;
}

static void append_n(int n)
{
    for (int i = 0; i < n; i++) {
        json_t *f = json_pack("{s:s, s:i}", "bundle", "b.cose", "sequence", i + 1);
        char err[256] = "";
        assert_reason(ocv_audit_append(path, "bundle", 1800000000 + i, f, err, sizeof(err)),
                      OCV_OK);
        json_decref(f);
    }
}

/* n records through a keyed log checkpointing every `every` (and at close). */
static void append_keyed(int n, size_t every)
{
    ocv_audit_options o;
    ocv_audit_options_init(&o);
    o.device_key = &device;
    o.device_id = "edge-7";
    o.checkpoint_every = every;
    ocv_audit_log *log;
    char err[256] = "";
    assert_reason(ocv_audit_open(path, &o, &log, err, sizeof(err)), OCV_OK);
    for (int i = 0; i < n; i++) {
        json_t *f = json_pack("{s:i}", "sequence", i + 1);
        assert_reason(ocv_audit_log_event(log, "bundle", 1800000000 + i, f), OCV_OK);
        json_decref(f);
    }
    assert_reason(ocv_audit_close(log), OCV_OK);
}

static char *slurp(void)
{
    ocv_bytes b;
    assert_reason(ocv_file_read(path, 1 << 24, &b, NULL, 0), OCV_OK);
    return (char *)b.data;
}

static void spit(const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static ocv_reason verify(size_t *n, char *err, size_t len)
{
    return ocv_audit_verify(path, n, err, len);
}

static ocv_reason verify_key(const ocv_pkey *key, ocv_audit_report *rep, char *err, size_t len)
{
    return ocv_audit_verify_log(path, key, NULL, NULL, rep, err, len);
}

/* The attacker's tool: re-chain every line after editing (no key needed). */
static void rechain_all(const char *text)
{
    char *copy = strdup(text);
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = 0;
    FILE *f = fopen(path, "w");
    long seq = 0;
    char *p = copy;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl == NULL)
            break;
        *nl = 0;
        json_t *rec = json_loads(p, 0, NULL);
        assert_non_null(rec);
        seq++;
        json_object_set_new(rec, "seq", json_integer(seq));
        json_object_set_new(rec, "prev", json_string(prev));
        json_object_del(rec, "hash");
        if (strcmp(json_string_value(json_object_get(rec, "event")), "checkpoint") == 0) {
            json_object_set_new(rec, "head", json_string(prev)); /* fix the unsigned copy */
            json_object_set_new(rec, "count", json_integer(seq - 1));
        }
        char *canon = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
        size_t n = strlen(canon);
        uint8_t *buf = malloc(64 + n), digest[32];
        memcpy(buf, prev, 64);
        memcpy(buf + 64, canon, n);
        assert_int_equal(ocv_sha256(buf, 64 + n, digest), 0);
        ocv_hex_encode(digest, 32, prev);
        json_object_set_new(rec, "hash", json_string(prev));
        char *out = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
        fprintf(f, "%s\n", out);
        free(out);
        free(canon);
        free(buf);
        json_decref(rec);
        p = nl + 1;
    }
    fclose(f);
    free(copy);
}

/* The text without line number `drop` (1-based) and without lines after
 * `keep` (0: all). */
static char *lines_except(const char *text, int drop, int keep)
{
    char *out = calloc(1, strlen(text) + 1);
    int n = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p) + 1;
        n++;
        if (n != drop && (keep == 0 || n <= keep))
            strncat(out, p, len);
        p = nl + 1;
    }
    return out;
}

static void chain_verifies(void **state)
{
    (void)state;
    append_n(5);
    size_t n = 0;
    char err[256] = "";
    assert_reason(verify(&n, err, sizeof(err)), OCV_OK);
    assert_int_equal(n, 5);
    char *text = slurp();
    assert_non_null(strstr(text, "\"seq\":5"));
    assert_non_null(strstr(text, "\"event\":\"bundle\""));
    assert_non_null(strstr(text, "\"ckpt\":0"));
    ocv_audit_head head;
    assert_reason(ocv_audit_read_head(path, &head, err, sizeof(err)), OCV_OK);
    assert_int_equal(head.count, 5);
    assert_non_null(strstr(text, head.hash));
    free(text);
}

static void edits_are_found(void **state)
{
    (void)state;
    append_n(4);
    char *orig = slurp();
    size_t n;
    char err[256];
    /* an edited field */
    char *edited = strdup(orig);
    char *p = strstr(edited, "\"sequence\":2");
    p[11] = '9';
    spit(edited);
    assert_reason(verify(&n, err, sizeof(err)), OCV_MALFORMED);
    assert_non_null(strstr(err, ":2:"));
    /* a removed record */
    char *second = strchr(orig, '\n') + 1;
    char *third = strchr(second, '\n') + 1;
    char removed[8192];
    snprintf(removed, sizeof(removed), "%.*s%s", (int)(second - orig), orig, third);
    spit(removed);
    assert_reason(verify(&n, err, sizeof(err)), OCV_MALFORMED);
    /* reordered records */
    char swapped[8192];
    snprintf(swapped, sizeof(swapped), "%.*s%.*s%s", (int)(third - second), second,
             (int)(second - orig), orig, third);
    spit(swapped);
    assert_reason(verify(&n, err, sizeof(err)), OCV_MALFORMED);
    assert_non_null(strstr(err, ":1:"));
    free(edited);
    free(orig);
}

/* A torn last line (a crashed writer) is not part of the chain: verify
 * passes and says so; the next writer cuts it and records the cut. */
static void torn_tail_is_recovered(void **state)
{
    (void)state;
    append_n(3);
    char *orig = slurp();
    orig[strlen(orig) - 5] = 0;
    spit(orig);
    free(orig);
    ocv_audit_report rep;
    char err[256] = "";
    assert_reason(ocv_audit_verify_log(path, NULL, NULL, NULL, &rep, err, sizeof(err)), OCV_OK);
    assert_int_equal(rep.records, 2);
    assert_true(rep.torn_bytes > 0);
    append_n(1);
    assert_reason(ocv_audit_verify_log(path, NULL, NULL, NULL, &rep, err, sizeof(err)), OCV_OK);
    assert_int_equal(rep.records, 4); /* 2 + "recovered" + the new one */
    assert_int_equal(rep.torn_bytes, 0);
    char *text = slurp();
    assert_non_null(strstr(text, "\"event\":\"recovered\""));
    free(text);
}

/* The tail check a server runs at start: the last record must chain onto
 * the one before; what lies further back is ocv_audit_verify_log's job. */
static void tail_check(void **state)
{
    (void)state;
    char err[256] = "";
    int ckpt = -1;
    append_n(1);
    assert_reason(ocv_audit_verify_tail(path, &ckpt, err, sizeof(err)), OCV_OK);
    assert_int_equal(ckpt, 0);
    append_n(3);
    assert_reason(ocv_audit_verify_tail(path, &ckpt, err, sizeof(err)), OCV_OK);
    char *orig = slurp();
    /* the last record edited */
    char *edited = strdup(orig);
    char *p = strstr(edited, "\"sequence\":3");
    p[11] = '9';
    spit(edited);
    assert_reason(ocv_audit_verify_tail(path, &ckpt, err, sizeof(err)), OCV_MALFORMED);
    assert_non_null(strstr(err, "the last record: record does not chain"));
    /* the record before the last removed */
    char *last = strrchr(orig, '\n');
    *last = 0;
    last = strrchr(orig, '\n') + 1;
    char *before = last - 1;
    while (before > orig && before[-1] != '\n')
        before--;
    char removed[8192];
    snprintf(removed, sizeof(removed), "%.*s%s\n", (int)(before - orig), orig, last);
    spit(removed);
    assert_reason(ocv_audit_verify_tail(path, &ckpt, err, sizeof(err)), OCV_MALFORMED);
    /* an edit further back is not its job: the full verify finds it */
    snprintf(removed, sizeof(removed), "%s\n", orig);
    p = strstr(removed, "\"sequence\":1");
    p[11] = '7';
    spit(removed);
    assert_reason(ocv_audit_verify_tail(path, &ckpt, err, sizeof(err)), OCV_OK);
    size_t n;
    assert_reason(verify(&n, err, sizeof(err)), OCV_MALFORMED);
    /* a torn tail is ignored; empty, missing and non-JSON are refused */
    snprintf(removed, sizeof(removed), "%s\n{\"torn", orig);
    spit(removed);
    assert_reason(ocv_audit_verify_tail(path, &ckpt, err, sizeof(err)), OCV_OK);
    spit("not json\n");
    assert_reason(ocv_audit_verify_tail(path, &ckpt, err, sizeof(err)), OCV_MALFORMED);
    spit("");
    assert_reason(ocv_audit_verify_tail(path, &ckpt, err, sizeof(err)), OCV_CONFIG_INVALID);
    unlink(path);
    assert_reason(ocv_audit_verify_tail(path, &ckpt, err, sizeof(err)), OCV_CONFIG_INVALID);
    free(edited);
    free(orig);
    /* a checkpointed log says so */
    append_keyed(5, 2);
    assert_reason(ocv_audit_verify_tail(path, &ckpt, err, sizeof(err)), OCV_OK);
    assert_int_equal(ckpt, 1);
}

static void unusable_inputs(void **state)
{
    (void)state;
    char err[256] = "";
    size_t n;
    assert_reason(ocv_audit_append("/nonexistent/dir/audit.log", "x", 1, NULL, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_reason(ocv_audit_verify("/nonexistent/audit.log", &n, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    spit("");
    assert_reason(ocv_audit_verify(path, &n, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "empty"));
    assert_reason(ocv_audit_verify("/dev/null", &n, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "not a regular file"));
    assert_reason(ocv_audit_verify("/tmp", &n, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_reason(ocv_audit_append("/tmp", "x", 1, NULL, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_reason(ocv_audit_append("/dev/null", "x", 1, NULL, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    /* reserved names cannot be smuggled in as fields */
    json_t *f = json_pack("{s:s}", "hash", "00");
    assert_reason(ocv_audit_append(path, "x", 1, f, err, sizeof(err)), OCV_MALFORMED);
    json_decref(f);
}

static void checkpoints_verify(void **state)
{
    (void)state;
    append_keyed(10, 4);
    ocv_audit_report rep;
    char err[256] = "";
    assert_reason(verify_key(&device, &rep, err, sizeof(err)), OCV_OK);
    /* 10 records, checkpoints after 4 and 8, and one at close */
    assert_int_equal(rep.records, 13);
    assert_int_equal(rep.checkpoints_checked, 3);
    assert_int_equal(rep.covered, 13);
    assert_int_equal(rep.unprotected, 0);
    assert_reason(ocv_audit_verify_log(path, &device, "edge-7", NULL, &rep, err, sizeof(err)),
                  OCV_OK);
    assert_reason(ocv_audit_verify_log(path, &device, "edge-8", NULL, &rep, err, sizeof(err)),
                  OCV_SIGNATURE_INVALID);
    /* the wrong key (of another type, too) */
    assert_reason(verify_key(&other, &rep, err, sizeof(err)), OCV_SIGNATURE_INVALID);
    assert_non_null(strstr(err, "does not verify with this device key"));
    /* without a key the chain still verifies, checkpoints counted */
    assert_reason(verify_key(NULL, &rep, err, sizeof(err)), OCV_OK);
    assert_int_equal(rep.checkpoints, 3);
    assert_int_equal(rep.checkpoints_checked, 0);
    /* a keyless writer may not append to a checkpointed log */
    assert_reason(ocv_audit_append(path, "x", 1, NULL, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "checkpoints"));
}

static void no_checkpoint_proves_nothing(void **state)
{
    (void)state;
    append_n(3);
    ocv_audit_report rep;
    char err[256] = "";
    assert_reason(verify_key(&device, &rep, err, sizeof(err)), OCV_SIGNATURE_INVALID);
    assert_non_null(strstr(err, "no checkpoint"));
}

/* Attack: an edited record with every hash recomputed. The plain chain is
 * fooled; the checkpoints are not. */
static void rewrite_with_recomputed_hashes(void **state)
{
    (void)state;
    append_keyed(6, 4);
    char *text = slurp();
    char *p = strstr(text, "\"sequence\":2");
    p[11] = '7';
    rechain_all(text);
    free(text);
    ocv_audit_report rep;
    char err[256] = "";
    assert_reason(verify_key(NULL, &rep, err, sizeof(err)), OCV_OK); /* unkeyed: fooled */
    assert_reason(verify_key(&device, &rep, err, sizeof(err)), OCV_MALFORMED);
    assert_non_null(strstr(err, ":5: checkpoint"));
}

/* Attack: a deleted checkpoint (and re-chained): the next checkpoint's
 * signed head no longer matches. */
static void deleted_checkpoint(void **state)
{
    (void)state;
    append_keyed(6, 4);
    char *text = slurp();
    char *cut = lines_except(text, 5, 0); /* line 5 is the first checkpoint */
    assert_non_null(strstr(text, "\"event\":\"checkpoint\""));
    rechain_all(cut);
    free(cut);
    free(text);
    ocv_audit_report rep;
    char err[256] = "";
    assert_reason(verify_key(&device, &rep, err, sizeof(err)), OCV_MALFORMED);
}

/* Attack: truncation. Cutting into covered records (dropping the last
 * checkpoint and more than `every` records after the one before) is
 * found; cutting exactly after a checkpoint is not (documented: only a
 * head held elsewhere, as in a receipt, reveals it). */
static void truncation(void **state)
{
    (void)state;
    /* lines: 1-3, C4 (covers 3), 5-7, C8 (covers 7), 9, C10 at close */
    append_keyed(7, 3);
    char *text = slurp();
    /* cut after line 7: C8 gone, 3 records after C4 is within every=3 */
    char *cut = lines_except(text, 0, 7);
    spit(cut);
    ocv_audit_report rep;
    char err[256] = "";
    assert_reason(verify_key(&device, &rep, err, sizeof(err)), OCV_OK);
    assert_int_equal(rep.covered, 4);
    assert_int_equal(rep.unprotected, 3);
    /* ... but a receipt's head (count 10) reveals it */
    ocv_audit_head head;
    assert_reason(ocv_audit_read_head(path, &head, err, sizeof(err)), OCV_OK);
    assert_int_equal(head.count, 7);
    spit(text);
    ocv_audit_head full;
    assert_reason(ocv_audit_read_head(path, &full, err, sizeof(err)), OCV_OK);
    assert_int_equal(full.count, 10);
    assert_reason(ocv_audit_verify_log(path, &device, NULL, &full, &rep, err, sizeof(err)), OCV_OK);
    spit(cut);
    assert_reason(ocv_audit_verify_log(path, &device, NULL, &full, &rep, err, sizeof(err)),
                  OCV_MALFORMED);
    assert_non_null(strstr(err, "truncated"));
    /* and one more (forged) record after C4 exceeds every: found */
    char forged[16384];
    snprintf(
        forged, sizeof(forged),
        "%s{\"event\":\"bundle\",\"time\":1,\"ckpt\":4,\"seq\":0,\"prev\":\"\",\"hash\":\"\"}\n",
        cut);
    rechain_all(forged);
    assert_reason(verify_key(&device, &rep, err, sizeof(err)), OCV_MALFORMED);
    assert_non_null(strstr(err, ":8: more than 3 records after the checkpoint at line 4"));
    free(cut);
    free(text);
}

/* Records whose text is spliced (the chain's members inserted into the
 * caller-serialised text) must be byte for byte what jansson writes: every
 * shape of field, and keys that force the jansson fallback. */
static void tricky_fields_chain(void **state)
{
    (void)state;
    const char *fields[] = {
        "{}",
        "{\"a\":1,\"zz\":\"\\\",\\\"seq\\\":1,\\\"\"}",
        "{\"nested\":{\"hash\":\"x\",\"seq\":2,\"prev\":[1,{\"ckpt\":3}]},\"q\":[\"}\",\"{\"]}",
        "{\"caf\u00e9\":\"\u00fcber\",\"h\":null,\"hb\":true,\"i\":-5,\"r\":1.5}",
        "{\"quo\\\"te\":1,\"back\\\\slash\":2,\"pre\":3,\"prev_\":4,\"sep\":5,\"sez\":6}",
        "{\"\":\"empty key\",\"ckp\":1,\"ckpta\":2,\"seq0\":3,\"hasi\":4,\"has\":5}",
        /* around the hash member's placeholder */
        "{\"hash_\":1,\"hasg\":2,\"hash0\":\",\\\"hash\\\":\\\"\"}",
        "{\"a\":[{\"hash\":\"0000\"}]}",
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        json_t *f = json_loads(fields[i], 0, NULL);
        assert_non_null(f);
        char err[256] = "";
        assert_reason(ocv_audit_append(path, "bundle", 1800000000, f, err, sizeof(err)), OCV_OK);
        json_decref(f);
    }
    size_t n = 0;
    char err[256] = "";
    assert_reason(verify(&n, err, sizeof(err)), OCV_OK);
    assert_int_equal(n, sizeof(fields) / sizeof(fields[0]));
    /* a record too large to be one line is refused, not truncated */
    char *big = calloc(1, OCV_AUDIT_MAX_LINE);
    memset(big, 'x', OCV_AUDIT_MAX_LINE - 1);
    json_t *f = json_pack("{s:s}", "detail", big);
    assert_reason(ocv_audit_append(path, "bundle", 1, f, err, sizeof(err)), OCV_TOO_LARGE);
    json_decref(f);
    free(big);
}

/* ---- group commit -------------------------------------------------- */

#define THREADS    4
#define PER_THREAD 300

static void *decide_many(void *arg)
{
    ocv_audit_log *log = arg;
    ocv_decision d;
    memset(&d, 0, sizeof(d));
    d.reason = OCV_REVOKED;
    snprintf(d.subject, sizeof(d.subject), "spiffe://example.org/ns/a/sa/x");
    d.evaluated_at = 1800000000;
    ocv_audit_decision_meta m;
    memset(&m, 0, sizeof(m));
    m.purpose = "read";
    m.credential = (const uint8_t *)"token-bytes";
    m.credential_len = 11;
    for (int i = 0; i < PER_THREAD; i++)
        if (ocv_audit_log_decision(log, &d, &m) != OCV_OK)
            return (void *)1;
    return NULL;
}

static void threads_group_commit(void **state)
{
    (void)state;
    ocv_audit_options o;
    ocv_audit_options_init(&o);
    o.batch_max_records = 64;
    o.batch_max_ms = 5;
    o.device_key = &device;
    o.checkpoint_every = 500;
    ocv_audit_log *log;
    char err[256] = "";
    assert_reason(ocv_audit_open(path, &o, &log, err, sizeof(err)), OCV_OK);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, decide_many, log), 0);
    /* a concurrent writer in the same process: a revocation event */
    json_t *f = json_pack("{s:s}", "bundle", "b.cose");
    assert_reason(ocv_audit_log_event(log, "bundle", 1800000000, f), OCV_OK);
    json_decref(f);
    for (int i = 0; i < THREADS; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
    assert_reason(ocv_audit_flush(log), OCV_OK);
    uint64_t records, batches;
    ocv_audit_stats(log, &records, &batches);
    assert_int_equal(records, THREADS * PER_THREAD + 1);
    assert_true(batches < records / 4); /* grouped: far fewer fsyncs than records */
    assert_reason(ocv_audit_close(log), OCV_OK);
    ocv_audit_report rep;
    assert_reason(verify_key(&device, &rep, err, sizeof(err)), OCV_OK);
    /* 1201 records, checkpoints after 500 and 1000 records since the last, one at close */
    assert_int_equal(rep.records, THREADS * PER_THREAD + 1 + 3);
    assert_int_equal(rep.unprotected, 0);
    char *text = slurp();
    assert_non_null(strstr(text, "\"credential_sha256\":\""));
    assert_null(strstr(text, "token-bytes"));
    assert_non_null(strstr(text, "\"subject_claimed\":true"));
    assert_non_null(strstr(text, "\"reason\":\"REVOKED\""));
    free(text);
}

/* Under a steady trickle, batches follow batch_ms, not the fsyncs: the
 * flusher once drained the queue in a loop, so each batch began as soon as
 * the last was synced (about ten times as many fsyncs under load). Delays
 * on a busy machine only make batches fewer, never more, so the bound
 * holds there too. */
static void steady_load_batches_by_time(void **state)
{
    (void)state;
    ocv_audit_options o;
    ocv_audit_options_init(&o);
    o.batch_max_records = 100000;
    o.batch_max_ms = 40;
    ocv_audit_log *log;
    char err[256] = "";
    assert_reason(ocv_audit_open(path, &o, &log, err, sizeof(err)), OCV_OK);
    struct timespec start, now, pause = {0, 200000}; /* a record every 0.2 ms */
    clock_gettime(CLOCK_MONOTONIC, &start);
    double elapsed_ms = 0;
    int sent = 0;
    while (elapsed_ms < 400) {
        json_t *f = json_pack("{s:i}", "n", sent++);
        assert_reason(ocv_audit_log_event(log, "tick", 1800000000, f), OCV_OK);
        json_decref(f);
        nanosleep(&pause, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        elapsed_ms =
            (double)(now.tv_sec - start.tv_sec) * 1e3 + (double)(now.tv_nsec - start.tv_nsec) / 1e6;
    }
    uint64_t records, batches;
    ocv_audit_stats(log, &records, &batches);
    print_message("# %d records in %.0f ms: %llu batches before the final flush\n", sent,
                  elapsed_ms, (unsigned long long)batches);
    assert_true(batches <= (uint64_t)(elapsed_ms / o.batch_max_ms) + 2);
    assert_reason(ocv_audit_close(log), OCV_OK);
    size_t n;
    assert_reason(verify(&n, err, sizeof(err)), OCV_OK);
    assert_int_equal(n, (size_t)sent);
}

static void allows_or_denies_only(void **state)
{
    (void)state;
    ocv_audit_options o;
    ocv_audit_options_init(&o);
    o.log_allows = 0;
    ocv_audit_log *log;
    char err[256] = "";
    assert_reason(ocv_audit_open(path, &o, &log, err, sizeof(err)), OCV_OK);
    ocv_decision d;
    memset(&d, 0, sizeof(d));
    d.allow = 1;
    d.reason = OCV_OK;
    d.subject_verified = 1;
    assert_reason(ocv_audit_log_decision(log, &d, NULL), OCV_OK);
    d.allow = 0;
    d.reason = OCV_EXPIRED;
    assert_reason(ocv_audit_log_decision(log, &d, NULL), OCV_OK);
    assert_reason(ocv_audit_close(log), OCV_OK);
    size_t n;
    assert_reason(verify(&n, err, sizeof(err)), OCV_OK);
    assert_int_equal(n, 1);
}

/* A write that fails (file size limit: EFBIG) leaves the file as it was
 * and is reported; the error is sticky. */
static void failing_write_changes_nothing(void **state)
{
    (void)state;
    append_n(3);
    char *before = slurp();
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    ocv_audit_log *log;
    char err[256] = "";
    assert_reason(ocv_audit_open(path, NULL, &log, err, sizeof(err)), OCV_OK);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)st.st_size + 10;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    json_t *f = json_pack("{s:s}", "bundle", "b.cose");
    ocv_reason r = ocv_audit_log_event(log, "bundle", 1, f);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    assert_reason(r, OCV_CONFIG_INVALID);
    assert_non_null(strstr(ocv_audit_error(log), "write failed"));
    assert_reason(ocv_audit_log_event(log, "bundle", 1, f), OCV_CONFIG_INVALID); /* sticky */
    json_decref(f);
    assert_reason(ocv_audit_close(log), OCV_CONFIG_INVALID);
    char *after = slurp();
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* kill -9 of a process appending in batches: the chain verifies. */
static void crash_keeps_chain(void **state)
{
    (void)state;
    append_n(1);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ocv_audit_options o;
        ocv_audit_options_init(&o);
        o.batch_max_records = 32;
        o.batch_max_ms = 2;
        ocv_audit_log *log;
        if (ocv_audit_open(path, &o, &log, NULL, 0) != OCV_OK)
            _exit(3);
        ocv_decision d;
        memset(&d, 0, sizeof(d));
        d.reason = OCV_EXPIRED;
        d.evaluated_at = 1800000000;
        for (;;)
            if (ocv_audit_log_decision(log, &d, NULL) != OCV_OK)
                _exit(4);
    }
    /* kill it once it has written batches: wait for the log to grow (no
     * fixed sleep, so a loaded machine cannot make the test fail) */
    struct stat sb;
    off_t start = stat(path, &sb) == 0 ? sb.st_size : 0;
    for (int i = 0; i < 1000 && (stat(path, &sb) != 0 || sb.st_size < start + 4096); i++) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
    ocv_audit_report rep;
    char err[256] = "";
    assert_reason(ocv_audit_verify_log(path, NULL, NULL, NULL, &rep, err, sizeof(err)), OCV_OK);
    assert_true(rep.records > 1);
    append_n(1); /* the next writer chains on (cutting a torn tail if any) */
    assert_reason(ocv_audit_verify_log(path, NULL, NULL, NULL, &rep, err, sizeof(err)), OCV_OK);
    assert_int_equal(rep.torn_bytes, 0);
}

/* The store's pre-commit hook: the record is written inside the write
 * transaction; a failed record rolls the change back. */
static ocv_reason record_hook(void *ctx)
{
    ocv_audit_log *log = ctx;
    json_t *f = json_pack("{s:s}", "authority", "x");
    ocv_reason r = ocv_audit_log_event(log, "bundle", 1, f);
    json_decref(f);
    return r == OCV_OK ? OCV_OK : OCV_CONFIG_INVALID;
}

static void store_commit_hook(void **state)
{
    (void)state;
    char db[80], err[256] = "";
    snprintf(db, sizeof(db), "%s.db", path);
    ocv_store *store;
    assert_reason(ocv_store_open(db, 1, &store, err, sizeof(err)), OCV_OK);
    ocv_audit_log *log;
    assert_reason(ocv_audit_open(path, NULL, &log, err, sizeof(err)), OCV_OK);
    ocv_store_set_commit_hook(store, record_hook, log);
    /* a working log: the change commits after its record */
    assert_reason(ocv_store_begin(store), OCV_OK);
    assert_reason(ocv_store_add_authority(store, "a", (const uint8_t *)"K", 1), OCV_OK);
    assert_reason(ocv_store_commit(store), OCV_OK);
    /* a failing log (file size limit): the change is rolled back */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)st.st_size + 10;
    signal(SIGXFSZ, SIG_IGN);
    assert_reason(ocv_store_begin(store), OCV_OK);
    assert_reason(ocv_store_add_authority(store, "b", (const uint8_t *)"K", 1), OCV_OK);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    ocv_reason r = ocv_store_commit(store);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    assert_reason(r, OCV_CONFIG_INVALID);
    ocv_store_set_commit_hook(store, NULL, NULL);
    char ids[OCV_MAX_AUTHORITIES][OCV_MAX_AUTHORITY_ID_BYTES + 1];
    size_t count = 0;
    assert_reason(ocv_store_list_authorities(store, ids, &count), OCV_OK);
    assert_int_equal(count, 1);
    assert_string_equal(ids[0], "a");
    ocv_store_close(store);
    assert_reason(ocv_audit_close(log), OCV_CONFIG_INVALID);
    size_t n;
    assert_reason(verify(&n, err, sizeof(err)), OCV_OK);
    assert_int_equal(n, 1);
    unlink(db);
    char aux[96];
    snprintf(aux, sizeof(aux), "%s-wal", db);
    unlink(aux);
    snprintf(aux, sizeof(aux), "%s-shm", db);
    unlink(aux);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(chain_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(edits_are_found, setup, teardown),
        cmocka_unit_test_setup_teardown(steady_load_batches_by_time, setup, teardown),
        cmocka_unit_test_setup_teardown(tail_check, setup, teardown),
        cmocka_unit_test_setup_teardown(torn_tail_is_recovered, setup, teardown),
        cmocka_unit_test_setup_teardown(unusable_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(checkpoints_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(no_checkpoint_proves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(rewrite_with_recomputed_hashes, setup, teardown),
        cmocka_unit_test_setup_teardown(deleted_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(tricky_fields_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(threads_group_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(allows_or_denies_only, setup, teardown),
        cmocka_unit_test_setup_teardown(failing_write_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(crash_keeps_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(store_commit_hook, setup, teardown),
    };
    return cmocka_run_group_tests_name("audit", tests, group_setup, group_teardown);
}
