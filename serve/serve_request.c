/*
 * serve_request.c - what a request presented, read before the verifier
 * sees it: the path check, percent-decoding, route rules, Bearer tokens,
 * nginx's escaped client certificate and Envoy's XFCC (serve.h).
 *
 * Everything here reads attacker-controlled header values: every loop is
 * bounded by the value's length, every output by a named limit, and
 * nothing is decided here (the verifier decides); these functions only
 * classify what arrived as none / unreadable / malformed / present.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/limits.h"
#include "base/util.h"
#include "serve/serve.h"

static const struct {
    const char *name;
    unsigned bit;
} METHODS[] = {
    {"GET", OCV_METHOD_GET},         {"HEAD", OCV_METHOD_HEAD},       {"POST", OCV_METHOD_POST},
    {"PUT", OCV_METHOD_PUT},         {"PATCH", OCV_METHOD_PATCH},     {"DELETE", OCV_METHOD_DELETE},
    {"OPTIONS", OCV_METHOD_OPTIONS}, {"CONNECT", OCV_METHOD_CONNECT}, {"TRACE", OCV_METHOD_TRACE},
};

unsigned ocv_serve_method_bit(const char *method)
{
    for (size_t i = 0; method != NULL && i < sizeof(METHODS) / sizeof(METHODS[0]); i++) {
        if (strcmp(method, METHODS[i].name) == 0) /* methods are case-sensitive */
            return METHODS[i].bit;
    }
    return OCV_METHOD_OTHER;
}

int ocv_serve_path_check(const char *path, size_t len)
{
    if (path == NULL || len == 0 || len > OCV_SERVE_MAX_PATH || path[0] != '/')
        return -1;
    size_t seg = 1; /* start of the current segment */
    for (size_t i = 1; i <= len; i++) {
        if (i < len) {
            unsigned char ch = (unsigned char)path[i];
            if (ch < 0x20 || ch == 0x7f || ch == '\\')
                return -1;
            if (ch != '/')
                continue;
        }
        size_t n = i - seg;
        const char *s = path + seg;
        if (n == 0 && i < len)
            return -1; /* "//" */
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return -1;
        seg = i + 1;
    }
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ocv_serve_percent_decode(const char *in, size_t len, char *out, size_t out_cap, size_t *out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = in[i];
        if (ch == '%') {
            if (i + 2 >= len)
                return -1; /* "%" or "%X" at the end */
            int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -1;
            ch = (char)(hi * 16 + lo);
            i += 2;
        } else if (ch == 0) {
            return -1;
        }
        if (o + 1 >= out_cap)
            return -1;
        out[o++] = ch;
    }
    if (o >= out_cap)
        return -1;
    out[o] = 0;
    *out_len = o;
    return 0;
}

const ocv_serve_route *ocv_serve_route_match(const ocv_serve_route *routes, size_t count,
                                             const char *method, const char *path)
{
    unsigned bit = ocv_serve_method_bit(method);
    size_t path_len = strlen(path);
    const ocv_serve_route *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < count; i++) {
        const ocv_serve_route *r = &routes[i];
        if (r->methods != 0 && (r->methods & bit) == 0)
            continue;
        size_t n = strlen(r->path);
        if (r->exact) {
            if (n == path_len && memcmp(r->path, path, n) == 0)
                return r; /* the first exact rule in the file wins outright */
            continue;
        }
        if (n <= path_len && memcmp(r->path, path, n) == 0 && (best == NULL || n > best_len)) {
            best = r;
            best_len = n;
        }
    }
    return best;
}

void ocv_serve_credential_init(ocv_serve_credential *c)
{
    memset(c, 0, sizeof(*c));
    ocv_bytes_init(&c->cert);
    ocv_bytes_init(&c->chain);
}

void ocv_serve_credential_free(ocv_serve_credential *c)
{
    if (c == NULL)
        return;
    ocv_bytes_free(&c->cert);
    ocv_bytes_free(&c->chain);
    ocv_serve_credential_init(c);
}

static ocv_serve_cred_status unreadable(ocv_serve_credential *out, const char *why)
{
    ocv_strlcpy(out->why, why, sizeof(out->why));
    return OCV_SERVE_CRED_UNREADABLE;
}

static int b64token_char(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '+' || ch == '/';
}

ocv_serve_cred_status ocv_serve_parse_bearer(const char *authorization, ocv_serve_credential *out)
{
    if (authorization == NULL)
        return OCV_SERVE_CRED_NONE;
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return unreadable(out, "Authorization is not a Bearer credential");
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    size_t n = strlen(t);
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    if (n == 0)
        return unreadable(out, "empty Bearer token");
    if (n > OCV_MAX_CREDENTIAL_BYTES)
        return unreadable(out, "Bearer token larger than the credential limit");
    size_t i = 0;
    while (i < n && b64token_char((unsigned char)t[i]))
        i++;
    if (i == 0)
        return unreadable(out, "Bearer token is not a b64token");
    while (i < n && t[i] == '=')
        i++;
    if (i != n)
        return unreadable(out, "Bearer token is not a b64token");
    out->token = (const uint8_t *)t;
    out->token_len = n;
    return OCV_SERVE_CRED_OK;
}

