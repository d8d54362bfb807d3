/*
 * test_integrity.c - the store proves its rows (revocation/integrity.h):
 * a genuine store proves; an edited row fails; a row signed by the
 * authority but in a form no lookup produces (what a bundle applied
 * before entries were checked at decode left behind) fails too, so such
 * a store fails closed instead of keeping a revocation that revokes
 * nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/util.h"
#include "revocation/bundle.h"
#include "revocation/digest.h"
#include "revocation/integrity.h"
#include "revocation/store.h"
#include "testutil.h"
#include "verifier/cose_sign1.h"
#include "verifier/pkey.h"

#define T0 1800000000ll

typedef struct fixture {
    char path[64];
    ocv_store *store;
    ocv_pkey key;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    snprintf(f->path, sizeof(f->path), "/tmp/ocv-integrity-XXXXXX");
    int fd = mkstemp(f->path);
    close(fd);
    unlink(f->path);
    char err[256] = "";
    if (ocv_store_open(f->path, 1, &f->store, err, sizeof(err)) != OCV_OK)
        fail_msg("open: %s", err);
    assert_reason(ocv_pkey_generate(OCV_KEY_ED25519, 0, &f->key), OCV_OK);
    ocv_bytes spki;
    assert_reason(ocv_pkey_public_der(&f->key, &spki), OCV_OK);
    assert_reason(ocv_store_begin(f->store), OCV_OK);
    assert_reason(ocv_store_add_authority(f->store, "auth", spki.data, spki.len), OCV_OK);
    assert_reason(ocv_store_commit(f->store), OCV_OK);
    ocv_bytes_free(&spki);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ocv_store_close(f->store);
    ocv_pkey_free(&f->key);
    char side[80];
    unlink(f->path);
    snprintf(side, sizeof(side), "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", f->path);
    unlink(side);
    free(f);
    return 0;
}

static void bundle(ocv_bundle *b, int64_t seq, ocv_bundle_kind kind, ocv_entry *added, size_t n)
{
    ocv_bundle_init(b);
    b->authority = "auth";
    b->authority_len = 4;
    b->sequence = seq;
    b->issued_at = T0 + seq;
    b->next_update = T0 + seq + 86400;
    b->kind = kind;
    b->added = added;
    b->added_count = n;
}

/*
 * The state `rows` as the authority signed it: a full bundle of them
 * applied as decoded (which is how a bundle from before the decode-time
 * check reached the rows), then an empty signed delta on top, which is
 * what the store keeps and proves its header against.
 */
static ocv_reason sign_state(fixture *f, ocv_entry *rows, size_t n)
{
    ocv_bundle b;
    bundle(&b, 1, OCV_BUNDLE_FULL, rows, n);
    test_state_digest(rows, n, b.state_digest);
    ocv_apply_result res;
    char detail[256] = "";
    ocv_reason r =
        ocv_bundle_apply_verified(f->store, &b, T0 + 5, 60, &res, detail, sizeof(detail));
    if (r != OCV_OK)
        return r;
    bundle(&b, 2, OCV_BUNDLE_DELTA, NULL, 0);
    b.base_sequence = 1;
    test_state_digest(rows, n, b.base_digest);
    test_state_digest(rows, n, b.state_digest);
    ocv_bytes payload, signed_bundle;
    assert_reason(ocv_bundle_encode(&b, &payload), OCV_OK);
    assert_reason(ocv_sign1_create(OCV_ALG_EDDSA, &f->key, (const uint8_t *)"auth", 4, payload.data,
                                   payload.len, &signed_bundle),
                  OCV_OK);
    r = ocv_bundle_apply_signed(f->store, signed_bundle.data, signed_bundle.len, T0 + 6, 60, &res,
                                detail, sizeof(detail));
    if (r != OCV_OK)
        fail_msg("signed delta: %s", detail);
    ocv_bytes_free(&payload);
    ocv_bytes_free(&signed_bundle);
    return r;
}

#define ISSUER_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define KEY_7    "7777777777777777777777777777777777777777777777777777777777777777"

static ocv_entry entry(ocv_entry_type type, const char *issuer, const char *value)
{
    ocv_entry e = {type, issuer, strlen(issuer), value, strlen(value), 0, 0};
    return e;
}

static void genuine_state_proves(void **state)
{
    fixture *f = *state;
    ocv_entry rows[] = {
        entry(OCV_ENTRY_SERIAL, ISSUER_A, "0badc0de"),
        entry(OCV_ENTRY_SUBJECT, "", "web.example.com"),
        entry(OCV_ENTRY_SUBJECT, "", "spiffe://example.org/bad"),
        entry(OCV_ENTRY_KEY, "", KEY_7),
        entry(OCV_ENTRY_JTI, "https://issuer.example", "tok-1"),
    };
    assert_reason(sign_state(f, rows, sizeof(rows) / sizeof(rows[0])), OCV_OK);
    char detail[256] = "";
    assert_reason(ocv_store_prove(f->store, detail, sizeof(detail)), OCV_OK);
}

static void edited_row_fails(void **state)
{
    fixture *f = *state;
    ocv_entry rows[] = {entry(OCV_ENTRY_SUBJECT, "", "spiffe://example.org/bad")};
    assert_reason(sign_state(f, rows, 1), OCV_OK);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM entry", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    char detail[256] = "";
    assert_reason(ocv_store_prove(f->store, detail, sizeof(detail)), OCV_BUNDLE_DIGEST_MISMATCH);
    assert_non_null(strstr(detail, "not the state its digest commits to"));
}

/* Each row is signed state (the digest covers it), yet no lookup could
 * ever produce it: the proof must fail, naming why, not pass. */
static void signed_row_that_could_never_match_fails(void **state)
{
    (void)state;
    const ocv_entry forms[] = {
        entry(OCV_ENTRY_SUBJECT, "", "Web.Example.COM"),
        entry(OCV_ENTRY_SUBJECT, "", "spiffe://Example.org/bad"),
        entry(OCV_ENTRY_SERIAL, ISSUER_A, "00ff"),
        entry(OCV_ENTRY_SERIAL, ISSUER_A, "0BADC0DE"),
        entry(OCV_ENTRY_KEY, "", "my-kid"),
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        void *fx;
        setup(&fx);
        fixture *f = fx;
        ocv_entry rows[] = {entry(OCV_ENTRY_SUBJECT, "", "spiffe://example.org/ok"), forms[i]};
        assert_reason(sign_state(f, rows, 2), OCV_OK);
        char detail[256] = "";
        if (ocv_store_prove(f->store, detail, sizeof(detail)) != OCV_BUNDLE_DIGEST_MISMATCH)
            fail_msg("row '%.*s' proved", (int)forms[i].value_len, forms[i].value);
        assert_non_null(strstr(detail, "could never match"));
        assert_non_null(strstr(detail, "sync a full bundle"));
        teardown(&fx);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(genuine_state_proves, setup, teardown),
        cmocka_unit_test_setup_teardown(edited_row_fails, setup, teardown),
        cmocka_unit_test(signed_row_that_could_never_match_fails),
    };
    return cmocka_run_group_tests_name("integrity", tests, NULL, NULL);
}
