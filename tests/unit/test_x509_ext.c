/*
 * test_x509_ext.c - the bounded DER reader the extension parsers share
 * (definite minimal lengths only, single-byte tags, children bounded by
 * their parent) and the extension callback (known extensions accepted,
 * an unknown critical one refused, an unknown non-critical one ignored).
 */
#include <string.h>

#include "testutil.h"
#include "verifier/x509_ext.h"

static int next_ok(const uint8_t *p, size_t len, uint8_t *tag, size_t *content_len)
{
    ocv_reader r, c;
    ocv_reader_init(&r, p, len);
    if (ocv_der_next(&r, tag, &c) != 0)
        return -1;
    *content_len = c.len;
    return 0;
}

static void der_lengths(void **state)
{
    (void)state;
    uint8_t tag;
    size_t n;
    static const uint8_t short_form[] = {0x04, 0x02, 0xaa, 0xbb};
    assert_int_equal(next_ok(short_form, sizeof(short_form), &tag, &n), 0);
    assert_int_equal(tag, 0x04);
    assert_int_equal(n, 2);
    uint8_t long_form[3 + 200] = {0x04, 0x81, 200};
    assert_int_equal(next_ok(long_form, sizeof(long_form), &tag, &n), 0);
    assert_int_equal(n, 200);
    static const uint8_t not_minimal[] = {0x04, 0x81, 0x02, 0xaa, 0xbb};
    assert_int_equal(next_ok(not_minimal, sizeof(not_minimal), &tag, &n), -1);
    static const uint8_t leading_zero[] = {0x04, 0x82, 0x00, 0x02, 0xaa, 0xbb};
    assert_int_equal(next_ok(leading_zero, sizeof(leading_zero), &tag, &n), -1);
    static const uint8_t indefinite[] = {0x30, 0x80, 0x00, 0x00};
    assert_int_equal(next_ok(indefinite, sizeof(indefinite), &tag, &n), -1);
    static const uint8_t too_long[] = {0x04, 0x84, 0x00, 0x00, 0x00, 0x01, 0xaa};
    assert_int_equal(next_ok(too_long, sizeof(too_long), &tag, &n), -1);
    static const uint8_t multibyte_tag[] = {0x1f, 0x81, 0x01, 0x00};
    assert_int_equal(next_ok(multibyte_tag, sizeof(multibyte_tag), &tag, &n), -1);
    static const uint8_t past_end[] = {0x04, 0x05, 0xaa};
    assert_int_equal(next_ok(past_end, sizeof(past_end), &tag, &n), -1);
    assert_int_equal(next_ok(past_end, 0, &tag, &n), -1);
}

static void child_is_bounded(void **state)
{
    (void)state;
    /* SEQUENCE { OCTET STRING claiming more than the SEQUENCE holds } */
    static const uint8_t seq[] = {0x30, 0x03, 0x04, 0x05, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    ocv_reader r, c, inner;
    uint8_t tag;
    ocv_reader_init(&r, seq, sizeof(seq));
    assert_int_equal(ocv_der_next(&r, &tag, &c), 0);
    assert_int_equal(ocv_der_next(&c, &tag, &inner), -1);
}

static void extension_callback(void **state)
{
    (void)state;
    mbedtls_x509_buf oid;
    memset(&oid, 0, sizeof(oid));
    static unsigned char nc[] = {0x55, 0x1d, 0x1e};      /* nameConstraints */
    static unsigned char unknown[] = {0x2a, 0x03, 0x04}; /* 1.2.3.4 */
    static unsigned char inhibit[] = {0x55, 0x1d, 0x36}; /* inhibitAnyPolicy */
    oid.p = nc;
    oid.len = sizeof(nc);
    assert_int_equal(ocv_x509_ext_cb(NULL, NULL, &oid, 1, NULL, NULL), 0);
    oid.p = inhibit;
    oid.len = sizeof(inhibit);
    assert_int_equal(ocv_x509_ext_cb(NULL, NULL, &oid, 1, NULL, NULL), 0);
    oid.p = unknown;
    oid.len = sizeof(unknown);
    assert_int_not_equal(ocv_x509_ext_cb(NULL, NULL, &oid, 1, NULL, NULL), 0);
    assert_int_equal(ocv_x509_ext_cb(NULL, NULL, &oid, 0, NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(der_lengths),
        cmocka_unit_test(child_is_bounded),
        cmocka_unit_test(extension_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
