/*
 * test_pkey.c - key files: generate / write / parse round trips for every
 * type, keys made by openssl, hostile key files, weak keys, SPKI hashes,
 * precomputation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "testutil.h"
#include "verifier/pkey.h"

static const ocv_key_type ALL[] = {OCV_KEY_EC_P256, OCV_KEY_EC_P384, OCV_KEY_EC_P521, OCV_KEY_RSA,
                                   OCV_KEY_ED25519};

static void round_trip_every_type(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ALL) / sizeof(ALL[0]); i++) {
        ocv_pkey key, priv, pub;
        assert_reason(ocv_pkey_generate(ALL[i], 2048, &key), OCV_OK);
        ocv_bytes priv_pem, pub_pem;
        assert_reason(ocv_pkey_write_private_pem(&key, &priv_pem), OCV_OK);
        assert_reason(ocv_pkey_write_public_pem(&key, &pub_pem), OCV_OK);
        char err[256] = "";
        assert_reason(ocv_pkey_parse(priv_pem.data, priv_pem.len, 1, 0, &priv, err, sizeof(err)),
                      OCV_OK);
        assert_reason(ocv_pkey_parse(pub_pem.data, pub_pem.len, 0, 0, &pub, err, sizeof(err)),
                      OCV_OK);
        assert_int_equal(priv.type, ALL[i]);
        assert_int_equal(pub.type, ALL[i]);
        assert_true(priv.has_private);
        assert_false(pub.has_private);
        uint8_t a[32], b[32], c[32];
        assert_reason(ocv_pkey_spki_sha256(&key, a), OCV_OK);
        assert_reason(ocv_pkey_spki_sha256(&priv, b), OCV_OK);
        assert_reason(ocv_pkey_spki_sha256(&pub, c), OCV_OK);
        assert_memory_equal(a, b, 32);
        assert_memory_equal(a, c, 32);
        /* a public key is not a private key, and the other way round */
        ocv_pkey wrong;
        assert_int_not_equal(
            ocv_pkey_parse(pub_pem.data, pub_pem.len, 1, 0, &wrong, err, sizeof(err)), OCV_OK);
        if (ALL[i] != OCV_KEY_ED25519)
            assert_reason(ocv_pk_precompute(&pub.pk), OCV_OK);
        ocv_bytes_free(&priv_pem);
        ocv_bytes_free(&pub_pem);
        ocv_pkey_free(&key);
        ocv_pkey_free(&priv);
        ocv_pkey_free(&pub);
        ocv_pkey_free(&wrong);
    }
}

static ocv_reason parse_text(const char *text, int want_private)
{
    ocv_pkey k;
    char err[256];
    ocv_reason r =
        ocv_pkey_parse((const uint8_t *)text, strlen(text), want_private, 0, &k, err, sizeof(err));
    ocv_pkey_free(&k);
    return r;
}

static void hostile_key_files(void **state)
{
    (void)state;
    assert_reason(parse_text("", 1), OCV_MALFORMED);
    assert_reason(parse_text("garbage", 1), OCV_MALFORMED);
    assert_reason(parse_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 1),
                  OCV_MALFORMED);
    assert_reason(parse_text("-----BEGIN PUBLIC KEY-----\n", 0), OCV_MALFORMED);
    /* an Ed25519 SPKI with a wrong length byte */
    static const uint8_t bad_ed[44] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                       0x2b, 0x65, 0x70, 0x03, 0x22, 0x00};
    ocv_pkey k;
    char err[256];
    assert_reason(ocv_pkey_parse(bad_ed, sizeof(bad_ed), 0, 0, &k, err, sizeof(err)),
                  OCV_MALFORMED);
    size_t big = 70 * 1024;
    uint8_t *huge = malloc(big);
    memset(huge, 'A', big);
    assert_reason(ocv_pkey_parse(huge, big, 1, 0, &k, err, sizeof(err)), OCV_TOO_LARGE);
    free(huge);
    assert_reason(ocv_pkey_parse(NULL, 0, 1, 0, &k, err, sizeof(err)), OCV_MALFORMED);
}

static void truncations_refused(void **state)
{
    (void)state;
    ocv_pkey key;
    assert_reason(ocv_pkey_generate(OCV_KEY_EC_P256, 0, &key), OCV_OK);
    ocv_bytes der;
    assert_reason(ocv_pkey_public_der(&key, &der), OCV_OK);
    for (size_t n = 1; n < der.len; n++) {
        ocv_pkey k;
        char err[256];
        assert_int_not_equal(ocv_pkey_parse(der.data, n, 0, 0, &k, err, sizeof(err)), OCV_OK);
        ocv_pkey_free(&k);
    }
    ocv_bytes_free(&der);
    ocv_pkey_free(&key);
}

