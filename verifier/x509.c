/*
 * x509.c - workload certificate chains with mbedtls 2.28.
 *
 * Implementation notes
 *
 * Input (RFC 5280 §4.1, RFC 7468): a credential is either PEM text made
 * only of "CERTIFICATE" blocks and whitespace, or DER certificates back to
 * back. Anything else - text around the blocks, trailing bytes, a
 * truncated certificate - is MALFORMED: a verifier has no reason to be
 * lenient with what a workload presents. Anchor bundles are operator files
 * and may carry explanatory text between blocks, as RFC 7468 §5.2 allows.
 *
 * Path order: mbedtls looks for a certificate's parent only among the
 * certificates after it in the list. ocv therefore re-orders the presented
 * intermediates by name (leaf, its issuer, that one's issuer, ...) before
 * verifying; each certificate is used once, so a loop ends the walk.
 *
 * Time: see x509.h. The verify callback records the verified path and
 * each certificate's flags, replacing the wall-clock time flags with ones
 * computed from the request time.
 *
 * Reasons from mbedtls flags are chosen in one place, flags_to_reason,
 * by the precedence documented in x509.h. mbedtls reports both "no
 * issuer" and "issuer found, signature bad" as NOT_TRUSTED;
 * explain_untrusted tells the two apart by looking for the issuer itself.
 */
#include "x509.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>

#include "base/b64url.h"
#include "base/buf.h"
#include "base/canon.h"
#include "base/util.h"
#include "verifier/dn.h"
#include "verifier/pkey.h"
#include "verifier/sigalg.h"
#include "verifier/x509_ext.h"
#include "verifier/x509_path.h"

static const char PEM_CERT_BEGIN[] = "-----BEGIN CERTIFICATE-----";
static const char PEM_CERT_END[] = "-----END CERTIFICATE-----";

/* ---- time ---------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so no time zone or libc timegm is involved. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t ocv_x509_time_to_unix(const mbedtls_x509_time *t)
{
    return days_from_civil(t->year, t->mon, t->day) * 86400 + (int64_t)t->hour * 3600 +
           (int64_t)t->min * 60 + t->sec;
}

/* ---- input splitting ------------------------------------------------- */

static int is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_space(const uint8_t *p, size_t len, size_t off)
{
    while (off < len && is_space(p[off]))
        off++;
    return off;
}

int ocv_x509_sniff(const uint8_t *data, size_t len)
{
    size_t off = skip_space(data, len, 0);
    if (off < len && data[off] == 0x30)
        return 1;
    size_t n = sizeof(PEM_CERT_BEGIN) - 1;
    return len - off >= n && memcmp(data + off, PEM_CERT_BEGIN, n) == 0;
}

static const uint8_t *find_bytes(const uint8_t *hay, size_t hay_len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= hay_len && i <= hay_len - n; i++) {
        if (hay[i] == (uint8_t)needle[0] && memcmp(hay + i, needle, n) == 0)
            return hay + i;
    }
    return NULL;
}

/* While anchors load (ocv_x509_anchors_load) a file may hold any number
 * of certificates, and one that does not parse is counted and skipped
 * instead of failing the file. */
typedef struct load_mode {
    size_t limit;
    int lenient;
    size_t skipped;
    char first_problem[200];
} load_mode;
static __thread load_mode load_mode_now = {OCV_MAX_CHAIN_LEN, 0, 0, ""};

/*
 * Offsets of issuerUniqueID [1] and subjectUniqueID [2] (RFC 5280 §4.1:
 * IMPLICIT BIT STRING, tags 0x81 and 0x82) in a certificate, 0 when absent.
 *   Certificate ::= SEQUENCE { TBSCertificate ::= SEQUENCE { [0] version,
 *     serial, signature, issuer, validity, subject, spki, [1], [2], [3] } }
 */
static void unique_id_offsets(const uint8_t *der, size_t len, size_t at[2])
{
    ocv_reader r, cert, tbs, f;
    uint8_t tag;
    at[0] = at[1] = 0;
    ocv_reader_init(&r, der, len);
    if (ocv_der_next(&r, &tag, &cert) != 0 || tag != 0x30 || ocv_der_next(&cert, &tag, &tbs) != 0 ||
        tag != 0x30)
        return;
    size_t fields = 0;
    while (ocv_reader_remaining(&tbs) > 0) {
        size_t start = tbs.off;
        if (ocv_der_next(&tbs, &tag, &f) != 0)
            return;
        if (tag == 0xa0 && fields == 0)
            continue; /* version */
        fields++;
        if (fields > 6 && (tag == 0x81 || tag == 0x82))
            at[tag - 0x81] = (size_t)(tbs.p + start - der);
    }
}

