/*
 * test_vectors.c - Wycheproof (C2SP, Apache-2.0; tests/vectors/wycheproof)
 * through ocv's own verification code:
 *   ECDSA P1363 (raw r||s)  -> ocv_sig_verify (the JWS/COSE path)
 *   ECDSA DER               -> ocv_x509_check_signature (the X.509 path)
 *   RSA PKCS#1 v1.5, PSS    -> ocv_sig_verify
 *   Ed25519                 -> ocv_sig_verify
 * and then again through each signature backend built in (sigalg.h:
 * OpenSSL and mbedtls in the default profile, mbedtls on device), raw
 * files with ocv_sig_verify_with and DER files with
 * ocv_sig_verify_x509_with. Every "valid" must verify and every "invalid"
 * must fail, except the deviations listed here and in
 * docs/vector-deviations.md, the same for every backend; the test fails
 * when a listed deviation stops deviating, so the list stays honest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mbedtls/pk.h>

#include "base/util.h"
#include "testutil.h"
#include "verifier/pkey.h"
#include "verifier/sigalg.h"
#include "verifier/x509.h"

typedef enum verify_path { PATH_RAW, PATH_DER } verify_path;

typedef struct vector_file {
    const char *name;
    ocv_alg alg; /* PATH_RAW */
    verify_path how;
    mbedtls_md_type_t md; /* PATH_DER */
    /* tcIds whose valid/invalid label ocv deliberately does not follow */
    const int *deviations;
    size_t deviation_count;
} vector_file;

/* RFC 7518 §3.5 pins the PSS salt to the hash length: the salt-0 file's
 * "valid" signatures are not PS256 signatures (all rejected), and its
 * tcId 69 ("s_len changed to 32", invalid there) is a valid PS256 one. */
static const int PSS_SALT0_DEVIATIONS[] = {69};

static const vector_file FILES[] = {
    {"ecdsa_secp256r1_sha256_p1363_test.json", OCV_ALG_ES256, PATH_RAW, 0, NULL, 0},
    {"ecdsa_secp384r1_sha384_p1363_test.json", OCV_ALG_ES384, PATH_RAW, 0, NULL, 0},
    {"ecdsa_secp521r1_sha512_p1363_test.json", OCV_ALG_ES512, PATH_RAW, 0, NULL, 0},
    {"ecdsa_secp256r1_sha256_test.json", OCV_ALG_NONE, PATH_DER, MBEDTLS_MD_SHA256, NULL, 0},
    {"ecdsa_secp384r1_sha384_test.json", OCV_ALG_NONE, PATH_DER, MBEDTLS_MD_SHA384, NULL, 0},
    {"ecdsa_secp521r1_sha512_test.json", OCV_ALG_NONE, PATH_DER, MBEDTLS_MD_SHA512, NULL, 0},
    {"rsa_signature_2048_sha256_test.json", OCV_ALG_RS256, PATH_RAW, 0, NULL, 0},
    {"rsa_signature_2048_sha384_test.json", OCV_ALG_RS384, PATH_RAW, 0, NULL, 0},
    {"rsa_signature_2048_sha512_test.json", OCV_ALG_RS512, PATH_RAW, 0, NULL, 0},
    {"rsa_pss_2048_sha256_mgf1_32_test.json", OCV_ALG_PS256, PATH_RAW, 0, NULL, 0},
    {"rsa_pss_2048_sha384_mgf1_48_test.json", OCV_ALG_PS384, PATH_RAW, 0, NULL, 0},
    {"rsa_pss_4096_sha512_mgf1_64_test.json", OCV_ALG_PS512, PATH_RAW, 0, NULL, 0},
    {"ed25519_test.json", OCV_ALG_EDDSA, PATH_RAW, 0, NULL, 0},
};

static int is_deviation(const vector_file *f, int tc)
{
    for (size_t i = 0; i < f->deviation_count; i++) {
        if (f->deviations[i] == tc)
            return 1;
    }
    return 0;
}

static uint8_t *hex_field(json_t *obj, const char *name, size_t *len)
{
    const char *hex = json_string_value(json_object_get(obj, name));
    assert_non_null(hex);
    size_t n = strlen(hex);
    uint8_t *out = malloc(n / 2 + 1);
    assert_int_equal(ocv_hex_decode(hex, n, out, n / 2 + 1, len), 0);
    return out;
}

/* NULL: the build's entry points (ocv_sig_verify, ocv_x509_check_signature). */
static const ocv_sig_backend *backend;

static int verify_one(const vector_file *f, ocv_pkey *key, const uint8_t *msg, size_t msg_len,
                      const uint8_t *sig, size_t sig_len)
{
    if (f->how == PATH_RAW && backend == NULL)
        return ocv_sig_verify(f->alg, key, msg, msg_len, sig, sig_len) == OCV_OK;
    if (f->how == PATH_RAW)
        return ocv_sig_verify_with(backend, f->alg, key, msg, msg_len, sig, sig_len) == OCV_OK;
    if (backend == NULL) {
        ocv_bytes der;
        if (ocv_pkey_public_der(key, &der) != OCV_OK)
            return 0;
        mbedtls_x509_buf spki = {MBEDTLS_ASN1_SEQUENCE, der.len, der.data};
        int ok = ocv_x509_check_signature(MBEDTLS_PK_ECDSA, NULL, f->md, &spki, msg, msg_len, sig,
                                          sig_len, NULL) == OCV_OK;
        ocv_bytes_free(&der);
        return ok;
    }
    ocv_x509_sig s = {MBEDTLS_PK_ECDSA, f->md, NULL, msg, msg_len, sig, sig_len};
    return ocv_sig_verify_x509_with(backend, key, &s) == OCV_OK;
}

