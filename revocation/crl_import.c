#include "crl_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

#include "base/canon.h"
#include "base/util.h"
#include "verifier/x509_path.h"

/* cRLNumber (RFC 5280 §5.2.3) from the raw extensions mbedtls keeps:
 * SEQUENCE OF Extension { extnID, critical BOOLEAN DEFAULT FALSE,
 * extnValue OCTET STRING { INTEGER } }. Empty number when absent. */
static int crl_number(const mbedtls_x509_crl *crl, const uint8_t **num, size_t *num_len)
{
    *num = NULL;
    *num_len = 0;
    if (crl->crl_ext.p == NULL || crl->crl_ext.len == 0)
        return 0;
    unsigned char *p = crl->crl_ext.p, *end = p + crl->crl_ext.len;
    size_t len;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
        return -1;
    while (p < end) {
        unsigned char *ext_end;
        if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) !=
            0)
            return -1;
        ext_end = p + len;
        mbedtls_x509_buf oid;
        if (mbedtls_asn1_get_tag(&p, ext_end, &oid.len, MBEDTLS_ASN1_OID) != 0)
            return -1;
        oid.p = p;
        p += oid.len;
        int critical = 0;
        if (mbedtls_asn1_get_bool(&p, ext_end, &critical) != 0 && p < ext_end && *p == 0x01)
            return -1;
        if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0)
            return -1;
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_CRL_NUMBER, &oid) == 0) {
            unsigned char *q = p;
            size_t ilen;
            if (mbedtls_asn1_get_tag(&q, p + len, &ilen, MBEDTLS_ASN1_INTEGER) != 0 || ilen == 0 ||
                ilen > 20 || (q[0] & 0x80))
                return -1;
            while (ilen > 1 && q[0] == 0) { /* compare magnitudes, not encodings */
                q++;
                ilen--;
            }
            *num = q;
            *num_len = ilen;
        }
        p = ext_end;
    }
    return 0;
}

/* -1, 0, 1 as a < b, a == b, a > b for big-endian magnitudes. */
static int compare_numbers(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    if (al != bl)
        return al < bl ? -1 : 1;
    int c = al ? memcmp(a, b, al) : 0;
    return c < 0 ? -1 : c > 0;
}

static const mbedtls_x509_crt *find_named(const mbedtls_x509_crt *list, const mbedtls_x509_crl *crl)
{
    for (const mbedtls_x509_crt *c = list; c != NULL; c = c->next) {
        if (c->raw.p != NULL && c->subject_raw.len == crl->issuer_raw.len &&
            memcmp(c->subject_raw.p, crl->issuer_raw.p, c->subject_raw.len) == 0)
            return c;
    }
    return NULL;
}

/* The CRL's issuer: an anchor of its name, else an intermediate of its
 * name that is a CA with a validated path to an anchor at `at`. */
static ocv_reason find_ca(const ocv_x509_anchors *anchors, const mbedtls_x509_crt *intermediates,
                          const mbedtls_x509_crl *crl, int64_t at, int64_t skew,
                          const mbedtls_x509_crt **out, char *detail, size_t detail_len)
{
    *out = find_named(&anchors->certs, crl);
    if (*out != NULL)
        return OCV_OK;
    const mbedtls_x509_crt *ca = find_named(intermediates, crl);
    if (ca == NULL) {
        ocv_errf(detail, detail_len, "no trusted CA issued this CRL");
        return OCV_CHAIN_UNTRUSTED;
    }
    if (!ca->ca_istrue) {
        ocv_errf(detail, detail_len, "the CRL's issuer in the chain is not a CA");
        return OCV_CHAIN_INVALID;
    }
    ocv_x509_path_options o;
    memset(&o, 0, sizeof(o));
    o.at = at;
    o.skew = skew;
    o.eku = OCV_EKU_ANY;
    const mbedtls_x509_crt *path[OCV_X509_MAX_PATH];
    size_t len = 0;
    char why[256] = "";
    ocv_reason r =
        ocv_x509_path_build(ca, intermediates, &anchors->certs, &o, path, &len, why, sizeof(why));
    if (r != OCV_OK) {
        ocv_errf(detail, detail_len, "the CRL's issuer does not chain to a trust anchor: %s", why);
        return r;
    }
    *out = ca;
    return OCV_OK;
}