/*
 * mbedtls 2.28 expects the unique identifiers with a constructed tag (0xa1,
 * 0xa2), so a certificate carrying them (PKITS 4.3.6) does not parse. ocv
 * parses a copy with the tags mbedtls expects, then puts the real tag
 * bytes back into mbedtls's own copy of the DER, so the signed bytes
 * (crt->tbs, crt->raw) are the certificate's exactly.
 */
static int parse_der(mbedtls_x509_crt *certs, const uint8_t *der, size_t der_len)
{
    size_t at[2];
    unique_id_offsets(der, der_len, at);
    if (at[0] == 0 && at[1] == 0)
        return mbedtls_x509_crt_parse_der_with_ext_cb(certs, der, der_len, 1, ocv_x509_ext_cb,
                                                      NULL);
    ocv_bytes copy;
    if (ocv_bytes_copy(&copy, der, der_len) != OCV_OK)
        return MBEDTLS_ERR_X509_ALLOC_FAILED;
    for (int k = 0; k < 2; k++) {
        if (at[k] != 0)
            copy.data[at[k]] |= 0x20;
    }
    int ret =
        mbedtls_x509_crt_parse_der_with_ext_cb(certs, copy.data, der_len, 1, ocv_x509_ext_cb, NULL);
    ocv_bytes_free(&copy);
    if (ret != 0)
        return ret;
    mbedtls_x509_crt *last = certs;
    while (last->next != NULL)
        last = last->next;
    for (int k = 0; k < 2; k++) {
        if (at[k] != 0 && at[k] < last->raw.len)
            last->raw.p[at[k]] = der[at[k]]; /* mbedtls owns raw.p: the original byte back */
    }
    return 0;
}

static ocv_reason add_der(mbedtls_x509_crt *certs, size_t *count, const uint8_t *der,
                          size_t der_len, char *detail, size_t detail_len)
{
    if (*count >= load_mode_now.limit) {
        ocv_errf(detail, detail_len, "more than %zu certificates", load_mode_now.limit);
        return OCV_TOO_LARGE;
    }
    int ret = parse_der(certs, der, der_len);
    if (ret != 0 && load_mode_now.lenient) {
        if (load_mode_now.skipped++ == 0)
            ocv_errf(load_mode_now.first_problem, sizeof(load_mode_now.first_problem),
                     "certificate %zu does not parse (mbedtls -0x%04x)",
                     *count + load_mode_now.skipped, (unsigned)-ret);
        return OCV_OK;
    }
    if (ret != 0) {
        ocv_errf(detail, detail_len, "certificate %zu does not parse (mbedtls -0x%04x)", *count + 1,
                 (unsigned)-ret);
        return OCV_MALFORMED;
    }
    (*count)++;
    return OCV_OK;
}

/* Whole DER certificates back to back: each a SEQUENCE whose length
 * fits, nothing after the last. */
