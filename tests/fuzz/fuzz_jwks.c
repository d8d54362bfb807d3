/*
 * fuzz_jwks.c - libFuzzer target for the JWK Set loader (ocv_keyset_parse
 * on JSON input; fuzz_cose_keyset covers the CBOR side of the same entry
 * point). A set that loads is then asked for a key by kid and without.
 * Any crash, leak, hang or sanitizer report is a bug, and so is a loaded
 * set with more than OCV_MAX_KEYSET_KEYS keys. (An empty set loads: an
 * empty "keys" array and an empty CBOR array are both well-formed.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "verifier/keyset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ocv_keyset set;
    ocv_keyset_init(&set);
    char err[256];
    if (ocv_keyset_parse(data, size, &set, err, sizeof(err)) == OCV_OK && set.count > 0) {
        if (set.count > OCV_MAX_KEYSET_KEYS)
            abort();
        const ocv_trusted_key *k = NULL;
        const ocv_trusted_key *first = &set.keys[0];
        ocv_reason r = ocv_keyset_select(&set, (const uint8_t *)first->kid, first->kid_len,
                                         OCV_ALG_ES256, &k, err, sizeof(err));
        if (r == OCV_OK && k == NULL)
            abort();
        r = ocv_keyset_select(&set, NULL, 0, OCV_ALG_EDDSA, &k, err, sizeof(err));
        (void)r;
        uint8_t thumb[32];
        r = ocv_jwk_thumbprint(&first->key, thumb);
        (void)r;
    }
    ocv_keyset_free(&set);
    return 0;
}
