/*
 * x509_crl.c - CRL parsing and loading. See x509_crl.h; the checks are in
 * x509_crl_check.c.
 *
 * Implementation notes
 *
 * Grammar (RFC 5280 §5.1):
 *   CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm,
 *                                  signatureValue BIT STRING }
 *   TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL (v2 = 1),
 *       signature AlgorithmIdentifier, issuer Name, thisUpdate Time,
 *       nextUpdate Time OPTIONAL,
 *       revokedCertificates SEQUENCE OF SEQUENCE { userCertificate
 *           INTEGER, revocationDate Time, crlEntryExtensions OPTIONAL }
 *           OPTIONAL,
 *       crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 * Every level is a child reader of its parent; values are used only when
 * the whole CRL parsed. Algorithm identifiers, times and the signature
 * BIT STRING are decoded with mbedtls's x509 helpers over the same bytes.
 * A certificateIssuer entry extension applies to its entry and every
 * following one until the next (§5.3.3); entries keep the one in effect.
 */
#include "x509_crl.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/pem.h>
#include <mbedtls/platform.h>

#include "base/buf.h"
#include "base/util.h"
#include "verifier/x509_ext.h"

static const uint8_t OID_CRL_NUMBER[] = {0x55, 0x1d, 0x14};
static const uint8_t OID_DELTA[] = {0x55, 0x1d, 0x1b};
static const uint8_t OID_IDP[] = {0x55, 0x1d, 0x1c};
static const uint8_t OID_AKI[] = {0x55, 0x1d, 0x23};
static const uint8_t OID_FRESHEST[] = {0x55, 0x1d, 0x2e};
static const uint8_t OID_REASON[] = {0x55, 0x1d, 0x15};
static const uint8_t OID_INVALIDITY[] = {0x55, 0x1d, 0x18};
static const uint8_t OID_CERT_ISSUER[] = {0x55, 0x1d, 0x1d};
static const uint8_t OID_AIA[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01};

#define OID_IS(s, oid) ((s).len == sizeof(oid) && memcmp((s).p, (oid), sizeof(oid)) == 0)

/* Entries per CRL: real CRLs reach millions; memory is bounded by the
 * file size limit (OCV_MAX_CRL_BYTES) since every entry takes bytes. */

static ocv_span whole(const ocv_reader *r)
{
    ocv_span s = {r->p, r->len};
    return s;
}

/* ReasonFlags BIT STRING into bits 1..8 (bit n of the string = 1 << n). */
static int reason_flags(ocv_reader *c, unsigned *out)
{
    size_t n = ocv_reader_remaining(c);
    const uint8_t *p = ocv_reader_take(c, n);
    if (p == NULL || n == 0 || p[0] > 7)
        return -1;
    unsigned v = 0;
    for (size_t bit = 0; bit < 9 && bit < (n - 1) * 8; bit++) {
        if (p[1 + bit / 8] & (0x80u >> (bit % 8)))
            v |= 1u << bit;
    }
    *out = v & OCV_CRL_ALL_REASONS;
    return 0;
}

/* IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0]
 * DistributionPointName OPTIONAL, onlyContainsUserCerts [1] BOOLEAN,
 * onlyContainsCACerts [2], onlySomeReasons [3] ReasonFlags, indirectCRL
 * [4], onlyContainsAttributeCerts [5] } (IMPLICIT tags) */
static int parse_idp(ocv_reader *v, ocv_x509_crl *crl)
{
    uint8_t tag;
    ocv_reader seq, f, name;
    if (ocv_der_next(v, &tag, &seq) != 0 || tag != 0x30)
        return -1;
    crl->has_idp = 1;
    while (ocv_reader_remaining(&seq) > 0) {
        if (ocv_der_next(&seq, &tag, &f) != 0)
            return -1;
        switch (tag) {
        case 0xa0:
            if (ocv_der_next(&f, &tag, &name) != 0)
                return -1;
            if (tag == 0xa0)
                crl->idp_full_names = whole(&name);
            else if (tag == 0xa1)
                crl->idp_relative = whole(&name); /* the RDN's content */
            else
                return -1;
            break;
        case 0x81:
        case 0x82:
        case 0x84:
        case 0x85: {
            const uint8_t *b = ocv_reader_take(&f, 1);
            if (b == NULL || f.len != 1 || (b[0] != 0xff && b[0] != 0x00))
                return -1;
            int val = b[0] == 0xff;
            if (tag == 0x81)
                crl->only_user = val;
            else if (tag == 0x82)
                crl->only_ca = val;
            else if (tag == 0x84)
                crl->indirect = val;
            else
                crl->only_attr = val;
            break;
        }
        case 0x83:
            if (reason_flags(&f, &crl->only_reasons) != 0)
                return -1;
            break;
        default:
            return -1;
        }
    }
    return seq.err ? -1 : 0;
}