static ocv_reason split_der(const uint8_t *p, size_t len, mbedtls_x509_crt *certs, size_t *count,
                            char *detail, size_t detail_len)
{
    size_t off = 0;
    while (off < len) {
        unsigned char *start = (unsigned char *)(p + off), *cur = start;
        size_t body = 0;
        if (mbedtls_asn1_get_tag(&cur, (unsigned char *)p + len, &body,
                                 MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) {
            ocv_errf(detail, detail_len, "truncated or invalid DER at byte %zu", off);
            return OCV_MALFORMED;
        }
        size_t total = (size_t)(cur - start) + body;
        ocv_reason r = add_der(certs, count, start, total, detail, detail_len);
        if (r != OCV_OK)
            return r;
        off += total;
    }
    return OCV_OK;
}

/* PEM: CERTIFICATE blocks separated only by whitespace. A BEGIN line
 * ends right after its label (trailing blanks allowed); the body is
 * base64 only (ocv_b64_pem_body_decode: an encrypted-PEM header or any
 * other text inside is refused). */
static ocv_reason split_pem(const uint8_t *p, size_t len, int strict, mbedtls_x509_crt *certs,
                            size_t *count, char *detail, size_t detail_len)
{
    size_t off = 0;
    size_t end_len = sizeof(PEM_CERT_END) - 1;
    for (;;) {
        if (strict)
            off = skip_space(p, len, off);
        const uint8_t *begin = find_bytes(p + off, len - off, PEM_CERT_BEGIN);
        if (begin == NULL)
            break;
        if (strict && begin != p + off) {
            ocv_errf(detail, detail_len, "unexpected bytes before a PEM block at byte %zu", off);
            return OCV_MALFORMED;
        }
        size_t begin_off = (size_t)(begin - p);
        const uint8_t *end = find_bytes(begin, len - begin_off, PEM_CERT_END);
        if (end == NULL) {
            ocv_errf(detail, detail_len, "PEM block without an END line");
            return OCV_MALFORMED;
        }
        size_t block_len = (size_t)(end - begin) + end_len;
        const uint8_t *body = begin + sizeof(PEM_CERT_BEGIN) - 1;
        while (body < end && (*body == ' ' || *body == '\t'))
            body++;
        if (body < end && *body == '\r')
            body++;
        ocv_bytes der;
        ocv_reason r = body < end && *body == '\n'
                           ? ocv_b64_pem_body_decode(body + 1, (size_t)(end - body - 1), &der)
                           : OCV_MALFORMED;
        if (r == OCV_MALFORMED) {
            ocv_errf(detail, detail_len, "PEM block %zu does not decode", *count + 1);
            return r;
        }
        if (r != OCV_OK)
            return r;
        r = add_der(certs, count, der.data, der.len, detail, detail_len);
        ocv_bytes_free(&der);
        if (r != OCV_OK)
            return r;
        off = begin_off + block_len;
    }
    if (strict && skip_space(p, len, off) != len) {
        ocv_errf(detail, detail_len, "unexpected bytes after the last PEM block");
        return OCV_MALFORMED;
    }
    return OCV_OK;
}

static ocv_reason split_certs(const uint8_t *p, size_t len, int strict, mbedtls_x509_crt *certs,
                              size_t *count, char *detail, size_t detail_len)
{
    size_t off = skip_space(p, len, 0);
    if (off == len) {
        ocv_errf(detail, detail_len, "no certificate (empty input)");
        return OCV_MALFORMED;
    }
    if (p[off] == 0x30)
        return split_der(p, len, certs, count, detail, detail_len);
    if (!strict || find_bytes(p, len, PEM_CERT_BEGIN) != NULL)
        return split_pem(p, len, strict, certs, count, detail, detail_len);
    ocv_errf(detail, detail_len, "neither a PEM certificate nor DER");
    return OCV_UNSUPPORTED_FORMAT;
}

/* ---- identity ------------------------------------------------------ */

static int printable_ascii(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] < 0x21 || p[i] > 0x7e)
            return 0;
    }
    return len > 0;
}

static ocv_reason copy_identity(char *out, const unsigned char *p, size_t len, const char *what,
                                char *detail, size_t detail_len)
{
    if (len > OCV_MAX_IDENTITY_BYTES) {
        ocv_errf(detail, detail_len, "%s is longer than %d bytes", what, OCV_MAX_IDENTITY_BYTES);
        return OCV_TOO_LARGE;
    }
    if (!printable_ascii(p, len)) {
        ocv_errf(detail, detail_len, "%s is empty or not printable ASCII", what);
        return OCV_MALFORMED;
    }
    memcpy(out, p, len);
    out[len] = 0;
    return OCV_OK;
}

/* The one SAN entry of a type (URI = 6, dNSName = 2): 0 none, 1 found,
 * 2 more than one. */
static int find_single_san(const mbedtls_x509_crt *crt, int type, const mbedtls_x509_buf **out)
{
    int found = 0;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL; s = s->next) {
        if (s->buf.p == NULL)
            continue;
        if (s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | type)) {
            if (++found > 1)
                return 2;
            *out = &s->buf;
        }
    }
    return found;
}

static int find_single_cn(const mbedtls_x509_crt *crt, const mbedtls_x509_buf **out)
{
    int found = 0;
    for (const mbedtls_x509_name *n = &crt->subject; n != NULL; n = n->next) {
        if (n->oid.p != NULL && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0) {
            if (++found > 1)
                return 2;
            *out = &n->val;
        }
    }
    return found;
}

/* Generic PKI identity: the first URI, DNS or email SAN (PKI_SAN), else
 * the subject DN as text (PKI_SUBJECT). Spaces are allowed here. */
