#include "b64url.h"

#include <stdlib.h>

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* 0..63 for the base64url alphabet, 64 for anything else. */
static const uint8_t VALUE[256] = {
#define X64 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64
    X64, X64, 64,  64,  64,  64,  64,  64,  64, 64, 64, 64, 64, 64, 64, 62, 64, 64, /* '-' */
    52,  53,  54,  55,  56,  57,  58,  59,  60, 61, 64, 64, 64, 64, 64, 64,         /* 0-9 */
    64,  0,   1,   2,   3,   4,   5,   6,   7,  8,  9,  10, 11, 12, 13, 14,         /* A-O */
    15,  16,  17,  18,  19,  20,  21,  22,  23, 24, 25, 64, 64, 64, 64, 63,         /* P-Z, '_' */
    64,  26,  27,  28,  29,  30,  31,  32,  33, 34, 35, 36, 37, 38, 39, 40,         /* a-o */
    41,  42,  43,  44,  45,  46,  47,  48,  49, 50, 51, 64, 64, 64, 64, 64,         /* p-z */
    X64, X64, X64, X64, X64, X64, X64, X64,
#undef X64
};

size_t ocv_b64url_span(const uint8_t *p, size_t len)
{
    size_t i = 0;
    /* eight at a time: every value is below 64 exactly when their OR is
     * (a token is mostly one long run, scanned on every decision) */
    while (len - i >= 8 &&
           (VALUE[p[i]] | VALUE[p[i + 1]] | VALUE[p[i + 2]] | VALUE[p[i + 3]] | VALUE[p[i + 4]] |
            VALUE[p[i + 5]] | VALUE[p[i + 6]] | VALUE[p[i + 7]]) < 64)
        i += 8;
    while (i < len && VALUE[p[i]] < 64)
        i++;
    return i;
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
    const uint8_t *p = (const uint8_t *)in;
    size_t n = 0, i = 0;
    /* four characters, three bytes at a time; 64 (not in the alphabet)
     * is the only table value with bit 6 set */
    for (; i + 4 <= len; i += 4) {
        uint32_t a = VALUE[p[i]], b = VALUE[p[i + 1]], c = VALUE[p[i + 2]], d = VALUE[p[i + 3]];
        if ((a | b | c | d) & 64)
            return -1;
        uint32_t v = a << 18 | b << 12 | c << 6 | d;
        out[n] = (uint8_t)(v >> 16);
        out[n + 1] = (uint8_t)(v >> 8);
        out[n + 2] = (uint8_t)v;
        n += 3;
    }
    uint32_t acc = 0;
    int bits = 0;
    for (; i < len; i++) {
        uint8_t v = VALUE[p[i]];
        if (v == 64)
            return -1;
        acc = (acc << 6) | v;
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

/* 0..63 for the standard alphabet (A-Z a-z 0-9 + /), 64 for anything else. */
static const uint8_t STD_VALUE[256] = {
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 62, 64, 64, 64, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 64, 64, 64, 64, 64, 64, 64, 0,  1,  2,  3,  4,  5,  6,
    7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 64, 64, 64, 64, 64,
    64, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
    49, 50, 51, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
};

static int pem_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

ocv_reason ocv_b64_pem_body_decode(const uint8_t *in, size_t len, ocv_bytes *out)
{
    ocv_bytes_init(out);
    out->data = malloc(len / 4 * 3 + 3);
    if (out->data == NULL)
        return OCV_INTERNAL_ERROR;
    size_t n = 0, chars = 0, pads = 0, i = 0;
    uint32_t acc = 0;
    while (i < len) {
        /* fast path: a whole quantum of the alphabet (a PEM line is 16) */
        if (chars % 4 == 0 && pads == 0 && i + 4 <= len) {
            uint32_t a = STD_VALUE[in[i]], b = STD_VALUE[in[i + 1]], c = STD_VALUE[in[i + 2]],
                     d = STD_VALUE[in[i + 3]];
            if (!((a | b | c | d) & 64)) {
                uint32_t v = a << 18 | b << 12 | c << 6 | d;
                out->data[n] = (uint8_t)(v >> 16);
                out->data[n + 1] = (uint8_t)(v >> 8);
                out->data[n + 2] = (uint8_t)v;
                n += 3;
                i += 4;
                chars += 4;
                continue;
            }
        }
        uint8_t c = in[i++];
        if (pem_space(c))
            continue;
        if (c == '=') {
            pads++;
            continue;
        }
        uint8_t v = STD_VALUE[c];
        if (v == 64 || pads > 0) /* not base64, or data after the padding */
            goto bad;
        acc = acc << 6 | v;
        if (++chars % 4 == 0) {
            out->data[n] = (uint8_t)(acc >> 16);
            out->data[n + 1] = (uint8_t)(acc >> 8);
            out->data[n + 2] = (uint8_t)acc;
            n += 3;
            acc = 0;
        }
    }
    size_t tail = chars % 4;
    if (tail == 1 || pads > 2 || (tail == 0 && pads != 0) || (tail != 0 && tail + pads != 4))
        goto bad;
    if (tail == 2)
        out->data[n++] = (uint8_t)(acc >> 4);
    else if (tail == 3) {
        out->data[n++] = (uint8_t)(acc >> 10);
        out->data[n++] = (uint8_t)(acc >> 2);
    }
    out->len = n;
    return OCV_OK;
bad:
    ocv_bytes_free(out);
    return OCV_MALFORMED;
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