static int parse_integer(ocv_reader *v, ocv_span *out)
{
    uint8_t tag;
    ocv_reader c;
    if (ocv_der_next(v, &tag, &c) != 0 || tag != 0x02 || c.len == 0 || c.len > 21)
        return -1;
    *out = whole(&c);
    return 0;
}

/* Walks Extensions; for each calls one handler. 0, or -1 for bad DER. */
typedef int (*ext_handler)(void *ctx, ocv_span oid, int critical, ocv_reader *value);

static int walk_extensions(ocv_reader *exts, ext_handler h, void *ctx)
{
    uint8_t tag;
    ocv_reader ext, oid, value;
    while (ocv_reader_remaining(exts) > 0) {
        if (ocv_der_next(exts, &tag, &ext) != 0 || tag != 0x30 ||
            ocv_der_next(&ext, &tag, &oid) != 0 || tag != 0x06 ||
            ocv_der_next(&ext, &tag, &value) != 0)
            return -1;
        int critical = 0;
        if (tag == 0x01) {
            const uint8_t *b = ocv_reader_take(&value, 1);
            if (b == NULL || value.len != 1)
                return -1;
            critical = b[0] != 0;
            if (ocv_der_next(&ext, &tag, &value) != 0)
                return -1;
        }
        if (tag != 0x04 || ocv_reader_finish(&ext) != 0)
            return -1;
        if (h(ctx, whole(&oid), critical, &value) != 0)
            return -1;
    }
    return exts->err ? -1 : 0;
}

static void mark_unusable(ocv_x509_crl *crl, const char *why)
{
    if (!crl->unusable)
        ocv_strlcpy(crl->why, why, sizeof(crl->why));
    crl->unusable = 1;
}

static int crl_ext(void *ctx, ocv_span oid, int critical, ocv_reader *v)
{
    ocv_x509_crl *crl = ctx;
    int r = 0;
    if (OID_IS(oid, OID_CRL_NUMBER))
        r = parse_integer(v, &crl->number);
    else if (OID_IS(oid, OID_DELTA)) {
        crl->is_delta = 1;
        r = parse_integer(v, &crl->base_number);
    } else if (OID_IS(oid, OID_IDP))
        r = parse_idp(v, crl);
    else if (OID_IS(oid, OID_AKI))
        r = ocv_x509_ext_parse_aki(v, &crl->aki);
    else if (OID_IS(oid, OID_FRESHEST) || OID_IS(oid, OID_AIA))
        return 0; /* pointers ocv never follows */
    else {
        if (critical)
            mark_unusable(crl, "an unknown critical CRL extension");
        return 0;
    }
    return r == 0 && ocv_reader_finish(v) == 0 ? 0 : -1;
}

typedef struct entry_ctx {
    ocv_x509_crl *crl;
    ocv_x509_crl_entry *entry;
} entry_ctx;

static int entry_ext(void *ctx, ocv_span oid, int critical, ocv_reader *v)
{
    entry_ctx *e = ctx;
    uint8_t tag;
    ocv_reader c;
    if (OID_IS(oid, OID_REASON)) {
        if (ocv_der_next(v, &tag, &c) != 0 || tag != 0x0a || c.len != 1)
            return -1;
        e->entry->reason = c.p[0];
        return 0;
    }
    if (OID_IS(oid, OID_CERT_ISSUER)) {
        if (ocv_der_next(v, &tag, &c) != 0 || tag != 0x30)
            return -1;
        e->entry->cert_issuer = whole(&c);
        return 0;
    }
    if (OID_IS(oid, OID_INVALIDITY))
        return 0;
    if (critical)
        mark_unusable(e->crl, "an unknown critical CRL entry extension");
    return 0;
}

