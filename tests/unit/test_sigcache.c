/*
 * test_sigcache.c - the verified-signature cache: only successes are
 * remembered, ids bind key, algorithm, message and signature, a tiny cache
 * still answers correctly, and a repeated token is served from the cache.
 */
#include <string.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/b64url.h"
#include "testutil.h"
#include "verifier/sigalg.h"
#include "verifier/sigcache.h"
#include "verifier/token.h"

static void ids_bind_everything(void **state)
{
    (void)state;
    uint8_t k1[32] = {1}, k2[32] = {2}, a[32], b[32];
    const uint8_t msg[] = "message", sig[] = "signature";
    assert_int_equal(ocv_sigcache_id(k1, OCV_ALG_ES256, msg, 7, sig, 9, a), 0);
    assert_int_equal(ocv_sigcache_id(k2, OCV_ALG_ES256, msg, 7, sig, 9, b), 0);
    assert_memory_not_equal(a, b, 32);
    assert_int_equal(ocv_sigcache_id(k1, OCV_ALG_ES384, msg, 7, sig, 9, b), 0);
    assert_memory_not_equal(a, b, 32);
    /* moving a byte from the message to the signature is another id */
    assert_int_equal(
        ocv_sigcache_id(k1, OCV_ALG_ES256, msg, 6, (const uint8_t *)"esignature", 10, b), 0);
    assert_memory_not_equal(a, b, 32);
}

static void remember_and_evict(void **state)
{
    (void)state;
    ocv_sigcache *c = NULL;
    assert_reason(ocv_sigcache_new(1, &c), OCV_OK);
    uint8_t x[32] = {9}, y[32] = {8};
    assert_false(ocv_sigcache_hit(c, x));
    ocv_sigcache_remember(c, x);
    assert_true(ocv_sigcache_hit(c, x));
    ocv_sigcache_remember(c, y); /* one slot: y replaces x */
    assert_false(ocv_sigcache_hit(c, x));
    assert_true(ocv_sigcache_hit(c, y));
    ocv_sigcache_free(c);
    assert_reason(ocv_sigcache_new(0, &c), OCV_OK);
    assert_null(c);
    assert_false(ocv_sigcache_hit(NULL, x));
    ocv_sigcache_remember(NULL, x);
}

/* Builds "header.payload" and a token with a good or a broken signature. */
static void make_jwt(ocv_pkey *key, int broken, char *out, size_t cap)
{
    const char *input = "eyJhbGciOiJFZERTQSIsImtpZCI6ImsifQ.eyJleHAiOjQxMDI0NDQ4MDAsInN1YiI6InMifQ";
    ocv_bytes sig, enc;
    assert_reason(ocv_sig_sign(OCV_ALG_EDDSA, key, (const uint8_t *)input, strlen(input), &sig),
                  OCV_OK);
    if (broken)
        sig.data[0] ^= 1;
    assert_reason(ocv_b64url_encode(sig.data, sig.len, &enc), OCV_OK);
    snprintf(out, cap, "%s.%s", input, (char *)enc.data);
    ocv_bytes_free(&sig);
    ocv_bytes_free(&enc);
}

