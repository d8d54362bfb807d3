/*
 * audit_record.c - the decision record's canonical text (audit_record.h).
 *
 * Implementation notes: members are written in the order JSON_SORT_KEYS
 * gives them (ascending bytes), strings escaped as jansson's dump_string
 * does under JSON_ENSURE_ASCII (\" \\ \b \f \n \r \t, other controls and
 * everything above U+007F as \uXXXX in upper-case hex, a surrogate pair
 * above U+FFFF; '/' as is), and text is valid UTF-8 by jansson's rules
 * (utf8.c: no overlong forms, no surrogates, nothing above U+10FFFF) or
 * becomes null. tests/unit/test_audit_record.c holds this to jansson's own
 * output on hostile and random text.
 */
#include "decision/audit_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

typedef struct out_buf {
    char *p;
    size_t len, cap;
    int failed;
} out_buf;

static void put(out_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void put_str(out_buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_int(out_buf *b, int64_t v)
{
    char n[24];
    int len = snprintf(n, sizeof(n), "%lld", (long long)v);
    put(b, n, (size_t)len);
}

/* One UTF-8 sequence at p (n bytes left): its length and code point, or 0
 * when it is not one jansson accepts. */
static size_t utf8_next(const unsigned char *p, size_t n, long *cp)
{
    unsigned char c = p[0];
    size_t len;
    long v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2 || c > 0xF4)
        return 0; /* a continuation byte, an overlong lead, or beyond U+10FFFF */
    len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    v = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) || v > 0x10FFFF ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static int utf8_valid(const char *s, size_t n)
{
    long cp;
    for (size_t i = 0, step; i < n; i += step)
        if ((step = utf8_next((const unsigned char *)s + i, n - i, &cp)) == 0)
            return 0;
    return 1;
}

/* A JSON string of valid UTF-8 s, escaped as jansson escapes it. */
static void put_quoted(out_buf *b, const char *s, size_t n)
{
    put(b, "\"", 1);
    size_t run = 0, i = 0;
    while (i < n) {
        long cp;
        size_t step = utf8_next((const unsigned char *)s + i, n - i, &cp);
        const char *esc = NULL;
        char seq[24];
        switch (cp) {
        case '\\':
            esc = "\\\\";
            break;
        case '"':
            esc = "\\\"";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            if (cp < 0x20 || (cp > 0x7F && cp < 0x10000)) {
                snprintf(seq, sizeof(seq), "\\u%04X", (unsigned)cp);
                esc = seq;
            } else if (cp >= 0x10000) {
                long v = cp - 0x10000;
                snprintf(seq, sizeof(seq), "\\u%04X\\u%04X", (unsigned)(0xD800 | (v >> 10)),
                         (unsigned)(0xDC00 | (v & 0x3FF)));
                esc = seq;
            }
        }
        if (esc == NULL) {
            run += step;
        } else {
            put(b, s + i - run, run);
            put_str(b, esc);
            run = 0;
        }
        i += step;
    }
    put(b, s + n - run, run);
    put(b, "\"", 1);
}

/* "KEY": then the text, or null when it is empty, absent or not UTF-8. */
static void member_text(out_buf *b, const char *key, const char *value)
{
    put_str(b, key);
    size_t n = value != NULL ? strlen(value) : 0;
    if (n > 0 && utf8_valid(value, n))
        put_quoted(b, value, n);
    else
        put_str(b, "null");
}

static void revocation(out_buf *b, const ocv_decision *d)
{
    put_str(b, ",\"revocation\":[");
    int first = 1;
    for (size_t i = 0; i < d->revocation_count && i < OCV_MAX_AUTHORITIES; i++) {
        const char *id = d->revocation[i].authority;
        size_t n = strnlen(id, sizeof(d->revocation[i].authority));
        if (!utf8_valid(id, n))
            continue; /* jansson could not make the member: no element */
        put_str(b, first ? "{\"authority\":" : ",{\"authority\":");
        put_quoted(b, id, n);
        put_str(b, ",\"sequence\":");
        put_int(b, d->revocation[i].sequence);
        put_str(b, "}");
        first = 0;
    }
    put_str(b, "]");
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
    out_buf b = {NULL, 0, 0, 0};
    member_text(&b, "{\"audience\":", m->audience);
    member_text(&b, ",\"contract\":", m->contract);
    member_text(&b, ",\"credential_sha256\":", hex);
    member_text(&b, ",\"decision\":", d->allow ? "allow" : "deny");
    put_str(&b, ",\"event\":\"decision\"");
    if (d->historical) { /* asked now, about a past time */
        put_str(&b, ",\"historical_at\":");
        put_int(&b, d->evaluated_at);
    }
    member_text(&b, ",\"issuer\":", d->issuer); /* the trust source that vouched */
    member_text(&b, ",\"listen\":", m->listen);
    member_text(&b, ",\"peer\":", m->peer);
    if (d->policy_skipped)
        put_str(&b, ",\"policy_skipped\":true");
    member_text(&b, ",\"purpose\":", m->purpose);
    member_text(&b, ",\"reason\":", ocv_reason_name(d->reason));
    revocation(&b, d);
    member_text(&b, ",\"rule\":", d->rule);
    member_text(&b, ",\"subject\":", d->subject);
    put_str(&b, d->subject[0] && !d->subject_verified ? ",\"subject_claimed\":true"
                                                      : ",\"subject_claimed\":false");
    put_str(&b, ",\"time\":");
    put_int(&b, time);
    put_str(&b, "}");
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
