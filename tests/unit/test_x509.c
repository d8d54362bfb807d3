/*
 * test_x509.c - the X.509 module directly: parsing and claims, hostile
 * input, chain verification reasons, CRL reasons, time conversion.
 * Fixtures come from tests/fixtures/make_pki.sh (ocv's own mint).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "testutil.h"
#include "verifier/x509.h"

typedef struct x509_fixture {
    ocv_x509_anchors anchors;
    ocv_x509_options options;
} x509_fixture;

static int setup(void **state)
{
    x509_fixture *f = calloc(1, sizeof(*f));
    ocv_x509_anchors_init(&f->anchors);
    char err[256] = "";
    if (ocv_x509_anchors_load(&f->anchors, test_fixture_path("anchors.pem"), err, sizeof(err)) !=
        OCV_OK)
        fail_msg("anchors: %s", err);
    f->options.at = (int64_t)time(NULL);
    f->options.skew = 60;
    f->options.leaf_eku = OCV_EKU_CLIENT_AUTH;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    x509_fixture *f = *state;
    ocv_x509_anchors_free(&f->anchors);
    free(f);
    return 0;
}

/* Parses leaf + chain fixtures and, when parsing passes, verifies. */
static ocv_reason parse_and_verify(x509_fixture *f, const char *leaf_name, const char *chain_name,
                                   ocv_claims *claims, ocv_x509_chain *chain)
{
    ocv_bytes leaf, inter;
    ocv_bytes_init(&inter);
    test_fixture_read(leaf_name, &leaf);
    if (chain_name != NULL)
        test_fixture_read(chain_name, &inter);
    char detail[256] = "";
    ocv_reason r = ocv_x509_parse(leaf.data, leaf.len, inter.data, inter.len, &f->options, chain,
                                  claims, detail, sizeof(detail));
    if (r == OCV_OK)
        r = ocv_x509_verify_chain(chain, &f->anchors, &f->options, claims, detail, sizeof(detail));
    ocv_bytes_free(&leaf);
    ocv_bytes_free(&inter);
    return r;
}

static ocv_reason verify_names(x509_fixture *f, const char *leaf_name, const char *chain_name)
{
    ocv_claims claims;
    ocv_x509_chain chain;
    ocv_x509_chain_init(&chain);
    ocv_reason r = parse_and_verify(f, leaf_name, chain_name, &claims, &chain);
    ocv_x509_chain_free(&chain);
    return r;
}

static void claims_from_a_good_chain(void **state)
{
    x509_fixture *f = *state;
    ocv_claims claims;
    ocv_x509_chain chain;
    ocv_x509_chain_init(&chain);
    assert_reason(parse_and_verify(f, "leaf.pem", "inter.pem", &claims, &chain), OCV_OK);
    assert_string_equal(claims.subject, "spiffe://example.org/ns/demo/sa/web");
    assert_int_equal(claims.type, OCV_CREDENTIAL_X509);
    assert_int_equal(claims.alg, OCV_ALG_ES256);
    assert_int_equal(claims.serial_len, 4);
    assert_memory_equal(claims.serial, "\x0b\xad\xc0\xde", 4);
    assert_non_null(strstr(claims.issuer, "Test Intermediate"));
    assert_non_null(strstr(claims.anchor_name, "Test Root"));
    assert_int_equal(strlen(claims.issuer_key_sha256), 64);
    assert_int_equal(strlen(claims.anchor_key_sha256), 64);
    assert_string_not_equal(claims.issuer_key_sha256, claims.anchor_key_sha256);
    assert_true(claims.has_expires_at && claims.has_not_before);
    assert_int_equal(claims.expires_at - claims.not_before, 3600);
    assert_int_equal(chain.path_len, 3);
    ocv_x509_chain_free(&chain);
    assert_int_equal(chain.count, 0);
}

