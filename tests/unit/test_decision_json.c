/* test_decision_json.c - the decision as JSON: the members verify --json
 * prints and the server logs, claimed identities, hostile bytes, and the
 * text byte for byte what jansson writes for the same object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "decision/decision_json.h"
#include "decision/stages.h"
#include "testutil.h"

/* The decision text, parsed back. */
static json_t *as_json(const ocv_decision *d, int explain)
{
    char *text = ocv_decision_json(d, explain);
    assert_non_null(text);
    json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    free(text);
    assert_non_null(o);
    return o;
}

static void deny_with_claimed_subject(void **state)
{
    (void)state;
    ocv_decision d;
    memset(&d, 0, sizeof(d));
    d.reason = OCV_EXPIRED;
    ocv_strlcpy(d.subject, "spiffe://example.org/w", sizeof(d.subject));
    ocv_strlcpy(d.detail, "expired 10 s ago", sizeof(d.detail));
    d.evaluated_at = 1700000000;
    char *text = ocv_decision_json(&d, 0);
    assert_string_equal(text, "{\"decision\":\"deny\",\"reason\":\"EXPIRED\","
                              "\"subject\":\"spiffe://example.org/w\",\"subject_verified\":false,"
                              "\"rule\":null,\"issuer\":null,\"detail\":\"expired 10 s ago\","
                              "\"policy_applied\":true,"
                              "\"evaluated_at\":\"2023-11-14T22:13:20Z\"}");
    free(text);
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
    json_t *o = as_json(&d, 1);
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
    o = as_json(&d, 0);
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
    json_t *o = as_json(&d, 0);
    assert_true(json_is_null(json_object_get(o, "subject")));
    assert_string_equal(json_string_value(json_object_get(o, "detail")), "");
    assert_string_equal(json_string_value(json_object_get(o, "reason")), "SIGNATURE_INVALID");
    json_decref(o);
}

/* The object as jansson would build and write it (the rendering before
 * the text was written directly). */
static char *reference(const ocv_decision *d)
{
    char when[32];
    ocv_format_time(d->evaluated_at, when, sizeof(when));
    json_t *o = json_object();
    json_object_set_new(o, "decision", json_string(d->allow ? "allow" : "deny"));
    json_object_set_new(o, "reason", json_string(ocv_reason_name(d->reason)));
    json_t *subject = d->subject[0] ? json_string(d->subject) : NULL;
    json_object_set_new(o, "subject", subject != NULL ? subject : json_null());
    json_object_set_new(o, "subject_verified", json_boolean(d->subject_verified));
    json_t *rule = d->rule[0] ? json_string(d->rule) : NULL;
    json_object_set_new(o, "rule", rule != NULL ? rule : json_null());
    json_t *issuer = d->issuer[0] ? json_string(d->issuer) : NULL;
    json_object_set_new(o, "issuer", issuer != NULL ? issuer : json_null());
    json_t *detail = json_string(d->detail);
    json_object_set_new(o, "detail", detail != NULL ? detail : json_string(""));
    json_object_set_new(o, "policy_applied", json_boolean(!d->policy_skipped));
    if (d->revocation_stale_allowed) {
        json_object_set_new(o, "revocation_stale_allowed", json_true());
        json_object_set_new(o, "revocation_stale_seconds",
                            json_integer(d->revocation_stale_seconds));
    }
    json_object_set_new(o, "evaluated_at", json_string(when));
    if (d->historical)
        json_object_set_new(o, "historical", json_true());
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(o);
    return text;
}

static void same_as_jansson(void **state)
{
    (void)state;
    srand(5);
    for (int round = 0; round < 5000; round++) {
        char random[40];
        size_t n = (size_t)(rand() % 30);
        for (size_t i = 0; i < n; i++) {
            int c = rand() % 3 ? 0x01 + rand() % 0x7F : rand() % 256;
            random[i] = (char)(c == 0 ? 'z' : c);
        }
        random[n] = 0;
        const char *t =
            (size_t)round < TEST_HOSTILE_TEXT_COUNT ? TEST_HOSTILE_TEXTS[round] : random;
        ocv_decision d;
        memset(&d, 0, sizeof(d));
        d.allow = round % 2;
        d.reason = round % 2 ? OCV_OK : OCV_REVOKED;
        d.subject_verified = round % 3 == 0;
        d.policy_skipped = round % 5 == 0;
        d.revocation_stale_allowed = round % 7 == 0;
        d.revocation_stale_seconds = round;
        d.historical = round % 4 == 0;
        d.evaluated_at = 1700000000 + round;
        ocv_strlcpy(d.subject, t, sizeof(d.subject));
        ocv_strlcpy(d.rule, t, sizeof(d.rule));
        ocv_strlcpy(d.issuer, t, sizeof(d.issuer));
        ocv_strlcpy(d.detail, t, sizeof(d.detail));
        char *mine = ocv_decision_json(&d, 0);
        char *want = reference(&d);
        if (strcmp(mine, want) != 0)
            fail_msg("differs from jansson:\n mine %s\n want %s", mine, want);
        free(mine);
        free(want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deny_with_claimed_subject),
        cmocka_unit_test(allow_with_checks_and_stale),
        cmocka_unit_test(invalid_utf8_subject),
        cmocka_unit_test(same_as_jansson),
    };
    return cmocka_run_group_tests_name("decision_json", tests, NULL, NULL);
}
