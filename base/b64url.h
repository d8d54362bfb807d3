/*
 * b64url.h - strict base64url (RFC 4648 §5) without padding, as JOSE
 * (RFC 7515 §2) uses it: only A-Z a-z 0-9 - _, no '=', no whitespace, no
 * length of 1 mod 4, and the unused low bits of the last character must be
 * zero, so every byte string has exactly one encoding.
 */
#ifndef OCV_BASE_B64URL_H
#define OCV_BASE_B64URL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ocv.h"

/* How many leading bytes of p are in the base64url alphabet. */
size_t ocv_b64url_span(const uint8_t *p, size_t len);

/* Decoded size of len characters (an upper bound for invalid input). */
size_t ocv_b64url_decoded_len(size_t len);

/* Decodes into out (cap bytes). 0 on success, -1 on any invalid input or
 * when the result does not fit. */
OCV_MUST_CHECK int ocv_b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap,
                                     size_t *out_len);

/* Decodes into a new owned buffer. OCV_OK, OCV_MALFORMED,
 * OCV_INTERNAL_ERROR. */
OCV_MUST_CHECK ocv_reason ocv_b64url_decode_alloc(const char *in, size_t len, ocv_bytes *out);

/*
 * The body of a PEM block (RFC 7468 §2, RFC 4648 §4): the standard
 * alphabet (A-Z a-z 0-9 + /), whitespace (space, tab, CR, LF) anywhere,
 * '=' padding only at the end and making the count a multiple of four.
 * Anything else - a header line such as Proc-Type, '-' or '_', a NUL - is
 * refused. Into a new owned buffer: OCV_OK, OCV_MALFORMED,
 * OCV_INTERNAL_ERROR. Not constant time: PEM here holds public data
 * (certificates), never keys.
 */
OCV_MUST_CHECK ocv_reason ocv_b64_pem_body_decode(const uint8_t *in, size_t len, ocv_bytes *out);

/* Encodes into a new owned, NUL-terminated buffer. */
OCV_MUST_CHECK ocv_reason ocv_b64url_encode(const uint8_t *in, size_t len, ocv_bytes *out);

#endif
