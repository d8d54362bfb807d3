/*
 * x509_name.c - DN comparison and name constraints. See x509_name.h.
 *
 * Implementation notes
 *
 * Name ::= SEQUENCE OF RelativeDistinguishedName
 * RDN  ::= SET OF AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY }
 * Names are walked twice in lock step with ocv_der_next; attribute values
 * of the string types are compared after folding (leading, trailing and
 * repeated whitespace removed, ASCII upper case lowered), others byte for
 * byte. A multi-valued RDN is compared in its DER (sorted) order.
 *
 * GeneralSubtrees ::= SEQUENCE OF SEQUENCE { base GeneralName, ... }
 * A name is checked against one CA's constraints: it must match no
 * excluded base of its type and, when the CA permits some bases of its
 * type, at least one of them. Checking every CA's extension in turn is
 * the intersection of §6.1.4 (g) without building the intersection.
 */
#include "x509_name.h"

#include <string.h>

#include "base/util.h"

static const uint8_t OID_EMAIL[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01};

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static int is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_string_tag(uint8_t tag)
{
    return tag == 0x13 || tag == 0x0c || tag == 0x16 || tag == 0x14;
}

/* Folded comparison: whitespace runs are one space, none at the ends. */
static int folded_eq(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t i = 0, j = 0;
    while (i < al && is_ws(a[i]))
        i++;
    while (j < bl && is_ws(b[j]))
        j++;
    while (al > i && is_ws(a[al - 1]))
        al--;
    while (bl > j && is_ws(b[bl - 1]))
        bl--;
    while (i < al && j < bl) {
        if (is_ws(a[i]) || is_ws(b[j])) {
            if (!is_ws(a[i]) || !is_ws(b[j]))
                return 0;
            while (i < al && is_ws(a[i]))
                i++;
            while (j < bl && is_ws(b[j]))
                j++;
            continue;
        }
        if (lower(a[i]) != lower(b[j]))
            return 0;
        i++;
        j++;
    }
    return i == al && j == bl;
}

static int ieq(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (lower(a[i]) != lower(b[i]))
            return 0;
    }
    return 1;
}

static int ava_eq(ocv_reader *a, ocv_reader *b)
{
    uint8_t ta, tb;
    ocv_reader oa, ob, va, vb;
    if (ocv_der_next(a, &ta, &oa) != 0 || ocv_der_next(b, &tb, &ob) != 0 || ta != 0x06 ||
        tb != 0x06)
        return 0;
    if (oa.len != ob.len || memcmp(oa.p, ob.p, oa.len) != 0)
        return 0;
    if (ocv_der_next(a, &ta, &va) != 0 || ocv_der_next(b, &tb, &vb) != 0)
        return 0;
    if (is_string_tag(ta) && is_string_tag(tb))
        return folded_eq(va.p, va.len, vb.p, vb.len);
    return ta == tb && va.len == vb.len && memcmp(va.p, vb.p, va.len) == 0;
}

static int rdn_eq(ocv_reader *a, ocv_reader *b)
{
    uint8_t ta, tb;
    ocv_reader sa, sb, xa, xb;
    if (ocv_der_next(a, &ta, &sa) != 0 || ocv_der_next(b, &tb, &sb) != 0 || ta != 0x31 ||
        tb != 0x31)
        return 0;
    while (ocv_reader_remaining(&sa) > 0 && ocv_reader_remaining(&sb) > 0) {
        if (ocv_der_next(&sa, &ta, &xa) != 0 || ocv_der_next(&sb, &tb, &xb) != 0 || ta != 0x30 ||
            tb != 0x30 || !ava_eq(&xa, &xb))
            return 0;
    }
    return ocv_reader_remaining(&sa) == 0 && ocv_reader_remaining(&sb) == 0 && !sa.err && !sb.err;
}

static int open_name(const uint8_t *p, size_t len, ocv_reader *seq)
{
    ocv_reader r;
    uint8_t tag;
    ocv_reader_init(&r, p, len);
    if (ocv_der_next(&r, &tag, seq) != 0 || tag != 0x30 || ocv_reader_remaining(&r) != 0)
        return -1;
    return 0;
}

/* Compares the first RDNs of both; prefix: base may be shorter. */
static int names_match(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, int prefix)
{
    ocv_reader sa, sb;
    if (open_name(a, al, &sa) != 0 || open_name(b, bl, &sb) != 0)
        return 0;
    while (ocv_reader_remaining(&sa) > 0) {
        if (ocv_reader_remaining(&sb) == 0 || !rdn_eq(&sa, &sb))
            return 0;
    }
    return prefix || ocv_reader_remaining(&sb) == 0;
}