static int run(const char *cmd)
{
    return system(cmd);
}

/* Keys made by the openssl command line: an independent writer. */
static void openssl_keys(void **state)
{
    (void)state;
    char dir[] = "/tmp/ocv-pkey-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[1024];
    static const struct {
        const char *gen;
        const char *file;
        ocv_key_type type;
        int want_private;
        ocv_reason want;
    } cases[] = {
        {"openssl genpkey -algorithm ed25519 -out $D/k", "k", OCV_KEY_ED25519, 1, OCV_OK},
        {"openssl genpkey -algorithm ed25519 | openssl pkey -pubout -out $D/k", "k",
         OCV_KEY_ED25519, 0, OCV_OK},
        {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out $D/k", "k",
         OCV_KEY_EC_P384, 1, OCV_OK},
        {"openssl ecparam -name prime256v1 -genkey -noout -out $D/k", "k", OCV_KEY_EC_P256, 1,
         OCV_OK},
        {"openssl genrsa -traditional -out $D/k 2048", "k", OCV_KEY_RSA, 1, OCV_OK},
        {"openssl genrsa -out $D/k 1024", "k", OCV_KEY_RSA, 1, OCV_ALG_NOT_ALLOWED},
        {"openssl ecparam -name secp256k1 -genkey -noout -out $D/k", "k", OCV_KEY_NONE, 1,
         OCV_ALG_NOT_ALLOWED},
        {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 -pass pass:x "
         "-out $D/k",
         "k", OCV_KEY_NONE, 1, OCV_MALFORMED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(cmd, sizeof(cmd), "D=%s; (%s) >/dev/null 2>&1", dir, cases[i].gen);
        assert_int_equal(run(cmd), 0);
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", dir, cases[i].file);
        ocv_pkey k;
        char err[256] = "";
        ocv_reason r = ocv_pkey_load_file(path, cases[i].want_private, 0, &k, err, sizeof(err));
        if (r != cases[i].want)
            fail_msg("case %zu: %s (%s), want %s", i, ocv_reason_name(r), err,
                     ocv_reason_name(cases[i].want));
        if (r == OCV_OK)
            assert_int_equal(k.type, cases[i].type);
        ocv_pkey_free(&k);
        unlink(path);
    }
    rmdir(dir);
}

/* Keys written by ocv are read by openssl. */
static void openssl_reads_ours(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ALL) / sizeof(ALL[0]); i++) {
        ocv_pkey key;
        assert_reason(ocv_pkey_generate(ALL[i], 2048, &key), OCV_OK);
        ocv_bytes pem;
        assert_reason(ocv_pkey_write_private_pem(&key, &pem), OCV_OK);
        char path[] = "/tmp/ocv-key-XXXXXX";
        int fd = mkstemp(path);
        assert_int_equal(write(fd, pem.data, pem.len), (ssize_t)pem.len);
        close(fd);
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "openssl pkey -in %s -noout 2>/dev/null", path);
        assert_int_equal(run(cmd), 0);
        unlink(path);
        ocv_bytes_free(&pem);
        ocv_pkey_free(&key);
    }
}

static void weak_rsa(void **state)
{
    (void)state;
    ocv_pkey key, back;
    assert_reason(ocv_pkey_generate(OCV_KEY_RSA, 1024, &key), OCV_OK);
    ocv_bytes pem;
    assert_reason(ocv_pkey_write_public_pem(&key, &pem), OCV_OK);
    char err[256] = "";
    assert_reason(ocv_pkey_parse(pem.data, pem.len, 0, 0, &back, err, sizeof(err)),
                  OCV_ALG_NOT_ALLOWED);
    assert_non_null(strstr(err, "1024"));
    assert_reason(ocv_pkey_parse(pem.data, pem.len, 0, 1, &back, err, sizeof(err)), OCV_OK);
    ocv_bytes_free(&pem);
    ocv_pkey_free(&key);
    ocv_pkey_free(&back);
    assert_reason(ocv_pkey_generate(OCV_KEY_RSA, 512, &key), OCV_ALG_NOT_ALLOWED);
    assert_reason(ocv_pkey_generate(OCV_KEY_NONE, 0, &key), OCV_INTERNAL_ERROR);
    assert_string_equal(ocv_key_type_name(OCV_KEY_ED25519), "ed25519");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_every_type), cmocka_unit_test(hostile_key_files),
        cmocka_unit_test(truncations_refused),   cmocka_unit_test(openssl_keys),
        cmocka_unit_test(openssl_reads_ours),    cmocka_unit_test(weak_rsa),
    };
    return cmocka_run_group_tests_name("pkey", tests, NULL, NULL);
}
