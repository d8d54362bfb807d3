#include "digest.h"

#include <string.h>

#include <sodium.h>

#include "base/util.h"

static const char PERSONAL[crypto_generichash_blake2b_PERSONALBYTES] = "ocv-lthash16";

void ocv_lthash_init(ocv_lthash *h)
{
    memset(h, 0, sizeof(*h));
}

/* The element's 2048-byte vector: a 32-byte BLAKE2b seed of the element
 * (personalised, so the seed is bound to this use), expanded by the
 * ChaCha20 keystream. */
static ocv_reason expand(const uint8_t *element, size_t len, uint16_t out[OCV_LTHASH_LANES])
{
    if (sodium_init() < 0)
        return OCV_INTERNAL_ERROR;
    uint8_t seed[crypto_stream_chacha20_KEYBYTES];
    uint8_t salt[crypto_generichash_blake2b_SALTBYTES] = {0};
    if (crypto_generichash_blake2b_salt_personal(seed, sizeof(seed), element, len, NULL, 0, salt,
                                                 (const uint8_t *)PERSONAL) != 0)
        return OCV_INTERNAL_ERROR;
    static const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {0};
    uint8_t stream[OCV_LTHASH_BYTES];
    if (crypto_stream_chacha20(stream, sizeof(stream), nonce, seed) != 0)
        return OCV_INTERNAL_ERROR;
    for (size_t i = 0; i < OCV_LTHASH_LANES; i++)
        out[i] = (uint16_t)(stream[2 * i] | (stream[2 * i + 1] << 8));
    return OCV_OK;
}

ocv_reason ocv_lthash_add(ocv_lthash *h, const uint8_t *element, size_t len)
{
    uint16_t v[OCV_LTHASH_LANES];
    ocv_reason r = expand(element, len, v);
    if (r != OCV_OK)
        return r;
    for (size_t i = 0; i < OCV_LTHASH_LANES; i++)
        h->lanes[i] = (uint16_t)(h->lanes[i] + v[i]);
    return OCV_OK;
}

ocv_reason ocv_lthash_remove(ocv_lthash *h, const uint8_t *element, size_t len)
{
    uint16_t v[OCV_LTHASH_LANES];
    ocv_reason r = expand(element, len, v);
    if (r != OCV_OK)
        return r;
    for (size_t i = 0; i < OCV_LTHASH_LANES; i++)
        h->lanes[i] = (uint16_t)(h->lanes[i] - v[i]);
    return OCV_OK;
}

void ocv_lthash_combine(ocv_lthash *h, const ocv_lthash *other)
{
    for (size_t i = 0; i < OCV_LTHASH_LANES; i++)
        h->lanes[i] = (uint16_t)(h->lanes[i] + other->lanes[i]);
}

void ocv_lthash_serialize(const ocv_lthash *h, uint8_t out[OCV_LTHASH_BYTES])
{
    for (size_t i = 0; i < OCV_LTHASH_LANES; i++) {
        out[2 * i] = (uint8_t)(h->lanes[i] & 0xff);
        out[2 * i + 1] = (uint8_t)(h->lanes[i] >> 8);
    }
}

void ocv_lthash_deserialize(ocv_lthash *h, const uint8_t in[OCV_LTHASH_BYTES])
{
    for (size_t i = 0; i < OCV_LTHASH_LANES; i++)
        h->lanes[i] = (uint16_t)(in[2 * i] | (in[2 * i + 1] << 8));
}

ocv_reason ocv_lthash_digest(const ocv_lthash *h, uint8_t out[OCV_STATE_DIGEST_BYTES])
{
    uint8_t bytes[OCV_LTHASH_BYTES];
    ocv_lthash_serialize(h, bytes);
    return ocv_sha256(bytes, sizeof(bytes), out) == 0 ? OCV_OK : OCV_INTERNAL_ERROR;
}