static void only_successes_are_cached(void **state)
{
    (void)state;
    ocv_pkey key;
    assert_reason(ocv_pkey_generate(OCV_KEY_ED25519, 0, &key), OCV_OK);
    char *jwks = NULL;
    assert_reason(ocv_jwks_from_key(&key, "k", OCV_ALG_NONE, &jwks), OCV_OK);
    ocv_keyset keys;
    ocv_keyset_init(&keys);
    char err[256];
    assert_reason(ocv_keyset_parse((const uint8_t *)jwks, strlen(jwks), &keys, err, sizeof(err)),
                  OCV_OK);
    free(jwks);
    ocv_sigcache *cache = NULL;
    assert_reason(ocv_sigcache_new(64, &cache), OCV_OK);
    char good[512], bad[512];
    make_jwt(&key, 0, good, sizeof(good));
    make_jwt(&key, 1, bad, sizeof(bad));
    const char *tokens[] = {good, good, bad, bad};
    const ocv_reason want[] = {OCV_OK, OCV_OK, OCV_SIGNATURE_INVALID, OCV_SIGNATURE_INVALID};
    const int want_cached[] = {0, 1, 0, 0};
    for (int i = 0; i < 4; i++) {
        ocv_token t;
        ocv_claims c;
        char detail[256];
        assert_reason(ocv_token_parse((const uint8_t *)tokens[i], strlen(tokens[i]), &t, &c, detail,
                                      sizeof(detail)),
                      OCV_OK);
        int cached = -1;
        uint8_t key_sha256[32];
        assert_reason(
            ocv_token_verify_cached(&t, &keys, cache, &cached, key_sha256, detail, sizeof(detail)),
            want[i]);
        assert_int_equal(cached, want_cached[i]);
        if (want[i] == OCV_OK) /* the verifying key is named, cached or not */
            assert_memory_equal(key_sha256, keys.keys[0].spki_sha256, 32);
        ocv_token_free(&t);
    }
    ocv_sigcache_free(cache);
    ocv_keyset_free(&keys);
    ocv_pkey_free(&key);
}

static const char *signature_detail(const ocv_decision *d)
{
    for (size_t i = 0; i < d->check_count; i++) {
        if (strcmp(d->checks[i].name, "signature") == 0)
            return d->checks[i].detail;
    }
    return "";
}

/* Through ocv_check: the second decision on a token is served from the
 * cache, a reload starts an empty one, and a cache of 0 never serves. */
static void pipeline_uses_the_cache(void **state)
{
    (void)state;
    ocv_pkey key;
    assert_reason(ocv_pkey_generate(OCV_KEY_ED25519, 0, &key), OCV_OK);
    char *jwks = NULL;
    assert_reason(ocv_jwks_from_key(&key, "k", OCV_ALG_NONE, &jwks), OCV_OK);
    char path[] = "/tmp/ocv-sigcache-XXXXXX";
    int fd = mkstemp(path);
    assert_int_equal(write(fd, jwks, strlen(jwks)), (ssize_t)strlen(jwks));
    close(fd);
    free(jwks);
    char token[512];
    make_jwt(&key, 0, token, sizeof(token));
    ocv_config cfg;
    ocv_config_init(&cfg);
    cfg.jwks_path = path;
    cfg.no_policy = 1;
    ocv_ctx *ctx;
    char err[256];
    assert_reason(ocv_open(&ctx, &cfg, err, sizeof(err)), OCV_OK);
    ocv_request req;
    ocv_request_init(&req);
    req.credential = (const uint8_t *)token;
    req.credential_len = strlen(token);
    req.explain = 1;
    ocv_decision d;
    assert_reason(ocv_check(ctx, &req, &d), OCV_OK);
    assert_null(strstr(signature_detail(&d), "cache"));
    assert_reason(ocv_check(ctx, &req, &d), OCV_OK);
    assert_non_null(strstr(signature_detail(&d), "cache"));
    assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_OK);
    assert_reason(ocv_check(ctx, &req, &d), OCV_OK);
    assert_null(strstr(signature_detail(&d), "cache"));
    cfg.signature_cache_entries = 0;
    assert_reason(ocv_reload(ctx, &cfg, err, sizeof(err)), OCV_OK);
    assert_reason(ocv_check(ctx, &req, &d), OCV_OK);
    assert_reason(ocv_check(ctx, &req, &d), OCV_OK);
    assert_null(strstr(signature_detail(&d), "cache"));
    ocv_close(ctx);
    unlink(path);
    ocv_pkey_free(&key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_bind_everything),
        cmocka_unit_test(remember_and_evict),
        cmocka_unit_test(only_successes_are_cached),
        cmocka_unit_test(pipeline_uses_the_cache),
    };
    return cmocka_run_group_tests_name("sigcache", tests, NULL, NULL);
}
