/*
 * fuzz_receipt.c - libFuzzer target for sync receipts: the COSE_Sign1
 * envelope, then the payload grammar (keys 1..7, optional 8..10).
 */
#include <stddef.h>
#include <stdint.h>

#include "revocation/receipt.h"
#include "verifier/cose_sign1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char detail[256];
    ocv_sign1 msg;
    ocv_receipt rc;
    if (ocv_sign1_parse(data, size, &msg, detail, sizeof(detail)) == OCV_OK &&
        ocv_receipt_decode(msg.payload, msg.payload_len, &rc) == OCV_OK && rc.nonce != NULL &&
        rc.nonce_len == 0)
        __builtin_trap(); /* a decoded nonce is never empty */
    if (ocv_receipt_decode(data, size, &rc) == OCV_OK && rc.device_id_len == 0)
        __builtin_trap(); /* nor is a device id */
    return 0;
}