static ocv_reason pki_identity(const mbedtls_x509_crt *leaf, unsigned mode, char *out,
                               ocv_identity_kind *kind, char *detail, size_t detail_len)
{
    if (mode & OCV_IDENTITY_PKI_SAN) {
        for (const mbedtls_x509_sequence *s = &leaf->subject_alt_names; s != NULL; s = s->next) {
            int t = s->buf.tag;
            if (s->buf.p == NULL || (t != 0x86 && t != 0x82 && t != 0x81))
                continue;
            *kind = t == 0x86 ? OCV_IDENTITY_URI : t == 0x82 ? OCV_IDENTITY_DNS : OCV_IDENTITY_NAME;
            return copy_identity(out, s->buf.p, s->buf.len, "the SAN", detail, detail_len);
        }
    }
    /* a DN (or an email SAN) is an opaque name, never SPIFFE */
    *kind = OCV_IDENTITY_NAME;
    if (mode & OCV_IDENTITY_PKI_SUBJECT) {
        /* ocv_dn_format, not mbedtls_x509_dn_gets: that prints every
         * non-ASCII byte as '?', so "CN=Zürich" and "CN=Zärich" would be
         * one identity (verifier/dn.h) */
        int n = ocv_dn_format(&leaf->subject, out, OCV_MAX_IDENTITY_BYTES + 1) == 0
                    ? (int)strlen(out)
                    : -1;
        if (n < 0) {
            ocv_errf(detail, detail_len, "the subject DN is longer than %d bytes",
                     OCV_MAX_IDENTITY_BYTES);
            return OCV_TOO_LARGE;
        }
        if (n > 0)
            return OCV_OK;
    }
    if (mode & OCV_IDENTITY_PKI_SUBJECT) {
        /* an empty subject: the first directoryName SAN (RFC 5280 §4.1.2.6) */
        for (const mbedtls_x509_sequence *s = &leaf->subject_alt_names; s != NULL; s = s->next) {
            if (s->buf.p == NULL || s->buf.tag != 0xa4)
                continue;
            mbedtls_x509_name name;
            memset(&name, 0, sizeof(name));
            unsigned char *p = s->buf.p, *end = s->buf.p + s->buf.len, *body = p;
            size_t len = 0;
            int n = -1;
            if (mbedtls_asn1_get_tag(&body, end, &len,
                                     MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) == 0 &&
                mbedtls_x509_get_name(&body, body + len, &name) == 0)
                n = ocv_dn_format(&name, out, OCV_MAX_IDENTITY_BYTES + 1) == 0 ? (int)strlen(out)
                                                                               : -1;
            for (mbedtls_x509_name *x = name.next; x != NULL;) {
                mbedtls_x509_name *next = x->next;
                free(x);
                x = next;
            }
            if (n > 0)
                return OCV_OK;
        }
    }
    ocv_errf(detail, detail_len, "the leaf has no SAN and no subject DN (identity)");
    return OCV_MALFORMED;
}

static ocv_reason extract_identity(const mbedtls_x509_crt *leaf, unsigned fallback, char *out,
                                   ocv_identity_kind *kind, char *detail, size_t detail_len)
{
    const mbedtls_x509_buf *v = NULL;
    if (fallback & OCV_IDENTITY_PKI)
        return pki_identity(leaf, fallback, out, kind, detail, detail_len);
    int n = find_single_san(leaf, 6, &v);
    if (n == 2) {
        ocv_errf(detail, detail_len, "the leaf has more than one URI SAN");
        return OCV_MALFORMED;
    }
    *kind = OCV_IDENTITY_URI;
    if (n == 1)
        return copy_identity(out, v->p, v->len, "the URI SAN", detail, detail_len);
    if (fallback & OCV_IDENTITY_FALLBACK_DNS) {
        n = find_single_san(leaf, 2, &v);
        if (n == 2) {
            ocv_errf(detail, detail_len, "no URI SAN and more than one DNS SAN");
            return OCV_MALFORMED;
        }
        *kind = OCV_IDENTITY_DNS;
        if (n == 1)
            return copy_identity(out, v->p, v->len, "the DNS SAN", detail, detail_len);
    }
    if (fallback & OCV_IDENTITY_FALLBACK_CN) {
        n = find_single_cn(leaf, &v);
        if (n == 2) {
            ocv_errf(detail, detail_len, "no URI SAN and more than one subject CN");
            return OCV_MALFORMED;
        }
        *kind = OCV_IDENTITY_CN;
        if (n == 1)
            return copy_identity(out, v->p, v->len, "the subject CN", detail, detail_len);
    }
    ocv_errf(detail, detail_len, "the leaf has no URI SAN (workload identity)");
    return OCV_MALFORMED;
}

static ocv_alg signature_alg(const mbedtls_x509_crt *crt)
{
    int ec = crt->sig_pk == MBEDTLS_PK_ECDSA;
    int pss = crt->sig_pk == MBEDTLS_PK_RSASSA_PSS;
    if (!ec && !pss && crt->sig_pk != MBEDTLS_PK_RSA)
        return OCV_ALG_NONE;
    switch (crt->sig_md) {
    case MBEDTLS_MD_SHA256:
        return ec ? OCV_ALG_ES256 : pss ? OCV_ALG_PS256 : OCV_ALG_RS256;
    case MBEDTLS_MD_SHA384:
        return ec ? OCV_ALG_ES384 : pss ? OCV_ALG_PS384 : OCV_ALG_RS384;
    case MBEDTLS_MD_SHA512:
        return ec ? OCV_ALG_ES512 : pss ? OCV_ALG_PS512 : OCV_ALG_RS512;
    default:
        return OCV_ALG_NONE;
    }
}

