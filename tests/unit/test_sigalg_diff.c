/*
 * test_sigalg_diff.c - the two signature backends give the same answer.
 *
 * In the default profile both the OpenSSL and the mbedtls backend are
 * built in; every case below is verified by each, through the same seam
 * (ocv_sig_verify_with, ocv_sig_verify_x509_with), and any disagreement
 * on the exact reason fails the test. The cases, per algorithm: a valid
 * signature; every single-bit flip of it at a spread of positions; each
 * truncation and an extension by one byte; random bytes; all-zero and
 * all-0xff; and for ECDSA the high-s twin (n - s, valid: JOSE has no
 * low-s rule), r or s zero, equal to n, n + 1; for RSA the values 0, 1,
 * n - 1, n and n + 1. X.509 (DER) ECDSA and RSA signatures get the same
 * treatment plus DER-specific damage (a BER long-form length, a padded
 * INTEGER). Wycheproof runs against each backend in test_vectors.c.
 *
 * In the device profile only mbedtls is built: the test is skipped there.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/rsa.h>

#include "base/rng.h"
#include "testutil.h"
#include "verifier/sigalg.h"

static const ocv_sig_backend *const *backends;
static size_t backend_count;
static int cases_run;

/* Every backend must give the same reason; want_ok: it must be OCV_OK. */
static void agree(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg, size_t msg_len,
                  const uint8_t *sig, size_t sig_len, int want_ok, const char *what)
{
    ocv_reason first = ocv_sig_verify_with(backends[0], alg, key, msg, msg_len, sig, sig_len);
    for (size_t b = 1; b < backend_count; b++) {
        ocv_reason r = ocv_sig_verify_with(backends[b], alg, key, msg, msg_len, sig, sig_len);
        if (r != first)
            fail_msg("%s %s: %s says %s, %s says %s", ocv_alg_name(alg), what, backends[0]->name,
                     ocv_reason_name(first), backends[b]->name, ocv_reason_name(r));
    }
    if (want_ok)
        assert_reason(first, OCV_OK);
    cases_run++;
}

static void agree_x509(const ocv_pkey *key, const ocv_x509_sig *s, int want_ok, const char *what)
{
    ocv_reason first = ocv_sig_verify_x509_with(backends[0], key, s);
    for (size_t b = 1; b < backend_count; b++) {
        ocv_reason r = ocv_sig_verify_x509_with(backends[b], key, s);
        if (r != first)
            fail_msg("X.509 %s: %s says %s, %s says %s", what, backends[0]->name,
                     ocv_reason_name(first), backends[b]->name, ocv_reason_name(r));
    }
    if (want_ok)
        assert_reason(first, OCV_OK);
    cases_run++;
}

/* Flips, truncations, extension, constant and random signatures. */
static void damage(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg, size_t msg_len,
                   const uint8_t *sig, size_t len)
{
    uint8_t *buf = malloc(len + 1);
    for (size_t i = 0; i < len; i += (len / 24) + 1) {
        for (int bit = 0; bit < 8; bit += 3) {
            memcpy(buf, sig, len);
            buf[i] ^= (uint8_t)(1u << bit);
            agree(alg, key, msg, msg_len, buf, len, 0, "bit flip");
        }
    }
    for (size_t cut = 0; cut < len; cut += (len / 8) + 1)
        agree(alg, key, msg, msg_len, sig, cut, 0, "truncated");
    memcpy(buf, sig, len);
    buf[len] = 0;
    agree(alg, key, msg, msg_len, buf, len + 1, 0, "one byte longer");
    memset(buf, 0, len);
    agree(alg, key, msg, msg_len, buf, len, 0, "all zero");
    memset(buf, 0xff, len);
    agree(alg, key, msg, msg_len, buf, len, 0, "all 0xff");
    for (int n = 0; n < 8; n++) {
        assert_int_equal(ocv_rng(NULL, buf, len), 0);
        agree(alg, key, msg, msg_len, buf, len, 0, "random");
    }
    agree(alg, key, msg, msg_len - 1, sig, len, 0, "message shortened");
    free(buf);
}

/* Raw r||s with r and s given as numbers. */
static void put_rs(const mbedtls_mpi *r, const mbedtls_mpi *s, size_t half, uint8_t *out)
{
    assert_int_equal(mbedtls_mpi_write_binary(r, out, half), 0);
    assert_int_equal(mbedtls_mpi_write_binary(s, out + half, half), 0);
}

