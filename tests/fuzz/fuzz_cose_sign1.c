/*
 * fuzz_cose_sign1.c - libFuzzer target for the COSE_Sign1 envelope shared
 * by CWTs, bundles and receipts: parse, build the Sig_structure, and verify
 * with the fuzz issuer key the message's kid names (or each key in turn).
 * Any crash, leak, hang or sanitizer report is a bug; so is a parsed
 * message whose views fall outside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_support.h"
#include "verifier/cose_sign1.h"
#include "verifier/keyset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ocv_keyset *issuer_keys(void)
{
    static ocv_keyset keys;
    static int loaded;
    if (!loaded) {
        char err[256];
        ocv_keyset_init(&keys);
        if (ocv_keyset_parse((const uint8_t *)fuzz_jwks, sizeof(fuzz_jwks) - 1, &keys, err,
                             sizeof(err)) != OCV_OK)
            abort();
        loaded = 1;
    }
    return &keys;
}

static int inside(const uint8_t *data, size_t size, const uint8_t *p, size_t len)
{
    return len == 0 || (p >= data && len <= size && p - data <= (ptrdiff_t)(size - len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ocv_sign1 msg;
    char detail[256];
    if (ocv_sign1_parse(data, size, &msg, detail, sizeof(detail)) != OCV_OK)
        return 0;
    if (!inside(data, size, msg.protected_raw, msg.protected_len) ||
        !inside(data, size, msg.payload, msg.payload_len) ||
        !inside(data, size, msg.signature, msg.signature_len) ||
        (msg.kid != NULL && !inside(data, size, msg.kid, msg.kid_len)))
        abort();
    ocv_bytes tbs;
    if (ocv_sign1_to_be_signed(&msg, &tbs) == OCV_OK)
        ocv_bytes_free(&tbs);
    const ocv_keyset *keys = issuer_keys();
    const ocv_trusted_key *k = NULL;
    if (ocv_keyset_select(keys, msg.kid, msg.kid_len, msg.alg, &k, detail, sizeof(detail)) ==
        OCV_OK) {
        ocv_reason r = ocv_sign1_verify(&msg, &k->key);
        (void)r;
    }
    return 0;
}
