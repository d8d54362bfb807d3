#include "receipt.h"

#include <string.h>

#include "base/cbor_stream.h"
#include "base/util.h"
#include "verifier/cose_sign1.h"
#include "verifier/sigalg.h"

ocv_reason ocv_receipt_create(ocv_store *store, const char *authority, const char *device_id,
                              const ocv_pkey *device_key, int64_t now,
                              const ocv_receipt_extras *extras, ocv_bytes *out)
{
    ocv_bytes_init(out);
    ocv_receipt_extras none;
    memset(&none, 0, sizeof(none));
    const ocv_receipt_extras *x = extras ? extras : &none;
    if (x->nonce != NULL &&
        (strlen(x->nonce) == 0 || strlen(x->nonce) > OCV_MAX_RECEIPT_NONCE_BYTES))
        return OCV_MALFORMED;
    ocv_authority_state a;
    ocv_reason r = ocv_store_get_authority(store, authority, &a);
    if (r != OCV_OK)
        return r;
    int64_t floor = 0;
    r = ocv_store_get_clock_floor(store, &floor);
    if (r != OCV_OK) {
        ocv_authority_state_free(&a);
        return r;
    }
    ocv_cbor_out w;
    ocv_cbor_out_init(&w);
    ocv_cbor_out_map(&w, 7 + (x->nonce != NULL) + 2 * (x->has_audit_head != 0));
    ocv_cbor_out_uint(&w, 1);
    ocv_cbor_out_text(&w, device_id, strlen(device_id));
    ocv_cbor_out_uint(&w, 2);
    ocv_cbor_out_text(&w, authority, strlen(authority));
    ocv_cbor_out_uint(&w, 3);
    ocv_cbor_out_uint(&w, (uint64_t)a.sequence);
    ocv_cbor_out_uint(&w, 4);
    ocv_cbor_out_bytes(&w, a.digest, sizeof(a.digest));
    ocv_cbor_out_uint(&w, 5);
    ocv_cbor_out_uint(&w, (uint64_t)a.applied_at);
    ocv_cbor_out_uint(&w, 6);
    ocv_cbor_out_uint(&w, (uint64_t)floor);
    ocv_cbor_out_uint(&w, 7);
    ocv_cbor_out_uint(&w, (uint64_t)now);
    if (x->nonce != NULL) {
        ocv_cbor_out_uint(&w, 8);
        ocv_cbor_out_text(&w, x->nonce, strlen(x->nonce));
    }
    if (x->has_audit_head) {
        ocv_cbor_out_uint(&w, 9);
        ocv_cbor_out_uint(&w, (uint64_t)x->audit_count);
        ocv_cbor_out_uint(&w, 10);
        ocv_cbor_out_bytes(&w, x->audit_head, sizeof(x->audit_head));
    }
    ocv_authority_state_free(&a);
    ocv_bytes payload;
    r = ocv_cbor_out_finish(&w, &payload);
    if (r != OCV_OK)
        return r;
    r = ocv_sign1_create(ocv_alg_for_key(device_key), device_key, (const uint8_t *)device_id,
                         strlen(device_id), payload.data, payload.len, out);
    ocv_bytes_free(&payload);
    return r;
}

static int read_key(ocv_cbor_pull *r, uint64_t want)
{
    ocv_cbor_item it;
    return ocv_cbor_pull_expect(r, OCV_CBOR_UINT, &it) == 0 && it.u == want ? 0 : -1;
}

static int read_uint(ocv_cbor_pull *r, uint64_t key, int64_t *out)
{
    ocv_cbor_item it;
    if (read_key(r, key) != 0 || ocv_cbor_pull_expect(r, OCV_CBOR_UINT, &it) != 0 ||
        it.u > INT64_MAX)
        return -1;
    *out = (int64_t)it.u;
    return 0;
}

static int read_text(ocv_cbor_pull *r, uint64_t key, const char **p, size_t *len)
{
    ocv_cbor_item it;
    if (read_key(r, key) != 0 || ocv_cbor_pull_expect(r, OCV_CBOR_TEXT, &it) != 0 || it.len == 0 ||
        it.len > OCV_MAX_AUTHORITY_ID_BYTES)
        return -1;
    *p = (const char *)it.p;
    *len = it.len;
    return 0;
}

