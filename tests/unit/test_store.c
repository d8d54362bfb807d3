/*
 * test_store.c - the revocation store and bundle application: every
 * refusal reason, the store unchanged after each refusal, lookups for
 * every entry type, clock floor, rotation, two authorities.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/util.h"
#include "revocation/bundle.h"
#include "revocation/store.h"
#include "testutil.h"
#include "verifier/cose_sign1.h"
#include "verifier/pkey.h"

#define T0 1800000000ll

typedef struct fixture {
    char path[64];
    ocv_store *store;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    snprintf(f->path, sizeof(f->path), "/tmp/ocv-store-XXXXXX");
    int fd = mkstemp(f->path);
    close(fd);
    unlink(f->path);
    char err[256] = "";
    if (ocv_store_open(f->path, 1, &f->store, err, sizeof(err)) != OCV_OK)
        fail_msg("open: %s", err);
    assert_reason(ocv_store_begin(f->store), OCV_OK);
    assert_reason(ocv_store_add_authority(f->store, "auth", (const uint8_t *)"KEY1", 4), OCV_OK);
    assert_reason(ocv_store_add_authority(f->store, "other", (const uint8_t *)"KEY2", 4), OCV_OK);
    assert_reason(ocv_store_commit(f->store), OCV_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ocv_store_close(f->store);
    char side[80];
    unlink(f->path);
    snprintf(side, sizeof(side), "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", f->path);
    unlink(side);
    free(f);
    return 0;
}

static ocv_entry entry(ocv_entry_type type, const char *issuer, const char *value, int64_t before)
{
    ocv_entry e = {type, issuer, strlen(issuer), value, strlen(value), before, 0};
    return e;
}

static void bundle(ocv_bundle *b, const char *authority, int64_t seq, ocv_bundle_kind kind,
                   ocv_entry *added, size_t n)
{
    ocv_bundle_init(b);
    b->authority = authority;
    b->authority_len = strlen(authority);
    b->sequence = seq;
    b->issued_at = T0 + seq;
    b->next_update = T0 + seq + 86400;
    b->kind = kind;
    b->added = added;
    b->added_count = n;
}

static ocv_reason apply(fixture *f, const ocv_bundle *b, int64_t at)
{
    ocv_apply_result res;
    char detail[256] = "";
    return ocv_bundle_apply_verified(f->store, b, at, 60, &res, detail, sizeof(detail));
}

/* The state the tests compare before and after a refusal. */
static void snapshot(fixture *f, char *out, size_t len)
{
    ocv_authority_state a;
    assert_reason(ocv_store_get_authority(f->store, "auth", &a), OCV_OK);
    char hex[65];
    ocv_hex_encode(a.digest, 32, hex);
    int64_t floor = 0;
    assert_reason(ocv_store_get_clock_floor(f->store, &floor), OCV_OK);
    ocv_store_counts c;
    assert_reason(ocv_store_count(f->store, "auth", &c), OCV_OK);
    snprintf(out, len, "%lld %s %lld %lld %lld %lld %lld %lld %lld", (long long)a.sequence, hex,
             (long long)a.next_update, (long long)floor, (long long)c.serial, (long long)c.jti,
             (long long)c.key, (long long)c.subject, (long long)c.subject_before);
    ocv_authority_state_free(&a);
}

#define ISSUER_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define KEY_7    "7777777777777777777777777777777777777777777777777777777777777777"
static ocv_entry BASE[] = {
    {OCV_ENTRY_JTI, "https://issuer.example", 22, "tok-1", 5, 0, 0},
    {OCV_ENTRY_SERIAL, ISSUER_A, 64, "0badc0de", 8, 0, 0},
    {OCV_ENTRY_SUBJECT, "", 0, "spiffe://example.org/bad", 24, 0, 0},
    {OCV_ENTRY_SUBJECT_BEFORE, "", 0, "spiffe://example.org/rotated", 28, T0, 0},
    {OCV_ENTRY_KEY, "", 0, KEY_7, 64, 0, 0},
};
#define BASE_COUNT (sizeof(BASE) / sizeof(BASE[0]))

static void apply_base(fixture *f)
{
    ocv_bundle b;
    bundle(&b, "auth", 1, OCV_BUNDLE_FULL, BASE, BASE_COUNT);
    test_state_digest(BASE, BASE_COUNT, b.state_digest);
    assert_reason(apply(f, &b, T0 + 10), OCV_OK);
}

static ocv_store_verdict lookup(fixture *f, ocv_claims *c)
{
    ocv_store_verdict v;
    assert_reason(ocv_store_lookup(f->store, c, &v), OCV_OK);
    return v;
}