static ocv_reason fill_claims(const mbedtls_x509_crt *leaf, const ocv_x509_options *options,
                              ocv_claims *claims, char *detail, size_t detail_len)
{
    ocv_reason r = extract_identity(leaf, options->identity_fallback, claims->subject,
                                    &claims->subject_kind, detail, detail_len);
    if (r != OCV_OK)
        return r;
    const char *why = "";
    if (ocv_serial_from_der(leaf->serial.p, leaf->serial.len, claims->serial, &claims->serial_len,
                            &why) != OCV_OK) {
        ocv_errf(detail, detail_len, "the leaf's %s", why);
        return OCV_MALFORMED;
    }
    if (ocv_dn_format(&leaf->issuer, claims->issuer, sizeof(claims->issuer)) != 0) {
        ocv_errf(detail, detail_len, "issuer name too long");
        return OCV_TOO_LARGE;
    }
    uint8_t key_hash[32];
    if (ocv_sha256(leaf->pk_raw.p, leaf->pk_raw.len, key_hash) != 0)
        return OCV_INTERNAL_ERROR;
    ocv_hex_encode(key_hash, sizeof(key_hash), claims->key_id); /* the leaf key's SPKI id */
    claims->type = OCV_CREDENTIAL_X509;
    claims->alg = signature_alg(leaf);
    claims->not_before = claims->issued_at = ocv_x509_time_to_unix(&leaf->valid_from);
    claims->expires_at = ocv_x509_time_to_unix(&leaf->valid_to);
    claims->has_not_before = claims->has_issued_at = claims->has_expires_at = 1;
    return OCV_OK;
}

/* ---- path order ---------------------------------------------------- */

