/* test_reason.c - the reason list: names, numbers, round trips. */
#include <string.h>

#include "testutil.h"

static const ocv_reason ALL[] = {
#define OCV_REASON_ITEM(name, number, text, meaning) name,
    OCV_REASON_LIST(OCV_REASON_ITEM)
#undef OCV_REASON_ITEM
};
#define ALL_COUNT (sizeof(ALL) / sizeof(ALL[0]))

static void names_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < ALL_COUNT; i++) {
        const char *name = ocv_reason_name(ALL[i]);
        assert_string_not_equal(name, "UNKNOWN");
        assert_int_equal(ocv_reason_from_name(name), (int)ALL[i]);
        assert_true(strlen(ocv_reason_meaning(ALL[i])) > 0);
    }
}

static void names_and_numbers_unique(void **state)
{
    (void)state;
    for (size_t i = 0; i < ALL_COUNT; i++) {
        for (size_t j = i + 1; j < ALL_COUNT; j++) {
            assert_int_not_equal(ALL[i], ALL[j]);
            assert_string_not_equal(ocv_reason_name(ALL[i]), ocv_reason_name(ALL[j]));
        }
    }
}

/* The numbers are a contract: spot-check that none moved. */
static void numbers_are_stable(void **state)
{
    (void)state;
    assert_int_equal(OCV_OK, 0);
    assert_int_equal(OCV_MALFORMED, 1);
    assert_int_equal(OCV_REVOKED, 13);
    assert_int_equal(OCV_INTERNAL_ERROR, 23);
    assert_int_equal(OCV_BUNDLE_DIGEST_MISMATCH, 31);
    assert_string_equal(ocv_reason_name(OCV_REVOCATION_STALE), "REVOCATION_STALE");
}

static void unknown_values(void **state)
{
    (void)state;
    assert_string_equal(ocv_reason_name((ocv_reason)9999), "UNKNOWN");
    assert_int_equal(ocv_reason_from_name("NOPE"), -1);
    assert_int_equal(ocv_reason_from_name(NULL), -1);
    assert_int_equal(ocv_reason_from_name("ok"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(names_and_numbers_unique),
        cmocka_unit_test(numbers_are_stable),
        cmocka_unit_test(unknown_values),
    };
    return cmocka_run_group_tests_name("reason", tests, NULL, NULL);
}