static void full_bundle_and_lookups(void **state)
{
    fixture *f = *state;
    apply_base(f);
    ocv_claims c;
    ocv_claims_init(&c);
    c.type = OCV_CREDENTIAL_JWT;
    strcpy(c.issuer, "https://issuer.example");
    strcpy(c.token_id, "tok-1");
    strcpy(c.subject, "spiffe://example.org/fine");
    ocv_store_verdict v = lookup(f, &c);
    assert_true(v.revoked);
    assert_non_null(strstr(v.matched, "jti"));
    strcpy(c.token_id, "tok-2");
    v = lookup(f, &c);
    assert_false(v.revoked);
    assert_true(v.freshness.has_data);
    assert_int_equal(v.freshness.oldest_next_update, T0 + 1 + 86400);
    assert_int_equal(v.clock_floor, T0 + 1);
    strcpy(c.issuer, "https://other.example");
    strcpy(c.token_id, "tok-1"); /* same jti, other issuer: not revoked */
    assert_false(lookup(f, &c).revoked);
    strcpy(c.subject, "spiffe://example.org/bad");
    assert_true(lookup(f, &c).revoked);
    strcpy(c.subject, "spiffe://example.org/rotated");
    c.has_issued_at = 1;
    c.issued_at = T0 - 1;
    assert_true(lookup(f, &c).revoked);
    c.issued_at = T0;
    assert_false(lookup(f, &c).revoked);
    c.has_issued_at = 0; /* unknown issue time: fail closed */
    assert_true(lookup(f, &c).revoked);
    strcpy(c.subject, "spiffe://example.org/fine");
    strcpy(c.key_id, KEY_7); /* a kid never revokes: only the verifying key */
    assert_false(lookup(f, &c).revoked);
    strcpy(c.verified_key_sha256, KEY_7);
    assert_true(lookup(f, &c).revoked);
    ocv_claims_init(&c);
    c.type = OCV_CREDENTIAL_X509;
    c.path_len = 3; /* leaf, intermediate, anchor */
    strcpy(c.path[0].serial, "0badc0de");
    strcpy(c.path[0].issuer_key_sha256,
           "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
    strcpy(c.path[1].serial, "0badc0de");
    strcpy(c.path[1].issuer_key_sha256, ISSUER_A);
    strcpy(c.subject, "spiffe://example.org/fine");
    assert_true(lookup(f, &c).revoked); /* the intermediate is revoked: the path is */
    strcpy(c.path[1].issuer_key_sha256,
           "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
    assert_false(lookup(f, &c).revoked);
    strcpy(c.path[2].key_sha256, KEY_7); /* the anchor's key revoked */
    assert_true(lookup(f, &c).revoked);
}

static void refusals_leave_the_store_unchanged(void **state)
{
    fixture *f = *state;
    apply_base(f);
    char before[512], after[512];
    snapshot(f, before, sizeof(before));
    ocv_entry more[] = {entry(OCV_ENTRY_JTI, "https://issuer.example", "tok-9", 0)};
    ocv_bundle b;

    bundle(&b, "auth", 1, OCV_BUNDLE_FULL, more, 1); /* replayed sequence, other content */
    test_state_digest(more, 1, b.state_digest);
    assert_reason(apply(f, &b, T0 + 20), OCV_BUNDLE_ROLLBACK);

    bundle(&b, "nobody", 2, OCV_BUNDLE_FULL, more, 1);
    assert_reason(apply(f, &b, T0 + 20), OCV_BUNDLE_AUTHORITY_UNKNOWN);

    bundle(&b, "auth", 2, OCV_BUNDLE_FULL, more, 1);
    test_state_digest(more, 1, b.state_digest);
    assert_reason(apply(f, &b, T0 + 2 - 3600), OCV_BUNDLE_FROM_FUTURE);
    assert_reason(apply(f, &b, T0 + 2 + 86400 + 3600), OCV_BUNDLE_EXPIRED);

    bundle(&b, "auth", 2, OCV_BUNDLE_DELTA, more, 1);
    b.base_sequence = 0; /* wrong base */
    assert_reason(apply(f, &b, T0 + 20), OCV_BUNDLE_CHAIN_BROKEN);
    b.base_sequence = 1;
    memset(b.base_digest, 0x11, 32); /* right sequence, wrong digest */
    assert_reason(apply(f, &b, T0 + 20), OCV_BUNDLE_CHAIN_BROKEN);

    bundle(&b, "auth", 2, OCV_BUNDLE_FULL, more, 1);
    memset(b.state_digest, 0x22, 32); /* incomplete state */
    assert_reason(apply(f, &b, T0 + 20), OCV_BUNDLE_DIGEST_MISMATCH);

    snapshot(f, after, sizeof(after));
    assert_string_equal(before, after);
}

static void delta_and_no_op(void **state)
{
    fixture *f = *state;
    apply_base(f);
    ocv_authority_state a;
    assert_reason(ocv_store_get_authority(f->store, "auth", &a), OCV_OK);
    ocv_entry added[] = {entry(OCV_ENTRY_JTI, "https://issuer.example", "tok-2", 0)};
    ocv_entry removed[] = {BASE[0]};
    ocv_entry after_state[BASE_COUNT];
    memcpy(after_state, BASE, sizeof(BASE));
    after_state[0] = added[0];
    ocv_bundle b;
    bundle(&b, "auth", 2, OCV_BUNDLE_DELTA, added, 1);
    b.removed = removed;
    b.removed_count = 1;
    b.base_sequence = 1;
    memcpy(b.base_digest, a.digest, 32);
    test_state_digest(after_state, BASE_COUNT, b.state_digest);
    ocv_apply_result res;
    char detail[256];
    assert_reason(
        ocv_bundle_apply_verified(f->store, &b, T0 + 30, 60, &res, detail, sizeof(detail)), OCV_OK);
    assert_true(res.applied);
    assert_int_equal(res.added, 1);
    assert_int_equal(res.removed, 1);
    assert_reason(
        ocv_bundle_apply_verified(f->store, &b, T0 + 30, 60, &res, detail, sizeof(detail)), OCV_OK);
    assert_true(res.no_op);
    assert_false(res.applied);
    ocv_authority_state_free(&a);
    ocv_claims c;
    ocv_claims_init(&c);
    c.type = OCV_CREDENTIAL_JWT;
    strcpy(c.issuer, "https://issuer.example");
    strcpy(c.token_id, "tok-2");
    assert_true(lookup(f, &c).revoked);
    strcpy(c.token_id, "tok-1");
    assert_false(lookup(f, &c).revoked);
}

static void rotation_replaces_the_key(void **state)
{
    fixture *f = *state;
    ocv_bundle b;
    bundle(&b, "auth", 1, OCV_BUNDLE_FULL, NULL, 0);
    test_state_digest(NULL, 0, b.state_digest);
    b.new_key = (const uint8_t *)"KEY-NEXT";
    b.new_key_len = 8;
    assert_reason(apply(f, &b, T0 + 5), OCV_OK);
    ocv_authority_state a;
    assert_reason(ocv_store_get_authority(f->store, "auth", &a), OCV_OK);
    assert_int_equal(a.public_key.len, 8);
    assert_memory_equal(a.public_key.data, "KEY-NEXT", 8);
    ocv_authority_state_free(&a);
}

static void authorities_are_separate(void **state)
{
    fixture *f = *state;
    apply_base(f);
    ocv_entry theirs[] = {entry(OCV_ENTRY_SUBJECT, "", "spiffe://example.org/bad", 0)};
    ocv_bundle b;
    bundle(&b, "other", 1, OCV_BUNDLE_FULL, theirs, 1);
    test_state_digest(theirs, 1, b.state_digest);
    assert_reason(apply(f, &b, T0 + 10), OCV_OK);
    /* a full bundle of "auth" without the subject leaves other's entry */
    bundle(&b, "auth", 2, OCV_BUNDLE_FULL, NULL, 0);
    test_state_digest(NULL, 0, b.state_digest);
    assert_reason(apply(f, &b, T0 + 10), OCV_OK);
    ocv_claims c;
    ocv_claims_init(&c);
    strcpy(c.subject, "spiffe://example.org/bad");
    ocv_store_verdict v = lookup(f, &c);
    assert_true(v.revoked);
    assert_non_null(strstr(v.matched, "other"));
}

/* ---- fault injection: a VFS that fails the n-th write, sync or
 * truncate, so every I/O step of a bundle application fails in turn ---- */

static sqlite3_vfs *real_vfs;
static sqlite3_io_methods faulty_methods;
static const sqlite3_io_methods *real_methods;
static int fail_at = -1, io_count = 0;

typedef struct faulty_file {
    sqlite3_file base;
    sqlite3_file *real;
} faulty_file;

static int tick(void)
{
    return fail_at >= 0 && io_count++ == fail_at ? SQLITE_IOERR : SQLITE_OK;
}

static int f_close(sqlite3_file *f)
{
    faulty_file *ff = (faulty_file *)f;
    int rc = ff->real->pMethods->xClose(ff->real);
    sqlite3_free(ff->real);
    return rc;
}
static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
    faulty_file *ff = (faulty_file *)f;
    return ff->real->pMethods->xRead(ff->real, b, n, o);
}
static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    faulty_file *ff = (faulty_file *)f;
    return tick() ? SQLITE_IOERR_WRITE : ff->real->pMethods->xWrite(ff->real, b, n, o);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 n)
{
    faulty_file *ff = (faulty_file *)f;
    return tick() ? SQLITE_IOERR_TRUNCATE : ff->real->pMethods->xTruncate(ff->real, n);
}
static int f_sync(sqlite3_file *f, int flags)
{
    faulty_file *ff = (faulty_file *)f;
    return tick() ? SQLITE_IOERR_FSYNC : ff->real->pMethods->xSync(ff->real, flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *n)
{
    return ((faulty_file *)f)->real->pMethods->xFileSize(((faulty_file *)f)->real, n);
}
static int f_lock(sqlite3_file *f, int l)
{
    return ((faulty_file *)f)->real->pMethods->xLock(((faulty_file *)f)->real, l);
}
static int f_unlock(sqlite3_file *f, int l)
{
    return ((faulty_file *)f)->real->pMethods->xUnlock(((faulty_file *)f)->real, l);
}
static int f_check(sqlite3_file *f, int *out)
{
    return ((faulty_file *)f)->real->pMethods->xCheckReservedLock(((faulty_file *)f)->real, out);
}
static int f_control(sqlite3_file *f, int op, void *arg)
{
    return ((faulty_file *)f)->real->pMethods->xFileControl(((faulty_file *)f)->real, op, arg);
}
static int f_sector(sqlite3_file *f)
{
    return ((faulty_file *)f)->real->pMethods->xSectorSize(((faulty_file *)f)->real);
}
static int f_chars(sqlite3_file *f)
{
    return ((faulty_file *)f)->real->pMethods->xDeviceCharacteristics(((faulty_file *)f)->real);
}
static int f_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
    return ((faulty_file *)f)->real->pMethods->xShmMap(((faulty_file *)f)->real, pg, sz, ext, pp);
}
static int f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
    return ((faulty_file *)f)->real->pMethods->xShmLock(((faulty_file *)f)->real, off, n, flags);
}
static void f_shm_barrier(sqlite3_file *f)
{
    ((faulty_file *)f)->real->pMethods->xShmBarrier(((faulty_file *)f)->real);
}
static int f_shm_unmap(sqlite3_file *f, int del)
{
    return ((faulty_file *)f)->real->pMethods->xShmUnmap(((faulty_file *)f)->real, del);
}

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out)
{
    (void)vfs;
    faulty_file *ff = (faulty_file *)file;
    ff->real = sqlite3_malloc(real_vfs->szOsFile);
    if (ff->real == NULL)
        return SQLITE_NOMEM;
    int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
    if (rc != SQLITE_OK || ff->real->pMethods == NULL) {
        sqlite3_free(ff->real);
        ff->base.pMethods = NULL;
        return rc;
    }
    real_methods = ff->real->pMethods;
    faulty_methods = (sqlite3_io_methods){
        2,          f_close,       f_read,      f_write,   f_truncate, f_sync,  f_size,
        f_lock,     f_unlock,      f_check,     f_control, f_sector,   f_chars, f_shm_map,
        f_shm_lock, f_shm_barrier, f_shm_unmap, NULL,      NULL};
    ff->base.pMethods = &faulty_methods;
    return SQLITE_OK;
}

