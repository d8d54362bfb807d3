/*
 * test_x509_path.c - path building over branching graphs and a hostile
 * bundle, with certificates made here by mbedtls's writer (P-256).
 *
 * Every graph is: anchor "CN=Root" -> several CAs named "CN=Inter" that
 * share one key (re-issued CA certificates) -> a leaf. One branch is good;
 * the others are expired, not a CA, name-constrained away from the leaf's
 * DNS name, or restricted by extendedKeyUsage to serverAuth. Put first,
 * each wrong branch must be skipped and the good path found; alone, each
 * gives its own reason. The hostile bundle is hundreds of same-named CAs
 * whose keys never signed the leaf: building stops at the work bound.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "base/rng.h"
#include "testutil.h"
#include "verifier/x509_ext.h"
#include "verifier/x509_path.h"

#define AT 1700000000 /* 2023-11-14, inside every validity below */

static mbedtls_pk_context root_key, inter_key, other_key, leaf_key;

static void gen_key(mbedtls_pk_context *k)
{
    mbedtls_pk_init(k);
    assert_int_equal(mbedtls_pk_setup(k, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    assert_int_equal(
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*k), ocv_rng, NULL), 0);
}

typedef struct cert_spec {
    const char *subject, *issuer;
    mbedtls_pk_context *key, *issuer_key;
    int ca;
    const char *not_before, *not_after;
    const uint8_t *nc; /* nameConstraints value, or NULL */
    size_t nc_len;
    const uint8_t *eku; /* extendedKeyUsage value, or NULL */
    size_t eku_len;
    const uint8_t *san;
    size_t san_len;
    int serial;
    int version;            /* 1, 2 or 3; 0: 3 */
    const char *serial_hex; /* overrides serial when set */
    const char *crit_oid;   /* an extension ocv does not know, critical */
} cert_spec;

/* Writes the certificate and parses it into list as ocv parses: the
 * mbedtls result. */
static int try_make_cert(const cert_spec *c, mbedtls_x509_crt *list)
{
    mbedtls_x509write_cert w;
    mbedtls_x509write_crt_init(&w);
    mbedtls_x509write_crt_set_version(&w, c->version ? c->version - 1 : MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, c->key);
    mbedtls_x509write_crt_set_issuer_key(&w, c->issuer_key);
    assert_int_equal(mbedtls_x509write_crt_set_subject_name(&w, c->subject), 0);
    assert_int_equal(mbedtls_x509write_crt_set_issuer_name(&w, c->issuer), 0);
    mbedtls_mpi serial;
    mbedtls_mpi_init(&serial);
    if (c->serial_hex != NULL)
        assert_int_equal(mbedtls_mpi_read_string(&serial, 16, c->serial_hex), 0);
    else
        assert_int_equal(mbedtls_mpi_lset(&serial, c->serial), 0);
    assert_int_equal(mbedtls_x509write_crt_set_serial(&w, &serial), 0);
    mbedtls_mpi_free(&serial);
    assert_int_equal(
        mbedtls_x509write_crt_set_validity(&w, c->not_before ? c->not_before : "20200101000000",
                                           c->not_after ? c->not_after : "20300101000000"),
        0);
    assert_int_equal(mbedtls_x509write_crt_set_basic_constraints(&w, c->ca, -1), 0);
    if (c->ca)
        assert_int_equal(mbedtls_x509write_crt_set_key_usage(&w, MBEDTLS_X509_KU_KEY_CERT_SIGN |
                                                                     MBEDTLS_X509_KU_CRL_SIGN),
                         0);
    if (c->nc != NULL)
        assert_int_equal(
            mbedtls_x509write_crt_set_extension(&w, "\x55\x1d\x1e", 3, 1, c->nc, c->nc_len), 0);
    if (c->eku != NULL)
        assert_int_equal(
            mbedtls_x509write_crt_set_extension(&w, "\x55\x1d\x25", 3, 0, c->eku, c->eku_len), 0);
    if (c->san != NULL)
        assert_int_equal(
            mbedtls_x509write_crt_set_extension(&w, "\x55\x1d\x11", 3, 0, c->san, c->san_len), 0);
    if (c->crit_oid != NULL)
        assert_int_equal(mbedtls_x509write_crt_set_extension(&w, c->crit_oid, strlen(c->crit_oid),
                                                             1, (const unsigned char *)"\x05\x00",
                                                             2),
                         0);
    unsigned char buf[2048];
    int len = mbedtls_x509write_crt_der(&w, buf, sizeof(buf), ocv_rng, NULL);
    assert_true(len > 0);
    int ret = mbedtls_x509_crt_parse_der_with_ext_cb(list, buf + sizeof(buf) - len, (size_t)len, 1,
                                                     ocv_x509_ext_cb, NULL);
    mbedtls_x509write_crt_free(&w);
    return ret;
}