static void ecdsa_edges(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg, size_t msg_len,
                        const uint8_t *sig, size_t len)
{
    size_t half = len / 2;
    const mbedtls_mpi *n = &mbedtls_pk_ec(key->pk)->grp.N;
    mbedtls_mpi r, s, t, zero, n1;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    mbedtls_mpi_init(&t);
    mbedtls_mpi_init(&zero);
    mbedtls_mpi_init(&n1);
    assert_int_equal(mbedtls_mpi_read_binary(&r, sig, half), 0);
    assert_int_equal(mbedtls_mpi_read_binary(&s, sig + half, half), 0);
    assert_int_equal(mbedtls_mpi_sub_mpi(&t, n, &s), 0);
    assert_int_equal(mbedtls_mpi_add_int(&n1, n, 1), 0);
    uint8_t buf[132];
    put_rs(&r, &t, half, buf);
    agree(alg, key, msg, msg_len, buf, len, 1, "high-s twin (n - s)");
    put_rs(&zero, &s, half, buf);
    agree(alg, key, msg, msg_len, buf, len, 0, "r = 0");
    put_rs(&r, &zero, half, buf);
    agree(alg, key, msg, msg_len, buf, len, 0, "s = 0");
    put_rs(n, &s, half, buf);
    agree(alg, key, msg, msg_len, buf, len, 0, "r = n");
    put_rs(&r, n, half, buf);
    agree(alg, key, msg, msg_len, buf, len, 0, "s = n");
    /* n + 1 may not fit the half for P-256 / P-384 (n is close to 2^bits) */
    if (mbedtls_mpi_size(&n1) <= half) {
        put_rs(&n1, &s, half, buf);
        agree(alg, key, msg, msg_len, buf, len, 0, "r = n + 1");
        put_rs(&r, &n1, half, buf);
        agree(alg, key, msg, msg_len, buf, len, 0, "s = n + 1");
    }
    /* r + n and s + n wrap back to the same residue: still invalid */
    assert_int_equal(mbedtls_mpi_add_mpi(&t, &s, n), 0);
    if (mbedtls_mpi_size(&t) <= half) {
        put_rs(&r, &t, half, buf);
        agree(alg, key, msg, msg_len, buf, len, 0, "s + n");
    }
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&t);
    mbedtls_mpi_free(&zero);
    mbedtls_mpi_free(&n1);
}

static void rsa_edges(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg, size_t msg_len,
                      size_t len)
{
    const mbedtls_mpi *n = &mbedtls_pk_rsa(key->pk)->N;
    mbedtls_mpi v;
    mbedtls_mpi_init(&v);
    uint8_t *buf = malloc(len);
    static const int deltas[] = {-1, 0, 1};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(mbedtls_mpi_copy(&v, n), 0);
        assert_int_equal(mbedtls_mpi_add_int(&v, &v, deltas[i]), 0);
        assert_int_equal(mbedtls_mpi_write_binary(&v, buf, len), 0);
        agree(alg, key, msg, msg_len, buf, len, 0, "n - 1, n or n + 1");
    }
    memset(buf, 0, len);
    buf[len - 1] = 1;
    agree(alg, key, msg, msg_len, buf, len, 0, "signature 1");
    free(buf);
    mbedtls_mpi_free(&v);
}

static const struct {
    ocv_alg alg;
    ocv_key_type type;
} CASES[] = {
    {OCV_ALG_ES256, OCV_KEY_EC_P256}, {OCV_ALG_ES384, OCV_KEY_EC_P384},
    {OCV_ALG_ES512, OCV_KEY_EC_P521}, {OCV_ALG_RS256, OCV_KEY_RSA},
    {OCV_ALG_RS384, OCV_KEY_RSA},     {OCV_ALG_RS512, OCV_KEY_RSA},
    {OCV_ALG_PS256, OCV_KEY_RSA},     {OCV_ALG_PS384, OCV_KEY_RSA},
    {OCV_ALG_PS512, OCV_KEY_RSA},     {OCV_ALG_EDDSA, OCV_KEY_ED25519},
};

