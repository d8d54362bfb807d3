#include "cose_sign1.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "base/cbor_stream.h"
#include "base/util.h"
#include "verifier/sigalg.h"

enum { LABEL_ALG = 1, LABEL_CRIT = 2, LABEL_CONTENT_TYPE = 3, LABEL_KID = 4, LABEL_TYP = 16 };
enum { TAG_COSE_SIGN = 98, TAG_COSE_SIGN1 = 18 };

#define MAX_HEADER_LABELS 8
#define MAX_KID_BYTES     256

static ocv_reason malformed(char *detail, size_t detail_len, const char *what)
{
    ocv_errf(detail, detail_len, "COSE_Sign1: %s", what);
    return OCV_MALFORMED;
}

/* One header value we keep or skip: alg (int), kid (bstr), content type
 * and typ (uint or tstr, protected only). */
static ocv_reason header_value(ocv_cbor_pull *r, uint64_t label, int protected_map, ocv_sign1 *out,
                               char *detail, size_t detail_len)
{
    ocv_cbor_item v;
    if (ocv_cbor_pull_next(r, &v) != 0)
        return malformed(detail, detail_len, "truncated header");
    switch (label) {
    case LABEL_ALG: {
        if (!protected_map)
            return malformed(detail, detail_len, "alg outside the protected header");
        const ocv_alg_info *info = NULL;
        if (v.kind == OCV_CBOR_NEGINT && v.u < INT64_MAX)
            info = ocv_alg_by_cose(-1 - (int64_t)v.u);
        else if (v.kind == OCV_CBOR_UINT && v.u < INT64_MAX)
            info = ocv_alg_by_cose((int64_t)v.u);
        if (info == NULL) {
            ocv_errf(detail, detail_len, "COSE_Sign1: algorithm not allowed");
            return OCV_ALG_NOT_ALLOWED;
        }
        out->alg = info->alg;
        return OCV_OK;
    }
    case LABEL_KID:
        if (v.kind != OCV_CBOR_BYTES || v.len == 0 || v.len > MAX_KID_BYTES)
            return malformed(detail, detail_len, "kid is not a byte string of 1..256 bytes");
        out->kid = v.p;
        out->kid_len = v.len;
        return OCV_OK;
    case LABEL_CONTENT_TYPE:
        if (!protected_map || (v.kind != OCV_CBOR_UINT && v.kind != OCV_CBOR_TEXT))
            return malformed(detail, detail_len, "bad content type");
        return OCV_OK;
    case LABEL_TYP: /* RFC 9596: the media type of the whole message */
        if (!protected_map || (v.kind != OCV_CBOR_UINT && v.kind != OCV_CBOR_TEXT))
            return malformed(detail, detail_len, "bad typ (RFC 9596)");
        return OCV_OK;
    default:
        return malformed(detail, detail_len,
                         label == LABEL_CRIT ? "crit is not supported" : "unknown header label");
    }
}

static ocv_reason parse_header_map(ocv_cbor_pull *r, int protected_map, ocv_sign1 *out,
                                   char *detail, size_t detail_len)
{
    ocv_cbor_item it;
    if (ocv_cbor_pull_expect(r, OCV_CBOR_MAP, &it) != 0 || it.u > MAX_HEADER_LABELS)
        return malformed(detail, detail_len, "header is not a small map");
    uint64_t seen[MAX_HEADER_LABELS];
    for (uint64_t i = 0; i < it.u; i++) {
        ocv_cbor_item key;
        if (ocv_cbor_pull_expect(r, OCV_CBOR_UINT, &key) != 0)
            return malformed(detail, detail_len, "header label is not a small integer");
        for (uint64_t j = 0; j < i; j++) {
            if (seen[j] == key.u)
                return malformed(detail, detail_len, "duplicate header label");
        }
        seen[i] = key.u;
        if (!protected_map && key.u != LABEL_KID)
            return malformed(detail, detail_len, "unprotected header may carry only kid");
        ocv_reason rr = header_value(r, key.u, protected_map, out, detail, detail_len);
        if (rr != OCV_OK)
            return rr;
    }
    return OCV_OK;
}

