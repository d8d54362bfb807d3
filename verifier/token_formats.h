/*
 * token_formats.h - the two token parsers behind verifier/token.h.
 * Internal to verifier/: the pipeline uses token.h only.
 */
#ifndef OCV_VERIFIER_TOKEN_FORMATS_H
#define OCV_VERIFIER_TOKEN_FORMATS_H

#include "verifier/token.h"

/* Compact JWS whose payload is a JWT claims set. Same reasons as
 * ocv_token_parse. Both parsers add to *claims: give them claims fresh
 * from ocv_claims_init (ocv_token_parse, which dispatches here, does). */
OCV_MUST_CHECK ocv_reason ocv_jwt_parse(const char *text, size_t len, ocv_token *out,
                                        ocv_claims *claims, char *detail, size_t detail_len);

/* CWT: COSE_Sign1, optionally inside CBOR tag 61. */
OCV_MUST_CHECK ocv_reason ocv_cwt_parse(const uint8_t *data, size_t len, ocv_token *out,
                                        ocv_claims *claims, char *detail, size_t detail_len);

/* Adds one purpose (bounded, deduplicated); -1 when the list is full or
 * the purpose too long. */
int ocv_claims_add_purpose(ocv_claims *claims, const char *p, size_t len);

/* Copies a string claim; OCV_TOO_LARGE when it does not fit, OCV_MALFORMED
 * when empty or holding a control character. */
OCV_MUST_CHECK ocv_reason ocv_claims_copy_text(char *dst, size_t cap, const char *src, size_t len);

#endif