static void chain_reasons(void **state)
{
    x509_fixture *f = *state;
    static const struct {
        const char *leaf, *chain;
        ocv_reason want;
    } cases[] = {
        {"leaf.pem", "inter.pem", OCV_OK},
        {"leaf384.pem", "inter.pem", OCV_OK},
        {"rsa_leaf.pem", NULL, OCV_OK},
        {"leaf.der", "inter.pem", OCV_OK},
        {"stranger.pem", "root2.pem", OCV_CHAIN_UNTRUSTED},
        {"leaf.pem", NULL, OCV_CHAIN_UNTRUSTED},
        {"loop_leaf.pem", "loop_chain.pem", OCV_CHAIN_UNTRUSTED},
        {"bad_sig.der", "inter.pem", OCV_SIGNATURE_INVALID},
        {"leaf.pem", "forged_inter.pem", OCV_SIGNATURE_INVALID},
        {"leaf_ca.pem", "inter.pem", OCV_CHAIN_INVALID},
        {"server_only.pem", "inter.pem", OCV_CHAIN_INVALID},
        {"ku_certsign.pem", "inter.pem", OCV_CHAIN_INVALID},
        {"sha1.pem", "inter.pem", OCV_ALG_NOT_ALLOWED},
        {"weak_leaf.pem", NULL, OCV_ALG_NOT_ALLOWED},
        {"leaf_old.pem", "inter_old.pem", OCV_EXPIRED},
        {"two_uris.pem", "inter.pem", OCV_MALFORMED},
        {"no_uri.pem", "inter.pem", OCV_MALFORMED},
        {"long_leaf.pem", "long_chain.pem", OCV_TOO_LARGE},
        {"truncated.der", NULL, OCV_MALFORMED},
        {"junk_around.pem", "inter.pem", OCV_MALFORMED},
        {"garbage.pem", NULL, OCV_UNSUPPORTED_FORMAT},
        {"empty.pem", NULL, OCV_MALFORMED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ocv_reason got = verify_names(f, cases[i].leaf, cases[i].chain);
        if (got != cases[i].want)
            fail_msg("%s + %s: %s, want %s", cases[i].leaf, cases[i].chain ? cases[i].chain : "-",
                     ocv_reason_name(got), ocv_reason_name(cases[i].want));
    }
}

static void non_ca_issuer(void **state)
{
    x509_fixture *f = *state;
    ocv_bytes a, b, both;
    test_fixture_read("leaf.pem", &a);
    test_fixture_read("inter.pem", &b);
    both.len = a.len + b.len;
    both.data = malloc(both.len + 1);
    memcpy(both.data, a.data, a.len);
    memcpy(both.data + a.len, b.data, b.len);
    ocv_bytes leaf;
    test_fixture_read("by_leaf.pem", &leaf);
    ocv_claims claims;
    ocv_x509_chain chain;
    ocv_x509_chain_init(&chain);
    char detail[256] = "";
    assert_reason(ocv_x509_parse(leaf.data, leaf.len, both.data, both.len, &f->options, &chain,
                                 &claims, detail, sizeof(detail)),
                  OCV_OK);
    assert_reason(
        ocv_x509_verify_chain(&chain, &f->anchors, &f->options, &claims, detail, sizeof(detail)),
        OCV_CHAIN_INVALID);
    assert_non_null(strstr(detail, "not a CA"));
    ocv_x509_chain_free(&chain);
    ocv_bytes_free(&a);
    ocv_bytes_free(&b);
    ocv_bytes_free(&both);
    ocv_bytes_free(&leaf);
}

static void evaluation_time_not_wall_clock(void **state)
{
    x509_fixture *f = *state;
    int64_t now = f->options.at;
    /* Every certificate of the path is judged at the request time, here
     * past the intermediate's year of validity. */
    f->options.at = now + 400 * 86400;
    assert_reason(verify_names(f, "leaf.pem", "inter.pem"), OCV_EXPIRED);
    f->options.at = now - 86400 * 40; /* before the CAs existed */
    assert_reason(verify_names(f, "leaf.pem", "inter.pem"), OCV_NOT_YET_VALID);
    f->options.at = now;
    assert_reason(verify_names(f, "leaf.pem", "inter.pem"), OCV_OK);
}

static void identity_fallbacks(void **state)
{
    x509_fixture *f = *state;
    ocv_claims claims;
    ocv_x509_chain chain;
    ocv_x509_chain_init(&chain);
    f->options.identity_fallback = OCV_IDENTITY_FALLBACK_DNS;
    assert_reason(parse_and_verify(f, "no_uri.pem", "inter.pem", &claims, &chain), OCV_OK);
    assert_string_equal(claims.subject, "dns-only.example.org");
    ocv_x509_chain_free(&chain);
    f->options.identity_fallback = OCV_IDENTITY_FALLBACK_CN;
    assert_reason(parse_and_verify(f, "no_uri.pem", "inter.pem", &claims, &chain), OCV_OK);
    assert_string_equal(claims.subject, "dns-only.example.org");
    ocv_x509_chain_free(&chain);
    /* a fallback never overrides the two-URI rule */
    assert_reason(parse_and_verify(f, "two_uris.pem", "inter.pem", &claims, &chain), OCV_MALFORMED);
    ocv_x509_chain_free(&chain);
    f->options.identity_fallback = OCV_IDENTITY_URI_ONLY;
}

static ocv_reason crl_check(x509_fixture *f, const char *crl_name, int64_t at)
{
    ocv_x509_crls crls;
    ocv_x509_crls_init(&crls);
    char err[256] = "";
    if (ocv_x509_crls_load(&crls, test_fixture_path(crl_name), err, sizeof(err)) != OCV_OK)
        fail_msg("%s: %s", crl_name, err);
    ocv_claims claims;
    ocv_x509_chain chain;
    ocv_x509_chain_init(&chain);
    assert_reason(parse_and_verify(f, "leaf.pem", "inter.pem", &claims, &chain), OCV_OK);
    ocv_x509_options opt = f->options;
    opt.at = at;
    char detail[256] = "";
    ocv_reason r = ocv_x509_check_crls(&chain, &crls, &opt, detail, sizeof(detail));
    ocv_x509_chain_free(&chain);
    ocv_x509_crls_free(&crls);
    return r;
}

static void crl_reasons(void **state)
{
    x509_fixture *f = *state;
    int64_t now = f->options.at;
    assert_reason(crl_check(f, "crl_ok.pem", now), OCV_OK);
    assert_reason(crl_check(f, "crl_revoked.pem", now), OCV_REVOKED);
    assert_reason(crl_check(f, "crl_expired.pem", now), OCV_REVOCATION_STALE);
    assert_reason(crl_check(f, "crl_expired.pem", now - 100000), OCV_OK);
    assert_reason(crl_check(f, "crl_ok.pem", now + 3 * 86400), OCV_REVOCATION_STALE);
    assert_reason(crl_check(f, "crl_other_ca.pem", now), OCV_REVOCATION_MISSING);
    assert_reason(crl_check(f, "crl_forged.pem", now), OCV_REVOCATION_MISSING);
    assert_reason(crl_check(f, "crl_sha1.pem", now), OCV_ALG_NOT_ALLOWED);
    /* a revoked serial stays revoked when the CRL is stale */
    assert_reason(crl_check(f, "crl_revoked.pem", now + 3 * 86400), OCV_REVOKED);
}

static void loading_errors(void **state)
{
    (void)state;
    ocv_x509_anchors anchors;
    ocv_x509_anchors_init(&anchors);
    char err[256] = "";
    assert_reason(
        ocv_x509_anchors_load(&anchors, test_fixture_path("garbage.pem"), err, sizeof(err)),
        OCV_CONFIG_INVALID);
    assert_non_null(strstr(err, "garbage.pem"));
    assert_reason(ocv_x509_anchors_load(&anchors, test_fixture_path("empty.pem"), err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_reason(ocv_x509_anchors_load(&anchors, test_fixture_path("huge.pem"), err, sizeof(err)),
                  OCV_TOO_LARGE);
    assert_reason(ocv_x509_anchors_load(&anchors, "/nonexistent", err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_int_equal(anchors.count, 0);
    ocv_x509_anchors_free(&anchors);
    ocv_x509_crls crls;
    ocv_x509_crls_init(&crls);
    assert_reason(ocv_x509_crls_load(&crls, test_fixture_path("garbage.pem"), err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    assert_reason(ocv_x509_crls_load(&crls, test_fixture_path("leaf.pem"), err, sizeof(err)),
                  OCV_CONFIG_INVALID);
    ocv_x509_crls_free(&crls);
}

static void no_anchors_is_untrusted(void **state)
{
    x509_fixture *f = *state;
    ocv_x509_anchors none;
    ocv_x509_anchors_init(&none);
    ocv_bytes leaf;
    test_fixture_read("leaf.pem", &leaf);
    ocv_claims claims;
    ocv_x509_chain chain;
    ocv_x509_chain_init(&chain);
    char detail[256];
    assert_reason(ocv_x509_parse(leaf.data, leaf.len, NULL, 0, &f->options, &chain, &claims, detail,
                                 sizeof(detail)),
                  OCV_OK);
    assert_reason(
        ocv_x509_verify_chain(&chain, &none, &f->options, &claims, detail, sizeof(detail)),
        OCV_CHAIN_UNTRUSTED);
    ocv_x509_chain_free(&chain);
    ocv_bytes_free(&leaf);
}

/* Every prefix of a DER certificate is refused without a crash. */
static void every_truncation_refused(void **state)
{
    x509_fixture *f = *state;
    ocv_bytes der;
    test_fixture_read("leaf.der", &der);
    for (size_t n = 1; n < der.len; n++) {
        ocv_claims claims;
        ocv_x509_chain chain;
        ocv_x509_chain_init(&chain);
        char detail[256];
        ocv_reason r = ocv_x509_parse(der.data, n, NULL, 0, &f->options, &chain, &claims, detail,
                                      sizeof(detail));
        assert_int_not_equal(r, OCV_OK);
        assert_int_equal(chain.count, 0);
        ocv_x509_chain_free(&chain);
    }
    ocv_bytes_free(&der);
}

static void time_conversion(void **state)
{
    (void)state;
    mbedtls_x509_time t = {1970, 1, 1, 0, 0, 0};
    assert_int_equal(ocv_x509_time_to_unix(&t), 0);
    mbedtls_x509_time leap = {2000, 3, 1, 0, 0, 0};
    assert_int_equal(ocv_x509_time_to_unix(&leap), 951868800);
    mbedtls_x509_time far = {2049, 12, 31, 23, 59, 59};
    assert_int_equal(ocv_x509_time_to_unix(&far), 2524607999);
    mbedtls_x509_time max = {9999, 12, 31, 23, 59, 59};
    assert_int_equal(ocv_x509_time_to_unix(&max), 253402300799);
}

static void sniffing(void **state)
{
    (void)state;
    assert_true(ocv_x509_sniff((const uint8_t *)"\n-----BEGIN CERTIFICATE-----", 28));
    assert_true(ocv_x509_sniff((const uint8_t *)"\x30\x82", 2));
    assert_false(ocv_x509_sniff((const uint8_t *)"eyJhbGciOi", 10));
    assert_false(ocv_x509_sniff((const uint8_t *)"", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(claims_from_a_good_chain),
        cmocka_unit_test(chain_reasons),
        cmocka_unit_test(non_ca_issuer),
        cmocka_unit_test(evaluation_time_not_wall_clock),
        cmocka_unit_test(identity_fallbacks),
        cmocka_unit_test(crl_reasons),
        cmocka_unit_test(loading_errors),
        cmocka_unit_test(no_anchors_is_untrusted),
        cmocka_unit_test(every_truncation_refused),
        cmocka_unit_test(time_conversion),
        cmocka_unit_test(sniffing),
    };
    return cmocka_run_group_tests_name("x509", tests, setup, teardown);
}