static ocv_reason parse_protected(const uint8_t *p, size_t len, ocv_sign1 *out, char *detail,
                                  size_t detail_len)
{
    /* RFC 9052 §3: a zero-length protected header is the empty map */
    if (len > 0) {
        ocv_cbor_pull r;
        ocv_cbor_pull_init(&r, p, len);
        ocv_reason rr = parse_header_map(&r, 1, out, detail, detail_len);
        if (rr != OCV_OK)
            return rr;
        if (!ocv_cbor_pull_done(&r))
            return malformed(detail, detail_len, "bytes after the protected header map");
    }
    if (out->alg == OCV_ALG_NONE) {
        ocv_errf(detail, detail_len, "COSE_Sign1: no alg in the protected header");
        return OCV_ALG_NOT_ALLOWED;
    }
    return OCV_OK;
}

ocv_reason ocv_sign1_parse(const uint8_t *in, size_t len, ocv_sign1 *out, char *detail,
                           size_t detail_len)
{
    memset(out, 0, sizeof(*out));
    ocv_cbor_pull r;
    ocv_cbor_pull_init(&r, in, len);
    ocv_cbor_item it;
    if (ocv_cbor_pull_next(&r, &it) != 0)
        return malformed(detail, detail_len, "not CBOR");
    if (it.kind == OCV_CBOR_TAG) {
        if (it.u == TAG_COSE_SIGN) {
            ocv_errf(detail, detail_len, "COSE_Sign (several signers) is not supported");
            return OCV_UNSUPPORTED_FORMAT;
        }
        if (it.u != TAG_COSE_SIGN1) {
            ocv_errf(detail, detail_len, "CBOR tag %llu is not COSE_Sign1",
                     (unsigned long long)it.u);
            return OCV_UNSUPPORTED_FORMAT;
        }
        if (ocv_cbor_pull_next(&r, &it) != 0)
            return malformed(detail, detail_len, "truncated");
    }
    if (it.kind != OCV_CBOR_ARRAY || it.u != 4)
        return malformed(detail, detail_len, "not an array of four");
    ocv_cbor_item prot, payload, sig;
    if (ocv_cbor_pull_expect(&r, OCV_CBOR_BYTES, &prot) != 0)
        return malformed(detail, detail_len, "protected header is not a byte string");
    ocv_reason rr = parse_protected(prot.p, prot.len, out, detail, detail_len);
    if (rr != OCV_OK)
        return rr;
    const uint8_t *protected_kid = out->kid;
    rr = parse_header_map(&r, 0, out, detail, detail_len);
    if (rr != OCV_OK)
        return rr;
    if (protected_kid != NULL && out->kid != protected_kid)
        return malformed(detail, detail_len, "kid in both headers");
    if (ocv_cbor_pull_expect(&r, OCV_CBOR_BYTES, &payload) != 0)
        return malformed(detail, detail_len, "payload is not a byte string (detached?)");
    if (ocv_cbor_pull_expect(&r, OCV_CBOR_BYTES, &sig) != 0)
        return malformed(detail, detail_len, "signature is not a byte string");
    if (!ocv_cbor_pull_done(&r))
        return malformed(detail, detail_len, "trailing bytes");
    out->protected_raw = prot.p;
    out->protected_len = prot.len;
    out->payload = payload.p;
    out->payload_len = payload.len;
    out->signature = sig.p;
    out->signature_len = sig.len;
    return OCV_OK;
}

/* Sig_structure = ["Signature1", body_protected, external_aad, payload] */
static ocv_reason sig_structure(const uint8_t *prot, size_t prot_len, const uint8_t *payload,
                                size_t payload_len, ocv_bytes *out)
{
    ocv_cbor_out w;
    ocv_cbor_out_init(&w);
    ocv_cbor_out_array(&w, 4);
    ocv_cbor_out_text(&w, "Signature1", 10);
    ocv_cbor_out_bytes(&w, prot, prot_len);
    ocv_cbor_out_bytes(&w, NULL, 0);
    ocv_cbor_out_bytes(&w, payload, payload_len);
    return ocv_cbor_out_finish(&w, out);
}

