/*
 * fuzz_x509.c - libFuzzer target for the X.509 credential parser: the
 * bytes are split in two at the first 0xff byte (leaf, intermediates),
 * parsed, and, when parsing succeeds, verified against no anchors. Any
 * crash, leak, hang or sanitizer report is a bug; an OK is impossible.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verifier/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *split = memchr(data, 0xff, size);
    size_t leaf_len = split ? (size_t)(split - data) : size;
    const uint8_t *inter = split ? split + 1 : NULL;
    size_t inter_len = split ? size - leaf_len - 1 : 0;
    ocv_x509_options opt = {1800000000, 60, OCV_EKU_CLIENT_AUTH, OCV_IDENTITY_FALLBACK_DNS, NULL, 0};
    ocv_x509_chain chain;
    ocv_x509_chain_init(&chain);
    ocv_claims claims;
    char detail[256];
    ocv_reason r = ocv_x509_parse(data, leaf_len, inter, inter_len, &opt, &chain, &claims,
                                  detail, sizeof(detail));
    if (r == OCV_OK) {
        ocv_x509_anchors none;
        ocv_x509_anchors_init(&none);
        if (ocv_x509_verify_chain(&chain, &none, &opt, &claims, detail, sizeof(detail)) == OCV_OK)
            abort(); /* no anchors: nothing may verify */
    }
    ocv_x509_chain_free(&chain);
    return 0;
}
