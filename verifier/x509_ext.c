/*
 * x509_ext.c - the extensions ocv reads itself. See x509_ext.h.
 *
 * Implementation notes
 *
 * Grammar (RFC 5280 §4.1, §4.2.1):
 *   Extensions ::= SEQUENCE OF Extension
 *   Extension  ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
 *                             extnValue OCTET STRING }
 * Each extension ocv reads is decoded from extnValue with ocv_der_next;
 * every level is a child reader bounded by its parent, and a value is used
 * only when its reader finished with every byte consumed.
 */
#include "x509_ext.h"

#include <string.h>

#include "base/util.h"

static const uint8_t OID_SKI[] = {0x55, 0x1d, 0x0e};
static const uint8_t OID_AKI[] = {0x55, 0x1d, 0x23};
static const uint8_t OID_NC[] = {0x55, 0x1d, 0x1e};
static const uint8_t OID_POLICIES[] = {0x55, 0x1d, 0x20};
static const uint8_t OID_MAPPINGS[] = {0x55, 0x1d, 0x21};
static const uint8_t OID_CONSTRAINTS[] = {0x55, 0x1d, 0x24};
static const uint8_t OID_INHIBIT_ANY[] = {0x55, 0x1d, 0x36};
static const uint8_t OID_CRLDP[] = {0x55, 0x1d, 0x1f};
static const uint8_t OID_FRESHEST[] = {0x55, 0x1d, 0x2e};
static const uint8_t ANY_POLICY[] = {0x55, 0x1d, 0x20, 0x00};

const ocv_span OCV_ANY_POLICY = {ANY_POLICY, sizeof(ANY_POLICY)};

int ocv_der_next(ocv_reader *r, uint8_t *tag, ocv_reader *content)
{
    *tag = ocv_reader_u8(r);
    uint8_t first = ocv_reader_u8(r);
    size_t len = first;
    if (first & 0x80) {
        size_t n = first & 0x7f;
        if (n == 0 || n > 3) {
            r->err = 1;
            return -1;
        }
        len = 0;
        for (size_t i = 0; i < n; i++)
            len = (len << 8) | ocv_reader_u8(r);
        if (len < 0x80 || (n > 1 && (len >> (8 * (n - 1))) == 0))
            r->err = 1; /* not the minimal length form */
    }
    if ((*tag & 0x1f) == 0x1f)
        r->err = 1; /* multi-byte tags are never used by what ocv reads */
    if (r->err) {
        ocv_reader_init(content, NULL, 0);
        content->err = 1;
        return -1;
    }
    *content = ocv_reader_sub(r, len);
    return content->err ? -1 : 0;
}

int ocv_span_eq(ocv_span a, ocv_span b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static int oid_is(const uint8_t *p, size_t len, const uint8_t *oid, size_t oid_len)
{
    return len == oid_len && memcmp(p, oid, len) == 0;
}

#define OID_IS(p, len, oid) oid_is((p), (len), (oid), sizeof(oid))

static int known(const uint8_t *p, size_t len)
{
    return OID_IS(p, len, OID_SKI) || OID_IS(p, len, OID_AKI) || OID_IS(p, len, OID_NC) ||
           OID_IS(p, len, OID_POLICIES) || OID_IS(p, len, OID_MAPPINGS) ||
           OID_IS(p, len, OID_CONSTRAINTS) || OID_IS(p, len, OID_INHIBIT_ANY) ||
           OID_IS(p, len, OID_CRLDP) || OID_IS(p, len, OID_FRESHEST);
}

int ocv_x509_ext_cb(void *ctx, mbedtls_x509_crt const *crt, mbedtls_x509_buf const *oid,
                    int critical, const unsigned char *p, const unsigned char *end)
{
    (void)ctx;
    (void)crt;
    (void)p;
    (void)end;
    if (known(oid->p, oid->len))
        return 0;
    return critical ? MBEDTLS_ERR_X509_FEATURE_UNAVAILABLE : 0;
}

static ocv_span rest(const ocv_reader *r)
{
    ocv_span s = {r->p + r->off, r->len - r->off};
    return s;
}

/* SubjectKeyIdentifier ::= OCTET STRING */
static int parse_ski(ocv_reader *v, ocv_x509_ext *out)
{
    uint8_t tag;
    ocv_reader c;
    if (ocv_der_next(v, &tag, &c) != 0 || tag != 0x04)
        return -1;
    out->ski = rest(&c);
    return 0;
}

/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT
 * OCTET STRING OPTIONAL, authorityCertIssuer [1], serial [2] } */