ocv_reason ocv_sign1_to_be_signed(const ocv_sign1 *msg, ocv_bytes *out)
{
    return sig_structure(msg->protected_raw, msg->protected_len, msg->payload, msg->payload_len,
                         out);
}

ocv_reason ocv_sign1_verify(const ocv_sign1 *msg, const ocv_pkey *key)
{
    ocv_bytes tbs;
    ocv_reason r =
        sig_structure(msg->protected_raw, msg->protected_len, msg->payload, msg->payload_len, &tbs);
    if (r != OCV_OK)
        return r;
    r = ocv_sig_verify(msg->alg, key, tbs.data, tbs.len, msg->signature, msg->signature_len);
    ocv_bytes_free(&tbs);
    return r;
}

/* The Sig_structure up to the payload's content: the array head,
 * "Signature1", the protected bstr, the empty external AAD and the
 * payload's bstr head (RFC 8949 §3: major type 2, shortest length). */
static ocv_reason sig_structure_head(const ocv_sign1 *msg, ocv_bytes *out)
{
    ocv_cbor_out w;
    ocv_cbor_out_init(&w);
    ocv_cbor_out_array(&w, 4);
    ocv_cbor_out_text(&w, "Signature1", 10);
    ocv_cbor_out_bytes(&w, msg->protected_raw, msg->protected_len);
    ocv_cbor_out_bytes(&w, NULL, 0);
    uint8_t head[9];
    size_t n = 0;
    uint64_t len = msg->payload_len;
    if (len < 24) {
        head[n++] = (uint8_t)(0x40 | len);
    } else {
        int bytes = len <= 0xff ? 1 : len <= 0xffff ? 2 : len <= 0xffffffffu ? 4 : 8;
        head[n++] = (uint8_t)(0x40 | (bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27));
        for (int i = bytes - 1; i >= 0; i--)
            head[n++] = (uint8_t)(len >> (8 * i));
    }
    ocv_cbor_out_raw(&w, head, n);
    return ocv_cbor_out_finish(&w, out);
}

#define STREAM_CHUNK (1u << 20)

/* EdDSA signs the message itself, twice over, so it needs it whole: the
 * Sig_structure is assembled once on the heap while the caller drops the
 * pages already copied (one copy, never two). */
static ocv_reason verify_assembled(const ocv_sign1 *msg, const ocv_pkey *key,
                                   const ocv_bytes *head, ocv_sign1_passed passed, void *arg)
{
    size_t total = head->len + msg->payload_len;
    if (total < head->len)
        return OCV_TOO_LARGE;
    uint8_t *tbs = malloc(total ? total : 1);
    if (tbs == NULL)
        return OCV_INTERNAL_ERROR;
    memcpy(tbs, head->data, head->len);
    for (size_t off = 0; off < msg->payload_len; off += STREAM_CHUNK) {
        size_t n = msg->payload_len - off < STREAM_CHUNK ? msg->payload_len - off : STREAM_CHUNK;
        memcpy(tbs + head->len + off, msg->payload + off, n);
        if (passed != NULL)
            passed(msg->payload + off, n, arg);
    }
    ocv_reason r = ocv_sig_verify(msg->alg, key, tbs, total, msg->signature, msg->signature_len);
    free(tbs);
    return r;
}

/* ECDSA verifies a digest: the Sig_structure is hashed as a stream, in
 * memory independent of the payload's size. */
