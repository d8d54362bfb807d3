/*
 * audit_record.c - the decision record's canonical text (audit_record.h).
 *
 * Implementation notes: members are written in the order JSON_SORT_KEYS
 * gives them (ascending bytes); base/json_text.h writes the values as
 * jansson would. tests/unit/test_audit_record.c holds the whole record to
 * jansson's own output on hostile and random text.
 */
#include "decision/audit_record.h"

#include <string.h>

#include "base/json_text.h"
#include "base/util.h"

/* "KEY": then the text, or null when it is empty, absent or not UTF-8. */
static void member_text(ocv_jtext *w, const char *key, const char *value)
{
    ocv_jtext_raw(w, key);
    ocv_jtext_text_or_null(w, value);
}

static void revocation(ocv_jtext *w, const ocv_decision *d)
{
    ocv_jtext_raw(w, ",\"revocation\":[");
    int first = 1;
    for (size_t i = 0; i < d->revocation_count && i < OCV_MAX_AUTHORITIES; i++) {
        const char *id = d->revocation[i].authority;
        size_t n = strnlen(id, sizeof(d->revocation[i].authority));
        if (!ocv_jtext_utf8_valid(id, n))
            continue; /* jansson could not make the member: no element */
        ocv_jtext_raw(w, first ? "{\"authority\":" : ",{\"authority\":");
        ocv_jtext_quoted(w, id, n);
        ocv_jtext_raw(w, ",\"sequence\":");
        ocv_jtext_int(w, d->revocation[i].sequence);
        ocv_jtext_raw(w, "}");
        first = 0;
    }
    ocv_jtext_raw(w, "]");
}

char *ocv_audit_decision_text(const ocv_decision *d, const ocv_audit_decision_meta *meta,
                              int64_t time)
{
    ocv_audit_decision_meta none;
    memset(&none, 0, sizeof(none));
    const ocv_audit_decision_meta *m = meta ? meta : &none;
    char hex[65] = "";
    if (m->credential_sha256 != NULL) {
        ocv_strlcpy(hex, m->credential_sha256, sizeof(hex));
    } else if (m->credential != NULL) {
        uint8_t digest[32];
        if (ocv_sha256(m->credential, m->credential_len, digest) != 0)
            return NULL;
        ocv_hex_encode(digest, sizeof(digest), hex);
    }
    ocv_jtext b;
    ocv_jtext_init(&b);
    member_text(&b, "{\"audience\":", m->audience);
    member_text(&b, ",\"contract\":", m->contract);
    member_text(&b, ",\"credential_sha256\":", hex);
    member_text(&b, ",\"decision\":", d->allow ? "allow" : "deny");
    ocv_jtext_raw(&b, ",\"event\":\"decision\"");
    if (d->historical) { /* asked now, about a past time */
        ocv_jtext_raw(&b, ",\"historical_at\":");
        ocv_jtext_int(&b, d->evaluated_at);
    }
    member_text(&b, ",\"issuer\":", d->issuer); /* the trust source that vouched */
    member_text(&b, ",\"listen\":", m->listen);
    member_text(&b, ",\"peer\":", m->peer);
    if (d->policy_skipped)
        ocv_jtext_raw(&b, ",\"policy_skipped\":true");
    member_text(&b, ",\"purpose\":", m->purpose);
    member_text(&b, ",\"reason\":", ocv_reason_name(d->reason));
    revocation(&b, d);
    member_text(&b, ",\"rule\":", d->rule);
    member_text(&b, ",\"subject\":", d->subject);
    ocv_jtext_raw(&b, d->subject[0] && !d->subject_verified ? ",\"subject_claimed\":true"
                                                            : ",\"subject_claimed\":false");
    ocv_jtext_raw(&b, ",\"time\":");
    ocv_jtext_int(&b, time);
    ocv_jtext_raw(&b, "}");
    return ocv_jtext_take(&b);
}