int ocv_x509_name_eq(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    if (a_len == b_len && memcmp(a, b, a_len) == 0)
        return 1; /* the common case: identical encodings */
    return names_match(a, a_len, b, b_len, 0);
}

int ocv_x509_name_within(const uint8_t *base, size_t base_len, const uint8_t *sub, size_t sub_len)
{
    return names_match(base, base_len, sub, sub_len, 1);
}

int ocv_x509_name_empty(const uint8_t *name, size_t len)
{
    ocv_reader seq;
    return open_name(name, len, &seq) == 0 && ocv_reader_remaining(&seq) == 0;
}

/* ---- matchers ------------------------------------------------------ */

/* name ends with suffix, case-insensitively */
static int ends_with(const uint8_t *n, size_t nl, const uint8_t *s, size_t sl)
{
    return nl >= sl && ieq(n + nl - sl, s, sl);
}

int ocv_nc_dns_match(const uint8_t *name, size_t len, const uint8_t *base, size_t base_len)
{
    if (base_len == 0)
        return 1;
    if (base[0] == '.')
        return len > base_len && ends_with(name, len, base, base_len);
    if (len == base_len)
        return ieq(name, base, len);
    /* more labels on the left: "x.example.com" under "example.com" */
    return len > base_len && ends_with(name, len, base, base_len) &&
           name[len - base_len - 1] == '.';
}

int ocv_nc_email_match(const uint8_t *name, size_t len, const uint8_t *base, size_t base_len)
{
    const uint8_t *at = memchr(name, '@', len);
    if (at == NULL)
        return 0;
    const uint8_t *host = at + 1;
    size_t host_len = len - (size_t)(host - name);
    if (base_len > 0 && memchr(base, '@', base_len) != NULL) {
        /* a mailbox: local part exactly, host case-insensitively */
        const uint8_t *bat = memchr(base, '@', base_len);
        size_t local = (size_t)(at - name);
        return local == (size_t)(bat - base) && memcmp(name, base, local) == 0 &&
               host_len == base_len - local - 1 && ieq(host, bat + 1, host_len);
    }
    if (base_len > 0 && base[0] == '.')
        return host_len > base_len && ends_with(host, host_len, base, base_len);
    return host_len == base_len && ieq(host, base, base_len);
}

/* scheme "://" [userinfo "@"] host [":" port] [path...] */
static int uri_host(const uint8_t *u, size_t len, const uint8_t **host, size_t *host_len)
{
    const uint8_t *colon = memchr(u, ':', len);
    if (colon == NULL)
        return -1;
    size_t off = (size_t)(colon - u) + 1;
    if (len - off < 2 || u[off] != '/' || u[off + 1] != '/')
        return -1;
    off += 2;
    size_t end = off;
    while (end < len && u[end] != '/' && u[end] != '?' && u[end] != '#')
        end++;
    size_t start = off;
    for (size_t i = off; i < end; i++) {
        if (u[i] == '@')
            start = i + 1;
    }
    size_t stop = end;
    if (start < end && u[start] != '[') {
        for (size_t i = start; i < end; i++) {
            if (u[i] == ':') {
                stop = i;
                break;
            }
        }
    }
    if (stop == start)
        return -1;
    *host = u + start;
    *host_len = stop - start;
    return 0;
}

int ocv_nc_uri_match(const uint8_t *uri, size_t len, const uint8_t *base, size_t base_len)
{
    const uint8_t *host;
    size_t host_len;
    if (uri_host(uri, len, &host, &host_len) != 0)
        return 0;
    if (base_len > 0 && base[0] == '.')
        return host_len > base_len && ends_with(host, host_len, base, base_len);
    return host_len == base_len && ieq(host, base, base_len);
}

int ocv_nc_ip_match(const uint8_t *ip, size_t len, const uint8_t *base, size_t base_len)
{
    if ((len != 4 && len != 16) || base_len != 2 * len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t mask = base[len + i];
        if ((ip[i] & mask) != (base[i] & mask))
            return 0;
    }
    return 1;
}

/* ---- checking one certificate -------------------------------------- */