int ocv_x509_ext_parse_aki(ocv_reader *v, ocv_span *key_id)
{
    uint8_t tag;
    ocv_reader seq, f;
    if (ocv_der_next(v, &tag, &seq) != 0 || tag != 0x30)
        return -1;
    while (ocv_reader_remaining(&seq) > 0) {
        if (ocv_der_next(&seq, &tag, &f) != 0)
            return -1;
        if (tag == 0x80)
            *key_id = rest(&f);
    }
    return seq.err ? -1 : 0;
}

static int parse_aki(ocv_reader *v, ocv_x509_ext *out)
{
    return ocv_x509_ext_parse_aki(v, &out->aki);
}

/* NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees
 * OPTIONAL, excludedSubtrees [1] GeneralSubtrees OPTIONAL } */
static int parse_nc(ocv_reader *v, ocv_x509_ext *out)
{
    uint8_t tag;
    ocv_reader seq, f;
    if (ocv_der_next(v, &tag, &seq) != 0 || tag != 0x30)
        return -1;
    out->has_nc = 1;
    while (ocv_reader_remaining(&seq) > 0) {
        if (ocv_der_next(&seq, &tag, &f) != 0)
            return -1;
        if (tag == 0xa0 && out->nc_permitted.p == NULL)
            out->nc_permitted = rest(&f);
        else if (tag == 0xa1 && out->nc_excluded.p == NULL)
            out->nc_excluded = rest(&f);
        else
            return -1;
    }
    return seq.err ? -1 : 0;
}

/* certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
 * PolicyInformation ::= SEQUENCE { policyIdentifier OID,
 *                                  policyQualifiers SEQUENCE OPTIONAL } */
static int parse_policies(ocv_reader *v, ocv_x509_ext *out)
{
    uint8_t tag;
    ocv_reader seq, info, oid;
    if (ocv_der_next(v, &tag, &seq) != 0 || tag != 0x30)
        return -1;
    out->has_policies = 1;
    while (ocv_reader_remaining(&seq) > 0) {
        if (ocv_der_next(&seq, &tag, &info) != 0 || tag != 0x30)
            return -1;
        if (ocv_der_next(&info, &tag, &oid) != 0 || tag != 0x06 || oid.len == 0)
            return -1;
        ocv_span s = rest(&oid);
        for (size_t i = 0; i < out->policy_count; i++) {
            if (ocv_span_eq(out->policies[i], s))
                return -1; /* §4.2.1.4: a policy OID appears once */
        }
        if (out->policy_count >= OCV_X509_MAX_POLICIES)
            return -1;
        out->policies[out->policy_count++] = s;
    }
    return out->policy_count > 0 && !seq.err ? 0 : -1;
}

/* PolicyMappings ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE {
 *     issuerDomainPolicy OID, subjectDomainPolicy OID } */
static int parse_mappings(ocv_reader *v, ocv_x509_ext *out)
{
    uint8_t tag;
    ocv_reader seq, pair, a, b;
    if (ocv_der_next(v, &tag, &seq) != 0 || tag != 0x30)
        return -1;
    while (ocv_reader_remaining(&seq) > 0) {
        if (ocv_der_next(&seq, &tag, &pair) != 0 || tag != 0x30)
            return -1;
        if (ocv_der_next(&pair, &tag, &a) != 0 || tag != 0x06 ||
            ocv_der_next(&pair, &tag, &b) != 0 || tag != 0x06 || ocv_reader_finish(&pair) != 0)
            return -1;
        if (out->mapping_count >= OCV_X509_MAX_MAPPINGS)
            return -1;
        out->map_issuer[out->mapping_count] = rest(&a);
        out->map_subject[out->mapping_count] = rest(&b);
        if (ocv_span_eq(rest(&a), OCV_ANY_POLICY) || ocv_span_eq(rest(&b), OCV_ANY_POLICY))
            out->any_in_mapping = 1;
        out->mapping_count++;
    }
    return out->mapping_count > 0 && !seq.err ? 0 : -1;
}

/* A small non-negative INTEGER content (SkipCerts). */
static int small_int(ocv_reader *c, int *out)
{
    size_t n = ocv_reader_remaining(c);
    if (n == 0 || n > 3)
        return -1;
    const uint8_t *p = ocv_reader_take(c, n);
    if (p == NULL || (p[0] & 0x80) || (n > 1 && p[0] == 0 && !(p[1] & 0x80)))
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    *out = v;
    return 0;
}

/* PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts
 * OPTIONAL, inhibitPolicyMapping [1] SkipCerts OPTIONAL } */
