/*
 * decision_json.c - ocv_decision_json (decision_json.h), written directly
 * as text (base/json_text.h): the sidecar writes one per decision, and a
 * jansson object serialised cost more than the rest of the log line.
 */
#include "decision/decision_json.h"

#include <string.h>

#include "base/json_text.h"
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

/* A string member that is never null: "" for text that is not UTF-8. */
static void text_or_empty(ocv_jtext *w, const char *s)
{
    size_t n = strlen(s);
    if (ocv_jtext_utf8_valid(s, n))
        ocv_jtext_quoted(w, s, n);
    else
        ocv_jtext_raw(w, "\"\"");
}

static void checks(ocv_jtext *w, const ocv_decision *d)
{
    ocv_jtext_raw(w, ",\"checks\":[");
    for (size_t i = 0; i < d->check_count && i < OCV_MAX_CHECKS; i++) {
        const ocv_check_entry *e = &d->checks[i];
        ocv_jtext_raw(w, i ? ",{\"check\":" : "{\"check\":");
        text_or_empty(w, e->name != NULL ? e->name : "");
        ocv_jtext_raw(w, ",\"outcome\":\"");
        ocv_jtext_raw(w, ocv_decision_outcome_name(e->outcome));
        ocv_jtext_raw(w, "\",\"reason\":\"");
        ocv_jtext_raw(w, ocv_reason_name(e->reason));
        ocv_jtext_raw(w, "\",\"detail\":");
        text_or_empty(w, e->detail);
        ocv_jtext_raw(w, "}");
    }
    ocv_jtext_raw(w, "]");
}

char *ocv_decision_json(const ocv_decision *d, int explain)
{
    char when[32];
    ocv_format_time(d->evaluated_at, when, sizeof(when));
    ocv_jtext w;
    ocv_jtext_init(&w);
    ocv_jtext_raw(&w, d->allow ? "{\"decision\":\"allow\",\"reason\":\""
                               : "{\"decision\":\"deny\",\"reason\":\"");
    ocv_jtext_raw(&w, ocv_reason_name(d->reason));
    /* text that is not UTF-8 (a subject copied from a hostile credential)
     * becomes null or "", never a dropped member */
    ocv_jtext_raw(&w, "\",\"subject\":");
    ocv_jtext_text_or_null(&w, d->subject);
    ocv_jtext_raw(&w, d->subject_verified ? ",\"subject_verified\":true,\"rule\":"
                                          : ",\"subject_verified\":false,\"rule\":");
    ocv_jtext_text_or_null(&w, d->rule);
    /* the trust source that vouched (docs/trust.md); null before one did */
    ocv_jtext_raw(&w, ",\"issuer\":");
    ocv_jtext_text_or_null(&w, d->issuer);
    ocv_jtext_raw(&w, ",\"detail\":");
    text_or_empty(&w, d->detail);
    ocv_jtext_raw(&w, d->policy_skipped ? ",\"policy_applied\":false" : ",\"policy_applied\":true");
    if (d->revocation_stale_allowed) {
        ocv_jtext_raw(&w, ",\"revocation_stale_allowed\":true,\"revocation_stale_seconds\":");
        ocv_jtext_int(&w, d->revocation_stale_seconds);
    }
    ocv_jtext_raw(&w, ",\"evaluated_at\":\"");
    ocv_jtext_raw(&w, when);
    ocv_jtext_raw(&w, "\"");
    if (d->historical)
        ocv_jtext_raw(&w, ",\"historical\":true");
    if (explain)
        checks(&w, d);
    ocv_jtext_raw(&w, "}");
    return ocv_jtext_take(&w);
}