static int parse_entries(ocv_reader *list, ocv_x509_crl *crl)
{
    uint8_t tag;
    ocv_reader entry, serial, exts;
    ocv_span issuer_in_effect = {NULL, 0};
    size_t cap = 0;
    while (ocv_reader_remaining(list) > 0) {
        if (ocv_der_next(list, &tag, &entry) != 0 || tag != 0x30 ||
            ocv_der_next(&entry, &tag, &serial) != 0 || tag != 0x02 || serial.len == 0)
            return -1;
        mbedtls_x509_time t;
        unsigned char *p = (unsigned char *)entry.p + entry.off;
        if (mbedtls_x509_get_time(&p, entry.p + entry.len, &t) != 0)
            return -1;
        entry.off = (size_t)(p - entry.p);
        if (crl->entry_count == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            ocv_x509_crl_entry *grown = realloc(crl->entries, ncap * sizeof(*grown));
            if (grown == NULL)
                return -2;
            crl->entries = grown;
            cap = ncap;
        }
        ocv_x509_crl_entry *e = &crl->entries[crl->entry_count++];
        e->serial = whole(&serial);
        e->reason = -1;
        e->cert_issuer = issuer_in_effect;
        if (ocv_reader_remaining(&entry) > 0) {
            if (ocv_der_next(&entry, &tag, &exts) != 0 || tag != 0x30)
                return -1;
            entry_ctx ec = {crl, e};
            if (walk_extensions(&exts, entry_ext, &ec) != 0)
                return -1;
            issuer_in_effect = e->cert_issuer;
        }
        if (ocv_reader_finish(&entry) != 0)
            return -1;
    }
    return 0;
}

static int parse_time(ocv_reader *r, int64_t *out)
{
    mbedtls_x509_time t;
    unsigned char *p = (unsigned char *)r->p + r->off;
    if (mbedtls_x509_get_time(&p, r->p + r->len, &t) != 0)
        return -1;
    r->off = (size_t)(p - r->p);
    *out = ocv_x509_time_to_unix(&t);
    return 0;
}

static int is_time_tag(const ocv_reader *r)
{
    return ocv_reader_remaining(r) > 0 && (r->p[r->off] == 0x17 || r->p[r->off] == 0x18);
}

/* TBSCertList after the signature AlgorithmIdentifier. */
static int parse_tbs_rest(ocv_reader *tbs, ocv_x509_crl *crl)
{
    uint8_t tag;
    ocv_reader f;
    size_t start = tbs->off;
    if (ocv_der_next(tbs, &tag, &f) != 0 || tag != 0x30)
        return -1;
    crl->issuer.p = tbs->p + start;
    crl->issuer.len = tbs->off - start;
    if (parse_time(tbs, &crl->this_update) != 0)
        return -1;
    if (is_time_tag(tbs)) {
        if (parse_time(tbs, &crl->next_update) != 0)
            return -1;
        crl->has_next_update = 1;
    }
    if (ocv_reader_remaining(tbs) > 0 && tbs->p[tbs->off] == 0x30) {
        if (ocv_der_next(tbs, &tag, &f) != 0)
            return -1;
        int r = parse_entries(&f, crl);
        if (r != 0)
            return r;
    }
    if (ocv_reader_remaining(tbs) > 0) {
        ocv_reader exts;
        if (ocv_der_next(tbs, &tag, &f) != 0 || tag != 0xa0 || crl->version != 2 ||
            ocv_der_next(&f, &tag, &exts) != 0 || tag != 0x30 ||
            walk_extensions(&exts, crl_ext, crl) != 0 || ocv_reader_finish(&f) != 0)
            return -1;
    }
    return ocv_reader_finish(tbs);
}

void ocv_x509_crl_free(ocv_x509_crl *crl)
{
    if (crl == NULL)
        return;
    free(crl->der);
    free(crl->entries);
    mbedtls_free(crl->sig_opts);
    memset(crl, 0, sizeof(*crl));
}