static ocv_reason check_crl(const mbedtls_x509_crl *crl, const mbedtls_x509_crt *ca, int64_t at,
                            int64_t skew, char *detail, size_t detail_len)
{
    if ((ca->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) &&
        !(ca->key_usage & MBEDTLS_X509_KU_CRL_SIGN)) {
        ocv_errf(detail, detail_len, "the CA may not sign CRLs (keyUsage)");
        return OCV_BUNDLE_SIGNATURE_INVALID;
    }
    if (crl->sig_md != MBEDTLS_MD_SHA256 && crl->sig_md != MBEDTLS_MD_SHA384 &&
        crl->sig_md != MBEDTLS_MD_SHA512) {
        ocv_errf(detail, detail_len, "the CRL is signed with a hash not allowed");
        return OCV_ALG_NOT_ALLOWED;
    }
    if (ocv_x509_check_signature(crl->sig_pk, crl->sig_opts, crl->sig_md, &ca->pk_raw, crl->tbs.p,
                                 crl->tbs.len, crl->sig.p, crl->sig.len, NULL) != OCV_OK) {
        ocv_errf(detail, detail_len, "the CRL's signature does not verify with the CA's key");
        return OCV_BUNDLE_SIGNATURE_INVALID;
    }
    int64_t this_update = ocv_x509_time_to_unix(&crl->this_update);
    if (this_update > at + skew) {
        ocv_errf(detail, detail_len, "thisUpdate is in the future");
        return OCV_BUNDLE_FROM_FUTURE;
    }
    if (crl->next_update.year == 0 || ocv_x509_time_to_unix(&crl->next_update) <= at - skew) {
        ocv_errf(detail, detail_len, "the CRL is past its nextUpdate (or has none)");
        return OCV_BUNDLE_EXPIRED;
    }
    return OCV_OK;
}

static ocv_reason store_crl(ocv_store *store, const mbedtls_x509_crl *crl, ocv_crl_record *rec,
                            size_t *serials)
{
    char authority[80];
    snprintf(authority, sizeof(authority), "crl:%s", rec->issuer);
    ocv_reason r = ocv_store_clear_entries(store, authority);
    *serials = 0;
    for (const mbedtls_x509_crl_entry *e = &crl->entry; r == OCV_OK && e != NULL; e = e->next) {
        uint8_t mag[OCV_MAX_SERIAL_BYTES];
        size_t mag_len = 0;
        /* read as an integer (base/canon.h): a listed serial that is no
         * positive integer of at most 20 octets can match no certificate */
        if (e->serial.p == NULL ||
            ocv_serial_from_listed(e->serial.p, e->serial.len, mag, &mag_len) != 0)
            continue;
        char hex[OCV_SERIAL_HEX_BYTES];
        ocv_serial_to_text(mag, mag_len, hex);
        ocv_entry entry = {OCV_ENTRY_SERIAL, rec->issuer, strlen(rec->issuer), hex,
                           strlen(hex),      0,           rec->next_update};
        ocv_entry_change ch;
        r = ocv_store_put_entry(store, authority, &entry, &ch);
        *serials += (size_t)(ch.changed && !ch.existed);
    }
    rec->entry_count = (int64_t)*serials;
    if (r == OCV_OK)
        r = ocv_store_put_crl(store, rec);
    if (r == OCV_OK)
        r = ocv_store_raise_clock_floor(store, rec->this_update);
    return r;
}

ocv_reason ocv_crl_import(ocv_store *store, const ocv_x509_anchors *anchors, const uint8_t *data,
                          size_t len, int64_t at, int64_t skew, ocv_crl_import_result *result,
                          char *detail, size_t detail_len)
{
    return ocv_crl_import_chain(store, anchors, NULL, data, len, at, skew, result, detail,
                                detail_len);
}

