/*
 * test_x509_policy.c - the valid_policy_tree (RFC 5280 §6.1.3-6.1.5) on
 * hand-made extensions, and the OID encoder. PKITS §4.8-4.12
 * (test_pkits.c) runs the tree over real paths.
 */
#include <string.h>

#include "testutil.h"
#include "verifier/x509_policy.h"

/* A CA demanding an explicit policy (requireExplicitPolicy 0) over a leaf
 * with no policies: never accepted (PKITS 4.8.4-style). */
static void test_policy_explicit(void **state)
{
    (void)state;
    static const uint8_t p1[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x02, 0x01, 0x30, 0x01};
    ocv_x509_policy_init init;
    memset(&init, 0, sizeof(init));
    ocv_x509_ext ca, leaf;
    memset(&ca, 0, sizeof(ca));
    memset(&leaf, 0, sizeof(leaf));
    ca.require_explicit = 0;
    ca.inhibit_mapping = ca.inhibit_any = -1;
    ca.has_policies = 1;
    ca.policy_count = 1;
    ca.policies[0].p = p1;
    ca.policies[0].len = sizeof(p1);
    leaf.require_explicit = leaf.inhibit_mapping = leaf.inhibit_any = -1;
    static ocv_x509_policy pol;
    char detail[256];
    ocv_x509_policy_start(&pol, 2, &init);
    assert_reason(ocv_x509_policy_cert(&pol, 1, &ca, 0, detail, sizeof(detail)), OCV_OK);
    assert_reason(ocv_x509_policy_prepare(&pol, 1, &ca, 0, detail, sizeof(detail)), OCV_OK);
    assert_reason(ocv_x509_policy_cert(&pol, 2, &leaf, 0, detail, sizeof(detail)),
                  OCV_CHAIN_INVALID);
    /* the same leaf asserting the CA's policy passes */
    leaf.has_policies = 1;
    leaf.policy_count = 1;
    leaf.policies[0] = ca.policies[0];
    ocv_x509_policy_start(&pol, 2, &init);
    assert_reason(ocv_x509_policy_cert(&pol, 1, &ca, 0, detail, sizeof(detail)), OCV_OK);
    assert_reason(ocv_x509_policy_prepare(&pol, 1, &ca, 0, detail, sizeof(detail)), OCV_OK);
    assert_reason(ocv_x509_policy_cert(&pol, 2, &leaf, 0, detail, sizeof(detail)), OCV_OK);
    assert_reason(ocv_x509_policy_finish(&pol, &leaf, detail, sizeof(detail)), OCV_OK);
    /* anyPolicy in a mapping is refused */
    ca.mapping_count = 1;
    ca.any_in_mapping = 1;
    assert_reason(ocv_x509_policy_prepare(&pol, 1, &ca, 0, detail, sizeof(detail)),
                  OCV_CHAIN_INVALID);
}

static void test_oid_encode(void **state)
{
    (void)state;
    uint8_t out[32];
    size_t len = 0;
    static const uint8_t any[] = {0x55, 0x1d, 0x20, 0x00};
    assert_int_equal(ocv_x509_oid_encode("2.5.29.32.0", out, sizeof(out), &len), 0);
    assert_int_equal(len, sizeof(any));
    assert_memory_equal(out, any, sizeof(any));
    static const uint8_t p1[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x02, 0x01, 0x30, 0x01};
    assert_int_equal(ocv_x509_oid_encode("2.16.840.1.101.3.2.1.48.1", out, sizeof(out), &len), 0);
    assert_int_equal(len, sizeof(p1));
    assert_memory_equal(out, p1, sizeof(p1));
    static const char *const bad[] = {"",     "2",   "3.1",  "1.40",          "2..5",
                                      "2.5.", "a.b", "01.2", "2.5.4294967296"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ocv_x509_oid_encode(bad[i], out, sizeof(out), &len), -1);
    assert_int_equal(ocv_x509_oid_encode("2.5.29.32.0", out, 3, &len), -1); /* too small */
}

/* Mapping policy 1 to policy 2 in the CA: a leaf asserting policy 2 is
 * acceptable for an initial set of {policy 1} but not {policy 2}
 * (PKITS 4.10.1's shape); with mapping inhibited it is not acceptable. */
static void test_policy_mapping(void **state)
{
    (void)state;
    static const uint8_t p1[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x02, 0x01, 0x30, 0x01};
    static const uint8_t p2[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x02, 0x01, 0x30, 0x02};
    ocv_span s1 = {p1, sizeof(p1)}, s2 = {p2, sizeof(p2)};
    ocv_x509_ext ca, leaf;
    memset(&ca, 0, sizeof(ca));
    memset(&leaf, 0, sizeof(leaf));
    ca.require_explicit = ca.inhibit_mapping = ca.inhibit_any = -1;
    leaf.require_explicit = leaf.inhibit_mapping = leaf.inhibit_any = -1;
    ca.has_policies = 1;
    ca.policy_count = 1;
    ca.policies[0] = s1;
    ca.mapping_count = 1;
    ca.map_issuer[0] = s1;
    ca.map_subject[0] = s2;
    leaf.has_policies = 1;
    leaf.policy_count = 1;
    leaf.policies[0] = s2;
    static const struct {
        ocv_span want;
        int explicit_policy, inhibit_mapping;
        ocv_reason r;
    } cases[] = {
        {{p1, sizeof(p1)}, 1, 0, OCV_OK},
        {{p2, sizeof(p2)}, 1, 0, OCV_CHAIN_INVALID},
        {{NULL, 0}, 1, 1, OCV_CHAIN_INVALID},
        {{NULL, 0}, 0, 1, OCV_OK}, /* no explicit policy asked for */
    };
    static ocv_x509_policy pol;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ocv_x509_policy_init init;
        memset(&init, 0, sizeof(init));
        init.explicit_policy = cases[i].explicit_policy;
        init.inhibit_mapping = cases[i].inhibit_mapping;
        if (cases[i].want.p != NULL) {
            init.count = 1;
            init.oids[0] = cases[i].want;
        }
        char detail[256];
        ocv_x509_policy_start(&pol, 2, &init);
        ocv_reason r = ocv_x509_policy_cert(&pol, 1, &ca, 0, detail, sizeof(detail));
        if (r == OCV_OK)
            r = ocv_x509_policy_prepare(&pol, 1, &ca, 0, detail, sizeof(detail));
        if (r == OCV_OK)
            r = ocv_x509_policy_cert(&pol, 2, &leaf, 0, detail, sizeof(detail));
        if (r == OCV_OK)
            r = ocv_x509_policy_finish(&pol, &leaf, detail, sizeof(detail));
        if (r != cases[i].r)
            fail_msg("case %zu: %s", i, ocv_reason_name(r));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_explicit),
        cmocka_unit_test(test_policy_mapping),
        cmocka_unit_test(test_oid_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
