/*
 * x509_crl.c - CRLs: loading what loads, and checking a verified path.
 * Contract in x509.h (ocv_x509_crls_*, ocv_x509_check_crls).
 *
 * Implementation notes
 *
 * mbedtls 2.28 parses CRLs with no critical extension only, so a CRL
 * with an issuingDistributionPoint or a deltaCRLIndicator (both critical
 * by RFC 5280) does not load. Such a file is recorded, with the issuer
 * name read from its TBSCertList by the bounded DER reader, and covers
 * that issuer's certificates fail closed: a CRL ocv cannot interpret
 * could be the one that lists them.
 *
 *   CertificateList ::= SEQUENCE { tbsCertList SEQUENCE { version INTEGER
 *       OPTIONAL, signature AlgorithmIdentifier, issuer Name, ... }, ... }
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/oid.h>
#include <mbedtls/pem.h>

#include "base/buf.h"
#include "base/canon.h"
#include "base/util.h"
#include "verifier/x509.h"
#include "verifier/x509_ext.h"
#include "verifier/x509_name.h"

typedef enum crl_verdict { CRL_NOT_APPLICABLE, CRL_BAD_SIGNATURE, CRL_WEAK, CRL_OK } crl_verdict;

static crl_verdict crl_applies(const mbedtls_x509_crl *crl, const mbedtls_x509_crt *issuer)
{
    if (crl->version == 0 || !ocv_x509_name_eq(crl->issuer_raw.p, crl->issuer_raw.len,
                                               issuer->subject_raw.p, issuer->subject_raw.len))
        return CRL_NOT_APPLICABLE;
    if ((issuer->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) &&
        !(issuer->key_usage & MBEDTLS_X509_KU_CRL_SIGN))
        return CRL_BAD_SIGNATURE;
    if (crl->sig_md != MBEDTLS_MD_SHA256 && crl->sig_md != MBEDTLS_MD_SHA384 &&
        crl->sig_md != MBEDTLS_MD_SHA512)
        return CRL_WEAK;
    if (ocv_x509_check_signature(crl->sig_pk, crl->sig_opts, crl->sig_md, &issuer->pk, crl->tbs.p,
                                 crl->tbs.len, crl->sig.p, crl->sig.len) != OCV_OK)
        return CRL_BAD_SIGNATURE;
    return CRL_OK;
}

/* Whether the CRL lists crt's serial, compared as integers (base/canon.h):
 * a redundant leading zero on either side cannot hide a match. A
 * certificate whose serial is no valid integer counts as listed (fail
 * closed). Serials are public data. */
static int crl_lists(const mbedtls_x509_crl *crl, const mbedtls_x509_crt *crt)
{
    uint8_t want[OCV_MAX_SERIAL_BYTES], got[OCV_MAX_SERIAL_BYTES];
    size_t want_len, got_len;
    if (ocv_serial_from_listed(crt->serial.p, crt->serial.len, want, &want_len) != 0)
        return 1;
    for (const mbedtls_x509_crl_entry *e = &crl->entry; e != NULL; e = e->next) {
        if (e->serial.p != NULL &&
            ocv_serial_from_listed(e->serial.p, e->serial.len, got, &got_len) == 0 &&
            got_len == want_len && memcmp(got, want, want_len) == 0)
            return 1;
    }
    return 0;
}

static int crl_current(const mbedtls_x509_crl *crl, const ocv_x509_options *options)
{
    if (crl->next_update.year == 0)
        return 0; /* no nextUpdate: no promise of freshness */
    return options->at + options->skew >= ocv_x509_time_to_unix(&crl->this_update) &&
           options->at - options->skew <= ocv_x509_time_to_unix(&crl->next_update);
}

static const ocv_x509_skipped_crl *skipped_for(const ocv_x509_crls *crls,
                                               const mbedtls_x509_crt *issuer)
{
    for (size_t k = 0; k < crls->skipped_count; k++) {
        const ocv_x509_skipped_crl *s = &crls->skipped[k];
        if (s->issuer != NULL && ocv_x509_name_eq(s->issuer, s->issuer_len, issuer->subject_raw.p,
                                                  issuer->subject_raw.len))
            return s;
    }
    return NULL;
}

static ocv_reason check_one(const ocv_x509_chain *chain, size_t i, const mbedtls_x509_crt *crt,
                            const mbedtls_x509_crt *issuer, int must_be_covered, int nested,
                            const ocv_x509_crls *crls, const ocv_x509_options *options,
                            char *detail, size_t detail_len);