static int same_name(const mbedtls_x509_buf *a, const mbedtls_x509_buf *b)
{
    /* Names are public data: memcmp is fine. */
    return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

static int same_cert(const mbedtls_x509_crt *a, const mbedtls_x509_crt *b)
{
    return a->raw.len == b->raw.len && memcmp(a->raw.p, b->raw.p, a->raw.len) == 0;
}

/* Re-links the list leaf -> issuer -> issuer's issuer, then the rest in
 * their original order. The mbedtls_x509_crt nodes are only re-linked. */
static void order_path(ocv_x509_chain *chain)
{
    mbedtls_x509_crt *nodes[OCV_MAX_CHAIN_LEN];
    int used[OCV_MAX_CHAIN_LEN] = {0};
    size_t n = 0;
    for (mbedtls_x509_crt *c = chain->certs.next; c != NULL && n < OCV_MAX_CHAIN_LEN; c = c->next)
        nodes[n++] = c;
    mbedtls_x509_crt *ordered[OCV_MAX_CHAIN_LEN];
    size_t k = 0;
    const mbedtls_x509_crt *cur = &chain->certs;
    for (;;) {
        size_t pick = n;
        for (size_t i = 0; i < n; i++) {
            if (!used[i] && same_name(&nodes[i]->subject_raw, &cur->issuer_raw)) {
                pick = i;
                break;
            }
        }
        if (pick == n || same_name(&cur->subject_raw, &cur->issuer_raw))
            break;
        used[pick] = 1;
        ordered[k++] = nodes[pick];
        cur = nodes[pick];
    }
    for (size_t i = 0; i < n; i++) {
        if (!used[i])
            ordered[k++] = nodes[i];
    }
    mbedtls_x509_crt *prev = &chain->certs;
    for (size_t i = 0; i < k; i++) {
        prev->next = ordered[i];
        prev = ordered[i];
    }
    prev->next = NULL;
}

ocv_reason ocv_x509_parse(const uint8_t *leaf, size_t leaf_len, const uint8_t *intermediates,
                          size_t intermediates_len, const ocv_x509_options *options,
                          ocv_x509_chain *out, ocv_claims *claims, char *detail, size_t detail_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    ocv_x509_chain_free(out);
    size_t leaf_count = 0;
    r = split_certs(leaf, leaf_len, 1, &out->certs, &leaf_count, detail, detail_len);
    if (r != OCV_OK)
        goto fail;
    /* A leaf file may also carry intermediates (fullchain.pem): the first
     * certificate is the leaf, the rest join the intermediates. */
    out->count = leaf_count;
    if (intermediates != NULL && intermediates_len > 0) {
        r = split_certs(intermediates, intermediates_len, 1, &out->certs, &out->count, detail,
                        detail_len);
        if (r != OCV_OK)
            goto fail;
    }
    for (const mbedtls_x509_crt *a = &out->certs; a != NULL; a = a->next) {
        for (const mbedtls_x509_crt *b = a->next; b != NULL; b = b->next) {
            if (same_cert(a, b)) {
                ocv_errf(detail, detail_len, "the same certificate is presented twice");
                r = OCV_CHAIN_INVALID;
                goto fail;
            }
        }
    }
    order_path(out);
    ocv_claims_init(claims);
    r = fill_claims(&out->certs, options, claims, detail, detail_len);
    if (r != OCV_OK)
        goto fail;
    return OCV_OK;
fail:
    ocv_claims_init(claims);
    ocv_x509_chain_free(out);
    return r;
}

/* ---- strict DER signatures ----------------------------------------- */

/* Reads a definite length in its minimal form; 0 on success. */
static int der_length(ocv_reader *r, size_t *len)
{
    uint8_t first = ocv_reader_u8(r);
    if (first < 0x80) {
        *len = first;
        return r->err ? -1 : 0;
    }
    if (first != 0x81 && first != 0x82)
        return -1; /* an ECDSA signature never needs more than two length bytes */
    size_t n = ocv_reader_u8(r);
    if (first == 0x82)
        n = (n << 8) | ocv_reader_u8(r);
    if (r->err || (first == 0x81 && n < 0x80) || (first == 0x82 && n < 0x100))
        return -1;
    *len = n;
    return 0;
}

static int der_positive_integer(ocv_reader *r)
{
    size_t len = 0;
    if (ocv_reader_u8(r) != 0x02 || der_length(r, &len) != 0 || len == 0)
        return -1;
    const uint8_t *v = ocv_reader_take(r, len);
    if (v == NULL || (v[0] & 0x80))
        return -1; /* negative */
    if (len > 1 && v[0] == 0 && !(v[1] & 0x80))
        return -1; /* a leading zero that is not needed */
    return 0;
}

int ocv_x509_ecdsa_der_is_strict(const uint8_t *sig, size_t len)
{
    ocv_reader r, body;
    ocv_reader_init(&r, sig, len);
    size_t body_len = 0;
    if (ocv_reader_u8(&r) != 0x30 || der_length(&r, &body_len) != 0)
        return 0;
    body = ocv_reader_sub(&r, body_len);
    if (der_positive_integer(&body) != 0 || der_positive_integer(&body) != 0)
        return 0;
    return ocv_reader_finish(&body) == 0 && ocv_reader_finish(&r) == 0;
}

/* ---- chain verification -------------------------------------------- */

ocv_reason ocv_x509_check_signature(mbedtls_pk_type_t sig_pk, const void *sig_opts,
                                    mbedtls_md_type_t md_type, const mbedtls_x509_buf *issuer_spki,
                                    const uint8_t *tbs, size_t tbs_len, const uint8_t *sig,
                                    size_t sig_len, ocv_sigcache *cache)
{
    if (mbedtls_md_info_from_type(md_type) == NULL)
        return OCV_ALG_NOT_ALLOWED;
    ocv_x509_sig s = {sig_pk, md_type, sig_opts, tbs, tbs_len, sig, sig_len};
    return ocv_sig_verify_x509_spki(issuer_spki->p, issuer_spki->len, &s, cache);
}

static ocv_reason check_leaf_rules(const mbedtls_x509_crt *leaf, const ocv_x509_options *options,
                                   char *detail, size_t detail_len)
{
    if (leaf->ca_istrue && !(options->identity_fallback & OCV_IDENTITY_PKI)) {
        ocv_errf(detail, detail_len, "the leaf is a CA certificate");
        return OCV_CHAIN_INVALID;
    }
    if (leaf->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) {
        if (!(leaf->key_usage & MBEDTLS_X509_KU_DIGITAL_SIGNATURE)) {
            ocv_errf(detail, detail_len, "the leaf's key usage lacks digitalSignature");
            return OCV_CHAIN_INVALID;
        }
        if ((leaf->key_usage & (MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN)) &&
            !(options->identity_fallback & OCV_IDENTITY_PKI)) {
            ocv_errf(detail, detail_len, "the leaf's key usage allows signing certificates");
            return OCV_CHAIN_INVALID;
        }
    }
    if (options->leaf_eku != OCV_EKU_ANY) {
        int server = options->leaf_eku == OCV_EKU_SERVER_AUTH;
        const char *oid = server ? MBEDTLS_OID_SERVER_AUTH : MBEDTLS_OID_CLIENT_AUTH;
        size_t oid_len = server ? MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)
                                : MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH);
        if (mbedtls_x509_crt_check_extended_key_usage(leaf, oid, oid_len) != 0) {
            ocv_errf(detail, detail_len, "the leaf's extended key usage lacks %s",
                     server ? "serverAuth" : "clientAuth");
            return OCV_CHAIN_INVALID;
        }
    }
    return OCV_OK;
}

