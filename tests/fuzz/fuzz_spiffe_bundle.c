/*
 * fuzz_spiffe_bundle.c - libFuzzer target for the SPIFFE bundle reader
 * (ocv_trust_bundle_parse: a JWK Set of x509-svid keys with x5c and
 * jwt-svid keys with kid, spiffe_sequence, spiffe_refresh_hint). Any crash,
 * leak, hang or sanitizer report is a bug, and so is a bundle that loads
 * with neither a key nor an anchor, or a jwt-svid key without a kid.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verifier/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ocv_trust_source s;
    memset(&s, 0, sizeof(s));
    ocv_keyset_init(&s.keys);
    ocv_x509_anchors_init(&s.anchors);
    char err[256];
    if (ocv_trust_bundle_parse(&s, data, size, err, sizeof(err)) == OCV_OK) {
        if (s.keys.count == 0 && s.anchors.count == 0)
            abort();
        for (size_t i = 0; i < s.keys.count; i++) {
            if (s.keys.keys[i].kid_len == 0)
                abort();
        }
    }
    ocv_keyset_free(&s.keys);
    ocv_x509_anchors_free(&s.anchors);
    return 0;
}
