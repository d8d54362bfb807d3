/*
 * test_audit_record.c - the decision record's canonical text
 * (decision/audit_record.h): its shape, and byte for byte what jansson
 * writes for the same record (JSON_COMPACT | JSON_SORT_KEYS |
 * JSON_ENSURE_ASCII, which `ocv audit verify` recomputes the chain from),
 * on hostile text: every escape, controls, DEL, 2-, 3- and 4-byte UTF-8,
 * surrogates, overlong forms, stray continuation bytes, and random bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "decision/audit_record.h"
#include "testutil.h"

/* The reference: the record as a jansson object, as the writer once
 * built it, serialised by jansson. */
static void ref_text(json_t *o, const char *key, const char *value)
{
    json_t *v = value != NULL && value[0] ? json_string(value) : NULL;
    json_object_set_new(o, key, v != NULL ? v : json_null());
}

static char *reference(const ocv_decision *d, const ocv_audit_decision_meta *m, const char *hex,
                       int64_t time)
{
    json_t *f = json_object();
    json_t *in_force = json_array();
    ref_text(f, "decision", d->allow ? "allow" : "deny");
    ref_text(f, "reason", ocv_reason_name(d->reason));
    ref_text(f, "rule", d->rule);
    ref_text(f, "issuer", d->issuer);
    ref_text(f, "subject", d->subject);
    json_object_set_new(f, "subject_claimed", json_boolean(d->subject[0] && !d->subject_verified));
    ref_text(f, "purpose", m->purpose);
    ref_text(f, "audience", m->audience);
    ref_text(f, "credential_sha256", hex);
    for (size_t i = 0; i < d->revocation_count; i++)
        json_array_append_new(in_force,
                              json_pack("{s:s, s:I}", "authority", d->revocation[i].authority,
                                        "sequence", (json_int_t)d->revocation[i].sequence));
    json_object_set_new(f, "revocation", in_force);
    ref_text(f, "contract", m->contract);
    ref_text(f, "listen", m->listen);
    ref_text(f, "peer", m->peer);
    if (d->policy_skipped)
        json_object_set_new(f, "policy_skipped", json_true());
    if (d->historical)
        json_object_set_new(f, "historical_at", json_integer(d->evaluated_at));
    json_object_set_new(f, "event", json_string("decision"));
    json_object_set_new(f, "time", json_integer(time));
    char *text = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(f);
    return text;
}

static void same_as_jansson(const ocv_decision *d, const ocv_audit_decision_meta *m)
{
    char *mine = ocv_audit_decision_text(d, m, 1800000000);
    char *want = reference(d, m, m->credential_sha256 ? m->credential_sha256 : "", 1800000000);
    assert_non_null(mine);
    assert_non_null(want);
    if (strcmp(mine, want) != 0)
        fail_msg("differs from jansson:\n mine %s\n want %s", mine, want);
    free(mine);
    free(want);
}

static json_t *record(const ocv_decision *d, const ocv_audit_decision_meta *m)
{
    char *text = ocv_audit_decision_text(d, m, ocv_audit_decision_time(d));
    assert_non_null(text);
    json_t *r = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    free(text);
    assert_non_null(r);
    return r;
}

/* Every field present (null when unknown), the revocation in force as an
 * array, the fingerprint taken from the bytes or given, historical
 * questions marked and timed now. */