static void jose_signatures_agree(void **state)
{
    (void)state;
    backends = ocv_sig_backends(&backend_count);
    if (backend_count < 2)
        skip();
    ocv_pkey rsa;
    assert_reason(ocv_pkey_generate(OCV_KEY_RSA, 2048, &rsa), OCV_OK);
    assert_reason(ocv_pk_precompute(&rsa.pk), OCV_OK);
    cases_run = 0;
    for (size_t c = 0; c < sizeof(CASES) / sizeof(CASES[0]); c++) {
        ocv_pkey own, *key = &rsa;
        if (CASES[c].type != OCV_KEY_RSA) {
            assert_reason(ocv_pkey_generate(CASES[c].type, 0, &own), OCV_OK);
            if (CASES[c].type != OCV_KEY_ED25519)
                assert_reason(ocv_pk_precompute(&own.pk), OCV_OK);
            key = &own;
        }
        for (int m = 0; m < 3; m++) {
            uint8_t msg[200];
            size_t msg_len = 1 + (size_t)m * 90;
            assert_int_equal(ocv_rng(NULL, msg, msg_len), 0);
            ocv_bytes sig;
            assert_reason(ocv_sig_sign(CASES[c].alg, key, msg, msg_len, &sig), OCV_OK);
            agree(CASES[c].alg, key, msg, msg_len, sig.data, sig.len, 1, "valid");
            damage(CASES[c].alg, key, msg, msg_len, sig.data, sig.len);
            if (CASES[c].type == OCV_KEY_RSA)
                rsa_edges(CASES[c].alg, key, msg, msg_len, sig.len);
            else if (CASES[c].type != OCV_KEY_ED25519)
                ecdsa_edges(CASES[c].alg, key, msg, msg_len, sig.data, sig.len);
            ocv_bytes_free(&sig);
        }
        if (key == &own)
            ocv_pkey_free(&own);
    }
    /* a key of the wrong type is refused by the seam, before any backend */
    uint8_t sig[256] = {1};
    agree(OCV_ALG_ES256, &rsa, sig, 1, sig, 64, 0, "RSA key for ES256");
    assert_reason(ocv_sig_verify_with(backends[0], OCV_ALG_ES256, &rsa, sig, 1, sig, 64),
                  OCV_ALG_NOT_ALLOWED);
    print_message("%d cases, %zu backends agree\n", cases_run, backend_count);
    assert_true(cases_run > 1000);
    ocv_pkey_free(&rsa);
}

/* An X.509-style DER ECDSA signature from a raw one. */
static size_t der_of_raw(const uint8_t *raw, size_t half, uint8_t *out)
{
    uint8_t body[150];
    size_t n = 0;
    for (int k = 0; k < 2; k++) {
        const uint8_t *v = raw + k * half;
        size_t len = half;
        while (len > 1 && v[0] == 0) {
            v++;
            len--;
        }
        int pad = (v[0] & 0x80) != 0;
        body[n++] = 0x02;
        body[n++] = (uint8_t)(len + pad);
        if (pad)
            body[n++] = 0;
        memcpy(body + n, v, len);
        n += len;
    }
    size_t h = 0;
    out[h++] = 0x30;
    if (n >= 0x80)
        out[h++] = 0x81;
    out[h++] = (uint8_t)n;
    memcpy(out + h, body, n);
    return h + n;
}

static void x509_signatures_agree(void **state)
{
    (void)state;
    backends = ocv_sig_backends(&backend_count);
    if (backend_count < 2)
        skip();
    cases_run = 0;
    static const struct {
        ocv_alg alg;
        ocv_key_type type;
        mbedtls_pk_type_t sig_type;
    } X[] = {
        {OCV_ALG_ES256, OCV_KEY_EC_P256, MBEDTLS_PK_ECDSA},
        {OCV_ALG_ES384, OCV_KEY_EC_P384, MBEDTLS_PK_ECDSA},
        {OCV_ALG_ES512, OCV_KEY_EC_P521, MBEDTLS_PK_ECDSA},
        {OCV_ALG_RS256, OCV_KEY_RSA, MBEDTLS_PK_RSA},
        {OCV_ALG_PS256, OCV_KEY_RSA, MBEDTLS_PK_RSASSA_PSS},
    };
    for (size_t c = 0; c < sizeof(X) / sizeof(X[0]); c++) {
        ocv_pkey key;
        assert_reason(ocv_pkey_generate(X[c].type, 2048, &key), OCV_OK);
        assert_reason(ocv_pk_precompute(&key.pk), OCV_OK);
        const ocv_alg_info *info = ocv_alg_info_of(X[c].alg);
        uint8_t tbs[300];
        assert_int_equal(ocv_rng(NULL, tbs, sizeof(tbs)), 0);
        ocv_bytes raw;
        assert_reason(ocv_sig_sign(X[c].alg, &key, tbs, sizeof(tbs), &raw), OCV_OK);
        uint8_t sig[600];
        size_t sig_len = raw.len;
        if (X[c].sig_type == MBEDTLS_PK_ECDSA)
            sig_len = der_of_raw(raw.data, raw.len / 2, sig);
        else
            memcpy(sig, raw.data, raw.len);
        ocv_bytes_free(&raw);
        mbedtls_pk_rsassa_pss_options pss = {
            info->md, (int)mbedtls_md_get_size(mbedtls_md_info_from_type(info->md))};
        ocv_x509_sig s = {
            X[c].sig_type, info->md,    X[c].sig_type == MBEDTLS_PK_RSASSA_PSS ? &pss : NULL,
            tbs,           sizeof(tbs), sig,
            sig_len};
        agree_x509(&key, &s, 1, "valid");
        uint8_t bad[600];
        ocv_x509_sig d = s;
        d.sig = bad;
        for (size_t i = 0; i < sig_len; i += sig_len / 20 + 1) {
            memcpy(bad, sig, sig_len);
            bad[i] ^= 0x04;
            agree_x509(&key, &d, 0, "bit flip");
        }
        for (size_t cut = 0; cut < sig_len; cut += sig_len / 6 + 1) {
            d.sig_len = cut;
            memcpy(bad, sig, sig_len);
            agree_x509(&key, &d, 0, "truncated");
        }
        d.sig_len = sig_len + 1;
        memcpy(bad, sig, sig_len);
        bad[sig_len] = 0;
        agree_x509(&key, &d, 0, "trailing byte");
        d.sig_len = sig_len;
        ocv_x509_sig h = s;
        h.tbs_len--;
        agree_x509(&key, &h, 0, "tbs shortened");
        h = s;
        h.md = MBEDTLS_MD_SHA1;
        agree_x509(&key, &h, 0, "SHA-1");
        assert_reason(ocv_sig_verify_x509_with(backends[0], &key, &h), OCV_ALG_NOT_ALLOWED);
        if (X[c].sig_type == MBEDTLS_PK_RSASSA_PSS) {
            mbedtls_pk_rsassa_pss_options other = {MBEDTLS_MD_SHA384, pss.expected_salt_len};
            h = s;
            h.pss_opts = &other;
            agree_x509(&key, &h, 0, "PSS, other MGF1 hash");
            other.mgf1_hash_id = info->md;
            other.expected_salt_len = 20;
            agree_x509(&key, &h, 0, "PSS, other salt length");
            other.expected_salt_len = MBEDTLS_RSA_SALT_LEN_ANY;
            agree_x509(&key, &h, 1, "PSS, any salt length");
        }
        if (X[c].sig_type == MBEDTLS_PK_ECDSA) {
            /* BER: a long-form length where short form fits */
            size_t n = 0;
            bad[n++] = 0x30;
            bad[n++] = 0x81;
            size_t body = sig_len - (sig[1] == 0x81 ? 3 : 2);
            bad[n++] = (uint8_t)body;
            memcpy(bad + n, sig + (sig_len - body), body);
            d.sig_len = n + body;
            agree_x509(&key, &d, 0, "BER long-form length");
            d.sig_len = sig_len;
        }
        ocv_pkey_free(&key);
    }
    print_message("%d X.509 cases, %zu backends agree\n", cases_run, backend_count);
}

