/*
 * cose_sign1.h - COSE_Sign1 (RFC 9052 §4.2) for ocv's own signed
 * objects: revocation bundles and sync receipts.
 *
 *   COSE_Sign1 = #6.18([ protected: bstr .cbor { 1 => alg, 4 => kid },
 *                        unprotected: {} / { 4 => kid },
 *                        payload: bstr, signature: bstr ])
 *
 * The tag is optional on input and always written. The algorithm comes
 * from the protected header only (RFC 9052 §3.1); crit (2) or any label
 * other than alg (1), kid (4) and content type (3) in the protected
 * header is refused, as is anything in the unprotected header but a kid.
 * The Sig_structure ["Signature1", protected, h'', payload] is encoded
 * by ocv itself, deterministically. Indefinite lengths, trailing bytes,
 * duplicate labels: MALFORMED. A detached (nil) payload is refused.
 *
 * Ownership: a parsed ocv_sign1 borrows every view from the input bytes.
 */
#ifndef OCV_VERIFIER_COSE_SIGN1_H
#define OCV_VERIFIER_COSE_SIGN1_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/claims.h"
#include "ocv.h"
#include "verifier/pkey.h"

typedef struct ocv_sign1 {
    const uint8_t *protected_raw; /* the protected bstr's content */
    size_t protected_len;
    ocv_alg alg;
    const uint8_t *kid; /* protected or unprotected; NULL when absent */
    size_t kid_len;
    const uint8_t *payload;
    size_t payload_len;
    const uint8_t *signature;
    size_t signature_len;
} ocv_sign1;

/*
 * Parses without verifying. Reasons: OCV_OK; OCV_MALFORMED (detail says
 * what); OCV_ALG_NOT_ALLOWED (no alg, or one outside the seam's table);
 * OCV_UNSUPPORTED_FORMAT (COSE_Sign, tag 98, or another tag).
 */
OCV_MUST_CHECK ocv_reason ocv_sign1_parse(const uint8_t *in, size_t len, ocv_sign1 *out,
                                          char *detail, size_t detail_len);

/* Verifies the signature with key. OCV_OK, OCV_SIGNATURE_INVALID,
 * OCV_ALG_NOT_ALLOWED (the key does not fit the alg), OCV_INTERNAL_ERROR. */
OCV_MUST_CHECK ocv_reason ocv_sign1_verify(const ocv_sign1 *msg, const ocv_pkey *key);

/*
 * The same, for a payload too large to copy (a revocation bundle): an
 * ECDSA signature is checked over a digest of the Sig_structure computed
 * as a stream, in memory independent of the payload's size; EdDSA, which
 * needs the message whole, gets it assembled once (one copy). After each
 * chunk of the payload is read, passed (if not NULL) is told, so a caller
 * whose payload is a file mapping can drop those pages. Same reasons.
 */
typedef void (*ocv_sign1_passed)(const uint8_t *p, size_t len, void *arg);
OCV_MUST_CHECK ocv_reason ocv_sign1_verify_streamed(const ocv_sign1 *msg, const ocv_pkey *key,
                                                    ocv_sign1_passed passed, void *arg);

/* The bytes the signature covers: Sig_structure ["Signature1",
 * protected, h'', payload]. */
OCV_MUST_CHECK ocv_reason ocv_sign1_to_be_signed(const ocv_sign1 *msg, ocv_bytes *out);

/* Writes a tagged COSE_Sign1 with alg and kid protected. */
OCV_MUST_CHECK ocv_reason ocv_sign1_create(ocv_alg alg, const ocv_pkey *key, const uint8_t *kid,
                                           size_t kid_len, const uint8_t *payload,
                                           size_t payload_len, ocv_bytes *out);

#endif
