/*
 * fuzz_bundle.c - libFuzzer target for the revocation bundle envelope and
 * payload decoders (COSE_Sign1 parse, then the payload grammar), on the
 * signed envelope's payload and on the raw bytes. A payload that decodes
 * must survive a round trip: encoding it and decoding the encoding gives
 * the same encoding again (the codec has one form per bundle). Any crash,
 * leak, hang or sanitizer report is a bug, and so is a failed round trip.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "revocation/bundle.h"
#include "verifier/cose_sign1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(const uint8_t *payload, size_t len)
{
    char detail[256];
    ocv_bundle b;
    if (ocv_bundle_decode(payload, len, &b, detail, sizeof(detail)) != OCV_OK)
        return;
    ocv_bytes once, twice;
    if (ocv_bundle_encode(&b, &once) != OCV_OK)
        abort();
    ocv_bundle again;
    if (ocv_bundle_decode(once.data, once.len, &again, detail, sizeof(detail)) != OCV_OK)
        abort(); /* ocv refuses what ocv wrote */
    if (ocv_bundle_encode(&again, &twice) != OCV_OK || twice.len != once.len ||
        memcmp(twice.data, once.data, once.len) != 0)
        abort(); /* two encodings of one bundle */
    ocv_bytes_free(&twice);
    ocv_bundle_free(&again);
    ocv_bytes_free(&once);
    ocv_bundle_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char detail[256];
    ocv_sign1 msg;
    if (ocv_sign1_parse(data, size, &msg, detail, sizeof(detail)) == OCV_OK)
        decode(msg.payload, msg.payload_len);
    decode(data, size);
    return 0;
}
