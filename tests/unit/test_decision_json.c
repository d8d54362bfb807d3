/* test_decision_json.c - the decision as JSON: the members verify --json
 * prints and the server logs, claimed identities, hostile bytes. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "decision/decision_json.h"
#include "testutil.h"

static void deny_with_claimed_subject(void **state)
{
    (void)state;
    ocv_decision d;
    memset(&d, 0, sizeof(d));
    d.reason = OCV_EXPIRED;
    ocv_strlcpy(d.subject, "spiffe://example.org/w", sizeof(d.subject));
    ocv_strlcpy(d.detail, "expired 10 s ago", sizeof(d.detail));
    d.evaluated_at = 1700000000;
    json_t *o = ocv_decision_json(&d, 0);
    assert_non_null(o);
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(text,
                        "{\"decision\":\"deny\",\"reason\":\"EXPIRED\","
                        "\"subject\":\"spiffe://example.org/w\",\"subject_verified\":false,"
                        "\"rule\":null,\"issuer\":null,\"detail\":\"expired 10 s ago\","
                        "\"policy_applied\":true,"
                        "\"evaluated_at\":\"2023-11-14T22:13:20Z\"}");
    free(text);
    json_decref(o);
}

static void allow_with_checks_and_stale(void **state)
{
    (void)state;
    ocv_decision d;
    memset(&d, 0, sizeof(d));
    d.allow = 1;
    d.reason = OCV_OK;
    d.subject_verified = 1;
    ocv_strlcpy(d.rule, "r1", sizeof(d.rule));
    ocv_strlcpy(d.issuer, "prod-issuer", sizeof(d.issuer));
    d.revocation_stale_allowed = 1;
    d.revocation_stale_seconds = 42;
    d.check_count = 2;
    d.checks[0].name = "parse";
    d.checks[0].outcome = OCV_CHECK_PASS;
    d.checks[1].name = "policy";
    d.checks[1].outcome = OCV_CHECK_SKIPPED;
    d.checks[1].reason = OCV_POLICY_MISSING;
    json_t *o = ocv_decision_json(&d, 1);
    assert_string_equal(json_string_value(json_object_get(o, "decision")), "allow");
    assert_string_equal(json_string_value(json_object_get(o, "rule")), "r1");
    assert_string_equal(json_string_value(json_object_get(o, "issuer")), "prod-issuer");
    assert_true(json_is_null(json_object_get(o, "subject")));
    assert_int_equal(json_integer_value(json_object_get(o, "revocation_stale_seconds")), 42);
    json_t *checks = json_object_get(o, "checks");
    assert_int_equal(json_array_size(checks), 2);
    json_t *c = json_array_get(checks, 1);
    assert_string_equal(json_string_value(json_object_get(c, "outcome")), "skipped");
    assert_string_equal(json_string_value(json_object_get(c, "reason")), "POLICY_MISSING");
    json_decref(o);
    /* Without explain: no checks member. */
    o = ocv_decision_json(&d, 0);
    assert_null(json_object_get(o, "checks"));
    json_decref(o);
}

/* A subject that is not UTF-8 (copied from a hostile credential) keeps
 * the member, as null, instead of dropping it or failing. */
static void invalid_utf8_subject(void **state)
{
    (void)state;
    ocv_decision d;
    memset(&d, 0, sizeof(d));
    d.reason = OCV_SIGNATURE_INVALID;
    ocv_strlcpy(d.subject, "spiffe://x/\xff\xfe", sizeof(d.subject));
    ocv_strlcpy(d.detail, "bad \xc3", sizeof(d.detail));
    json_t *o = ocv_decision_json(&d, 0);
    assert_non_null(o);
    assert_true(json_is_null(json_object_get(o, "subject")));
    assert_string_equal(json_string_value(json_object_get(o, "detail")), "");
    assert_string_equal(json_string_value(json_object_get(o, "reason")), "SIGNATURE_INVALID");
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deny_with_claimed_subject),
        cmocka_unit_test(allow_with_checks_and_stale),
        cmocka_unit_test(invalid_utf8_subject),
    };
    return cmocka_run_group_tests_name("decision_json", tests, NULL, NULL);
}