static void shape(void **state)
{
    (void)state;
    ocv_decision d;
    memset(&d, 0, sizeof(d));
    d.reason = OCV_EXPIRED;
    d.evaluated_at = 1700000000;
    json_t *f = record(&d, NULL);
    static const char *const keys[] = {"decision",   "reason",   "rule",
                                       "issuer",     "subject",  "subject_claimed",
                                       "purpose",    "audience", "credential_sha256",
                                       "revocation", "contract", "listen",
                                       "peer",       "event",    "time"};
    assert_int_equal(json_object_size(f), sizeof(keys) / sizeof(keys[0]));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_non_null(json_object_get(f, keys[i]));
    assert_true(json_is_null(json_object_get(f, "rule")));
    assert_true(json_is_false(json_object_get(f, "subject_claimed")));
    assert_int_equal(json_array_size(json_object_get(f, "revocation")), 0);
    assert_int_equal(json_integer_value(json_object_get(f, "time")), 1700000000);
    json_decref(f);

    snprintf(d.subject, sizeof(d.subject), "spiffe://example.org/x");
    d.historical = 1;
    d.revocation_count = 2; /* the state in force is the decision's own */
    snprintf(d.revocation[0].authority, sizeof(d.revocation[0].authority), "acme");
    d.revocation[0].sequence = 3;
    snprintf(d.revocation[1].authority, sizeof(d.revocation[1].authority), "beta");
    d.revocation[1].sequence = 5;
    ocv_audit_decision_meta m;
    memset(&m, 0, sizeof(m));
    m.credential = (const uint8_t *)"abc";
    m.credential_len = 3;
    f = record(&d, &m);
    assert_true(json_is_true(json_object_get(f, "subject_claimed")));
    assert_string_equal(json_string_value(json_object_get(f, "credential_sha256")),
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    json_t *second = json_array_get(json_object_get(f, "revocation"), 1);
    assert_string_equal(json_string_value(json_object_get(second, "authority")), "beta");
    assert_int_equal(json_integer_value(json_object_get(second, "sequence")), 5);
    assert_int_equal(json_integer_value(json_object_get(f, "historical_at")), 1700000000);
    assert_true(json_integer_value(json_object_get(f, "time")) > 1700000000); /* asked now */
    json_decref(f);
}

static void fill(ocv_decision *d, ocv_audit_decision_meta *m, const char *text)
{
    memset(d, 0, sizeof(*d));
    memset(m, 0, sizeof(*m));
    d->reason = OCV_REVOKED;
    d->evaluated_at = 1800000000;
    snprintf(d->subject, sizeof(d->subject), "%s", text);
    snprintf(d->issuer, sizeof(d->issuer), "%s", text);
    snprintf(d->rule, sizeof(d->rule), "%s", text);
    d->revocation_count = 2;
    snprintf(d->revocation[0].authority, sizeof(d->revocation[0].authority), "%s", text);
    d->revocation[0].sequence = -7;
    snprintf(d->revocation[1].authority, sizeof(d->revocation[1].authority), "ok");
    d->revocation[1].sequence = 9;
    m->purpose = text;
    m->audience = text;
    m->contract = "envoy";
    m->listen = text;
    m->peer = "127.0.0.1:9";
    m->credential_sha256 = "00ff";
}

static void hostile_text_as_jansson_writes_it(void **state)
{
    (void)state;
    ocv_decision d;
    ocv_audit_decision_meta m;
    for (size_t i = 0; i < TEST_HOSTILE_TEXT_COUNT; i++) {
        fill(&d, &m, TEST_HOSTILE_TEXTS[i]);
        same_as_jansson(&d, &m);
        d.allow = 1;
        d.subject_verified = 1;
        d.policy_skipped = 1;
        d.historical = 1;
        same_as_jansson(&d, &m);
    }
    /* random bytes and random code points */
    srand(7);
    char text[200];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(rand() % 60);
        for (size_t i = 0; i < n; i++) {
            int pick = rand() % 4;
            text[i] = (char)(pick == 0   ? rand() % 256
                             : pick == 1 ? 0x80 + rand() % 64
                                         : 0x20 + rand() % 95);
            if (text[i] == 0)
                text[i] = 'z';
        }
        text[n] = 0;
        fill(&d, &m, text);
        same_as_jansson(&d, &m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shape),
        cmocka_unit_test(hostile_text_as_jansson_writes_it),
    };
    return cmocka_run_group_tests_name("audit_record", tests, NULL, NULL);
}
