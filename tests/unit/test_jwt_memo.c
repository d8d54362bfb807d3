/*
 * test_jwt_memo.c - the per-thread memo of JWT headers (verifier/jwt.c):
 * a repeated header gives exactly what a fresh read gives; a header that
 * differs in one byte, even of the same length, is read afresh; a header
 * that failed is never remembered; eviction keeps answers right; threads
 * do not see each other's headers. The same for payloads (the claims
 * memo, verifier/claims_memo.h): a repeated payload gives the claims a
 * fresh parse gives, field for field; a payload that failed fails again.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/b64url.h"
#include "testutil.h"
#include "verifier/token.h"

/* "b64(header).b64({"sub":"s"}).AAAA" into out. */
static void jwt_with_header(const char *header, char *out, size_t cap)
{
    ocv_bytes h;
    assert_reason(ocv_b64url_encode((const uint8_t *)header, strlen(header), &h), OCV_OK);
    snprintf(out, cap, "%s.eyJzdWIiOiJzIn0.AAAA", (const char *)h.data);
    ocv_bytes_free(&h);
}

static ocv_reason parse(const char *header, ocv_token *t)
{
    char jwt[1024], detail[256];
    ocv_claims c;
    jwt_with_header(header, jwt, sizeof(jwt));
    return ocv_token_parse((const uint8_t *)jwt, strlen(jwt), t, &c, detail, sizeof(detail));
}

static void expect(const char *header, ocv_reason want, ocv_alg alg, const char *kid)
{
    ocv_token t;
    assert_reason(parse(header, &t), want);
    if (want == OCV_OK) {
        assert_int_equal(t.alg, alg);
        assert_int_equal(t.has_kid, kid != NULL);
        if (kid != NULL) {
            assert_int_equal(t.kid_len, strlen(kid));
            assert_memory_equal(t.kid, kid, strlen(kid));
        }
    }
    ocv_token_free(&t);
}

static void repeats_and_near_misses(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        expect("{\"alg\":\"ES256\",\"kid\":\"a\"}", OCV_OK, OCV_ALG_ES256, "a");
        /* same length, one byte apart: the kid */
        expect("{\"alg\":\"ES256\",\"kid\":\"b\"}", OCV_OK, OCV_ALG_ES256, "b");
        /* same length, one byte apart: the alg */
        expect("{\"alg\":\"ES384\",\"kid\":\"a\"}", OCV_OK, OCV_ALG_ES384, "a");
        expect("{\"alg\":\"EdDSA\"}", OCV_OK, OCV_ALG_EDDSA, NULL);
        /* failures, never remembered: each time the same reason */
        expect("{\"alg\":\"none\",\"kid\":\"a\"}", OCV_ALG_NOT_ALLOWED, OCV_ALG_NONE, NULL);
        expect("{\"alg\":\"ES256\",\"kid\":\"a\",\"crit\":[\"x\"]}", OCV_MALFORMED, OCV_ALG_NONE,
               NULL);
        expect("{\"alg\":\"ES256\",\"kid\":\"a\",\"kid\":\"b\"}", OCV_MALFORMED, OCV_ALG_NONE,
               NULL);
    }
}

/* A header longer than the memo keeps is simply read every time. */
static void long_headers_still_parse(void **state)
{
    (void)state;
    char header[600], kid[257];
    memset(kid, 'k', 256);
    kid[256] = 0;
    snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"%s\"}", kid);
    for (int i = 0; i < 2; i++)
        expect(header, OCV_OK, OCV_ALG_RS256, kid);
}

static void *other_thread(void *arg)
{
    int *bad = arg;
    for (int i = 0; i < 200; i++) {
        ocv_token t;
        if (parse("{\"alg\":\"PS256\",\"kid\":\"z\"}", &t) != OCV_OK || t.alg != OCV_ALG_PS256 ||
            t.kid_len != 1 || t.kid[0] != 'z')
            (*bad)++;
        ocv_token_free(&t);
    }
    return NULL;
}

static void threads_keep_their_own(void **state)
{
    (void)state;
    int bad = 0;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, other_thread, &bad), 0);
    for (int i = 0; i < 200; i++)
        expect("{\"alg\":\"PS256\",\"kid\":\"y\"}", OCV_OK, OCV_ALG_PS256, "y");
    pthread_join(th, NULL);
    assert_int_equal(bad, 0);
}

/* "b64({"alg":"ES256"}).b64(payload).AAAA" parsed; claims into c. */
static ocv_reason parse_payload(const char *payload, ocv_claims *c)
{
    ocv_bytes p;
    assert_reason(ocv_b64url_encode((const uint8_t *)payload, strlen(payload), &p), OCV_OK);
    char jwt[2048], detail[256];
    snprintf(jwt, sizeof(jwt), "eyJhbGciOiJFUzI1NiJ9.%s.AAAA", (const char *)p.data);
    ocv_bytes_free(&p);
    ocv_token t;
    ocv_reason r =
        ocv_token_parse((const uint8_t *)jwt, strlen(jwt), &t, c, detail, sizeof(detail));
    ocv_token_free(&t);
    return r;
}

static void repeated_payloads_read_the_same(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "{\"iss\":\"https://i.example\",\"sub\":\"spiffe://e.org/a\",\"aud\":[\"x\",\"y\"],"
        "\"exp\":1800003600,\"nbf\":1800000000,\"iat\":1800000000,\"jti\":\"j\","
        "\"scope\":\"read write\",\"purpose\":[\"p\"],"
        "\"cnf\":{\"x5t#S256\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"kid\":\"k\"}}",
        "{\"sub\":\"s\",\"exp\":1800003600.75}",
        "{}",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ocv_claims first, again;
        assert_reason(parse_payload(ok[i], &first), OCV_OK);
        for (int round = 0; round < 3; round++) {
            assert_reason(parse_payload(ok[i], &again), OCV_OK);
            assert_memory_equal(&first, &again, sizeof(first));
        }
    }
    /* failures are never remembered: the same reason every time */
    for (int round = 0; round < 3; round++) {
        ocv_claims c;
        assert_reason(parse_payload("{\"exp\":\"soon\"}", &c), OCV_MALFORMED);
        assert_reason(parse_payload("{\"aud\":[1]}", &c), OCV_MALFORMED);
        assert_reason(parse_payload("{\"sub\":\"a\",\"sub\":\"b\"}", &c), OCV_MALFORMED);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(repeats_and_near_misses),
        cmocka_unit_test(long_headers_still_parse),
        cmocka_unit_test(threads_keep_their_own),
        cmocka_unit_test(repeated_payloads_read_the_same),
    };
    return cmocka_run_group_tests_name("jwt_memo", tests, NULL, NULL);
}