/* Decodes URL-encoded PEM into dst (owned bytes). */
static int decode_pem(const char *in, size_t len, ocv_bytes *dst)
{
    if (len > 4 * (size_t)OCV_MAX_CREDENTIAL_BYTES)
        return -1;
    ocv_bytes_free(dst);
    dst->data = malloc(len + 1);
    if (dst->data == NULL)
        return -1;
    size_t n = 0;
    if (ocv_serve_percent_decode(in, len, (char *)dst->data, len + 1, &n) != 0 ||
        n > OCV_MAX_CREDENTIAL_BYTES) {
        ocv_bytes_free(dst);
        return -1;
    }
    dst->len = n;
    return 0;
}

ocv_serve_cred_status ocv_serve_parse_escaped_cert(const char *value, ocv_serve_credential *out)
{
    if (value == NULL || value[0] == 0)
        return OCV_SERVE_CRED_NONE;
    if (decode_pem(value, strlen(value), &out->cert) != 0)
        return unreadable(out, "client certificate header is not URL-encoded PEM");
    return OCV_SERVE_CRED_OK;
}

/* One XFCC value, unquoted into buf (bounded). */
typedef struct xfcc_cursor {
    const char *p, *end;
} xfcc_cursor;

static int xfcc_value(xfcc_cursor *c, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    if (c->p < c->end && *c->p == '"') {
        c->p++;
        for (;;) {
            if (c->p >= c->end)
                return -1; /* unterminated quote */
            char ch = *c->p++;
            if (ch == '"')
                break;
            if (ch == '\\') {
                if (c->p >= c->end)
                    return -1;
                ch = *c->p++;
            }
            if (n + 1 >= cap)
                return -1;
            buf[n++] = ch;
        }
    } else {
        while (c->p < c->end && *c->p != ';' && *c->p != ',') {
            if (*c->p == '"' || n + 1 >= cap)
                return -1;
            buf[n++] = *c->p++;
        }
    }
    buf[n] = 0;
    *len = n;
    return 0;
}

ocv_serve_cred_status ocv_serve_parse_xfcc(const char *value, ocv_serve_credential *out)
{
    if (value == NULL || value[0] == 0)
        return OCV_SERVE_CRED_NONE;
    size_t total = strlen(value);
    if (total > 8 * (size_t)OCV_MAX_CREDENTIAL_BYTES)
        return OCV_SERVE_CRED_BAD_REQUEST;
    char *buf = malloc(total + 1);
    if (buf == NULL)
        return unreadable(out, "out of memory");
    xfcc_cursor c = {value, value + total};
    int seen_cert = 0, seen_chain = 0;
    ocv_serve_cred_status st = OCV_SERVE_CRED_BAD_REQUEST;
    for (;;) {
        const char *key = c.p;
        while (c.p < c.end && *c.p != '=' && *c.p != ';' && *c.p != ',')
            c.p++;
        if (c.p >= c.end || *c.p != '=' || c.p == key)
            goto out;
        size_t key_len = (size_t)(c.p - key);
        c.p++;
        size_t n = 0;
        if (xfcc_value(&c, buf, total + 1, &n) != 0)
            goto out;
        int is_cert = key_len == 4 && strncasecmp(key, "Cert", 4) == 0;
        int is_chain = key_len == 5 && strncasecmp(key, "Chain", 5) == 0;
        if ((is_cert && seen_cert++) || (is_chain && seen_chain++))
            goto out; /* a duplicate key: which one would we believe? */
        if ((is_cert && decode_pem(buf, n, &out->cert) != 0) ||
            (is_chain && decode_pem(buf, n, &out->chain) != 0)) {
            st = unreadable(out, "XFCC Cert or Chain is not URL-encoded PEM");
            goto out;
        }
        if (c.p >= c.end)
            break;
        if (*c.p == ',')
            goto out; /* a second element: only SANITIZE_SET's single one */
        c.p++;        /* ';' */
        if (c.p >= c.end)
            goto out;
    }
    st = seen_cert ? OCV_SERVE_CRED_OK : OCV_SERVE_CRED_NONE;
out:
    if (st != OCV_SERVE_CRED_OK) {
        ocv_bytes_free(&out->cert);
        ocv_bytes_free(&out->chain);
    }
    if (st == OCV_SERVE_CRED_BAD_REQUEST)
        ocv_strlcpy(out->why, "malformed x-forwarded-client-cert", sizeof(out->why));
    free(buf);
    return st;
}