static ocv_reason fill_path_claims(const mbedtls_x509_crt *const *path, size_t len,
                                   ocv_claims *claims, char *detail, size_t detail_len)
{
    const mbedtls_x509_crt *issuer = path[1];
    const mbedtls_x509_crt *anchor = path[len - 1];
    uint8_t hash[32];
    if (ocv_sha256(issuer->pk_raw.p, issuer->pk_raw.len, hash) != 0)
        return OCV_INTERNAL_ERROR;
    ocv_hex_encode(hash, sizeof(hash), claims->issuer_key_sha256);
    if (ocv_sha256(anchor->pk_raw.p, anchor->pk_raw.len, hash) != 0)
        return OCV_INTERNAL_ERROR;
    ocv_hex_encode(hash, sizeof(hash), claims->anchor_key_sha256);
    if (mbedtls_x509_dn_gets(claims->anchor_name, sizeof(claims->anchor_name), &anchor->subject) <
        0) {
        ocv_errf(detail, detail_len, "trust anchor name too long");
        return OCV_TOO_LARGE;
    }
    return OCV_OK;
}

ocv_reason ocv_x509_verify_chain(ocv_x509_chain *chain, const ocv_x509_anchors *anchors,
                                 const ocv_x509_options *options, ocv_claims *claims, char *detail,
                                 size_t detail_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    chain->path_len = 0;
    if (anchors == NULL || anchors->count == 0) {
        ocv_errf(detail, detail_len, "no trust anchors are configured");
        return OCV_CHAIN_UNTRUSTED;
    }
    ocv_x509_path_options po = {options->at,       options->skew,
                                options->policy,   options->anchor_constraints,
                                options->leaf_eku, options->sig_cache};
    const mbedtls_x509_crt *path[OCV_X509_MAX_PATH];
    size_t len = 0;
    r = ocv_x509_path_build(&chain->certs, chain->certs.next, &anchors->certs, &po, path, &len,
                            detail, detail_len);
    if (r != OCV_OK)
        return r;
    r = check_leaf_rules(&chain->certs, options, detail, detail_len);
    if (r != OCV_OK)
        return r;
    r = fill_path_claims(path, len, claims, detail, detail_len);
    if (r != OCV_OK)
        return r;
    memcpy(chain->path, path, len * sizeof(path[0]));
    chain->path_len = len;
    return OCV_OK;
}

/* ---- loading ------------------------------------------------------- */

void ocv_x509_anchors_init(ocv_x509_anchors *anchors)
{
    memset(anchors, 0, sizeof(*anchors));
    mbedtls_x509_crt_init(&anchors->certs);
}

void ocv_x509_anchors_free(ocv_x509_anchors *anchors)
{
    if (anchors == NULL)
        return;
    mbedtls_x509_crt_free(&anchors->certs);
    ocv_x509_anchors_init(anchors);
}

