/*
 * fuzz_keyset.c - libFuzzer target for the issuer key loaders (JWK Set
 * and COSE_KeySet).
 */
#include <stddef.h>
#include <stdint.h>

#include "verifier/keyset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ocv_keyset set;
    ocv_keyset_init(&set);
    char err[256];
    if (ocv_keyset_parse(data, size, &set, err, sizeof(err)) == OCV_OK)
        ocv_keyset_free(&set);
    ocv_keyset_free(&set);
    return 0;
}
