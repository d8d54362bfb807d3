#include "util.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/sha256.h>
#ifndef OCV_PROFILE_DEVICE
#include <openssl/evp.h>
#include <pthread.h>
#endif
#include <sodium.h>

void ocv_errf(char *err, size_t err_len, const char *fmt, ...)
{
    if (err == NULL || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

void ocv_zeroize(void *p, size_t len)
{
    sodium_memzero(p, len);
}

int ocv_ct_eq(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < len; i++)
        diff |= (uint8_t)(x[i] ^ y[i]);
    return diff == 0;
}

void ocv_hex_encode(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ocv_hex_decode(const char *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
    if (in_len % 2 != 0 || in_len / 2 > cap)
        return -1;
    for (size_t i = 0; i < in_len / 2; i++) {
        int hi = hex_digit(in[2 * i]), lo = hex_digit(in[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = in_len / 2;
    return 0;
}

#ifndef OCV_PROFILE_DEVICE
/* OpenSSL's SHA-256 uses the CPU's SHA extensions: about three times
 * mbedtls's speed, and certificates are hashed on every decision. The
 * algorithm is fetched once (SHA256() fetches it on every call, which
 * cost more than hashing a certificate); kept for the process. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}
#endif

int ocv_sha256(const uint8_t *in, size_t len, uint8_t out[32])
{
#ifdef OCV_PROFILE_DEVICE
    return mbedtls_sha256_ret(in, len, out, 0) == 0 ? 0 : -1;
#else
    pthread_once(&sha256_once, sha256_fetch);
    return sha256_md != NULL && EVP_Digest(in, len, out, NULL, sha256_md, NULL) == 1 ? 0 : -1;
#endif
}

static int parse_digits(const char **text, int64_t *out)
{
    const char *s = *text;
    int64_t v = 0;
    if (*s < '0' || *s > '9')
        return -1;
    while (*s >= '0' && *s <= '9') {
        int d = *s - '0';
        if (v > (INT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
        s++;
    }
    *text = s;
    *out = v;
    return 0;
}

int ocv_parse_int64(const char *text, int64_t *out)
{
    if (text == NULL)
        return -1;
    int64_t v;
    if (parse_digits(&text, &v) != 0 || *text != 0)
        return -1;
    *out = v;
    return 0;
}

int ocv_parse_duration(const char *text, int64_t *seconds)
{
    if (text == NULL)
        return -1;
    int64_t count;
    if (parse_digits(&text, &count) != 0)
        return -1;
    int64_t unit;
    switch (*text) {
    case 0:
        unit = 1;
        break;
    case 's':
        unit = 1;
        text++;
        break;
    case 'm':
        unit = 60;
        text++;
        break;
    case 'h':
        unit = 3600;
        text++;
        break;
    case 'd':
        unit = 86400;
        text++;
        break;
    default:
        return -1;
    }
    if (*text != 0 || count > INT64_MAX / unit)
        return -1;
    *seconds = count * unit;
    return 0;
}

int ocv_strlcpy(char *dst, const char *src, size_t dst_len)
{
    if (dst_len == 0)
        return 1;
    size_t n = strlen(src);
    int truncated = n >= dst_len;
    if (truncated)
        n = dst_len - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
    return truncated;
}

int64_t ocv_now(void)
{
    return (int64_t)time(NULL);
}
