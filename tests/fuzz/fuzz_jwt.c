/*
 * fuzz_jwt.c - libFuzzer target for JWT (compact JWS) parsing: the bytes
 * go through the token front door (ocv_token_parse: sniffing, trimming,
 * dispatch) and straight to ocv_jwt_parse; what parses is verified against
 * the fuzz issuer keys (fuzz_support.h), so the seeds reach key selection
 * and every signature algorithm. Any crash, leak, hang or sanitizer report
 * is a bug, and so is a verified token whose claims are empty of type.
 *
 * Mutating JSON inside base64url is slow going, so the bytes are also
 * read as "HEADER-JSON\nCLAIMS-JSON": both are encoded and joined with a
 * fixed signature into a compact JWS, which reaches the header and claim
 * readers with the JSON itself mutated (tests/fuzz/corpus/jwt/json_*).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "base/b64url.h"
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

static void as_json_parts(const uint8_t *data, size_t size, const ocv_keyset *keys)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (nl == NULL)
        return;
    ocv_bytes header, claims_b64;
    if (ocv_b64url_encode(data, (size_t)(nl - data), &header) != OCV_OK)
        return;
    if (ocv_b64url_encode(nl + 1, size - (size_t)(nl - data) - 1, &claims_b64) != OCV_OK) {
        ocv_bytes_free(&header);
        return;
    }
    static const char sig[] = "c2lnbmF0dXJlLW5vdC12YWxpZA";
    size_t len = header.len + claims_b64.len + sizeof(sig) + 1;
    char *jws = malloc(len);
    if (jws != NULL) {
        int n = snprintf(jws, len, "%s.%s.%s", (const char *)header.data,
                         (const char *)claims_b64.data, sig);
        ocv_token t;
        ocv_claims claims;
        char detail[256];
        ocv_token_init(&t);
        ocv_claims_init(&claims);
        if (ocv_jwt_parse(jws, (size_t)n, &t, &claims, detail, sizeof(detail)) == OCV_OK &&
            ocv_token_verify(&t, keys, detail, sizeof(detail)) == OCV_OK)
            abort(); /* the signature is not one */
        ocv_token_free(&t);
        free(jws);
    }
    ocv_bytes_free(&claims_b64);
    ocv_bytes_free(&header);
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
    if (ocv_jwt_parse((const char *)data, size, &t, &claims, detail, sizeof(detail)) == OCV_OK) {
        if (ocv_token_verify(&t, keys, detail, sizeof(detail)) == OCV_OK &&
            claims.type != OCV_CREDENTIAL_JWT)
            abort();
    }
    ocv_token_free(&t);
    ocv_reason r = ocv_jws_verify_compact((const char *)data, size, keys, detail, sizeof(detail));
    (void)r;
    as_json_parts(data, size, keys);
    return 0;
}
