/*
 * test_claims_memo.c - the per-thread payload claims memo
 * (verifier/claims_memo.h): every field comes back exactly; a text one
 * byte apart misses; claims too large to pack are not kept; eviction
 * never returns another text's claims; threads do not share entries.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "verifier/claims_memo.h"

static void full_claims(ocv_claims *c, int n)
{
    ocv_claims_init(c);
    snprintf(c->issuer, sizeof(c->issuer), "https://issuer.example/%d", n);
    snprintf(c->subject, sizeof(c->subject), "spiffe://example.org/w/%d", n);
    snprintf(c->token_id, sizeof(c->token_id), "jti-%d", n);
    c->issued_at = 1800000000 + n;
    c->not_before = 1800000001 + n;
    c->expires_at = 1800003600 + n;
    c->has_issued_at = c->has_not_before = c->has_expires_at = 1;
    c->audience_count = 3;
    for (size_t i = 0; i < c->audience_count; i++)
        snprintf(c->audiences[i], sizeof(c->audiences[i]), "aud-%zu", i);
    c->purpose_count = 2;
    strcpy(c->purposes[0], "read");
    strcpy(c->purposes[1], "write");
    c->has_cnf = 1;
    c->has_cnf_x5t_s256 = 1;
    memset(c->cnf_x5t_s256, 0xa5, 32);
    c->has_cnf_jkt = 1;
    memset(c->cnf_jkt, 0x5a, 32);
    strcpy(c->cnf_unsupported, "kid");
}

static void every_field_comes_back(void **state)
{
    (void)state;
    ocv_claims in, out;
    full_claims(&in, 7);
    const char *text = "eyJzdWIiOiJ3NyJ9";
    ocv_claims_memo_remember(text, strlen(text), &in);
    ocv_claims_init(&out);
    assert_int_equal(ocv_claims_memo_recall(text, strlen(text), &out), 1);
    assert_memory_equal(&in, &out, sizeof(in));
    /* and the bare minimum: no optional claim at all */
    ocv_claims_init(&in);
    ocv_claims_memo_remember("e30", 3, &in);
    full_claims(&out, 1);
    ocv_claims_init(&out);
    assert_int_equal(ocv_claims_memo_recall("e30", 3, &out), 1);
    assert_memory_equal(&in, &out, sizeof(in));
}

static void one_byte_apart_misses(void **state)
{
    (void)state;
    ocv_claims in, out;
    full_claims(&in, 1);
    ocv_claims_memo_remember("payload-A", 9, &in);
    ocv_claims_init(&out);
    assert_int_equal(ocv_claims_memo_recall("payload-B", 9, &out), 0);
    assert_int_equal(ocv_claims_memo_recall("payload-A ", 10, &out), 0);
    assert_int_equal(ocv_claims_memo_recall("payload-", 8, &out), 0);
    assert_int_equal(ocv_claims_memo_recall("payload-A", 9, &out), 1);
}

static void too_large_is_not_kept(void **state)
{
    (void)state;
    ocv_claims in, out;
    full_claims(&in, 2);
    memset(in.subject, 's', OCV_CLAIMS_MEMO_PACK);
    in.subject[OCV_CLAIMS_MEMO_PACK] = 0;
    ocv_claims_memo_remember("big", 3, &in);
    ocv_claims_init(&out);
    assert_int_equal(ocv_claims_memo_recall("big", 3, &out), 0);
}

/* Far more texts than entries: whatever is recalled is that text's own. */
static void eviction_never_mixes_entries(void **state)
{
    (void)state;
    enum { N = 4 * OCV_CLAIMS_MEMO_SETS * OCV_CLAIMS_MEMO_WAYS };
    char text[32];
    ocv_claims in, out;
    for (int i = 0; i < N; i++) {
        snprintf(text, sizeof(text), "text-%d", i);
        full_claims(&in, i);
        ocv_claims_memo_remember(text, strlen(text), &in);
    }
    int hits = 0;
    for (int i = 0; i < N; i++) {
        snprintf(text, sizeof(text), "text-%d", i);
        ocv_claims_init(&out);
        if (!ocv_claims_memo_recall(text, strlen(text), &out))
            continue;
        hits++;
        full_claims(&in, i);
        assert_memory_equal(&in, &out, sizeof(in));
    }
    /* the last entries made are still there; most early ones are gone */
    assert_true(hits > 0 && hits <= OCV_CLAIMS_MEMO_SETS * OCV_CLAIMS_MEMO_WAYS);
}

static void *other_thread(void *arg)
{
    ocv_claims out;
    ocv_claims_init(&out);
    *(int *)arg = ocv_claims_memo_recall("shared?", 7, &out);
    return NULL;
}

static void threads_keep_their_own(void **state)
{
    (void)state;
    ocv_claims in;
    full_claims(&in, 3);
    ocv_claims_memo_remember("shared?", 7, &in);
    int seen = -1;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, other_thread, &seen), 0);
    pthread_join(t, NULL);
    assert_int_equal(seen, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_field_comes_back), cmocka_unit_test(one_byte_apart_misses),
        cmocka_unit_test(too_large_is_not_kept),  cmocka_unit_test(eviction_never_mixes_entries),
        cmocka_unit_test(threads_keep_their_own),
    };
    return cmocka_run_group_tests_name("claims_memo", tests, NULL, NULL);
}
