#include "token.h"

#include <string.h>

#include "base/b64url.h"
#include "base/util.h"
#include "verifier/sigalg.h"
#include "verifier/token_formats.h"

void ocv_token_init(ocv_token *t)
{
    /* the fixed fields only: the signature buffer is written before use */
    t->type = OCV_CREDENTIAL_AUTO;
    t->alg = OCV_ALG_NONE;
    t->kid_len = 0;
    t->has_kid = 0;
    t->signed_data = NULL;
    t->signed_len = 0;
    ocv_bytes_init(&t->sig_structure);
    t->signature_len = 0;
}

void ocv_token_free(ocv_token *t)
{
    if (t == NULL)
        return;
    ocv_bytes_free(&t->sig_structure);
    ocv_token_init(t);
}

/* Text tokens often arrive with a trailing newline; binary CWTs never get
 * trimmed (their last byte may well be 0x0a). */
static size_t trim_trailing_space(const uint8_t *p, size_t len)
{
    if (len > 0 && (p[0] == 0xd8 || p[0] == 0xd2 || p[0] == 0x84))
        return len;
    while (len > 0 &&
           (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    return len;
}

typedef enum token_shape {
    SHAPE_NONE,
    SHAPE_JWS,
    SHAPE_JWE,
    SHAPE_CBOR,
    SHAPE_CBOR_B64
} token_shape;

static token_shape shape_of(const uint8_t *p, size_t len)
{
    if (len == 0)
        return SHAPE_NONE;
    /* CWT tag 61 (d8 3d), COSE_Sign1 tag 18 (d2), an untagged array of 4 (84),
     * COSE_Sign tag 98 (d8 62): binary CBOR */
    if (p[0] == 0xd8 || p[0] == 0xd2 || p[0] == 0x84)
        return SHAPE_CBOR;
    size_t dots = 0, i = ocv_b64url_span(p, len);
    while (i < len) {
        if (p[i] != '.')
            return SHAPE_NONE;
        dots++;
        i++;
        i += ocv_b64url_span(p + i, len - i);
    }
    return dots == 2 ? SHAPE_JWS : dots == 4 ? SHAPE_JWE : dots == 0 ? SHAPE_CBOR_B64 : SHAPE_NONE;
}

int ocv_token_recognise(const uint8_t *data, size_t len)
{
    len = trim_trailing_space(data, len);
    token_shape s = shape_of(data, len);
    if (s == SHAPE_JWS || s == SHAPE_JWE)
        return 1;
    if (s == SHAPE_CBOR)
        return data[0] != 0xd8 || (len > 1 && (data[1] == 0x3d || data[1] == 0x62));
    if (s != SHAPE_CBOR_B64)
        return 0;
    ocv_bytes raw;
    int cwt = ocv_b64url_decode_alloc((const char *)data, len, &raw) == OCV_OK &&
              shape_of(raw.data, raw.len) == SHAPE_CBOR;
    ocv_bytes_free(&raw);
    return cwt;
}

int ocv_token_sniff(const uint8_t *data, size_t len)
{
    token_shape s = shape_of(data, trim_trailing_space(data, len));
    return s != SHAPE_NONE;
}

ocv_reason ocv_token_parse(const uint8_t *data, size_t len, ocv_token *out, ocv_claims *claims,
                           char *detail, size_t detail_len)
{
    ocv_token_init(out);
    ocv_claims_init(claims);
    len = trim_trailing_space(data, len);
    ocv_reason r = OCV_UNSUPPORTED_FORMAT;
    switch (shape_of(data, len)) {
    case SHAPE_JWS:
        r = ocv_jwt_parse((const char *)data, len, out, claims, detail, detail_len);
        break;
    case SHAPE_CBOR:
        r = ocv_cwt_parse(data, len, out, claims, detail, detail_len);
        break;
    case SHAPE_CBOR_B64: {
        ocv_bytes raw;
        if (ocv_b64url_decode_alloc((const char *)data, len, &raw) != OCV_OK ||
            shape_of(raw.data, raw.len) != SHAPE_CBOR) {
            ocv_bytes_free(&raw);
            ocv_errf(detail, detail_len, "neither a JWS nor a base64url CWT");
            return OCV_UNSUPPORTED_FORMAT;
        }
        r = ocv_cwt_parse(raw.data, raw.len, out, claims, detail, detail_len);
        ocv_bytes_free(&raw);
        break;
    }
    case SHAPE_JWE:
        ocv_errf(detail, detail_len, "an encrypted token (JWE) is not supported");
        return OCV_UNSUPPORTED_FORMAT;
    case SHAPE_NONE:
        ocv_errf(detail, detail_len, "not a JWT, a CWT or a certificate");
        return OCV_UNSUPPORTED_FORMAT;
    }
    if (r != OCV_OK) {
        ocv_token_free(out);
        ocv_claims_init(claims);
    }
    return r;
}

ocv_reason ocv_token_verify(const ocv_token *t, const ocv_keyset *keys, char *detail,
                            size_t detail_len)
{
    int cached = 0;
    uint8_t key_sha256[32];
    return ocv_token_verify_cached(t, keys, NULL, &cached, key_sha256, detail, detail_len);
}

ocv_reason ocv_token_verify_cached(const ocv_token *t, const ocv_keyset *keys, ocv_sigcache *cache,
                                   int *cached, uint8_t key_sha256[32], char *detail,
                                   size_t detail_len)
{
    *cached = 0;
    memset(key_sha256, 0, 32);
    const ocv_trusted_key *key = NULL;
    ocv_reason r = ocv_keyset_select(keys, t->has_kid ? t->kid : NULL, t->kid_len, t->alg, &key,
                                     detail, detail_len);
    if (r != OCV_OK)
        return r;
    uint8_t id[32];
    int have_id =
        cache != NULL && ocv_sigcache_id(key->spki_sha256, (uint64_t)t->alg, t->signed_data,
                                         t->signed_len, t->signature, t->signature_len, id) == 0;
    if (have_id && ocv_sigcache_hit(cache, id)) {
        *cached = 1;
        memcpy(key_sha256, key->spki_sha256, 32);
        return OCV_OK;
    }
    r = ocv_sig_verify(t->alg, &key->key, t->signed_data, t->signed_len, t->signature,
                       t->signature_len);
    if (r == OCV_ALG_NOT_ALLOWED)
        ocv_errf(detail, detail_len, "the selected key cannot verify %s", ocv_alg_name(t->alg));
    else if (r != OCV_OK)
        ocv_errf(detail, detail_len, "the %s signature does not verify", ocv_alg_name(t->alg));
    else if (have_id)
        ocv_sigcache_remember(cache, id, key->spki_sha256);
    if (r == OCV_OK)
        memcpy(key_sha256, key->spki_sha256, 32);
    return r;
}

int ocv_claims_add_purpose(ocv_claims *claims, const char *p, size_t len)
{
    if (len == 0)
        return 0;
    if (len > OCV_MAX_PURPOSE_BYTES)
        return -1;
    for (size_t i = 0; i < claims->purpose_count; i++) {
        if (strlen(claims->purposes[i]) == len && memcmp(claims->purposes[i], p, len) == 0)
            return 0;
    }
    if (claims->purpose_count >= OCV_MAX_PURPOSES)
        return -1;
    memcpy(claims->purposes[claims->purpose_count], p, len);
    claims->purposes[claims->purpose_count++][len] = 0;
    return 0;
}

ocv_reason ocv_claims_copy_text(char *dst, size_t cap, const char *src, size_t len)
{
    if (len == 0)
        return OCV_MALFORMED;
    if (len >= cap)
        return OCV_TOO_LARGE;
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)src[i] < 0x20 || src[i] == 0x7f)
            return OCV_MALFORMED;
    }
    memcpy(dst, src, len);
    dst[len] = 0;
    return OCV_OK;
}