typedef struct tally {
    int valid_ok, invalid_refused, acceptable, deviations, mismatches;
} tally;

static void run_group(const vector_file *f, json_t *group, tally *t)
{
    const char *pem = json_string_value(json_object_get(group, "publicKeyPem"));
    assert_non_null(pem);
    ocv_pkey key;
    char err[256] = "";
    if (ocv_pkey_parse((const uint8_t *)pem, strlen(pem), 0, 0, &key, err, sizeof(err)) != OCV_OK)
        fail_msg("%s: group key does not load: %s", f->name, err);
    if (key.type != OCV_KEY_ED25519)
        assert_reason(ocv_pk_precompute(&key.pk), OCV_OK);
    size_t i;
    json_t *test;
    json_array_foreach(json_object_get(group, "tests"), i, test)
    {
        int tc = (int)json_integer_value(json_object_get(test, "tcId"));
        const char *result = json_string_value(json_object_get(test, "result"));
        size_t msg_len, sig_len;
        uint8_t *msg = hex_field(test, "msg", &msg_len);
        uint8_t *sig = hex_field(test, "sig", &sig_len);
        int ok = verify_one(f, &key, msg, msg_len, sig, sig_len);
        free(msg);
        free(sig);
        int want = strcmp(result, "valid") == 0;
        if (strcmp(result, "acceptable") == 0) {
            t->acceptable++;
            continue;
        }
        int deviates = is_deviation(f, tc);
        if ((ok == want) == !deviates) {
            if (deviates)
                t->deviations++;
            else if (want)
                t->valid_ok++;
            else
                t->invalid_refused++;
            continue;
        }
        t->mismatches++;
        print_message("%s tcId %d (%s): ocv says %s, want %s%s\n", f->name, tc,
                      json_string_value(json_object_get(test, "comment")), ok ? "valid" : "invalid",
                      result, deviates ? " (listed deviation)" : "");
    }
    ocv_pkey_free(&key);
}

static tally run_file(const vector_file *f)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/vectors/wycheproof/%s", getenv("OCV_TEST_ROOT"), f->name);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        fail_msg("%s: %s", path, jerr.text);
    tally t = {0, 0, 0, 0, 0};
    size_t i;
    json_t *group;
    json_array_foreach(json_object_get(root, "testGroups"), i, group) run_group(f, group, &t);
    json_decref(root);
    print_message("%-8s %-42s valid ok %4d, invalid refused %4d, acceptable %d, deviations %d\n",
                  backend ? backend->name : "entry", f->name, t.valid_ok, t.invalid_refused,
                  t.acceptable, t.deviations);
    return t;
}

static void wycheproof_signatures(void **state)
{
    (void)state;
    size_t count = 0;
    const ocv_sig_backend *const *all = ocv_sig_backends(&count);
    int mismatches = 0;
    for (size_t b = 0; b <= count; b++) {
        backend = b == 0 ? NULL : all[b - 1];
        for (size_t i = 0; i < sizeof(FILES) / sizeof(FILES[0]); i++) {
            tally t = run_file(&FILES[i]);
            mismatches += t.mismatches;
            assert_int_equal(t.deviations, (int)FILES[i].deviation_count);
        }
    }
    backend = NULL;
    assert_int_equal(mismatches, 0);
}

/* The salt-0 PSS file is a negative source for PS256: its "valid"
 * signatures use no salt, which RFC 7518 does not allow. */
static void pss_salt_once(void);

static void pss_salt_is_pinned(void **state)
{
    (void)state;
    size_t count = 0;
    const ocv_sig_backend *const *all = ocv_sig_backends(&count);
    for (size_t b = 0; b <= count; b++) {
        backend = b == 0 ? NULL : all[b - 1];
        pss_salt_once();
    }
    backend = NULL;
}

static void pss_salt_once(void)
{
    vector_file f = {"rsa_pss_2048_sha256_mgf1_0_test.json",
                     OCV_ALG_PS256,
                     PATH_RAW,
                     0,
                     PSS_SALT0_DEVIATIONS,
                     1};
    char path[1024];
    snprintf(path, sizeof(path), "%s/vectors/wycheproof/%s", getenv("OCV_TEST_ROOT"), f.name);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    assert_non_null(root);
    int accepted = 0, total = 0;
    size_t gi, ti;
    json_t *group, *test;
    json_array_foreach(json_object_get(root, "testGroups"), gi, group)
    {
        const char *pem = json_string_value(json_object_get(group, "publicKeyPem"));
        ocv_pkey key;
        char err[256];
        assert_reason(
            ocv_pkey_parse((const uint8_t *)pem, strlen(pem), 0, 0, &key, err, sizeof(err)),
            OCV_OK);
        json_array_foreach(json_object_get(group, "tests"), ti, test)
        {
            size_t msg_len, sig_len;
            uint8_t *msg = hex_field(test, "msg", &msg_len);
            uint8_t *sig = hex_field(test, "sig", &sig_len);
            int tc = (int)json_integer_value(json_object_get(test, "tcId"));
            int ok = verify_one(&f, &key, msg, msg_len, sig, sig_len);
            free(msg);
            free(sig);
            total++;
            if (ok) {
                accepted++;
                assert_true(is_deviation(&f, tc));
            }
        }
        ocv_pkey_free(&key);
    }
    json_decref(root);
    assert_int_equal(accepted, 1);
    assert_int_equal(total, 103);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wycheproof_signatures),
        cmocka_unit_test(pss_salt_is_pinned),
    };
    return cmocka_run_group_tests_name("vectors", tests, NULL, NULL);
}