static int anchor_file_name(const char *name)
{
    size_t n = strlen(name);
    static const char *const ext[] = {".pem", ".crt", ".cer", ".der"};
    for (size_t k = 0; k < sizeof(ext) / sizeof(ext[0]); k++) {
        if (n > 4 && strcmp(name + n - 4, ext[k]) == 0)
            return 1;
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One file of anchors into fresh; a file that holds no certificate at all
 * is an error (a directory's other files are not read). */
/* One file's (or blob's) certificates; path names it in messages. */
static ocv_reason load_anchor_bytes(ocv_x509_anchors *fresh, const char *path, const uint8_t *data,
                                    size_t len, char *err, size_t err_len)
{
    if (len > OCV_MAX_TRUST_FILE_BYTES) {
        ocv_errf(err, err_len, "%s: larger than %u bytes", path, OCV_MAX_TRUST_FILE_BYTES);
        return OCV_TOO_LARGE;
    }
    char why[200] = "";
    size_t before = fresh->count, skipped_before = load_mode_now.skipped;
    ocv_reason r = split_certs(data, len, 0, &fresh->certs, &fresh->count, why, sizeof(why));
    if (r == OCV_TOO_LARGE) {
        ocv_errf(err, err_len, "%s: more than %d trust anchors", path, OCV_MAX_ANCHORS);
        return r;
    }
    if (r != OCV_OK || (fresh->count == before && load_mode_now.skipped == skipped_before)) {
        ocv_errf(err, err_len, "%s: not a PEM bundle of certificates: %s", path,
                 why[0] ? why : "no certificate found");
        return OCV_CONFIG_INVALID;
    }
    if (load_mode_now.skipped > skipped_before && fresh->problem[0] == 0)
        ocv_errf(fresh->problem, sizeof(fresh->problem), "%s: %s", path,
                 load_mode_now.first_problem);
    return OCV_OK;
}

static ocv_reason load_anchor_file(ocv_x509_anchors *fresh, const char *path, char *err,
                                   size_t err_len)
{
    ocv_bytes file;
    ocv_reason r = ocv_file_read(path, OCV_MAX_TRUST_FILE_BYTES, &file, err, err_len);
    if (r != OCV_OK)
        return r;
    r = load_anchor_bytes(fresh, path, file.data, file.len, err, err_len);
    ocv_bytes_free(&file);
    return r;
}

/* Every *.pem, *.crt, *.cer and *.der file of a directory, in name order. */
static ocv_reason load_anchor_dir(ocv_x509_anchors *fresh, const char *path, DIR *dir, char *err,
                                  size_t err_len)
{
    char *names[OCV_MAX_ANCHOR_FILES];
    size_t n = 0;
    ocv_reason r = OCV_OK;
    for (struct dirent *e = readdir(dir); e != NULL; e = readdir(dir)) {
        if (e->d_name[0] == '.' || !anchor_file_name(e->d_name))
            continue;
        if (n == OCV_MAX_ANCHOR_FILES) {
            ocv_errf(err, err_len, "%s: more than %d anchor files", path, OCV_MAX_ANCHOR_FILES);
            r = OCV_TOO_LARGE;
            goto out;
        }
        names[n] = strdup(e->d_name);
        if (names[n] == NULL) {
            r = OCV_INTERNAL_ERROR;
            goto out;
        }
        n++;
    }
    qsort(names, n, sizeof(names[0]), cmp_names);
    for (size_t k = 0; k < n && r == OCV_OK; k++) {
        char full[4096];
        int len = snprintf(full, sizeof(full), "%s/%s", path, names[k]);
        if (len < 0 || (size_t)len >= sizeof(full)) {
            ocv_errf(err, err_len, "%s: path too long", path);
            r = OCV_CONFIG_INVALID;
        } else {
            r = load_anchor_file(fresh, full, err, err_len);
        }
    }
out:
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    return r;
}

/* A path (file or directory), or the bytes of one file named path. */
static ocv_reason anchors_load(ocv_x509_anchors *anchors, const char *path, const uint8_t *data,
                               size_t len, char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    ocv_x509_anchors fresh;
    ocv_x509_anchors_init(&fresh);
    load_mode saved = load_mode_now;
    load_mode_now.limit = OCV_MAX_ANCHORS;
    load_mode_now.lenient = 1;
    load_mode_now.skipped = 0;
    load_mode_now.first_problem[0] = 0;
    DIR *dir = data == NULL ? opendir(path) : NULL;
    if (data != NULL) {
        r = load_anchor_bytes(&fresh, path, data, len, err, err_len);
    } else if (dir != NULL) {
        r = load_anchor_dir(&fresh, path, dir, err, err_len);
        closedir(dir);
    } else {
        r = load_anchor_file(&fresh, path, err, err_len);
    }
    fresh.skipped = load_mode_now.skipped;
    load_mode_now = saved;
    if (r != OCV_OK)
        goto fail;
    if (fresh.count == 0) {
        ocv_errf(err, err_len, "%s: no trust anchor could be loaded (%s)", path, fresh.problem);
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    for (mbedtls_x509_crt *c = &fresh.certs; c != NULL; c = c->next) {
        if (ocv_pk_precompute(&c->pk) != OCV_OK) {
            ocv_errf(err, err_len, "%s: an anchor's public key is unusable", path);
            r = OCV_CONFIG_INVALID;
            goto fail;
        }
    }
    if (fresh.skipped > 0)
        ocv_errf(err, err_len, "%s: %zu anchor certificate(s) skipped, first: %s", path,
                 fresh.skipped, fresh.problem);
    ocv_x509_anchors_free(anchors);
    *anchors = fresh;
    return OCV_OK;
fail:
    ocv_x509_anchors_free(&fresh);
    return r;
}

ocv_reason ocv_x509_anchors_load(ocv_x509_anchors *anchors, const char *path, char *err,
                                 size_t err_len)
{
    return anchors_load(anchors, path, NULL, 0, err, err_len);
}

ocv_reason ocv_x509_anchors_load_bytes(ocv_x509_anchors *anchors, const char *name,
                                       const uint8_t *data, size_t len, char *err, size_t err_len)
{
    if (data == NULL)
        return OCV_INTERNAL_ERROR;
    return anchors_load(anchors, name, data, len, err, err_len);
}

void ocv_x509_chain_init(ocv_x509_chain *chain)
{
    mbedtls_x509_crt_init(&chain->certs);
    chain->count = 0;
    chain->path_len = 0;
}

void ocv_x509_chain_free(ocv_x509_chain *chain)
{
    if (chain == NULL)
        return;
    mbedtls_x509_crt_free(&chain->certs);
    ocv_x509_chain_init(chain);
}
