/*
 * json_text.c - JSON text written directly (json_text.h).
 *
 * Implementation notes: the escapes follow jansson 2.14's dump_string
 * under JSON_ENSURE_ASCII and the validity rules its utf8.c applies
 * before json_string accepts text.
 */
#include "base/json_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ocv_jtext_init(ocv_jtext *w)
{
    memset(w, 0, sizeof(*w));
}

void ocv_jtext_free(ocv_jtext *w)
{
    free(w->p);
    ocv_jtext_init(w);
}

char *ocv_jtext_take(ocv_jtext *w)
{
    if (w->failed || w->p == NULL) {
        ocv_jtext_free(w);
        return NULL;
    }
    char *p = w->p;
    ocv_jtext_init(w);
    return p;
}

static void put(ocv_jtext *w, const char *s, size_t n)
{
    if (w->failed)
        return;
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 1024; /* a decision record fits */
        while (cap < w->len + n + 1)
            cap *= 2;
        char *p = realloc(w->p, cap);
        if (p == NULL) {
            w->failed = 1;
            return;
        }
        w->p = p;
        w->cap = cap;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
    w->p[w->len] = 0;
}

void ocv_jtext_raw(ocv_jtext *w, const char *s)
{
    put(w, s, strlen(s));
}

void ocv_jtext_rawn(ocv_jtext *w, const char *s, size_t n)
{
    put(w, s, n);
}

void ocv_jtext_int(ocv_jtext *w, int64_t v)
{
    char n[24];
    int len = snprintf(n, sizeof(n), "%lld", (long long)v);
    put(w, n, (size_t)len);
}

/* One UTF-8 sequence at p (n bytes left): its length and code point, or 0
 * when it is not one jansson accepts. */
static size_t utf8_next(const unsigned char *p, size_t n, long *cp)
{
    unsigned char c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2 || c > 0xF4)
        return 0; /* a continuation byte, an overlong lead, or beyond U+10FFFF */
    size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    long v = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
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

int ocv_jtext_utf8_valid(const char *s, size_t n)
{
    long cp;
    for (size_t i = 0, step; i < n; i += step) {
        if ((unsigned char)s[i] < 0x80) {
            step = 1; /* ASCII, most of what is written: no decoding */
            continue;
        }
        if ((step = utf8_next((const unsigned char *)s + i, n - i, &cp)) == 0)
            return 0;
    }
    return 1;
}

/* The escape for code point cp into seq, or NULL when it is written as is. */
static const char *escape_of(long cp, char seq[24])
{
    switch (cp) {
    case '\\':
        return "\\\\";
    case '"':
        return "\\\"";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        break;
    }
    if (cp >= 0x20 && cp <= 0x7F)
        return NULL;
    if (cp < 0x10000) {
        snprintf(seq, 24, "\\u%04X", (unsigned)cp);
    } else {
        long v = cp - 0x10000;
        snprintf(seq, 24, "\\u%04X\\u%04X", (unsigned)(0xD800 | (v >> 10)),
                 (unsigned)(0xDC00 | (v & 0x3FF)));
    }
    return seq;
}

/* A byte written as it is: printable ASCII but the quote and backslash. */
static int plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void ocv_jtext_quoted(ocv_jtext *w, const char *s, size_t n)
{
    put(w, "\"", 1);
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (i < n && plain_byte((unsigned char)s[i]))
            i++;
        put(w, s + run, i - run);
        if (i == n)
            break;
        long cp = 0;
        size_t step = utf8_next((const unsigned char *)s + i, n - i, &cp);
        if (step == 0) /* not UTF-8: the caller checked; never write it raw */
            step = 1, cp = 0xFFFD;
        char seq[24];
        const char *esc = escape_of(cp, seq);
        if (esc == NULL)
            put(w, s + i, step);
        else
            ocv_jtext_raw(w, esc);
        i += step;
    }
    put(w, "\"", 1);
}

void ocv_jtext_text_or_null(ocv_jtext *w, const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n > 0 && ocv_jtext_utf8_valid(s, n))
        ocv_jtext_quoted(w, s, n);
    else
        ocv_jtext_raw(w, "null");
}