/* 1 match, 0 no match, -1 a type ocv cannot match (fail closed). */
static int base_match(uint8_t tag, const uint8_t *v, size_t vl, const uint8_t *b, size_t bl)
{
    switch (tag) {
    case OCV_GN_RFC822:
        return ocv_nc_email_match(v, vl, b, bl);
    case OCV_GN_DNS:
        return ocv_nc_dns_match(v, vl, b, bl);
    case OCV_GN_URI:
        return ocv_nc_uri_match(v, vl, b, bl);
    case OCV_GN_IP:
        return ocv_nc_ip_match(v, vl, b, bl);
    case OCV_GN_DIRNAME:
        return ocv_x509_name_within(b, bl, v, vl);
    default:
        return -1;
    }
}

/* Walks GeneralSubtrees: *typed counts bases of this tag, *hit whether one
 * matched (or one could not be matched, when fail_closed_hit). */
static int scan_subtrees(ocv_span trees, uint8_t tag, const uint8_t *v, size_t vl, int *typed,
                         int *hit, int *unknown)
{
    ocv_reader r, sub, base;
    uint8_t t;
    *typed = *hit = *unknown = 0;
    if (trees.p == NULL)
        return 0;
    ocv_reader_init(&r, trees.p, trees.len);
    while (ocv_reader_remaining(&r) > 0) {
        if (ocv_der_next(&r, &t, &sub) != 0 || t != 0x30)
            return -1;
        if (ocv_der_next(&sub, &t, &base) != 0)
            return -1;
        if (t != tag)
            continue;
        (*typed)++;
        int m = base_match(tag, v, vl, base.p, base.len);
        if (m < 0)
            (*unknown)++;
        else if (m > 0)
            (*hit)++;
    }
    return 0;
}

static const char *type_name(uint8_t tag)
{
    switch (tag) {
    case OCV_GN_RFC822:
        return "email";
    case OCV_GN_DNS:
        return "DNS";
    case OCV_GN_URI:
        return "URI";
    case OCV_GN_IP:
        return "IP";
    case OCV_GN_DIRNAME:
        return "directory";
    default:
        return "other";
    }
}

static ocv_reason check_name(uint8_t tag, const uint8_t *v, size_t vl, const ocv_x509_ext *ca,
                             char *detail, size_t detail_len)
{
    int typed, hit, unknown;
    if (scan_subtrees(ca->nc_excluded, tag, v, vl, &typed, &hit, &unknown) != 0)
        goto bad;
    if (hit > 0 || unknown > 0) {
        ocv_errf(detail, detail_len, "a %s name is in an excluded subtree of an issuer",
                 type_name(tag));
        return OCV_CHAIN_INVALID;
    }
    if (scan_subtrees(ca->nc_permitted, tag, v, vl, &typed, &hit, &unknown) != 0)
        goto bad;
    if (typed > 0 && hit == 0) {
        ocv_errf(detail, detail_len, "a %s name is outside the permitted subtrees of an issuer",
                 type_name(tag));
        return OCV_CHAIN_INVALID;
    }
    return OCV_OK;
bad:
    ocv_errf(detail, detail_len, "an issuer's nameConstraints is not valid DER");
    return OCV_MALFORMED;
}

/* emailAddress attributes of the subject, checked as rfc822 names. */
static ocv_reason check_subject_emails(const mbedtls_x509_crt *crt, const ocv_x509_ext *ca,
                                       char *detail, size_t detail_len)
{
    for (const mbedtls_x509_name *n = &crt->subject; n != NULL; n = n->next) {
        if (n->oid.p == NULL || n->oid.len != sizeof(OID_EMAIL) ||
            memcmp(n->oid.p, OID_EMAIL, sizeof(OID_EMAIL)) != 0)
            continue;
        ocv_reason r = check_name(OCV_GN_RFC822, n->val.p, n->val.len, ca, detail, detail_len);
        if (r != OCV_OK)
            return r;
    }
    return OCV_OK;
}

ocv_reason ocv_x509_nc_check(const mbedtls_x509_crt *crt, const ocv_x509_ext *ca, char *detail,
                             size_t detail_len)
{
    if (!ca->has_nc)
        return OCV_OK;
    ocv_reason r = OCV_OK;
    if (!ocv_x509_name_empty(crt->subject_raw.p, crt->subject_raw.len)) {
        r = check_name(OCV_GN_DIRNAME, crt->subject_raw.p, crt->subject_raw.len, ca, detail,
                       detail_len);
        if (r != OCV_OK)
            return r;
    }
    r = check_subject_emails(crt, ca, detail, detail_len);
    if (r != OCV_OK)
        return r;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL; s = s->next) {
        if (s->buf.p == NULL)
            continue;
        r = check_name((uint8_t)s->buf.tag, s->buf.p, s->buf.len, ca, detail, detail_len);
        if (r != OCV_OK)
            return r;
    }
    return OCV_OK;
}
