/*
 * fuzz_cwt.c - libFuzzer target for CWT parsing (COSE_Sign1 in tag 61,
 * binary or base64url): the bytes
 * go through the token front door (ocv_token_parse: sniffing, trimming,
 * dispatch) and straight to ocv_cwt_parse; what parses is verified against
 * the fuzz issuer keys (fuzz_support.h), so the seeds reach key selection
 * and every signature algorithm. Any crash, leak, hang or sanitizer report
 * is a bug, and so is a verified token whose claims are empty of type.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_support.h"
#include "verifier/token.h"
#include "verifier/token_formats.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ocv_keyset *keys = issuer_keys();
    ocv_token t;
    ocv_claims claims;
    char detail[256];
    ocv_token_init(&t);
    if (ocv_token_parse(data, size, &t, &claims, detail, sizeof(detail)) == OCV_OK) {
        if (ocv_token_verify(&t, keys, detail, sizeof(detail)) == OCV_OK &&
            claims.type != OCV_CREDENTIAL_JWT && claims.type != OCV_CREDENTIAL_CWT)
            abort();
    }
    ocv_token_free(&t);
    ocv_token_init(&t);
    ocv_claims_init(&claims); /* the parsers behind token.h start from fresh claims */
    if (ocv_cwt_parse(data, size, &t, &claims, detail, sizeof(detail)) == OCV_OK) {
        if (ocv_token_verify(&t, keys, detail, sizeof(detail)) == OCV_OK &&
            claims.type != OCV_CREDENTIAL_CWT)
            abort();
    }
    ocv_token_free(&t);
    return 0;
}