ocv_reason ocv_crl_import_chain(ocv_store *store, const ocv_x509_anchors *anchors,
                                const mbedtls_x509_crt *intermediates, const uint8_t *data,
                                size_t len, int64_t at, int64_t skew, ocv_crl_import_result *result,
                                char *detail, size_t detail_len)
{
    memset(result, 0, sizeof(*result));
    mbedtls_x509_crl crl;
    mbedtls_x509_crl_init(&crl);
    ocv_crl_record old, rec;
    ocv_crl_record_init(&old);
    ocv_crl_record_init(&rec);
    ocv_reason r = OCV_BUNDLE_MALFORMED;
    ocv_bytes copy;
    if (ocv_bytes_copy(&copy, data, len) != OCV_OK)
        return OCV_INTERNAL_ERROR;
    int pem = len > 0 && data[0] != 0x30;
    int ret = mbedtls_x509_crl_parse(&crl, copy.data, pem ? len + 1 : len);
    ocv_bytes_free(&copy);
    const uint8_t *num = NULL;
    size_t num_len = 0;
    if (ret != 0 || crl.next != NULL || crl_number(&crl, &num, &num_len) != 0) {
        ocv_errf(detail, detail_len, "not exactly one well-formed CRL");
        goto out;
    }
    const mbedtls_x509_crt *ca = NULL;
    r = find_ca(anchors, intermediates, &crl, at, skew, &ca, detail, detail_len);
    if (r != OCV_OK)
        goto out;
    mbedtls_x509_dn_gets(result->issuer_name, sizeof(result->issuer_name), &ca->subject);
    r = check_crl(&crl, ca, at, skew, detail, detail_len);
    if (r != OCV_OK)
        goto out;
    uint8_t hash[32];
    if (ocv_sha256(ca->pk_raw.p, ca->pk_raw.len, hash) != 0) {
        r = OCV_INTERNAL_ERROR;
        goto out;
    }
    ocv_hex_encode(hash, sizeof(hash), rec.issuer);
    /* set before the commit, so a pre-commit hook can record it */
    memcpy(result->issuer, rec.issuer, sizeof(result->issuer));
    rec.this_update = ocv_x509_time_to_unix(&crl.this_update);
    rec.next_update = ocv_x509_time_to_unix(&crl.next_update);
    if (ocv_bytes_copy(&rec.number, num, num_len) != OCV_OK ||
        ocv_bytes_copy(&rec.der, crl.raw.p, crl.raw.len) != OCV_OK ||
        ocv_bytes_copy(&rec.issuer_spki, ca->pk_raw.p, ca->pk_raw.len) != OCV_OK) {
        r = OCV_INTERNAL_ERROR;
        goto out;
    }
    r = ocv_store_begin(store);
    if (r != OCV_OK)
        goto out;
    r = ocv_store_get_crl(store, rec.issuer, &old);
    if (r == OCV_OK) {
        int c = compare_numbers(num, num_len, old.number.data, old.number.len);
        if (c < 0 || (c == 0 && rec.this_update != old.this_update) ||
            rec.this_update < old.this_update) {
            ocv_errf(detail, detail_len, "CRL number or thisUpdate older than the imported one");
            r = OCV_BUNDLE_ROLLBACK;
        }
    } else if (r == OCV_REVOCATION_MISSING) {
        r = OCV_OK;
    }
    if (r == OCV_OK)
        r = store_crl(store, &crl, &rec, &result->serials);
    if (r == OCV_OK)
        r = ocv_store_commit(store);
    else
        ocv_store_rollback(store);
    if (r == OCV_OK) {
        result->this_update = rec.this_update;
        result->next_update = rec.next_update;
    }
out:
    mbedtls_x509_crl_free(&crl);
    ocv_crl_record_free(&old);
    ocv_crl_record_free(&rec);
    return r;
}

/* ---- proving an imported CRL at rest -------------------------------- */

/* Every serial the CRL lists must be a row, and the rows must be exactly
 * those: a rewritten or deleted row un-revokes a certificate. */