static int time_ok(const mbedtls_x509_crt *c, const ocv_x509_options *o)
{
    return o->at - o->skew <= ocv_x509_time_to_unix(&c->valid_to) &&
           o->at + o->skew >= ocv_x509_time_to_unix(&c->valid_from);
}

/*
 * A CRL signed with another key of the issuer (RFC 5280 §6.3.3 (f)): a
 * presented certificate in the CRL issuer's name, with cRLSign, current,
 * issued (signature checked) by a certificate of the verified path at or
 * above the issuer, and itself not revoked. One level only (nested).
 */
static crl_verdict other_signer(const ocv_x509_chain *chain, size_t i, const mbedtls_x509_crl *crl,
                                const ocv_x509_crls *crls, const ocv_x509_options *options)
{
    for (const mbedtls_x509_crt *s = &chain->certs; s != NULL; s = s->next) {
        if (s->raw.p == NULL || s == chain->path[i + 1] || !time_ok(s, options) ||
            crl_applies(crl, s) != CRL_OK)
            continue;
        for (size_t j = i + 1; j < chain->path_len; j++) {
            const mbedtls_x509_crt *p = chain->path[j];
            if (!ocv_x509_name_eq(s->issuer_raw.p, s->issuer_raw.len, p->subject_raw.p,
                                  p->subject_raw.len) ||
                ocv_x509_check_signature(s->sig_pk, s->sig_opts, s->sig_md, &p->pk, s->tbs.p,
                                         s->tbs.len, s->sig.p, s->sig.len) != OCV_OK)
                continue;
            char ignore[64];
            if (check_one(chain, j - 1, s, p, 1, 1, crls, options, ignore, sizeof(ignore)) ==
                OCV_OK)
                return CRL_OK;
        }
    }
    return CRL_BAD_SIGNATURE;
}

/* Checks one certificate of the path against every CRL of its issuer. */
static ocv_reason check_one(const ocv_x509_chain *chain, size_t i, const mbedtls_x509_crt *crt,
                            const mbedtls_x509_crt *issuer, int must_be_covered, int nested,
                            const ocv_x509_crls *crls, const ocv_x509_options *options,
                            char *detail, size_t detail_len)
{
    int current = 0, stale = 0, bad = 0, weak = 0;
    for (const mbedtls_x509_crl *crl = &crls->crls; crl != NULL; crl = crl->next) {
        crl_verdict v = crl_applies(crl, issuer);
        if (v == CRL_BAD_SIGNATURE && !nested)
            v = other_signer(chain, i, crl, crls, options);
        switch (v) {
        case CRL_NOT_APPLICABLE:
            continue;
        case CRL_BAD_SIGNATURE:
            bad++;
            continue;
        case CRL_WEAK:
            weak++;
            continue;
        case CRL_OK:
            break;
        }
        if (crl_lists(crl, crt)) {
            ocv_errf(detail, detail_len, "serial is listed on a CRL of the issuer");
            return OCV_REVOKED;
        }
        if (crl_current(crl, options))
            current++;
        else
            stale++;
    }
    const ocv_x509_skipped_crl *skip = skipped_for(crls, issuer);
    if (skip != NULL) {
        ocv_errf(detail, detail_len, "CRL %s of the issuer was skipped (%s)", skip->file,
                 skip->why);
        return OCV_REVOCATION_MISSING;
    }
    if (current > 0)
        return OCV_OK;
    if (stale > 0) {
        ocv_errf(detail, detail_len, "the issuer's CRL is outside thisUpdate..nextUpdate");
        return OCV_REVOCATION_STALE;
    }
    if (weak > 0) {
        ocv_errf(detail, detail_len, "the issuer's CRL is signed with a hash not allowed");
        return OCV_ALG_NOT_ALLOWED;
    }
    if (!must_be_covered)
        return OCV_OK;
    if (bad > 0)
        ocv_errf(detail, detail_len, "a CRL names the issuer but its signature does not verify");
    else
        ocv_errf(detail, detail_len, "no CRL from the leaf's issuer is loaded");
    return OCV_REVOCATION_MISSING;
}

ocv_reason ocv_x509_check_crls(const ocv_x509_chain *chain, const ocv_x509_crls *crls,
                               const ocv_x509_options *options, char *detail, size_t detail_len)
{
    if (crls == NULL || (crls->count == 0 && crls->skipped_count == 0))
        return OCV_OK;
    if (chain->path_len < 2) {
        ocv_errf(detail, detail_len, "no verified path to check against CRLs");
        return OCV_INTERNAL_ERROR;
    }
    for (size_t i = 0; i + 1 < chain->path_len; i++) {
        ocv_reason r = check_one(chain, i, chain->path[i], chain->path[i + 1], i == 0, 0, crls,
                                 options, detail, detail_len);
        if (r != OCV_OK)
            return r;
    }
    return OCV_OK;
}

