/* test_sigalg.c - the algorithm table and the sign/verify seam. */
#include <pthread.h>
#include <string.h>

#include "testutil.h"
#include "verifier/sigalg.h"

static const struct {
    ocv_alg alg;
    ocv_key_type key;
} PAIRS[] = {
    {OCV_ALG_ES256, OCV_KEY_EC_P256}, {OCV_ALG_ES384, OCV_KEY_EC_P384},
    {OCV_ALG_ES512, OCV_KEY_EC_P521}, {OCV_ALG_RS256, OCV_KEY_RSA},
    {OCV_ALG_RS384, OCV_KEY_RSA},     {OCV_ALG_RS512, OCV_KEY_RSA},
    {OCV_ALG_PS256, OCV_KEY_RSA},     {OCV_ALG_PS384, OCV_KEY_RSA},
    {OCV_ALG_PS512, OCV_KEY_RSA},     {OCV_ALG_EDDSA, OCV_KEY_ED25519},
};

static void table_lookups(void **state)
{
    (void)state;
    assert_int_equal(ocv_alg_by_jose("ES256", 5)->cose, -7);
    assert_int_equal(ocv_alg_by_cose(-8)->alg, OCV_ALG_EDDSA);
    assert_int_equal(ocv_alg_by_cose(-37)->alg, OCV_ALG_PS256);
    assert_int_equal(ocv_alg_by_cose(-257)->alg, OCV_ALG_RS256);
    assert_null(ocv_alg_by_jose("none", 4));
    assert_null(ocv_alg_by_jose("HS256", 5));
    assert_null(ocv_alg_by_jose("ES25", 4));
    assert_null(ocv_alg_by_jose("es256", 5));
    assert_null(ocv_alg_by_cose(5)); /* HMAC 256/256 */
    assert_null(ocv_alg_by_cose(-999));
    assert_null(ocv_alg_info_of(OCV_ALG_NONE));
}

static void round_trip_and_tamper(void **state)
{
    (void)state;
    ocv_pkey rsa;
    assert_reason(ocv_pkey_generate(OCV_KEY_RSA, 2048, &rsa), OCV_OK);
    const uint8_t msg[] = "the message";
    for (size_t i = 0; i < sizeof(PAIRS) / sizeof(PAIRS[0]); i++) {
        ocv_pkey own, *key = &own;
        if (PAIRS[i].key == OCV_KEY_RSA)
            key = &rsa;
        else
            assert_reason(ocv_pkey_generate(PAIRS[i].key, 0, &own), OCV_OK);
        ocv_bytes sig;
        assert_reason(ocv_sig_sign(PAIRS[i].alg, key, msg, sizeof(msg), &sig), OCV_OK);
        const ocv_alg_info *info = ocv_alg_info_of(PAIRS[i].alg);
        if (info->raw_sig_len)
            assert_int_equal(sig.len, info->raw_sig_len);
        assert_reason(ocv_sig_verify(PAIRS[i].alg, key, msg, sizeof(msg), sig.data, sig.len),
                      OCV_OK);
        assert_reason(ocv_sig_verify(PAIRS[i].alg, key, msg, sizeof(msg) - 1, sig.data, sig.len),
                      OCV_SIGNATURE_INVALID);
        sig.data[sig.len / 2] ^= 1;
        assert_reason(ocv_sig_verify(PAIRS[i].alg, key, msg, sizeof(msg), sig.data, sig.len),
                      OCV_SIGNATURE_INVALID);
        assert_reason(ocv_sig_verify(PAIRS[i].alg, key, msg, sizeof(msg), sig.data, sig.len - 1),
                      OCV_SIGNATURE_INVALID);
        ocv_bytes_free(&sig);
        if (key == &own)
            ocv_pkey_free(&own);
    }
    ocv_pkey_free(&rsa);
}

