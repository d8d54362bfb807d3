#include "receipt.h"

#include <string.h>

#include "base/cbor_stream.h"
#include "base/util.h"
#include "verifier/cose_sign1.h"
#include "verifier/sigalg.h"

ocv_reason ocv_receipt_create(ocv_store *store, const char *authority, const char *device_id,
                              const ocv_pkey *device_key, int64_t now, ocv_bytes *out)
{
    ocv_bytes_init(out);
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
    ocv_cbor_out_map(&w, 7);
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

static int decode(const uint8_t *p, size_t len, ocv_receipt *out)
{
    ocv_cbor_pull r;
    ocv_cbor_pull_init(&r, p, len);
    ocv_cbor_item it, digest;
    if (ocv_cbor_pull_expect(&r, OCV_CBOR_MAP, &it) != 0 || it.u != 7 ||
        read_text(&r, 1, &out->device_id, &out->device_id_len) != 0 ||
        read_text(&r, 2, &out->authority, &out->authority_len) != 0 ||
        read_uint(&r, 3, &out->sequence) != 0 || read_key(&r, 4) != 0 ||
        ocv_cbor_pull_expect(&r, OCV_CBOR_BYTES, &digest) != 0 ||
        digest.len != OCV_STATE_DIGEST_BYTES || read_uint(&r, 5, &out->applied_at) != 0 ||
        read_uint(&r, 6, &out->clock_floor) != 0 || read_uint(&r, 7, &out->issued_at) != 0 ||
        !ocv_cbor_pull_done(&r))
        return -1;
    memcpy(out->state_digest, digest.p, OCV_STATE_DIGEST_BYTES);
    return 0;
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
        ocv_errf(detail, detail_len, "the receipt is not signed by this device key");
        return r == OCV_ALG_NOT_ALLOWED ? r : OCV_SIGNATURE_INVALID;
    }
    if (decode(msg.payload, msg.payload_len, out) != 0 || msg.kid_len != out->device_id_len ||
        memcmp(msg.kid, out->device_id, msg.kid_len) != 0) {
        memset(out, 0, sizeof(*out));
        ocv_errf(detail, detail_len, "the receipt's payload is malformed");
        return OCV_MALFORMED;
    }
    return OCV_OK;
}