/* ---- loading ------------------------------------------------------- */

void ocv_x509_crls_init(ocv_x509_crls *crls)
{
    memset(crls, 0, sizeof(*crls));
    mbedtls_x509_crl_init(&crls->crls);
}

void ocv_x509_crls_free(ocv_x509_crls *crls)
{
    if (crls == NULL)
        return;
    mbedtls_x509_crl_free(&crls->crls);
    for (size_t k = 0; k < crls->skipped_count; k++)
        free(crls->skipped[k].issuer);
    ocv_x509_crls_init(crls);
}

/* The issuer Name TLV of a DER CRL, or -1. */
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

/* DER of the file: itself, or the first X509 CRL PEM block decoded. */
static int crl_der(const ocv_bytes *file, mbedtls_pem_context *pem, const uint8_t **der,
                   size_t *len)
{
    if (file->len > 0 && file->data[0] == 0x30) {
        *der = file->data;
        *len = file->len;
        return 0;
    }
    size_t used = 0;
    if (mbedtls_pem_read_buffer(pem, "-----BEGIN X509 CRL-----", "-----END X509 CRL-----",
                                file->data, NULL, 0, &used) != 0)
        return -1;
    *der = pem->buf;
    *len = pem->buflen;
    return 0;
}

static ocv_reason skip_file(ocv_x509_crls *crls, const char *path, const ocv_bytes *file,
                            const char *why, char *err, size_t err_len)
{
    if (crls->skipped_count >= OCV_X509_MAX_SKIPPED_CRLS) {
        ocv_errf(err, err_len, "%s: %s, and more than %d CRL files cannot be used", path, why,
                 OCV_X509_MAX_SKIPPED_CRLS);
        return OCV_CONFIG_INVALID;
    }
    ocv_x509_skipped_crl *s = &crls->skipped[crls->skipped_count];
    memset(s, 0, sizeof(*s));
    ocv_strlcpy(s->file, path, sizeof(s->file));
    ocv_strlcpy(s->why, why, sizeof(s->why));
    mbedtls_pem_context pem;
    mbedtls_pem_init(&pem);
    const uint8_t *der = NULL;
    size_t der_len = 0;
    ocv_span issuer;
    if (crl_der(file, &pem, &der, &der_len) != 0 || crl_issuer(der, der_len, &issuer) != 0) {
        /* not even a CRL's outline: nothing to say what it covers */
        mbedtls_pem_free(&pem);
        ocv_errf(err, err_len, "%s: not a CRL (%s)", path, why);
        return OCV_CONFIG_INVALID;
    }
    {
        s->issuer = malloc(issuer.len);
        if (s->issuer == NULL) {
            mbedtls_pem_free(&pem);
            return OCV_INTERNAL_ERROR;
        }
        memcpy(s->issuer, issuer.p, issuer.len);
        s->issuer_len = issuer.len;
    }
    mbedtls_pem_free(&pem);
    crls->skipped_count++;
    ocv_errf(err, err_len, "%s: CRL skipped: %s", path, why);
    return OCV_OK;
}

ocv_reason ocv_x509_crls_load(ocv_x509_crls *crls, const char *path, char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    ocv_bytes file;
    r = ocv_file_read(path, OCV_MAX_CRL_BYTES, &file, err, err_len);
    if (r != OCV_OK)
        return r;
    /* mbedtls_x509_crl_parse wants the NUL counted for PEM input. */
    size_t len = file.len;
    int pem = len > 0 && file.data[0] != 0x30;
    mbedtls_x509_crl one;
    mbedtls_x509_crl_init(&one);
    int ret = mbedtls_x509_crl_parse(&one, file.data, pem ? len + 1 : len);
    mbedtls_x509_crl_free(&one);
    if (ret != 0) {
        char why[96];
        ocv_errf(why, sizeof(why), "mbedtls cannot use it (-0x%04x)", (unsigned)-ret);
        r = skip_file(crls, path, &file, why, err, err_len);
        ocv_bytes_free(&file);
        return r;
    }
    ret = mbedtls_x509_crl_parse(&crls->crls, file.data, pem ? len + 1 : len);
    ocv_bytes_free(&file);
    if (ret != 0) {
        ocv_errf(err, err_len, "%s: not a CRL (mbedtls -0x%04x)", path, (unsigned)-ret);
        return OCV_INTERNAL_ERROR;
    }
    crls->count++;
    return OCV_OK;
}
