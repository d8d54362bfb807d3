/*
 * fuzz_bundle.c - libFuzzer target for the revocation bundle envelope and
 * payload decoders (COSE_Sign1 parse, then the payload grammar).
 */
#include <stddef.h>
#include <stdint.h>

#include "revocation/bundle.h"
#include "verifier/cose_sign1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char detail[256];
    ocv_sign1 msg;
    if (ocv_sign1_parse(data, size, &msg, detail, sizeof(detail)) == OCV_OK) {
        ocv_bundle b;
        if (ocv_bundle_decode(msg.payload, msg.payload_len, &b, detail, sizeof(detail)) == OCV_OK)
            ocv_bundle_free(&b);
    }
    ocv_bundle b;
    if (ocv_bundle_decode(data, size, &b, detail, sizeof(detail)) == OCV_OK)
        ocv_bundle_free(&b);
    return 0;
}