/* The optional keys 8..10 after key 7, in order; 9 and 10 together. */
static int decode_extras(ocv_cbor_pull *r, uint64_t pairs, ocv_receipt *out)
{
    ocv_cbor_item it, v;
    uint64_t last = 7;
    int seen9 = 0, seen10 = 0;
    for (uint64_t i = 0; i < pairs; i++) {
        if (ocv_cbor_pull_expect(r, OCV_CBOR_UINT, &it) != 0 || it.u <= last || it.u > 10)
            return -1;
        last = it.u;
        if (it.u == 8) {
            if (ocv_cbor_pull_expect(r, OCV_CBOR_TEXT, &v) != 0 || v.len == 0 ||
                v.len > OCV_MAX_RECEIPT_NONCE_BYTES)
                return -1;
            out->nonce = (const char *)v.p;
            out->nonce_len = v.len;
        } else if (it.u == 9) {
            if (ocv_cbor_pull_expect(r, OCV_CBOR_UINT, &v) != 0 || v.u > INT64_MAX)
                return -1;
            out->audit_count = (int64_t)v.u;
            seen9 = 1;
        } else {
            if (ocv_cbor_pull_expect(r, OCV_CBOR_BYTES, &v) != 0 || v.len != 32)
                return -1;
            memcpy(out->audit_head, v.p, 32);
            seen10 = 1;
        }
    }
    out->has_audit_head = seen9 && seen10;
    return seen9 == seen10 ? 0 : -1;
}

static int decode(const uint8_t *p, size_t len, ocv_receipt *out)
{
    ocv_cbor_pull r;
    ocv_cbor_pull_init(&r, p, len);
    ocv_cbor_item it, digest;
    if (ocv_cbor_pull_expect(&r, OCV_CBOR_MAP, &it) != 0 || it.u < 7 || it.u > 10 ||
        read_text(&r, 1, &out->device_id, &out->device_id_len) != 0 ||
        read_text(&r, 2, &out->authority, &out->authority_len) != 0 ||
        read_uint(&r, 3, &out->sequence) != 0 || read_key(&r, 4) != 0 ||
        ocv_cbor_pull_expect(&r, OCV_CBOR_BYTES, &digest) != 0 ||
        digest.len != OCV_STATE_DIGEST_BYTES || read_uint(&r, 5, &out->applied_at) != 0 ||
        read_uint(&r, 6, &out->clock_floor) != 0 || read_uint(&r, 7, &out->issued_at) != 0 ||
        decode_extras(&r, it.u - 7, out) != 0 || !ocv_cbor_pull_done(&r))
        return -1;
    memcpy(out->state_digest, digest.p, OCV_STATE_DIGEST_BYTES);
    return 0;
}

ocv_reason ocv_receipt_decode(const uint8_t *payload, size_t len, ocv_receipt *out)
{
    memset(out, 0, sizeof(*out));
    if (decode(payload, len, out) != 0) {
        memset(out, 0, sizeof(*out));
        return OCV_MALFORMED;
    }
    return OCV_OK;
}

ocv_reason ocv_receipt_verify(const uint8_t *bytes, size_t len, const ocv_pkey *device_pub,
                              ocv_receipt *out, char *detail, size_t detail_len)
{
    memset(out, 0, sizeof(*out));
    ocv_sign1 msg;
    ocv_reason r = ocv_sign1_parse(bytes, len, &msg, detail, detail_len);
    if (r != OCV_OK)
        return r == OCV_ALG_NOT_ALLOWED ? r : OCV_MALFORMED;
    r = ocv_sign1_verify(&msg, device_pub);
    if (r != OCV_OK) {
        /* a key of another type cannot fit the receipt's algorithm: that is
         * still "not this device's signature", never an algorithm refusal */
        ocv_errf(detail, detail_len, "the receipt's signature does not verify with this key");
        return OCV_SIGNATURE_INVALID;
    }
    if (decode(msg.payload, msg.payload_len, out) != 0 || msg.kid_len != out->device_id_len ||
        memcmp(msg.kid, out->device_id, msg.kid_len) != 0) {
        memset(out, 0, sizeof(*out));
        ocv_errf(detail, detail_len, "the receipt's payload is malformed");
        return OCV_MALFORMED;
    }
    return OCV_OK;
}
