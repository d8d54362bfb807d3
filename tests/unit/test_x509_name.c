/*
 * test_x509_name.c - the name-constraint matchers (DNS label rules, email
 * forms, URI host extraction, IP masks), §7.1 DN comparison and subtrees,
 * table-driven.
 */
#include <string.h>

#include "testutil.h"
#include "verifier/x509_name.h"

typedef struct match_case {
    const char *name, *base;
    int want;
} match_case;

#define S(x) (const uint8_t *)(x), strlen(x)

static void test_dns(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"example.com", "example.com", 1},
        {"a.example.com", "example.com", 1},
        {"A.EXAMPLE.COM", "example.com", 1},
        {"badexample.com", "example.com", 0},
        {"example.com", ".example.com", 0},
        {"a.example.com", ".example.com", 1},
        {"anything.org", "", 1},
        {"com", "example.com", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(ocv_nc_dns_match(S(cases[i].name), S(cases[i].base)), cases[i].want);
}

static void test_email(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"alice@example.com", "alice@example.com", 1},
        {"Alice@example.com", "alice@example.com", 0},
        {"alice@EXAMPLE.com", "example.com", 1},
        {"alice@mail.example.com", "example.com", 0},
        {"alice@mail.example.com", ".example.com", 1},
        {"alice@example.com", ".example.com", 0},
        {"no-at-sign", "example.com", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(ocv_nc_email_match(S(cases[i].name), S(cases[i].base)), cases[i].want);
}

static void test_uri(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"spiffe://prod.example.org/ns/a", "prod.example.org", 1},
        {"spiffe://evil.org/prod.example.org", "prod.example.org", 0},
        {"https://user@host.example.com:8443/x", "host.example.com", 1},
        {"https://a.example.com/", ".example.com", 1},
        {"https://example.com/", ".example.com", 0},
        {"urn:uuid:1234", "example.com", 0},
        {"https://:80/", "example.com", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(ocv_nc_uri_match(S(cases[i].name), S(cases[i].base)), cases[i].want);
}

static void test_ip(void **state)
{
    (void)state;
    static const uint8_t net[8] = {10, 1, 0, 0, 255, 255, 0, 0};
    static const uint8_t in[4] = {10, 1, 200, 7}, out[4] = {10, 2, 0, 1};
    static const uint8_t v6[16] = {0};
    assert_int_equal(ocv_nc_ip_match(in, 4, net, 8), 1);
    assert_int_equal(ocv_nc_ip_match(out, 4, net, 8), 0);
    assert_int_equal(ocv_nc_ip_match(v6, 16, net, 8), 0); /* families differ */
}

/* Names: C=US, O=<o>, [CN=<cn>] as DER, built by hand. */
static size_t make_name(uint8_t *out, uint8_t otag, const char *o, const char *cn)
{
    uint8_t body[200];
    size_t n = 0;
    const uint8_t c_rdn[] = {0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55,
                             0x04, 0x06, 0x13, 0x02, 'U',  'S'};
    memcpy(body, c_rdn, sizeof(c_rdn));
    n = sizeof(c_rdn);
    const char *vals[2] = {o, cn};
    const uint8_t types[2] = {0x0a, 0x03};
    for (int k = 0; k < 2 && vals[k] != NULL; k++) {
        size_t l = strlen(vals[k]);
        body[n++] = 0x31;
        body[n++] = (uint8_t)(l + 9);
        body[n++] = 0x30;
        body[n++] = (uint8_t)(l + 7);
        body[n++] = 0x06;
        body[n++] = 0x03;
        body[n++] = 0x55;
        body[n++] = 0x04;
        body[n++] = types[k];
        body[n++] = k == 0 ? otag : 0x13;
        body[n++] = (uint8_t)l;
        memcpy(body + n, vals[k], l);
        n += l;
    }
    out[0] = 0x30;
    out[1] = (uint8_t)n;
    memcpy(out + 2, body, n);
    return n + 2;
}

static void test_dn(void **state)
{
    (void)state;
    uint8_t a[256], b[256], c[256], d[256];
    size_t al = make_name(a, 0x13, "Test Certificates 2011", "Good CA");
    size_t bl = make_name(b, 0x0c, "  test   CERTIFICATES 2011 ", "good ca");
    size_t cl = make_name(c, 0x13, "Test Certificates 2011", NULL);
    size_t dl = make_name(d, 0x13, "Other", "Good CA");
    assert_int_equal(ocv_x509_name_eq(a, al, b, bl), 1); /* §7.1 folding, across string types */
    assert_int_equal(ocv_x509_name_eq(a, al, d, dl), 0);
    assert_int_equal(ocv_x509_name_within(c, cl, a, al), 1); /* subtree */
    assert_int_equal(ocv_x509_name_within(c, cl, d, dl), 0);
    assert_int_equal(ocv_x509_name_within(a, al, c, cl), 0); /* longer base */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns), cmocka_unit_test(test_email), cmocka_unit_test(test_uri),
        cmocka_unit_test(test_ip),  cmocka_unit_test(test_dn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
