/*
 * fuzz_receipt.c - libFuzzer target for sync receipts (ocv receipt
 * verify): the bytes are verified as a receipt with the fuzz device key
 * (fuzz_support.h); then, so that mutated payloads reach the payload
 * decoder past the signature, the payload (of the input when it parses as
 * a COSE_Sign1, else the whole input) is signed afresh with that key
 * under the input's kid and verified again. Any crash, leak, hang or
 * sanitizer report is a bug; so is an OK receipt whose fields break the
 * format (empty or oversized ids, a kid other than the device id).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "fuzz_support.h"
#include "revocation/receipt.h"
#include "verifier/cose_sign1.h"
#include "verifier/pkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ocv_pkey *device_key(void)
{
    static ocv_pkey key;
    static int loaded;
    if (!loaded) {
        char err[256];
        ocv_pkey_init(&key);
        if (ocv_pkey_parse((const uint8_t *)fuzz_device_key_pem, sizeof(fuzz_device_key_pem) - 1,
                           1, 0, &key, err, sizeof(err)) != OCV_OK)
            abort();
        loaded = 1;
    }
    return &key;
}

static void check(const uint8_t *data, size_t size)
{
    ocv_receipt rc;
    char detail[256];
    if (ocv_receipt_verify(data, size, device_key(), &rc, detail, sizeof(detail)) != OCV_OK)
        return;
    if (rc.device_id_len == 0 || rc.device_id_len > OCV_MAX_AUTHORITY_ID_BYTES ||
        rc.authority_len == 0 || rc.authority_len > OCV_MAX_AUTHORITY_ID_BYTES ||
        rc.sequence < 0 || rc.applied_at < 0 || rc.clock_floor < 0 || rc.issued_at < 0)
        abort();
    ocv_sign1 msg;
    if (ocv_sign1_parse(data, size, &msg, detail, sizeof(detail)) != OCV_OK ||
        msg.kid_len != rc.device_id_len || memcmp(msg.kid, rc.device_id, msg.kid_len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size);
    ocv_sign1 msg;
    char detail[256];
    const uint8_t *payload = data, *kid = (const uint8_t *)"device-1";
    size_t payload_len = size, kid_len = 8;
    if (ocv_sign1_parse(data, size, &msg, detail, sizeof(detail)) == OCV_OK) {
        payload = msg.payload;
        payload_len = msg.payload_len;
        kid = msg.kid;
        kid_len = msg.kid_len;
    }
    ocv_bytes signed_again;
    if (ocv_sign1_create(OCV_ALG_EDDSA, device_key(), kid, kid_len, payload, payload_len,
                         &signed_again) == OCV_OK) {
        check(signed_again.data, signed_again.len);
        ocv_bytes_free(&signed_again);
    }
    return 0;
}