static int parse_constraints(ocv_reader *v, ocv_x509_ext *out)
{
    uint8_t tag;
    ocv_reader seq, f;
    if (ocv_der_next(v, &tag, &seq) != 0 || tag != 0x30)
        return -1;
    while (ocv_reader_remaining(&seq) > 0) {
        if (ocv_der_next(&seq, &tag, &f) != 0)
            return -1;
        int *dst = tag == 0x80   ? &out->require_explicit
                   : tag == 0x81 ? &out->inhibit_mapping
                                 : NULL;
        if (dst == NULL || *dst >= 0 || small_int(&f, dst) != 0)
            return -1;
    }
    return seq.err || (out->require_explicit < 0 && out->inhibit_mapping < 0) ? -1 : 0;
}

/* InhibitAnyPolicy ::= SkipCerts (INTEGER) */
static int parse_inhibit_any(ocv_reader *v, ocv_x509_ext *out)
{
    uint8_t tag;
    ocv_reader c;
    if (ocv_der_next(v, &tag, &c) != 0 || tag != 0x02)
        return -1;
    return small_int(&c, &out->inhibit_any);
}

static int parse_crldp(ocv_reader *v, ocv_x509_ext *out)
{
    uint8_t tag;
    ocv_reader seq;
    if (ocv_der_next(v, &tag, &seq) != 0 || tag != 0x30)
        return -1;
    out->crldp = rest(&seq);
    return 0;
}

typedef int (*ext_parser)(ocv_reader *value, ocv_x509_ext *out);

static ext_parser parser_for(ocv_span oid)
{
    if (OID_IS(oid.p, oid.len, OID_SKI))
        return parse_ski;
    if (OID_IS(oid.p, oid.len, OID_AKI))
        return parse_aki;
    if (OID_IS(oid.p, oid.len, OID_NC))
        return parse_nc;
    if (OID_IS(oid.p, oid.len, OID_POLICIES))
        return parse_policies;
    if (OID_IS(oid.p, oid.len, OID_MAPPINGS))
        return parse_mappings;
    if (OID_IS(oid.p, oid.len, OID_CONSTRAINTS))
        return parse_constraints;
    if (OID_IS(oid.p, oid.len, OID_INHIBIT_ANY))
        return parse_inhibit_any;
    if (OID_IS(oid.p, oid.len, OID_CRLDP))
        return parse_crldp;
    return NULL;
}

ocv_reason ocv_x509_ext_parse(const mbedtls_x509_crt *crt, ocv_x509_ext *out, char *detail,
                              size_t detail_len)
{
    memset(out, 0, sizeof(*out));
    out->require_explicit = out->inhibit_mapping = out->inhibit_any = -1;
    if (crt->v3_ext.p == NULL || crt->v3_ext.len == 0)
        return OCV_OK;
    ocv_reader all, exts, ext, oid, crit, value;
    uint8_t tag;
    ocv_reader_init(&all, crt->v3_ext.p, crt->v3_ext.len);
    if (ocv_der_next(&all, &tag, &exts) != 0 || tag != 0x30)
        goto bad;
    ocv_span seen[24];
    size_t nseen = 0;
    while (ocv_reader_remaining(&exts) > 0) {
        if (ocv_der_next(&exts, &tag, &ext) != 0 || tag != 0x30)
            goto bad;
        if (ocv_der_next(&ext, &tag, &oid) != 0 || tag != 0x06)
            goto bad;
        if (ocv_der_next(&ext, &tag, &value) != 0)
            goto bad;
        if (tag == 0x01) { /* critical BOOLEAN */
            crit = value;
            if (ocv_der_next(&ext, &tag, &value) != 0)
                goto bad;
        }
        if (tag != 0x04 || ocv_reader_finish(&ext) != 0)
            goto bad;
        ocv_span o = rest(&oid);
        for (size_t i = 0; i < nseen; i++) {
            if (ocv_span_eq(seen[i], o)) {
                ocv_errf(detail, detail_len, "an extension appears twice (RFC 5280 §4.2)");
                return OCV_MALFORMED;
            }
        }
        if (nseen < sizeof(seen) / sizeof(seen[0]))
            seen[nseen++] = o;
        ext_parser parse = parser_for(o);
        if (parse != NULL && (parse(&value, out) != 0 || ocv_reader_finish(&value) != 0)) {
            ocv_errf(detail, detail_len, "an extension ocv reads is not valid DER");
            return OCV_MALFORMED;
        }
    }
    if (ocv_reader_finish(&exts) != 0 || ocv_reader_finish(&all) != 0)
        goto bad;
    (void)crit;
    return OCV_OK;
bad:
    ocv_errf(detail, detail_len, "the extensions are not valid DER");
    return OCV_MALFORMED;
}