ocv_reason ocv_x509_crl_parse(const uint8_t *der, size_t len, ocv_x509_crl *crl, char *detail,
                              size_t detail_len)
{
    memset(crl, 0, sizeof(*crl));
    crl->der = malloc(len ? len : 1);
    if (crl->der == NULL)
        return OCV_INTERNAL_ERROR;
    memcpy(crl->der, der, len);
    crl->der_len = len;
    ocv_reader r, list, tbs, f;
    uint8_t tag;
    ocv_reader_init(&r, crl->der, len);
    if (ocv_der_next(&r, &tag, &list) != 0 || tag != 0x30 || ocv_reader_finish(&r) != 0)
        goto bad;
    size_t tbs_start = list.off;
    if (ocv_der_next(&list, &tag, &tbs) != 0 || tag != 0x30)
        goto bad;
    crl->tbs.p = list.p + tbs_start;
    crl->tbs.len = list.off - tbs_start;
    crl->version = 1;
    if (ocv_reader_remaining(&tbs) > 0 && tbs.p[tbs.off] == 0x02) {
        if (ocv_der_next(&tbs, &tag, &f) != 0 || f.len != 1 || f.p[0] != 1)
            goto bad;
        crl->version = 2;
    }
    /* inner and outer AlgorithmIdentifier must be the same bytes */
    size_t alg_start = tbs.off;
    if (ocv_der_next(&tbs, &tag, &f) != 0 || tag != 0x30)
        goto bad;
    ocv_span inner = {tbs.p + alg_start, tbs.off - alg_start};
    int pr = parse_tbs_rest(&tbs, crl);
    if (pr == -2)
        goto oom;
    if (pr != 0)
        goto bad;
    unsigned char *p = (unsigned char *)list.p + list.off,
                  *end = (unsigned char *)list.p + list.len;
    unsigned char *outer = p;
    mbedtls_x509_buf oid, params, sig;
    memset(&params, 0, sizeof(params));
    if (mbedtls_x509_get_alg(&p, end, &oid, &params) != 0)
        goto bad;
    if ((size_t)(p - outer) != inner.len || memcmp(outer, inner.p, inner.len) != 0)
        goto bad;
    if (mbedtls_x509_get_sig_alg(&oid, &params, &crl->md, &crl->pk, &crl->sig_opts) != 0) {
        ocv_errf(detail, detail_len, "the CRL's signature algorithm is not supported");
        ocv_x509_crl_free(crl);
        return OCV_ALG_NOT_ALLOWED;
    }
    if (mbedtls_x509_get_sig(&p, end, &sig) != 0 || p != end)
        goto bad;
    crl->sig.p = sig.p;
    crl->sig.len = sig.len;
    return OCV_OK;
bad:
    ocv_errf(detail, detail_len, "not a valid DER CRL (RFC 5280 §5.1)");
    ocv_x509_crl_free(crl);
    return OCV_MALFORMED;
oom:
    ocv_x509_crl_free(crl);
    return OCV_INTERNAL_ERROR;
}

/* ---- the set of loaded CRLs ------------------------------------------ */

void ocv_x509_crls_init(ocv_x509_crls *crls)
{
    memset(crls, 0, sizeof(*crls));
}

void ocv_x509_crls_free(ocv_x509_crls *crls)
{
    if (crls == NULL)
        return;
    for (size_t k = 0; k < crls->list_count; k++)
        ocv_x509_crl_free(&crls->list[k]);
    free(crls->list);
    for (size_t k = 0; k < crls->skipped_count; k++)
        free(crls->skipped[k].issuer);
    ocv_x509_crls_init(crls);
}

/* The issuer Name TLV of a DER CRL that does not parse fully, or -1. */
static int crl_issuer(const uint8_t *der, size_t len, ocv_span *out)
{
    ocv_reader r, list, tbs, f;
    uint8_t tag;
    ocv_reader_init(&r, der, len);
    if (ocv_der_next(&r, &tag, &list) != 0 || tag != 0x30 || ocv_der_next(&list, &tag, &tbs) != 0 ||
        tag != 0x30)
        return -1;
    if (ocv_der_next(&tbs, &tag, &f) != 0)
        return -1;
    if (tag == 0x02 && ocv_der_next(&tbs, &tag, &f) != 0) /* version, then signature */
        return -1;
    if (tag != 0x30)
        return -1;
    size_t start = tbs.off;
    if (ocv_der_next(&tbs, &tag, &f) != 0 || tag != 0x30)
        return -1;
    out->p = tbs.p + start;
    out->len = tbs.off - start;
    return 0;
}

static ocv_reason skip_file(ocv_x509_crls *crls, const char *path, const uint8_t *der,
                            size_t der_len, const char *why, char *err, size_t err_len)
{
    ocv_span issuer;
    if (crl_issuer(der, der_len, &issuer) != 0) {
        ocv_errf(err, err_len, "%s: not a CRL (%s)", path, why);
        return OCV_CONFIG_INVALID;
    }
    if (crls->skipped_count >= OCV_X509_MAX_SKIPPED_CRLS) {
        ocv_errf(err, err_len, "%s: %s, and more than %d CRL files cannot be used", path, why,
                 OCV_X509_MAX_SKIPPED_CRLS);
        return OCV_CONFIG_INVALID;
    }
    ocv_x509_skipped_crl *s = &crls->skipped[crls->skipped_count];
    memset(s, 0, sizeof(*s));
    s->issuer = malloc(issuer.len);
    if (s->issuer == NULL)
        return OCV_INTERNAL_ERROR;
    memcpy(s->issuer, issuer.p, issuer.len);
    s->issuer_len = issuer.len;
    ocv_strlcpy(s->file, path, sizeof(s->file));
    ocv_strlcpy(s->why, why, sizeof(s->why));
    crls->skipped_count++;
    ocv_errf(err, err_len, "%s: CRL skipped: %s", path, why);
    return OCV_OK;
}

