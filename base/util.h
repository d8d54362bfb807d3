/*
 * util.h - small helpers every layer uses: error messages, zeroisation,
 * constant-time comparison, hex, SHA-256, durations, bounded string copy.
 */
#ifndef OCV_BASE_UTIL_H
#define OCV_BASE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "ocv.h"

#if defined(__GNUC__) || defined(__clang__)
#define OCV_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OCV_PRINTF(fmt, args)
#endif

/* snprintf into err when err is not NULL; always NUL-terminates. */
void ocv_errf(char *err, size_t err_len, const char *fmt, ...) OCV_PRINTF(3, 4);

/* Zeroes memory in a way the compiler may not remove. */
void ocv_zeroize(void *p, size_t len);

/* Constant-time equality of two equal-length secrets: 1 equal, 0 not. */
int ocv_ct_eq(const void *a, const void *b, size_t len);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void ocv_hex_encode(const uint8_t *in, size_t len, char *out);

/* Decodes hex (either case, even length) into out (at most cap bytes).
 * 0 on success; -1 on a bad digit, an odd length or overflow. */
OCV_MUST_CHECK int ocv_hex_decode(const char *in, size_t in_len, uint8_t *out, size_t cap,
                                  size_t *out_len);

/* SHA-256 of len bytes; 0 on success. */
OCV_MUST_CHECK int ocv_sha256(const uint8_t *in, size_t len, uint8_t out[32]);

/*
 * Parses a duration such as "90s", "15m", "1h", "7d" (a decimal count and
 * one unit; bare digits are seconds). Rejects signs, spaces, overflow and
 * anything past the unit. 0 on success.
 */
OCV_MUST_CHECK int ocv_parse_duration(const char *text, int64_t *seconds);

/* Parses a non-negative decimal int64 with nothing after it. 0 on success. */
OCV_MUST_CHECK int ocv_parse_int64(const char *text, int64_t *out);

/* Copies at most dst_len-1 bytes and NUL-terminates; returns 1 when the
 * source did not fit (the copy is then truncated, so callers treat 1 as an
 * error wherever truncation would change meaning). */
int ocv_strlcpy(char *dst, const char *src, size_t dst_len);

/* The system clock in UNIX seconds. */
int64_t ocv_now(void);

#endif
