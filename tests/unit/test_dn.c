/*
 * test_dn.c - ocv_dn_format (verifier/dn.h): the same text as mbedtls for
 * ASCII names (existing policies keep naming the same anchors), UTF-8 kept
 * where mbedtls writes '?', hex escapes for what is not text, and a buffer
 * too small is an error, never a truncation.
 */
#include "testutil.h"

#include <string.h>

#include <mbedtls/x509_crt.h>

#include "verifier/dn.h"

static void same_as_mbedtls_for_ascii(void **state)
{
    (void)state;
    static const char *const names[] = {"root.pem", "inter.pem", "leaf.pem", "root2.pem",
                                        "forged_root.pem"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        ocv_bytes pem;
        test_fixture_read(names[i], &pem);
        mbedtls_x509_crt crt;
        mbedtls_x509_crt_init(&crt);
        ocv_bytes z;
        assert_int_equal(ocv_bytes_copy(&z, pem.data, pem.len), OCV_OK);
        assert_int_equal(mbedtls_x509_crt_parse(&crt, z.data, z.len + 1), 0);
        char ours[512], theirs[512];
        assert_int_equal(ocv_dn_format(&crt.subject, ours, sizeof(ours)), 0);
        assert_true(mbedtls_x509_dn_gets(theirs, sizeof(theirs), &crt.subject) > 0);
        assert_string_equal(ours, theirs);
        assert_int_equal(ocv_dn_format(&crt.issuer, ours, sizeof(ours)), 0);
        assert_true(mbedtls_x509_dn_gets(theirs, sizeof(theirs), &crt.issuer) > 0);
        assert_string_equal(ours, theirs);
        mbedtls_x509_crt_free(&crt);
        ocv_bytes_free(&z);
        ocv_bytes_free(&pem);
    }
}

static void format(const char *text, char *out, size_t out_len, int *rc)
{
    mbedtls_asn1_named_data *head = NULL;
    assert_int_equal(mbedtls_x509_string_to_names(&head, text), 0);
    /* string_to_names builds the list in reverse of encoding order, the
     * order a certificate's parsed name has after writing; either way the
     * names below have one attribute each or are compared as a set */
    mbedtls_x509_name name;
    memset(&name, 0, sizeof(name));
    name.oid = head->oid;
    name.val = head->val;
    name.next = NULL;
    *rc = ocv_dn_format(&name, out, out_len);
    mbedtls_asn1_free_named_data_list(&head);
}

static void utf8_kept_and_escapes(void **state)
{
    (void)state;
    char out[128];
    int rc = -1;
    format("CN=Z\xc3\xbcrich Prod Root", out, sizeof(out), &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "CN=Z\xc3\xbcrich Prod Root");
    format("CN=Z\xc3\xa4rich Prod Root", out, sizeof(out), &rc);
    assert_string_equal(out, "CN=Z\xc3\xa4rich Prod Root"); /* two names, never one */
    format("CN=a\\,b", out, sizeof(out), &rc);
    assert_string_equal(out, "CN=a\\,b"); /* mbedtls's RFC 1779 escape */
    format("CN=bad\xff\x01", out, sizeof(out), &rc);
    assert_string_equal(out, "CN=bad\\FF\\01"); /* not UTF-8, a control: hex */
    format("CN=\xc2\x85", out, sizeof(out), &rc);
    assert_string_equal(out, "CN=\\C2\\85"); /* a C1 control is no text */
    format("CN=\xe0\x80\xaf", out, sizeof(out), &rc);
    assert_string_equal(out, "CN=\\E0\\80\\AF"); /* overlong */
    format("CN=Z\xc3\xbcrich", out, 8, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_as_mbedtls_for_ascii),
        cmocka_unit_test(utf8_kept_and_escapes),
    };
    return cmocka_run_group_tests_name("dn", tests, NULL, NULL);
}
