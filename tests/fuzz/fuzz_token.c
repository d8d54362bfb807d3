/*
 * fuzz_token.c - libFuzzer target for the token parsers (JWS compact,
 * CWT binary and base64url) and, when parsing succeeds, verification
 * against an empty key set: nothing may verify, nothing may crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "verifier/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ocv_token t;
    ocv_claims claims;
    char detail[256];
    if (ocv_token_parse(data, size, &t, &claims, detail, sizeof(detail)) == OCV_OK) {
        ocv_keyset none;
        ocv_keyset_init(&none);
        if (ocv_token_verify(&t, &none, detail, sizeof(detail)) == OCV_OK)
            abort();
    }
    ocv_token_free(&t);
    return 0;
}