/* The cache hook: a success is remembered under the issuer key and the
 * exact signature; a failure never is. */
static void x509_cache_hook(void **state)
{
    (void)state;
    ocv_pkey key, other;
    assert_reason(ocv_pkey_generate(OCV_KEY_EC_P256, 0, &key), OCV_OK);
    assert_reason(ocv_pkey_generate(OCV_KEY_EC_P256, 0, &other), OCV_OK);
    uint8_t tbs[100] = {1, 2, 3};
    ocv_bytes raw;
    assert_reason(ocv_sig_sign(OCV_ALG_ES256, &key, tbs, sizeof(tbs), &raw), OCV_OK);
    uint8_t sig[80];
    size_t sig_len = der_of_raw(raw.data, 32, sig);
    ocv_bytes_free(&raw);
    ocv_sigcache *cache = NULL;
    assert_reason(ocv_sigcache_new(64, &cache), OCV_OK);
    ocv_x509_sig s = {MBEDTLS_PK_ECDSA, MBEDTLS_MD_SHA256, NULL, tbs, sizeof(tbs), sig, sig_len};
    uint8_t id[32];
    assert_int_equal(
        ocv_sigcache_id(key.id, OCV_SIGCACHE_X509 | MBEDTLS_PK_ECDSA << 8 | MBEDTLS_MD_SHA256 << 16,
                        tbs, sizeof(tbs), sig, sig_len, id),
        0);
    assert_reason(ocv_sig_verify_x509(&other, &s, cache), OCV_SIGNATURE_INVALID);
    assert_reason(ocv_sig_verify_x509(&key, &s, cache), OCV_OK);
    assert_true(ocv_sigcache_hit(cache, id));
    /* another key never hits the entry: the key's id is part of it */
    assert_reason(ocv_sig_verify_x509(&other, &s, cache), OCV_SIGNATURE_INVALID);
    tbs[0] ^= 1;
    assert_reason(ocv_sig_verify_x509(&key, &s, cache), OCV_SIGNATURE_INVALID);
    tbs[0] ^= 1;
    assert_reason(ocv_sig_verify_x509(&key, &s, NULL), OCV_OK);
    ocv_sigcache_free(cache);
    ocv_pkey_free(&key);
    ocv_pkey_free(&other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jose_signatures_agree),
        cmocka_unit_test(x509_signatures_agree),
        cmocka_unit_test(x509_cache_hook),
    };
    return cmocka_run_group_tests_name("sigalg_diff", tests, NULL, NULL);
}
