#include "b64url.h"

#include <stdlib.h>

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int value_of(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

size_t ocv_b64url_decoded_len(size_t len)
{
    return len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
}

int ocv_b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    if (len % 4 == 1)
        return -1;
    size_t need = ocv_b64url_decoded_len(len);
    if (need > cap)
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int v = value_of(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0)
        return -1; /* non-zero unused bits: a second encoding of the same bytes */
    *out_len = n;
    return 0;
}

ocv_reason ocv_b64url_decode_alloc(const char *in, size_t len, ocv_bytes *out)
{
    ocv_bytes_init(out);
    size_t cap = ocv_b64url_decoded_len(len);
    out->data = malloc(cap + 1);
    if (out->data == NULL)
        return OCV_INTERNAL_ERROR;
    if (ocv_b64url_decode(in, len, out->data, cap, &out->len) != 0) {
        ocv_bytes_free(out);
        return OCV_MALFORMED;
    }
    out->data[out->len] = 0;
    return OCV_OK;
}

ocv_reason ocv_b64url_encode(const uint8_t *in, size_t len, ocv_bytes *out)
{
    ocv_bytes_init(out);
    size_t cap = (len + 2) / 3 * 4;
    out->data = malloc(cap + 1);
    if (out->data == NULL)
        return OCV_INTERNAL_ERROR;
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out->data[n++] = (uint8_t)ALPHABET[(acc >> bits) & 63];
        }
        acc &= (1u << bits) - 1;
    }
    if (bits > 0)
        out->data[n++] = (uint8_t)ALPHABET[(acc << (6 - bits)) & 63];
    out->data[n] = 0;
    out->len = n;
    return OCV_OK;
}
