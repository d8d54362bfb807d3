/*
 * test_device.c - the public device API's contract at its edges (the
 * whole flow on real bundles is tests/e2e/api_examples.sh) and loading
 * trust and policy from memory; decisions on several threads while
 * another connection syncs, each decision reading one store snapshot.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/canon.h"
#include "revocation/bundle.h"
#include "revocation/digest.h"
#include "revocation/store.h"
#include "testutil.h"
#include "verifier/cose_sign1.h"
#include "verifier/pkey.h"

typedef struct scratch {
    char dir[64];
    char db[96];
    char log[96];
} scratch;

/* An initialised, empty store in a fresh directory. */
static void make_store(scratch *s)
{
    snprintf(s->dir, sizeof(s->dir), "/tmp/ocv-device-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->db, sizeof(s->db), "%s/dev.db", s->dir);
    snprintf(s->log, sizeof(s->log), "%s/audit.log", s->dir);
    ocv_store *store;
    char err[256];
    assert_reason(ocv_store_open(s->db, 1, &store, err, sizeof(err)), OCV_OK);
    ocv_store_close(store);
}

static void remove_store(const scratch *s)
{
    char path[128];
    const char *names[] = {"dev.db", "dev.db-wal", "dev.db-shm", "audit.log", "audit.log.lock"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", s->dir, names[i]);
        unlink(path);
    }
    rmdir(s->dir);
}

static size_t lines_of(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c;
    while (f != NULL && (c = fgetc(f)) != EOF)
        n += c == '\n';
    if (f != NULL)
        fclose(f);
    return n;
}

static void open_refuses_bad_options(void **state)
{
    (void)state;
    ocv_device_options o;
    ocv_device_options_init(&o);
    assert_int_equal(o.clock_skew_seconds, 60);
    ocv_device *d = (ocv_device *)&o; /* must be cleared on failure */
    char err[256] = "";
    assert_reason(ocv_device_open(&d, &o, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_null(d);
    assert_non_null(strstr(err, "db_path"));
    assert_reason(ocv_device_open(NULL, &o, err, sizeof(err)), OCV_INTERNAL_ERROR);

    scratch s;
    make_store(&s);
    o.db_path = s.db;
    o.clock_skew_seconds = 4000;
    assert_reason(ocv_device_open(&d, &o, err, sizeof(err)), OCV_CONFIG_INVALID);
    o.clock_skew_seconds = 60;
    static const uint8_t not_a_key[] =
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    o.device_key = not_a_key;
    o.device_key_len = sizeof(not_a_key) - 1;
    assert_reason(ocv_device_open(&d, &o, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "device id")); /* the id is checked first */
    o.device_id = "edge-7";
    assert_reason(ocv_device_open(&d, &o, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "the device key: "));
    assert_null(d);
    assert_reason(ocv_device_close(NULL, err, sizeof(err)), OCV_OK);
    remove_store(&s);
}

static void empty_store(void **state)
{
    (void)state;
    scratch s;
    make_store(&s);
    ocv_device_options o;
    ocv_device_options_init(&o);
    o.db_path = s.db;
    o.audit_path = s.log;
    ocv_device *d;
    char err[256] = "";
    assert_reason(ocv_device_open(&d, &o, err, sizeof(err)), OCV_OK);

    ocv_device_state *st = malloc(sizeof(*st));
    assert_non_null(st);
    assert_reason(ocv_device_status(d, 0, st), OCV_OK);
    assert_int_equal(st->authority_count, 0);
    assert_int_equal(st->crl_count, 0);
    assert_true(st->proven);
    assert_string_equal(st->problem, "");
    free(st);
    ocv_crl_status c;
    assert_reason(ocv_device_crl_status(d, 0, 0, &c), OCV_CONFIG_INVALID);

    /* no device key: no receipt, and nothing recorded */
    uint8_t *receipt = (uint8_t *)err;
    size_t len = 1;
    assert_reason(ocv_device_receipt(d, NULL, NULL, 0, &receipt, &len, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_null(receipt);
    assert_int_equal(len, 0);

    /* a refusal is recorded once, and changes nothing */
    static const uint8_t garbage[] = {0xd2, 0x84, 0x40, 0xa0, 0xf6};
    ocv_sync_result res;
    assert_reason(ocv_device_sync(d, garbage, sizeof(garbage), "garbage", 1800000000, 0, &res),
                  OCV_BUNDLE_MALFORMED);
    assert_reason(res.reason, OCV_BUNDLE_MALFORMED);
    assert_int_equal(res.outcome, OCV_SYNC_REFUSED);
    assert_true(res.detail[0] != 0);
    /* deferred: not recorded until the caller says the refusal is final */
    assert_reason(ocv_device_sync(d, garbage, 3, "cut", 1800000000, OCV_SYNC_DEFER_REFUSAL, &res),
                  OCV_BUNDLE_MALFORMED);
    assert_reason(ocv_device_sync(d, NULL, 0, "none", 0, 0, &res), OCV_INTERNAL_ERROR);
    assert_reason(ocv_device_close(d, err, sizeof(err)), OCV_OK);
    assert_int_equal(lines_of(s.log), 1);

    assert_reason(ocv_device_open(&d, &o, err, sizeof(err)), OCV_OK);
    assert_reason(ocv_device_record_refusal(d, "cut", 1800000000, &res), OCV_OK);
    assert_reason(ocv_device_close(d, err, sizeof(err)), OCV_OK);
    assert_int_equal(lines_of(s.log), 2);
    remove_store(&s);
}

/* Receipts refuse what they cannot state, before anything is recorded. */
static void receipt_refusals(void **state)
{
    (void)state;
    scratch s;
    make_store(&s);
    ocv_bytes key;
    test_fixture_read("leaf.key", &key);
    ocv_device_options o;
    ocv_device_options_init(&o);
    o.db_path = s.db;
    o.audit_path = s.log;
    o.device_key = key.data;
    o.device_key_len = key.len;
    o.device_id = "edge-7";
    ocv_device *d;
    char err[256] = "";
    assert_reason(ocv_device_open(&d, &o, err, sizeof(err)), OCV_OK);
    ocv_bytes_free(&key); /* the handle keeps its own copy */
    uint8_t *receipt;
    size_t len;
    assert_reason(ocv_device_receipt(d, NULL, NULL, 0, &receipt, &len, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "the store has 0"));
    assert_reason(ocv_device_receipt(d, "nope", NULL, 0, &receipt, &len, err, sizeof(err)),
                  OCV_BUNDLE_AUTHORITY_UNKNOWN);
    assert_non_null(strstr(err, "'nope' is not pinned"));
    assert_reason(ocv_device_receipt(d, "nope", "", 0, &receipt, &len, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_null(receipt);
    assert_reason(ocv_device_close(d, err, sizeof(err)), OCV_OK);
    /* refusals record nothing (and an empty log needs no checkpoint) */
    assert_int_equal(lines_of(s.log), 0);
    remove_store(&s);
}

static ocv_reason open_with(const ocv_config *cfg, char *err, size_t err_len)
{
    ocv_ctx *ctx = NULL;
    ocv_reason r = ocv_open(&ctx, cfg, err, err_len);
    ocv_close(ctx);
    return r;
}

static void blobs_exclude_paths(void **state)
{
    (void)state;
    static const uint8_t policy[] = "{\"version\": 1, \"rules\": []}";
    static const uint8_t jwks[] =
        "{\"keys\": [{\"kty\": \"OKP\", \"crv\": \"Ed25519\", \"kid\": \"a\", "
        "\"x\": \"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}";
    static const uint8_t no_keys[] = "{\"keys\": []}";
    char err[512] = "";
    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.policy_blob = (ocv_blob){policy, sizeof(policy) - 1, "mem:policy"};
    cfg.keys_blob = (ocv_blob){no_keys, sizeof(no_keys) - 1, NULL};
    /* a key set with no key is a mistake reported now, not a KEY_UNKNOWN later */
    assert_reason(open_with(&cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "(memory): no usable token key"));
    cfg.keys_blob = (ocv_blob){jwks, sizeof(jwks) - 1, NULL};
    assert_reason(open_with(&cfg, err, sizeof(err)), OCV_OK);

    cfg.policy_path = "/nonexistent/policy.json";
    assert_reason(open_with(&cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "policy_blob"));
    cfg.policy_path = NULL;
    cfg.no_policy = 1;
    assert_reason(open_with(&cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    cfg.no_policy = 0;

    cfg.jwks_path = "/nonexistent/keys.json";
    assert_reason(open_with(&cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "blob"));
    cfg.jwks_path = NULL;

    /* over the 8 MiB file limit: refused before a byte is read */
    cfg.keys_blob.len = 9u * 1024u * 1024u;
    assert_reason(open_with(&cfg, err, sizeof(err)), OCV_TOO_LARGE);
    assert_non_null(strstr(err, "(memory)"));
    cfg.keys_blob = (ocv_blob){(const uint8_t *)"[", 1, "mem:keys"};
    assert_reason(open_with(&cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "mem:keys: "));
}

static void trust_source_blobs(void **state)
{
    (void)state;
    static const uint8_t jwks[] =
        "{\"keys\": [{\"kty\": \"OKP\", \"crv\": \"Ed25519\", \"kid\": \"a\", "
        "\"x\": \"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}";
    ocv_blob blob = {jwks, sizeof(jwks) - 1, "mem:oidc"};
    ocv_trust_source_config src;
    memset(&src, 0, sizeof(src));
    src.name = "idp";
    src.kind = OCV_TRUST_OIDC;
    src.issuer = "https://idp.example";
    src.blobs = &blob;
    src.blob_count = 1;
    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.no_policy = 1;
    cfg.trust_sources = &src;
    cfg.trust_source_count = 1;
    char err[512] = "";
    ocv_ctx *ctx;
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_OK);
    ocv_trust_info info;
    assert_reason(ocv_trust_describe(ctx, 0, &info), OCV_OK);
    assert_int_equal(info.key_count, 1);
    ocv_close(ctx);

    src.files[0] = "/nonexistent/keys.json";
    src.file_count = 1;
    assert_reason(open_with(&cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "not both"));
    src.file_count = 0;
    src.blobs = NULL;
    assert_reason(open_with(&cfg, err, sizeof(err)), OCV_CONFIG_INVALID);
}

/* ---- decisions while syncs commit ------------------------------------ */

typedef struct racer {
    ocv_ctx *ctx;
    const ocv_request *req;
    atomic_int *stop;
    long allowed, revoked, wrong;
    char why[200];
} racer;

/* Odd sequences hold no entry, even ones revoke the workload: a decision
 * must agree with the state it reports as in force. */
static void *decide(void *arg)
{
    racer *r = arg;
    while (!atomic_load(r->stop)) {
        ocv_decision d;
        ocv_reason reason = ocv_check(r->ctx, r->req, &d);
        int64_t seq = d.revocation_count == 1 ? d.revocation[0].sequence : -1;
        if (reason == OCV_OK && d.allow && seq > 0 && seq % 2 == 1) {
            r->allowed++;
        } else if (d.reason == OCV_REVOKED && seq > 0 && seq % 2 == 0) {
            r->revoked++;
        } else if (r->wrong++ == 0) {
            snprintf(r->why, sizeof(r->why), "%s at sequence %lld: %.120s",
                     ocv_reason_name(d.reason), (long long)seq, d.detail);
        }
    }
    return NULL;
}

/* Sequence seq on top of seq - 1: the entry added (even) or removed (odd). */
static void sync_sequence(ocv_store *store, const ocv_pkey *key, int64_t seq, ocv_entry *entry)
{
    ocv_bundle b;
    ocv_bundle_init(&b);
    b.authority = "auth";
    b.authority_len = 4;
    b.sequence = seq;
    b.issued_at = 1700000000 + seq;
    b.next_update = 4000000000;
    b.kind = seq == 1 ? OCV_BUNDLE_FULL : OCV_BUNDLE_DELTA;
    b.base_sequence = seq - 1;
    int revoked_after = seq % 2 == 0;
    test_state_digest(entry, revoked_after ? 0 : 1, b.base_digest);
    test_state_digest(entry, revoked_after ? 1 : 0, b.state_digest);
    if (seq > 1 && revoked_after) {
        b.added = entry;
        b.added_count = 1;
    } else if (seq > 1) {
        b.removed = entry;
        b.removed_count = 1;
    }
    ocv_bytes payload, signed_bundle;
    assert_reason(ocv_bundle_encode(&b, &payload), OCV_OK);
    assert_reason(ocv_sign1_create(OCV_ALG_EDDSA, key, (const uint8_t *)"auth", 4, payload.data,
                                   payload.len, &signed_bundle),
                  OCV_OK);
    ocv_apply_result res;
    char detail[256] = "";
    if (ocv_bundle_apply_signed(store, signed_bundle.data, signed_bundle.len, 1700000000 + seq, 60,
                                &res, detail, sizeof(detail)) != OCV_OK)
        fail_msg("sequence %lld: %s", (long long)seq, detail);
    ocv_bytes_free(&payload);
    ocv_bytes_free(&signed_bundle);
}

/*
 * Four threads decide on one context while another connection commits 40
 * syncs that revoke and restore the workload in turn. Every decision reads
 * the clock floor, its lookups and the state it reports from one snapshot,
 * so an allow always names an odd sequence and a REVOKED an even one; with
 * two transactions a decision could deny under sequence 2 and report 3.
 */
static void decisions_read_one_snapshot(void **state)
{
    (void)state;
    scratch s;
    make_store(&s);
    ocv_pkey key;
    ocv_bytes spki;
    assert_reason(ocv_pkey_generate(OCV_KEY_ED25519, 0, &key), OCV_OK);
    assert_reason(ocv_pkey_public_der(&key, &spki), OCV_OK);
    ocv_store *writer;
    char err[512] = "";
    assert_reason(ocv_store_open(s.db, 0, &writer, err, sizeof(err)), OCV_OK);
    assert_reason(ocv_store_begin(writer), OCV_OK);
    assert_reason(ocv_store_add_authority(writer, "auth", spki.data, spki.len), OCV_OK);
    assert_reason(ocv_store_commit(writer), OCV_OK);
    ocv_entry none = {OCV_ENTRY_SUBJECT, "", 0, "", 0, 0, 0};
    sync_sequence(writer, &key, 1, &none);

    char anchors[1024];
    snprintf(anchors, sizeof(anchors), "%s", test_fixture_path("anchors.pem"));
    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.anchors_path = anchors;
    cfg.db_path = s.db;
    cfg.no_policy = 1;
    ocv_ctx *ctx;
    if (ocv_open(&ctx, &cfg, err, sizeof(err)) != OCV_OK)
        fail_msg("ocv_open: %s", err);
    ocv_bytes leaf, chain;
    test_fixture_read("leaf.pem", &leaf);
    test_fixture_read("inter.pem", &chain);
    ocv_request req;
    ocv_request_init(&req);
    req.credential = leaf.data;
    req.credential_len = leaf.len;
    req.chain = chain.data;
    req.chain_len = chain.len;
    ocv_decision d;
    if (ocv_check(ctx, &req, &d) != OCV_OK)
        fail_msg("first decision: %s %s", ocv_reason_name(d.reason), d.detail);
    assert_int_equal(d.revocation_count, 1);
    assert_string_equal(d.revocation[0].authority, "auth");
    assert_int_equal(d.revocation[0].sequence, 1);
    /* the first reads open a transaction (and find SQLite's WAL-index
     * header); then the unchanged store answers from the cache. A
     * certificate's signature is not the token signature cache's. */
    assert_int_equal(d.store_read, OCV_CACHE_MISS);
    assert_int_equal(d.signature_cache, OCV_CACHE_NOT_USED);
    for (int i = 0; i < 2; i++)
        if (ocv_check(ctx, &req, &d) != OCV_OK)
            fail_msg("decision %d: %s %s", i + 2, ocv_reason_name(d.reason), d.detail);
    assert_int_equal(d.store_read, OCV_CACHE_HIT);
    assert_int_equal(d.revocation[0].sequence, 1);
    /* bytes that do not parse consult no state (and cost no store read) */
    ocv_request garbage;
    ocv_request_init(&garbage);
    garbage.credential = (const uint8_t *)"not.a.token";
    garbage.credential_len = 11;
    ocv_decision gd;
    assert_reason(ocv_check(ctx, &garbage, &gd), OCV_MALFORMED);
    assert_int_equal(gd.revocation_count, 0);
    assert_int_equal(gd.store_read, OCV_CACHE_NOT_USED);
    char subject[OCV_MAX_IDENTITY_BYTES + 1];
    ocv_identity_revocation_form(d.subject, strlen(d.subject), subject);
    ocv_entry revoke = {OCV_ENTRY_SUBJECT, "", 0, subject, strlen(subject), 0, 0};

    atomic_int stop;
    atomic_init(&stop, 0);
    racer r[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        r[i] = (racer){ctx, &req, &stop, 0, 0, 0, ""};
        assert_int_equal(pthread_create(&t[i], NULL, decide, &r[i]), 0);
    }
    for (int64_t seq = 2; seq <= 41; seq++)
        sync_sequence(writer, &key, seq, &revoke);
    atomic_store(&stop, 1);
    long allowed = 0, revoked = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        if (r[i].wrong > 0)
            fail_msg("thread %d: %ld decisions disagree with the state they report (first: %s)", i,
                     r[i].wrong, r[i].why);
        allowed += r[i].allowed;
        revoked += r[i].revoked;
    }
    print_message("# %ld allowed, %ld revoked across 40 syncs\n", allowed, revoked);
    assert_reason(ocv_check(ctx, &req, &d), OCV_OK); /* 41: restored */
    assert_int_equal(d.revocation[0].sequence, 41);
    ocv_close(ctx);
    ocv_store_close(writer);
    ocv_bytes_free(&leaf);
    ocv_bytes_free(&chain);
    ocv_bytes_free(&spki);
    ocv_pkey_free(&key);
    remove_store(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_refuses_bad_options), cmocka_unit_test(empty_store),
        cmocka_unit_test(receipt_refusals),         cmocka_unit_test(blobs_exclude_paths),
        cmocka_unit_test(trust_source_blobs),       cmocka_unit_test(decisions_read_one_snapshot),
    };
    return cmocka_run_group_tests_name("device", tests, NULL, NULL);
}
