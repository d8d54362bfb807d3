/*
 * dn.c - distinguished names as text with UTF-8 kept (dn.h).
 */
#include "verifier/dn.h"

#include <stdint.h>
#include <string.h>

#include <mbedtls/oid.h>

typedef struct dn_out {
    char *p;
    size_t cap, len;
    int err;
} dn_out;

static void put(dn_out *o, const char *s, size_t n)
{
    if (o->err || n >= o->cap - o->len) {
        o->err = 1;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = 0;
}

/* Length of the valid UTF-8 sequence (2..4 bytes) at p, 0 if none; C1
 * controls (U+0080..U+009F) count as none. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
    size_t want = p[0] >= 0xc2 && p[0] <= 0xdf   ? 2
                  : p[0] >= 0xe0 && p[0] <= 0xef ? 3
                  : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
                                                 : 0;
    if (want == 0 || want > n)
        return 0;
    for (size_t i = 1; i < want; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    }
    uint32_t cp = want == 2 ? (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f)
                  : want == 3
                      ? (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f)
                      : (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
                            (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
    int overlong = (want == 3 && cp < 0x800) || (want == 4 && cp < 0x10000);
    int bad = cp < 0xa0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || overlong;
    return bad ? 0 : want;
}

static void put_value(dn_out *o, const uint8_t *v, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n;) {
        uint8_t c = v[i];
        if (c >= 0x80) {
            size_t u = utf8_len(v + i, n - i);
            if (u > 0) {
                put(o, (const char *)v + i, u);
                i += u;
                continue;
            }
        }
        if (c < 0x20 || c >= 0x7f) {
            char e[3] = {'\\', hex[c >> 4], hex[c & 15]};
            put(o, e, 3);
        } else {
            if (strchr(",=+<>#;\"\\", c) != NULL) /* as mbedtls escapes them (RFC 1779) */
                put(o, "\\", 1);
            put(o, (const char *)&c, 1);
        }
        i++;
    }
}

int ocv_dn_format(const mbedtls_x509_name *name, char *out, size_t out_len)
{
    if (out_len == 0)
        return -1;
    dn_out o = {out, out_len, 0, 0};
    out[0] = 0;
    unsigned char merge = 0;
    for (const mbedtls_x509_name *n = name; n != NULL; n = n->next) {
        if (n->oid.p == NULL)
            continue;
        if (n != name)
            put(&o, merge ? " + " : ", ", merge ? 3 : 2);
        const char *short_name = NULL;
        if (mbedtls_oid_get_attr_short_name(&n->oid, &short_name) == 0) {
            put(&o, short_name, strlen(short_name));
            put(&o, "=", 1);
        } else {
            put(&o, "\?\?=", 3);
        }
        put_value(&o, n->val.p, n->val.len);
        merge = n->next_merged;
    }
    if (o.err) {
        out[0] = 0;
        return -1;
    }
    return 0;
}