static ocv_reason check_rows(ocv_store *store, const ocv_crl_record *rec,
                             const mbedtls_x509_crl *crl, char *detail, size_t detail_len)
{
    char authority[80];
    snprintf(authority, sizeof(authority), "crl:%s", rec->issuer);
    int64_t listed = 0;
    for (const mbedtls_x509_crl_entry *e = &crl->entry; e != NULL; e = e->next) {
        uint8_t mag[OCV_MAX_SERIAL_BYTES];
        size_t mag_len = 0;
        if (e->serial.p == NULL ||
            ocv_serial_from_listed(e->serial.p, e->serial.len, mag, &mag_len) != 0)
            continue;
        char hex[OCV_SERIAL_HEX_BYTES];
        ocv_serial_to_text(mag, mag_len, hex);
        ocv_entry entry = {OCV_ENTRY_SERIAL, rec->issuer, strlen(rec->issuer), hex,
                           strlen(hex),      0,           rec->next_update};
        ocv_entry_change found;
        ocv_reason r = ocv_store_find_entry(store, authority, &entry, &found);
        if (r != OCV_OK)
            return r;
        if (!found.existed) {
            ocv_errf(detail, detail_len, "CRL of %.16s...: serial %s is listed but not stored",
                     rec->issuer, hex);
            return OCV_BUNDLE_DIGEST_MISMATCH;
        }
        listed++;
    }
    ocv_store_counts c;
    ocv_reason r = ocv_store_count(store, authority, &c);
    if (r != OCV_OK)
        return r;
    if (c.serial + c.jti + c.key + c.subject + c.subject_before != listed ||
        rec->entry_count != listed) {
        ocv_errf(detail, detail_len, "CRL of %.16s...: the store holds other rows than it lists",
                 rec->issuer);
        return OCV_BUNDLE_DIGEST_MISMATCH;
    }
    return OCV_OK;
}

ocv_reason ocv_crl_prove(ocv_store *store, const char *issuer, char *detail, size_t detail_len)
{
    ocv_crl_record rec;
    ocv_reason r = ocv_store_get_crl(store, issuer, &rec);
    if (r != OCV_OK)
        return r == OCV_REVOCATION_MISSING ? OCV_BUNDLE_DIGEST_MISMATCH : r;
    mbedtls_x509_crl crl;
    mbedtls_x509_crl_init(&crl);
    uint8_t hash[32];
    char hex[65];
    const uint8_t *num = NULL;
    size_t num_len = 0;
    r = OCV_BUNDLE_DIGEST_MISMATCH;
    if (ocv_sha256(rec.issuer_spki.data, rec.issuer_spki.len, hash) != 0)
        goto out;
    ocv_hex_encode(hash, sizeof(hash), hex);
    mbedtls_x509_buf spki = {MBEDTLS_ASN1_SEQUENCE, rec.issuer_spki.len, rec.issuer_spki.data};
    if (strcmp(hex, rec.issuer) != 0 ||
        mbedtls_x509_crl_parse_der(&crl, rec.der.data, rec.der.len) != 0 || crl.next != NULL ||
        crl_number(&crl, &num, &num_len) != 0 ||
        ocv_x509_check_signature(crl.sig_pk, crl.sig_opts, crl.sig_md, &spki, crl.tbs.p,
                                 crl.tbs.len, crl.sig.p, crl.sig.len, NULL) != OCV_OK) {
        ocv_errf(detail, detail_len,
                 "CRL of %.16s...: the stored CRL does not verify with its issuer's key", issuer);
        goto out;
    }
    if (rec.this_update != ocv_x509_time_to_unix(&crl.this_update) ||
        rec.next_update != ocv_x509_time_to_unix(&crl.next_update) ||
        compare_numbers(num, num_len, rec.number.data, rec.number.len) != 0) {
        ocv_errf(detail, detail_len, "CRL of %.16s...: the record differs from the signed CRL",
                 issuer);
        goto out;
    }
    r = check_rows(store, &rec, &crl, detail, detail_len);
out:
    mbedtls_x509_crl_free(&crl);
    ocv_crl_record_free(&rec);
    return r;
}