static sqlite3_vfs faulty_vfs;

static void every_io_failure_leaves_the_store_unchanged(void **state)
{
    fixture *f = *state;
    apply_base(f);
    char before[512], after[512];
    snapshot(f, before, sizeof(before));
    ocv_store_close(f->store);
    f->store = NULL;
    real_vfs = sqlite3_vfs_find(NULL);
    faulty_vfs = *real_vfs;
    faulty_vfs.zName = "ocv-faulty";
    faulty_vfs.szOsFile = (int)sizeof(faulty_file);
    faulty_vfs.xOpen = f_open;
    assert_int_equal(sqlite3_vfs_register(&faulty_vfs, 1), SQLITE_OK);
    ocv_entry more[] = {entry(OCV_ENTRY_JTI, "https://issuer.example", "tok-9", 0),
                        entry(OCV_ENTRY_SUBJECT, "", "spiffe://example.org/x", 0)};
    ocv_entry after_state[BASE_COUNT + 2];
    memcpy(after_state, BASE, sizeof(BASE));
    memcpy(after_state + BASE_COUNT, more, sizeof(more));
    int applied = 0, failures = 0;
    for (int n = 0; n < 200 && !applied; n++) {
        char err[256];
        fail_at = -1;
        assert_reason(ocv_store_open(f->path, 0, &f->store, err, sizeof(err)), OCV_OK);
        ocv_authority_state a;
        assert_reason(ocv_store_get_authority(f->store, "auth", &a), OCV_OK);
        ocv_bundle b;
        bundle(&b, "auth", 2, OCV_BUNDLE_DELTA, more, 2);
        b.base_sequence = 1;
        memcpy(b.base_digest, a.digest, 32);
        ocv_authority_state_free(&a);
        test_state_digest(after_state, BASE_COUNT + 2, b.state_digest);
        io_count = 0;
        fail_at = n;
        ocv_reason r = apply(f, &b, T0 + 30);
        fail_at = -1;
        ocv_store_close(f->store);
        f->store = NULL;
        /* reopen without faults: the state is the old one, or the new */
        assert_reason(ocv_store_open(f->path, 0, &f->store, err, sizeof(err)), OCV_OK);
        snapshot(f, after, sizeof(after));
        if (r == OCV_OK && io_count <= n) {
            applied = 1; /* no I/O step left to fail */
            assert_string_not_equal(before, after);
        } else if (r != OCV_OK) {
            failures++;
            assert_string_equal(before, after);
        }
        ocv_store_close(f->store);
        f->store = NULL;
    }
    assert_int_equal(sqlite3_vfs_unregister(&faulty_vfs), SQLITE_OK);
    char err[256];
    assert_reason(ocv_store_open(f->path, 0, &f->store, err, sizeof(err)), OCV_OK);
    assert_true(applied);
    assert_true(failures > 0);
    print_message("%d injected I/O failures, each left the store unchanged\n", failures);
}