static ocv_reason verify_hashed(const ocv_sign1 *msg, const ocv_pkey *key,
                                const mbedtls_md_info_t *md, const ocv_bytes *head,
                                ocv_sign1_passed passed, void *arg)
{
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    uint8_t digest[MBEDTLS_MD_MAX_SIZE];
    int rc = mbedtls_md_setup(&ctx, md, 0) || mbedtls_md_starts(&ctx) ||
             mbedtls_md_update(&ctx, head->data, head->len);
    for (size_t off = 0; rc == 0 && off < msg->payload_len; off += STREAM_CHUNK) {
        size_t n = msg->payload_len - off < STREAM_CHUNK ? msg->payload_len - off : STREAM_CHUNK;
        rc = mbedtls_md_update(&ctx, msg->payload + off, n);
        if (passed != NULL)
            passed(msg->payload + off, n, arg);
    }
    if (rc == 0)
        rc = mbedtls_md_finish(&ctx, digest);
    mbedtls_md_free(&ctx);
    if (rc != 0)
        return OCV_INTERNAL_ERROR;
    return ocv_sig_verify_ecdsa_digest(msg->alg, key, digest, mbedtls_md_get_size(md),
                                       msg->signature, msg->signature_len);
}

ocv_reason ocv_sign1_verify_streamed(const ocv_sign1 *msg, const ocv_pkey *key,
                                     ocv_sign1_passed passed, void *arg)
{
    const ocv_alg_info *info = ocv_alg_info_of(msg->alg);
    if (info == NULL)
        return OCV_ALG_NOT_ALLOWED;
    ocv_bytes head;
    ocv_reason r = sig_structure_head(msg, &head);
    if (r != OCV_OK)
        return r;
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(info->md);
    int ecdsa = info->key_type == OCV_KEY_EC_P256 || info->key_type == OCV_KEY_EC_P384 ||
                info->key_type == OCV_KEY_EC_P521;
    r = ecdsa && md != NULL ? verify_hashed(msg, key, md, &head, passed, arg)
                            : verify_assembled(msg, key, &head, passed, arg);
    ocv_bytes_free(&head);
    return r;
}

ocv_reason ocv_sign1_create(ocv_alg alg, const ocv_pkey *key, const uint8_t *kid, size_t kid_len,
                            const uint8_t *payload, size_t payload_len, ocv_bytes *out)
{
    ocv_bytes_init(out);
    const ocv_alg_info *info = ocv_alg_info_of(alg);
    if (info == NULL || kid_len == 0 || kid_len > MAX_KID_BYTES)
        return OCV_ALG_NOT_ALLOWED;
    ocv_cbor_out hw;
    ocv_cbor_out_init(&hw);
    ocv_cbor_out_map(&hw, 2);
    ocv_cbor_out_uint(&hw, LABEL_ALG);
    if (info->cose < 0)
        ocv_cbor_out_negint(&hw, (uint64_t)(-1 - info->cose));
    else
        ocv_cbor_out_uint(&hw, (uint64_t)info->cose);
    ocv_cbor_out_uint(&hw, LABEL_KID);
    ocv_cbor_out_bytes(&hw, kid, kid_len);
    ocv_bytes prot, tbs, sig;
    ocv_reason r = ocv_cbor_out_finish(&hw, &prot);
    if (r != OCV_OK)
        return r;
    r = sig_structure(prot.data, prot.len, payload, payload_len, &tbs);
    if (r == OCV_OK) {
        r = ocv_sig_sign(alg, key, tbs.data, tbs.len, &sig);
        ocv_bytes_free(&tbs);
    }
    if (r == OCV_OK) {
        ocv_cbor_out w;
        ocv_cbor_out_init(&w);
        ocv_cbor_out_tag(&w, TAG_COSE_SIGN1);
        ocv_cbor_out_array(&w, 4);
        ocv_cbor_out_bytes(&w, prot.data, prot.len);
        ocv_cbor_out_map(&w, 0);
        ocv_cbor_out_bytes(&w, payload, payload_len);
        ocv_cbor_out_bytes(&w, sig.data, sig.len);
        ocv_bytes_free(&sig);
        r = ocv_cbor_out_finish(&w, out);
    }
    ocv_bytes_free(&prot);
    return r;
}