static void make_cert(const cert_spec *c, mbedtls_x509_crt *list)
{
    assert_int_equal(try_make_cert(c, list), 0);
}

/* permitted dNSName other.com */
static const uint8_t NC_OTHER[] = {0x30, 0x0f, 0xa0, 0x0d, 0x30, 0x0b, 0x82, 0x09, 'o',
                                   't',  'h',  'e',  'r',  '.',  'c',  'o',  'm'};
/* serverAuth only */
static const uint8_t EKU_SERVER[] = {0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06,
                                     0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
/* dNSName a.example.com */
static const uint8_t SAN_LEAF[] = {0x30, 0x0f, 0x82, 0x0d, 'a', '.', 'e', 'x', 'a',
                                   'm',  'p',  'l',  'e',  '.', 'c', 'o', 'm'};

typedef enum branch { GOOD, EXPIRED, NOT_CA, NAME_CONSTRAINED, SERVER_ONLY } branch;

static void add_inter(branch b, int serial, mbedtls_x509_crt *pool)
{
    cert_spec c = {"CN=Inter", "CN=Root", &inter_key, &root_key, 1,      NULL, NULL, NULL, 0,
                   NULL,       0,         NULL,       0,         serial, 0,    NULL, NULL};
    if (b == EXPIRED)
        c.not_after = "20210101000000";
    if (b == NOT_CA)
        c.ca = 0;
    if (b == NAME_CONSTRAINED) {
        c.nc = NC_OTHER;
        c.nc_len = sizeof(NC_OTHER);
    }
    if (b == SERVER_ONLY) {
        c.eku = EKU_SERVER;
        c.eku_len = sizeof(EKU_SERVER);
    }
    make_cert(&c, pool);
}

typedef struct graph {
    mbedtls_x509_crt anchors, leaf, pool;
} graph;

static int setup(void **state)
{
    gen_key(&root_key);
    gen_key(&inter_key);
    gen_key(&other_key);
    gen_key(&leaf_key);
    graph *g = calloc(1, sizeof(*g));
    mbedtls_x509_crt_init(&g->anchors);
    mbedtls_x509_crt_init(&g->leaf);
    cert_spec root = {"CN=Root", "CN=Root", &root_key, &root_key, 1, NULL, NULL, NULL, 0,
                      NULL,      0,         NULL,      0,         1, 0,    NULL, NULL};
    make_cert(&root, &g->anchors);
    cert_spec leaf = {"CN=leaf", "CN=Inter", &leaf_key, &inter_key,       0,  NULL, NULL, NULL, 0,
                      NULL,      0,          SAN_LEAF,  sizeof(SAN_LEAF), 99, 0,    NULL, NULL};
    make_cert(&leaf, &g->leaf);
    *state = g;
    return 0;
}

static int teardown(void **state)
{
    graph *g = *state;
    mbedtls_x509_crt_free(&g->anchors);
    mbedtls_x509_crt_free(&g->leaf);
    free(g);
    mbedtls_pk_free(&root_key);
    mbedtls_pk_free(&inter_key);
    mbedtls_pk_free(&other_key);
    mbedtls_pk_free(&leaf_key);
    return 0;
}

static int anchor_nc; /* build(): apply the anchor's nameConstraints */

static ocv_reason build(graph *g, const mbedtls_x509_crt *pool, size_t *len, char *detail,
                        size_t detail_len)
{
    ocv_x509_path_options o;
    memset(&o, 0, sizeof(o));
    o.anchor_constraints = anchor_nc;
    o.at = AT;
    o.skew = 60;
    o.eku = OCV_EKU_CLIENT_AUTH;
    const mbedtls_x509_crt *path[OCV_X509_MAX_PATH];
    return ocv_x509_path_build(&g->leaf, pool, &g->anchors, &o, path, len, detail, detail_len);
}

static void wrong_branch_skipped(void **state)
{
    graph *g = *state;
    static const struct {
        branch bad;
        ocv_reason alone;
    } cases[] = {
        {EXPIRED, OCV_EXPIRED},
        {NOT_CA, OCV_CHAIN_INVALID},
        {NAME_CONSTRAINED, OCV_CHAIN_INVALID},
        {SERVER_ONLY, OCV_CHAIN_INVALID},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char detail[256] = "";
        size_t len = 0;
        mbedtls_x509_crt pool;
        mbedtls_x509_crt_init(&pool);
        add_inter(cases[i].bad, 10, &pool);
        assert_reason(build(g, &pool, &len, detail, sizeof(detail)), cases[i].alone);
        add_inter(GOOD, 11, &pool); /* the good branch comes second */
        ocv_reason r = build(g, &pool, &len, detail, sizeof(detail));
        if (r != OCV_OK)
            fail_msg("case %zu: %s: %s", i, ocv_reason_name(r), detail);
        assert_int_equal(len, 3);
        mbedtls_x509_crt_free(&pool);
    }
}

static void hostile_bundle_bounded(void **state)
{
    graph *g = *state;
    mbedtls_x509_crt pool;
    mbedtls_x509_crt_init(&pool);
    /* 300 CAs in the leaf issuer's name whose key never signed it */
    for (int i = 0; i < 300; i++) {
        cert_spec c = {"CN=Inter", "CN=Root", &other_key, &root_key, 1,        NULL, NULL, NULL, 0,
                       NULL,       0,         NULL,       0,         1000 + i, 0,    NULL, NULL};
        make_cert(&c, &pool);
    }
    add_inter(GOOD, 5000, &pool); /* the real one, last */
    char detail[256] = "";
    size_t len = 0;
    clock_t t0 = clock();
    ocv_reason r = build(g, &pool, &len, detail, sizeof(detail));
    double seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_reason(r, OCV_CHAIN_UNTRUSTED);
    assert_non_null(strstr(detail, "within 64 candidate issuers"));
    assert_true(seconds < 2.0); /* 64 signature checks at most */
    mbedtls_x509_crt_free(&pool);
}

/* RFC 5280 refusals in an intermediate: serial zero or over 20 octets
 * (MALFORMED), a version 1 CA (CHAIN_INVALID), an unknown critical
 * extension (the certificate does not parse: MALFORMED upstream). */
static void rfc5280_refusals(void **state)
{
    graph *g = *state;
    static const struct {
        const char *serial_hex;
        int version;
        ocv_reason want;
    } cases[] = {
        {"0", 0, OCV_MALFORMED},
        {"7f0102030405060708090a0b0c0d0e0f1011121314", 0, OCV_MALFORMED}, /* 21 octets */
        {"7f0102030405060708090a0b0c0d0e0f10111213", 0, OCV_OK},          /* 20 octets */
        {"1234", 1, OCV_CHAIN_INVALID},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mbedtls_x509_crt pool;
        mbedtls_x509_crt_init(&pool);
        cert_spec c = {"CN=Inter",
                       "CN=Root",
                       &inter_key,
                       &root_key,
                       1,
                       NULL,
                       NULL,
                       NULL,
                       0,
                       NULL,
                       0,
                       NULL,
                       0,
                       0,
                       cases[i].version,
                       cases[i].serial_hex,
                       NULL};
        make_cert(&c, &pool);
        char detail[256] = "";
        size_t len = 0;
        ocv_reason r = build(g, &pool, &len, detail, sizeof(detail));
        if (r != cases[i].want)
            fail_msg("case %zu: %s (%s)", i, ocv_reason_name(r), detail);
        mbedtls_x509_crt_free(&pool);
    }
    mbedtls_x509_crt pool;
    mbedtls_x509_crt_init(&pool);
    cert_spec crit = {"CN=Inter", "CN=Root", &inter_key, &root_key, 1, NULL, NULL, NULL,          0,
                      NULL,       0,         NULL,       0,         7, 0,    NULL, "\x2a\x03\x04"};
    assert_int_not_equal(try_make_cert(&crit, &pool), 0);
    mbedtls_x509_crt_free(&pool);
}

/* An anchor whose own nameConstraints exclude the leaf's name: ignored by
 * default (RFC 5280 §6.1.1 leaves it to the relying party), applied with
 * anchor_constraints. */
static void anchor_name_constraints(void **state)
{
    graph *g = *state;
    graph constrained = *g;
    mbedtls_x509_crt_init(&constrained.anchors);
    cert_spec root = {
        "CN=Root", "CN=Root", &root_key, &root_key, 1, NULL, NULL, NC_OTHER, sizeof(NC_OTHER),
        NULL,      0,         NULL,      0,         2, 0,    NULL, NULL};
    make_cert(&root, &constrained.anchors);
    mbedtls_x509_crt pool;
    mbedtls_x509_crt_init(&pool);
    add_inter(GOOD, 20, &pool);
    char detail[256] = "";
    size_t len = 0;
    anchor_nc = 0;
    assert_reason(build(&constrained, &pool, &len, detail, sizeof(detail)), OCV_OK);
    anchor_nc = 1;
    assert_reason(build(&constrained, &pool, &len, detail, sizeof(detail)), OCV_CHAIN_INVALID);
    assert_non_null(strstr(detail, "DNS name is outside the permitted subtrees"));
    anchor_nc = 0;
    mbedtls_x509_crt_free(&pool);
    mbedtls_x509_crt_free(&constrained.anchors);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc5280_refusals),
        cmocka_unit_test(wrong_branch_skipped),
        cmocka_unit_test(anchor_name_constraints),
        cmocka_unit_test(hostile_bundle_bounded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