static void open_errors(void **state)
{
    (void)state;
    ocv_store *s = NULL;
    char err[256] = "";
    assert_reason(ocv_store_open("/nonexistent/dir/x.db", 1, &s, err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_null(s);
    char path[] = "/tmp/ocv-notdb-XXXXXX";
    int fd = mkstemp(path);
    assert_int_equal(write(fd, "this is not sqlite at all, not at all.....", 42), 42);
    close(fd);
    assert_reason(ocv_store_open(path, 1, &s, err, sizeof(err)), OCV_CONFIG_INVALID);
    unlink(path);
    /* a store from the future */
    char fut[] = "/tmp/ocv-future-XXXXXX";
    fd = mkstemp(fut);
    close(fd);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(fut, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "CREATE TABLE x(y); PRAGMA user_version = 99;", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_reason(ocv_store_open(fut, 1, &s, err, sizeof(err)), OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "99"));
    unlink(fut);
}

/* ---- rotation against an old-key bundle (issue 8 #6) --------------- */

typedef struct racer {
    const char *path;
    const ocv_bytes *bundle;
    pthread_barrier_t *go;
    ocv_reason reason;
    int applied;
} racer;

static void *race_one(void *arg)
{
    racer *r = arg;
    ocv_store *s = NULL;
    char err[256] = "";
    r->reason = ocv_store_open(r->path, 0, &s, err, sizeof(err));
    pthread_barrier_wait(r->go);
    if (r->reason == OCV_OK) {
        ocv_apply_result res;
        r->reason = ocv_bundle_apply_signed(s, r->bundle->data, r->bundle->len, T0 + 10, 60, &res,
                                            err, sizeof(err));
        r->applied = res.applied;
    }
    ocv_store_close(s);
    return NULL;
}

static void signed_bundle(const ocv_bundle *b, const ocv_pkey *key, ocv_bytes *out)
{
    ocv_bytes payload;
    assert_reason(ocv_bundle_encode(b, &payload), OCV_OK);
    assert_reason(ocv_sign1_create(OCV_ALG_EDDSA, key, (const uint8_t *)b->authority,
                                   b->authority_len, payload.data, payload.len, out),
                  OCV_OK);
    ocv_bytes_free(&payload);
}

/* The race needs many rounds, each with two commits: on tmpfs when the
 * machine has one, so the rounds measure locking, not the disk. */
static const char *race_dir(void)
{
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

static void copy_file(const char *from, const char *to)
{
    ocv_bytes data;
    char err[128];
    assert_reason(ocv_file_read(from, 1 << 24, &data, err, sizeof(err)), OCV_OK);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data.data, 1, data.len, f), data.len);
    fclose(f);
    ocv_bytes_free(&data);
}

static void remove_store(const char *path)
{
    char side[96];
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
}

/*
 * Two processes' worth of syncs race: one applies the bundle that rotates
 * the authority from key 1 to key 2, the other a later bundle still signed
 * by key 1. Whichever wins, the other must be refused: the old-key bundle
 * after the rotation (SIGNATURE_INVALID), or the rotation after the later
 * sequence (BUNDLE_ROLLBACK). Both applied is the hole. OCV_RACE_ROUNDS
 * sets the number of rounds (default 2000).
 */
static void rotation_races_an_old_key_bundle(void **state)
{
    (void)state;
    ocv_pkey k1, k2;
    ocv_bytes spki1, spki2;
    assert_reason(ocv_pkey_generate(OCV_KEY_ED25519, 0, &k1), OCV_OK);
    assert_reason(ocv_pkey_generate(OCV_KEY_ED25519, 0, &k2), OCV_OK);
    assert_reason(ocv_pkey_public_der(&k1, &spki1), OCV_OK);
    assert_reason(ocv_pkey_public_der(&k2, &spki2), OCV_OK);
    char tpl[64], path[64];
    snprintf(tpl, sizeof(tpl), "%s/ocv-race-%d.tpl", race_dir(), (int)getpid());
    snprintf(path, sizeof(path), "%s/ocv-race-%d.db", race_dir(), (int)getpid());
    remove_store(tpl);
    ocv_store *s;
    char err[256] = "";
    assert_reason(ocv_store_open(tpl, 1, &s, err, sizeof(err)), OCV_OK);
    assert_reason(ocv_store_begin(s), OCV_OK);
    assert_reason(ocv_store_add_authority(s, "auth", spki1.data, spki1.len), OCV_OK);
    assert_reason(ocv_store_commit(s), OCV_OK);
    ocv_bundle b;
    bundle(&b, "auth", 1, OCV_BUNDLE_FULL, NULL, 0);
    test_state_digest(NULL, 0, b.state_digest);
    ocv_bytes first, rotation, old_key;
    signed_bundle(&b, &k1, &first);
    ocv_apply_result res;
    assert_reason(
        ocv_bundle_apply_signed(s, first.data, first.len, T0 + 5, 60, &res, err, sizeof(err)),
        OCV_OK);
    ocv_store_checkpoint(s);
    ocv_store_close(s);
    bundle(&b, "auth", 2, OCV_BUNDLE_DELTA, NULL, 0);
    b.base_sequence = 1;
    test_state_digest(NULL, 0, b.base_digest);
    test_state_digest(NULL, 0, b.state_digest);
    b.new_key = spki2.data;
    b.new_key_len = spki2.len;
    signed_bundle(&b, &k1, &rotation);
    bundle(&b, "auth", 3, OCV_BUNDLE_FULL, NULL, 0);
    test_state_digest(NULL, 0, b.state_digest);
    signed_bundle(&b, &k1, &old_key);

    const char *env = getenv("OCV_RACE_ROUNDS");
    long rounds = env ? strtol(env, NULL, 10) : 2000;
    long rotation_first = 0, old_first = 0;
    for (long i = 0; i < rounds; i++) {
        remove_store(path);
        copy_file(tpl, path);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        racer a = {path, &rotation, &go, OCV_INTERNAL_ERROR, 0};
        racer o = {path, &old_key, &go, OCV_INTERNAL_ERROR, 0};
        pthread_t ta, to;
        pthread_create(&ta, NULL, race_one, &a);
        pthread_create(&to, NULL, race_one, &o);
        pthread_join(ta, NULL);
        pthread_join(to, NULL);
        pthread_barrier_destroy(&go);
        if (a.applied && o.applied)
            fail_msg("round %ld: the rotation and the old-key bundle were both applied", i);
        if (a.applied) {
            assert_reason(o.reason, OCV_BUNDLE_SIGNATURE_INVALID);
            rotation_first++;
        } else {
            assert_true(o.applied);
            assert_reason(a.reason, OCV_BUNDLE_ROLLBACK);
            old_first++;
        }
    }
    printf("# %ld rounds: rotation first %ld, old-key bundle first %ld\n", rounds, rotation_first,
           old_first);
    remove_store(path);
    remove_store(tpl);
    ocv_bytes_free(&first);
    ocv_bytes_free(&rotation);
    ocv_bytes_free(&old_key);
    ocv_bytes_free(&spki1);
    ocv_bytes_free(&spki2);
    ocv_pkey_free(&k1);
    ocv_pkey_free(&k2);
}

/* ---- a decision's read: the cache while nothing committed ----------- */

static ocv_store *open_reader(fixture *f)
{
    ocv_store *r;
    char err[256] = "";
    if (ocv_store_open(f->path, 0, &r, err, sizeof(err)) != OCV_OK)
        fail_msg("open: %s", err);
    /* the first reads find SQLite's WAL-index header and tag the cache */
    for (int i = 0; i < 2; i++) {
        assert_reason(ocv_store_read_begin(r), OCV_OK);
        ocv_store_read_end(r);
    }
    return r;
}

/* A full bundle of BASE plus a jti entry "extra" at sequence seq. */
static void apply_base_plus(fixture *f, int64_t seq, const char *extra)
{
    ocv_entry all[BASE_COUNT + 1];
    memcpy(all, BASE, sizeof(BASE));
    all[BASE_COUNT] = entry(OCV_ENTRY_JTI, "https://issuer.example", extra, 0);
    ocv_bundle b;
    bundle(&b, "auth", seq, OCV_BUNDLE_FULL, all, BASE_COUNT + 1);
    test_state_digest(all, BASE_COUNT + 1, b.state_digest);
    assert_reason(apply(f, &b, T0 + 10 + seq), OCV_OK);
}

static ocv_claims token_claims(const char *jti)
{
    ocv_claims c;
    ocv_claims_init(&c);
    c.type = OCV_CREDENTIAL_JWT;
    strcpy(c.issuer, "https://issuer.example");
    strcpy(c.token_id, jti);
    strcpy(c.subject, "spiffe://example.org/fine");
    return c;
}

static int64_t sequence_in_force(ocv_store *r)
{
    int64_t floor;
    ocv_revocation_state st[4];
    size_t n = 0;
    assert_reason(ocv_store_state(r, &floor, st, &n), OCV_OK);
    assert_int_equal(n, 2);
    assert_string_equal(st[0].authority, "auth");
    return st[0].sequence;
}

static void reads_use_the_cache_while_unchanged(void **state)
{
    fixture *f = *state;
    apply_base(f);
    ocv_store *r = open_reader(f);
    ocv_claims c = token_claims("tok-1");
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_true(ocv_store_read_cached(r));
    assert_int_equal(sequence_in_force(r), 1);
    ocv_store_verdict v;
    assert_reason(ocv_store_lookup(r, &c, &v), OCV_OK);
    assert_true(v.revoked);
    assert_false(v.state_moved);
    assert_false(ocv_store_read_cached(r)); /* a lookup never seen reads the store */
    ocv_store_read_end(r);
    /* the same credential again: remembered, no transaction */
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_true(ocv_store_read_cached(r));
    assert_reason(ocv_store_lookup(r, &c, &v), OCV_OK);
    assert_true(v.revoked);
    assert_string_equal(v.matched, "jti https://issuer.example tok-1 (authority auth)");
    assert_true(ocv_store_read_cached(r));
    ocv_store_read_end(r);
    /* another issue time is another question (subject_before) */
    c.has_issued_at = 1;
    c.issued_at = T0 - 5;
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_reason(ocv_store_lookup(r, &c, &v), OCV_OK);
    assert_false(ocv_store_read_cached(r));
    ocv_store_read_end(r);
    ocv_store_close(r);
}

static void a_commit_ends_the_cached_reads(void **state)
{
    fixture *f = *state;
    apply_base(f);
    ocv_store *r = open_reader(f);
    ocv_claims c = token_claims("tok-2");
    ocv_store_verdict v;
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_reason(ocv_store_lookup(r, &c, &v), OCV_OK);
    assert_false(v.revoked);
    ocv_store_read_end(r);
    apply_base_plus(f, 2, "tok-2"); /* another connection commits */
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_false(ocv_store_read_cached(r));
    assert_int_equal(sequence_in_force(r), 2);
    assert_reason(ocv_store_lookup(r, &c, &v), OCV_OK); /* the remembered answer is gone */
    assert_true(v.revoked);
    ocv_store_read_end(r);
    ocv_store_close(r);
}

static void a_commit_during_a_cached_read_moves_its_state(void **state)
{
    fixture *f = *state;
    apply_base(f);
    ocv_store *r = open_reader(f);
    ocv_claims seen = token_claims("tok-9"), unseen = token_claims("tok-3");
    ocv_store_verdict v;
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_reason(ocv_store_lookup(r, &seen, &v), OCV_OK);
    ocv_store_read_end(r);
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_true(ocv_store_read_cached(r));
    assert_int_equal(sequence_in_force(r), 1);
    apply_base_plus(f, 2, "tok-3");
    /* remembered: answered from the state the read began on */
    assert_reason(ocv_store_lookup(r, &seen, &v), OCV_OK);
    assert_false(v.revoked);
    assert_false(v.state_moved);
    assert_int_equal(sequence_in_force(r), 1);
    /* not remembered: read from the newer state, which the read now reports */
    assert_reason(ocv_store_lookup(r, &unseen, &v), OCV_OK);
    assert_true(v.revoked);
    assert_true(v.state_moved);
    assert_int_equal(sequence_in_force(r), 2);
    ocv_store_read_end(r);
    ocv_store_close(r);
}

/* Any SQLite writer commits through the WAL while a reader has the store
 * open: SQLite refuses to leave WAL mode then, so the header the cached
 * reads compare always moves with a commit. */
static void another_sqlite_writer_is_seen_and_cannot_leave_wal_mode(void **state)
{
    fixture *f = *state;
    apply_base(f);
    ocv_store *r = open_reader(f);
    ocv_claims c = token_claims("tok-4");
    ocv_store_verdict v;
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_reason(ocv_store_lookup(r, &c, &v), OCV_OK);
    assert_false(v.revoked);
    ocv_store_read_end(r);
    sqlite3 *w;
    assert_int_equal(sqlite3_open(f->path, &w), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(w, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL),
                         SQLITE_OK);
    ocv_entry e = entry(OCV_ENTRY_JTI, "https://issuer.example", "tok-4", 0);
    ocv_bytes k;
    assert_reason(ocv_store_entry_key(&e, &k), OCV_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(w,
                                        "INSERT INTO entry (k, authority, before, expires) "
                                        "VALUES (?1, 'auth', 0, 0)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(st, 1, k.data, (int)k.len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    ocv_bytes_free(&k);
    sqlite3_close(w);
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_false(ocv_store_read_cached(r));
    assert_reason(ocv_store_lookup(r, &c, &v), OCV_OK);
    assert_true(v.revoked);
    ocv_store_read_end(r);
    ocv_store_close(r);
}

/* PRAGMA data_version ignores a connection's own commits: the handle that
 * applied a bundle must not answer from what it remembered before. */
static void own_commits_are_seen_by_the_same_handle(void **state)
{
    fixture *f = *state;
    apply_base(f);
    ocv_claims c = token_claims("tok-5");
    assert_false(lookup(f, &c).revoked);
    apply_base_plus(f, 2, "tok-5");
    assert_true(lookup(f, &c).revoked);
}

/* Any statement outside a decision's read (here a count) may change what
 * SQLite maps: the next read confirms the cache in a transaction. */
static void a_statement_outside_a_read_forgets_the_header(void **state)
{
    fixture *f = *state;
    apply_base(f);
    ocv_store *r = open_reader(f);
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_true(ocv_store_read_cached(r));
    ocv_store_read_end(r);
    ocv_store_counts counts;
    assert_reason(ocv_store_count(r, "auth", &counts), OCV_OK);
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_false(ocv_store_read_cached(r));
    ocv_store_read_end(r);
    ocv_store_close(r);
}

/* Belt and braces: a transaction confirms the cache at least every second. */
static void the_cache_is_confirmed_every_second(void **state)
{
    fixture *f = *state;
    apply_base(f);
    ocv_store *r = open_reader(f);
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_true(ocv_store_read_cached(r));
    ocv_store_read_end(r);
    usleep(1100 * 1000);
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_false(ocv_store_read_cached(r));
    ocv_store_read_end(r);
    assert_reason(ocv_store_read_begin(r), OCV_OK);
    assert_true(ocv_store_read_cached(r));
    ocv_store_read_end(r);
    ocv_store_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(full_bundle_and_lookups, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals_leave_the_store_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(delta_and_no_op, setup, teardown),
        cmocka_unit_test_setup_teardown(rotation_replaces_the_key, setup, teardown),
        cmocka_unit_test_setup_teardown(authorities_are_separate, setup, teardown),
        cmocka_unit_test_setup_teardown(every_io_failure_leaves_the_store_unchanged, setup,
                                        teardown),
        cmocka_unit_test(open_errors),
        cmocka_unit_test(rotation_races_an_old_key_bundle),
        cmocka_unit_test_setup_teardown(reads_use_the_cache_while_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(a_commit_ends_the_cached_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(a_commit_during_a_cached_read_moves_its_state, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(another_sqlite_writer_is_seen_and_cannot_leave_wal_mode,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(the_cache_is_confirmed_every_second, setup, teardown),
        cmocka_unit_test_setup_teardown(a_statement_outside_a_read_forgets_the_header, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(own_commits_are_seen_by_the_same_handle, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
