/*
 * decision_json.c - ocv_decision_json (decision_json.h).
 */
#include "decision/decision_json.h"

#include "decision/stages.h"

const char *ocv_decision_outcome_name(ocv_check_outcome o)
{
    switch (o) {
    case OCV_CHECK_PASS:
        return "pass";
    case OCV_CHECK_FAIL:
        return "fail";
    case OCV_CHECK_SKIPPED:
        return "skipped";
    }
    return "fail";
}

static json_t *checks_json(const ocv_decision *d)
{
    json_t *checks = json_array();
    for (size_t i = 0; checks != NULL && i < d->check_count && i < OCV_MAX_CHECKS; i++) {
        const ocv_check_entry *e = &d->checks[i];
        json_t *c = json_object();
        json_object_set_new(c, "check", json_string(e->name != NULL ? e->name : ""));
        json_object_set_new(c, "outcome", json_string(ocv_decision_outcome_name(e->outcome)));
        json_object_set_new(c, "reason", json_string(ocv_reason_name(e->reason)));
        json_object_set_new(c, "detail", json_string(e->detail));
        json_array_append_new(checks, c);
    }
    return checks;
}

json_t *ocv_decision_json(const ocv_decision *d, int explain)
{
    char when[32];
    ocv_format_time(d->evaluated_at, when, sizeof(when));
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    /* json_string returns NULL for bytes that are not UTF-8 (a subject
     * copied from a hostile credential): such a member becomes null or ""
     * rather than disappearing. */
    json_object_set_new(o, "decision", json_string(d->allow ? "allow" : "deny"));
    json_object_set_new(o, "reason", json_string(ocv_reason_name(d->reason)));
    json_t *subject = d->subject[0] ? json_string(d->subject) : NULL;
    json_object_set_new(o, "subject", subject != NULL ? subject : json_null());
    json_object_set_new(o, "subject_verified", json_boolean(d->subject_verified));
    json_t *rule = d->rule[0] ? json_string(d->rule) : NULL;
    json_object_set_new(o, "rule", rule != NULL ? rule : json_null());
    /* the trust source that vouched (docs/trust.md); null before one did */
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
    if (explain)
        json_object_set_new(o, "checks", checks_json(d));
    return o;
}