static ocv_reason add_crl(ocv_x509_crls *crls, const char *path, const uint8_t *der, size_t len,
                          char *err, size_t err_len)
{
    char why[128] = "";
    ocv_x509_crl crl;
    ocv_reason r = ocv_x509_crl_parse(der, len, &crl, why, sizeof(why));
    if (r == OCV_INTERNAL_ERROR)
        return r;
    if (r != OCV_OK)
        return skip_file(crls, path, der, len, why, err, err_len);
    if (crls->list_count == crls->list_cap) {
        size_t ncap = crls->list_cap ? 2 * crls->list_cap : 8;
        ocv_x509_crl *grown = realloc(crls->list, ncap * sizeof(*grown));
        if (grown == NULL) {
            ocv_x509_crl_free(&crl);
            return OCV_INTERNAL_ERROR;
        }
        crls->list = grown;
        crls->list_cap = ncap;
    }
    ocv_strlcpy(crl.file, path, sizeof(crl.file));
    crls->list[crls->list_count++] = crl;
    return OCV_OK;
}

static const uint8_t *find_text(const uint8_t *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i + n <= len; i++) {
        if (memcmp(hay + i, needle, n) == 0)
            return hay + i;
    }
    return NULL;
}

ocv_reason ocv_x509_crls_load(ocv_x509_crls *crls, const char *path, char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    ocv_bytes file;
    r = ocv_file_read(path, OCV_MAX_CRL_BYTES, &file, err, err_len);
    if (r != OCV_OK)
        return r;
    if (file.len > 0 && file.data[0] == 0x30) {
        r = add_crl(crls, path, file.data, file.len, err, err_len);
        ocv_bytes_free(&file);
        if (r == OCV_OK)
            crls->count++;
        return r;
    }
    /* PEM: every X509 CRL block, text between blocks allowed (RFC 7468) */
    static const char BEGIN[] = "-----BEGIN X509 CRL-----", END[] = "-----END X509 CRL-----";
    size_t off = 0, blocks = 0;
    r = OCV_OK;
    for (;;) {
        const uint8_t *b = find_text(file.data + off, file.len - off, BEGIN);
        if (b == NULL)
            break;
        const uint8_t *e = find_text(b, file.len - (size_t)(b - file.data), END);
        if (e == NULL)
            break;
        size_t block_len = (size_t)(e - b) + sizeof(END) - 1;
        ocv_bytes block;
        if (ocv_bytes_copy(&block, b, block_len) != OCV_OK) {
            r = OCV_INTERNAL_ERROR;
            break;
        }
        mbedtls_pem_context pem;
        mbedtls_pem_init(&pem);
        size_t used = 0;
        if (mbedtls_pem_read_buffer(&pem, BEGIN, END, block.data, NULL, 0, &used) != 0) {
            ocv_errf(err, err_len, "%s: a PEM block does not decode", path);
            r = OCV_CONFIG_INVALID;
        } else {
            r = add_crl(crls, path, pem.buf, pem.buflen, err, err_len);
        }
        mbedtls_pem_free(&pem);
        ocv_bytes_free(&block);
        if (r != OCV_OK)
            break;
        blocks++;
        off = (size_t)(e - file.data) + sizeof(END) - 1;
    }
    ocv_bytes_free(&file);
    if (r == OCV_OK && blocks == 0) {
        ocv_errf(err, err_len, "%s: not a CRL (neither DER nor an X509 CRL PEM block)", path);
        r = OCV_CONFIG_INVALID;
    }
    if (r == OCV_OK)
        crls->count++;
    return r;
}

size_t ocv_x509_crls_describe_problems(const ocv_x509_crls *crls, char *out, size_t out_len)
{
    size_t n = 0;
    for (size_t k = 0; k < crls->skipped_count; k++, n++) {
        size_t used = strnlen(out, out_len);
        ocv_errf(out + used, out_len - used, "; CRL %s skipped: %s", crls->skipped[k].file,
                 crls->skipped[k].why);
    }
    for (size_t k = 0; k < crls->list_count; k++) {
        if (!crls->list[k].unusable)
            continue;
        size_t used = strnlen(out, out_len);
        ocv_errf(out + used, out_len - used, "; CRL %s not used: %s", crls->list[k].file,
                 crls->list[k].why);
        n++;
    }
    return n;
}
