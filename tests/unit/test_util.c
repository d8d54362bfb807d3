/* test_util.c - durations, integers, hex, SHA-256, ct compare, strlcpy. */
#include <string.h>

#include "base/util.h"
#include "testutil.h"

static void durations(void **state)
{
    (void)state;
    int64_t s = -1;
    assert_int_equal(ocv_parse_duration("90s", &s), 0);
    assert_int_equal(s, 90);
    assert_int_equal(ocv_parse_duration("15m", &s), 0);
    assert_int_equal(s, 900);
    assert_int_equal(ocv_parse_duration("1h", &s), 0);
    assert_int_equal(s, 3600);
    assert_int_equal(ocv_parse_duration("7d", &s), 0);
    assert_int_equal(s, 7 * 86400);
    assert_int_equal(ocv_parse_duration("42", &s), 0);
    assert_int_equal(s, 42);
    const char *bad[] = {"",
                         "s",
                         "-1s",
                         "+1s",
                         "1 s",
                         "1x",
                         "1hh",
                         "1h30m",
                         " 1h",
                         "1.5h",
                         "99999999999999999999d",
                         "106751991167301d"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_not_equal(ocv_parse_duration(bad[i], &s), 0);
    assert_int_not_equal(ocv_parse_duration(NULL, &s), 0);
}

static void integers(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(ocv_parse_int64("1700000000", &v), 0);
    assert_int_equal(v, 1700000000);
    assert_int_equal(ocv_parse_int64("9223372036854775807", &v), 0);
    assert_int_not_equal(ocv_parse_int64("9223372036854775808", &v), 0);
    assert_int_not_equal(ocv_parse_int64("-5", &v), 0);
    assert_int_not_equal(ocv_parse_int64("12a", &v), 0);
    assert_int_not_equal(ocv_parse_int64("", &v), 0);
}

static void hex_and_sha256(void **state)
{
    (void)state;
    uint8_t digest[32];
    char hex[65];
    assert_int_equal(ocv_sha256((const uint8_t *)"abc", 3, digest), 0);
    ocv_hex_encode(digest, 32, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void hex_decoding(void **state)
{
    (void)state;
    uint8_t out[4];
    size_t n = 0;
    assert_int_equal(ocv_hex_decode("0bAdC0de", 8, out, sizeof(out), &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "\x0b\xad\xc0\xde", 4);
    assert_int_not_equal(ocv_hex_decode("abc", 3, out, sizeof(out), &n), 0);
    assert_int_not_equal(ocv_hex_decode("zz", 2, out, sizeof(out), &n), 0);
    assert_int_not_equal(ocv_hex_decode("0011223344", 10, out, sizeof(out), &n), 0);
    assert_int_equal(ocv_hex_decode("", 0, out, sizeof(out), &n), 0);
    assert_int_equal(n, 0);
}

static void constant_time_equal(void **state)
{
    (void)state;
    assert_true(ocv_ct_eq("abcd", "abcd", 4));
    assert_false(ocv_ct_eq("abcd", "abce", 4));
    assert_true(ocv_ct_eq("x", "y", 0));
}

static void bounded_copy(void **state)
{
    (void)state;
    char small[4];
    assert_int_equal(ocv_strlcpy(small, "abc", sizeof(small)), 0);
    assert_string_equal(small, "abc");
    assert_int_equal(ocv_strlcpy(small, "abcd", sizeof(small)), 1);
    assert_string_equal(small, "abc");
    assert_int_equal(ocv_strlcpy(small, "abc", 0), 1);
}

static void error_messages(void **state)
{
    (void)state;
    char err[8];
    ocv_errf(err, sizeof(err), "%s", "a long message");
    assert_string_equal(err, "a long ");
    ocv_errf(NULL, 0, "ignored %d", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations),      cmocka_unit_test(integers),
        cmocka_unit_test(hex_and_sha256), cmocka_unit_test(constant_time_equal),
        cmocka_unit_test(hex_decoding),   cmocka_unit_test(bounded_copy),
        cmocka_unit_test(error_messages),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
