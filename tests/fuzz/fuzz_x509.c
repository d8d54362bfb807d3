/*
 * fuzz_x509.c - libFuzzer target for the X.509 credential parser and path
 * validation. Input: a 2-byte big-endian length L, then L bytes of leaf
 * (PEM or DER; clamped to what is there), then the intermediates. What
 * parses is verified against the fuzz root (fuzz_support.h) at FUZZ_AT,
 * so the seeds (tests/fuzz/corpus/x509) reach the chain and leaf rules.
 * Any crash, leak, hang or sanitizer report is a bug, and so is an OK
 * chain without a path, or whose path does not end at the anchor.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "verifier/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ocv_x509_anchors *fuzz_anchors(void)
{
    static ocv_x509_anchors anchors;
    static int loaded;
    if (!loaded) {
        char err[256];
        ocv_x509_anchors_init(&anchors);
        const char *path = fuzz_scratch("root.pem", (const uint8_t *)fuzz_root_pem,
                                        sizeof(fuzz_root_pem) - 1);
        if (ocv_x509_anchors_load(&anchors, path, err, sizeof(err)) != OCV_OK)
            abort();
        loaded = 1;
    }
    return &anchors;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ocv_x509_anchors *anchors = fuzz_anchors();
    if (size < 2)
        return 0;
    size_t leaf_len = ((size_t)data[0] << 8) | data[1];
    const uint8_t *leaf = data + 2;
    size -= 2;
    if (leaf_len > size)
        leaf_len = size;
    const uint8_t *inter = leaf + leaf_len;
    size_t inter_len = size - leaf_len;
    ocv_x509_options opt = {FUZZ_AT, 60, OCV_EKU_CLIENT_AUTH,
                            OCV_IDENTITY_FALLBACK_DNS | OCV_IDENTITY_FALLBACK_CN, NULL, 0, NULL};
    ocv_x509_chain chain;
    ocv_x509_chain_init(&chain);
    ocv_claims claims;
    char detail[256];
    int sniff = ocv_x509_sniff(leaf, leaf_len);
    (void)sniff;
    ocv_reason r = ocv_x509_parse(leaf, leaf_len, inter_len ? inter : NULL, inter_len, &opt,
                                  &chain, &claims, detail, sizeof(detail));
    if (r == OCV_OK) {
        r = ocv_x509_verify_chain(&chain, anchors, &opt, &claims, detail, sizeof(detail));
        if (r == OCV_OK && (chain.path_len < 2 || chain.path[chain.path_len - 1] == NULL ||
                            chain.path[chain.path_len - 1]->raw.len != anchors->certs.raw.len ||
                            memcmp(chain.path[chain.path_len - 1]->raw.p, anchors->certs.raw.p,
                                   anchors->certs.raw.len) != 0))
            abort();
    }
    ocv_x509_chain_free(&chain);
    return 0;
}