static void key_must_match_alg(void **state)
{
    (void)state;
    ocv_pkey p256, p384;
    assert_reason(ocv_pkey_generate(OCV_KEY_EC_P256, 0, &p256), OCV_OK);
    assert_reason(ocv_pkey_generate(OCV_KEY_EC_P384, 0, &p384), OCV_OK);
    uint8_t sig[96] = {0};
    /* ES512 with a P-256 key, ES256 with P-384: never, whatever the bytes */
    assert_reason(ocv_sig_verify(OCV_ALG_ES512, &p256, sig, 1, sig, 132), OCV_ALG_NOT_ALLOWED);
    assert_reason(ocv_sig_verify(OCV_ALG_ES256, &p384, sig, 1, sig, 64), OCV_ALG_NOT_ALLOWED);
    assert_reason(ocv_sig_verify(OCV_ALG_RS256, &p256, sig, 1, sig, 64), OCV_ALG_NOT_ALLOWED);
    assert_reason(ocv_sig_verify(OCV_ALG_NONE, &p256, sig, 1, sig, 64), OCV_ALG_NOT_ALLOWED);
    assert_reason(ocv_sig_verify(OCV_ALG_ES256, NULL, sig, 1, sig, 64), OCV_ALG_NOT_ALLOWED);
    /* r = 0 and s = 0 are refused by range, not by luck */
    assert_reason(ocv_sig_verify(OCV_ALG_ES256, &p256, sig, 1, sig, 64), OCV_SIGNATURE_INVALID);
    ocv_bytes out;
    ocv_pkey pub;
    ocv_bytes pem;
    assert_reason(ocv_pkey_write_public_pem(&p256, &pem), OCV_OK);
    char err[128];
    assert_reason(ocv_pkey_parse(pem.data, pem.len, 0, 0, &pub, err, sizeof(err)), OCV_OK);
    assert_reason(ocv_sig_sign(OCV_ALG_ES256, &pub, sig, 1, &out), OCV_ALG_NOT_ALLOWED);
    assert_int_equal(ocv_alg_for_key(&p384), OCV_ALG_ES384);
    ocv_bytes_free(&pem);
    ocv_pkey_free(&pub);
    ocv_pkey_free(&p256);
    ocv_pkey_free(&p384);
}

/* The mbedtls backend verifies RSA with a per-thread copy of each key
 * (mbedtls locks the shared context), found by the key's SPKI hash: with
 * more keys than a thread keeps copies of, and two threads, every
 * signature verifies under its own key only. */
#define RSA_KEYS 9
static ocv_pkey rsa_keys[RSA_KEYS];
static ocv_bytes rsa_sigs[RSA_KEYS];
static const uint8_t RSA_MSG[] = "per-thread copies";

static void *cross_verify(void *arg)
{
    long *wrong = arg;
    const ocv_alg_info *pkcs1 = ocv_alg_info_of(OCV_ALG_RS256);
    for (int round = 0; round < 3; round++)
        for (int k = 0; k < RSA_KEYS; k++)
            for (int s = 0; s < RSA_KEYS; s++) {
                ocv_reason r =
                    ocv_sig_backend_mbedtls.rsa_pkcs1(pkcs1, &rsa_keys[k], RSA_MSG, sizeof(RSA_MSG),
                                                      rsa_sigs[s].data, rsa_sigs[s].len);
                if (r != (k == s ? OCV_OK : OCV_SIGNATURE_INVALID))
                    (*wrong)++;
            }
    return NULL;
}

static void mbedtls_rsa_copies_per_thread(void **state)
{
    (void)state;
    for (int k = 0; k < RSA_KEYS; k++) {
        assert_reason(ocv_pkey_generate(OCV_KEY_RSA, 2048, &rsa_keys[k]), OCV_OK);
        assert_reason(
            ocv_sig_sign(OCV_ALG_RS256, &rsa_keys[k], RSA_MSG, sizeof(RSA_MSG), &rsa_sigs[k]),
            OCV_OK);
    }
    long wrong[2] = {0, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cross_verify, &wrong[0]), 0);
    cross_verify(&wrong[1]);
    pthread_join(t, NULL);
    assert_int_equal(wrong[0], 0);
    assert_int_equal(wrong[1], 0);
    for (int k = 0; k < RSA_KEYS; k++) {
        ocv_bytes_free(&rsa_sigs[k]);
        ocv_pkey_free(&rsa_keys[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mbedtls_rsa_copies_per_thread),
        cmocka_unit_test(table_lookups),
        cmocka_unit_test(round_trip_and_tamper),
        cmocka_unit_test(key_must_match_alg),
    };
    return cmocka_run_group_tests_name("sigalg", tests, NULL, NULL);
}
