/*
 * token.h - JWT (JWS compact, RFC 7515/7519/8725) and CWT (COSE_Sign1,
 * RFC 8392/9052): format sniffing, strict parsing into the normalised
 * claims, and signature verification against trusted issuer keys.
 *
 * Parsing and verification are separate so the pipeline can run its cheap
 * checks (time, revocation) between them; until ocv_token_verify returns
 * OK every claim is only claimed. docs/tokens.md lists every rule and the
 * reason each failure gives.
 *
 * What it does not do: HMAC (HS*, COSE MAC0: ALG_NOT_ALLOWED), JWE,
 * COSE_Sign with several signers (UNSUPPORTED_FORMAT), detached payloads,
 * the JWS JSON serialisations, key discovery.
 *
 * Ownership: a JWT's signed bytes are borrowed from the input (which must
 * outlive the token); a CWT's Sig_structure is built and owned by the
 * token; the signature is decoded into the token itself (no allocation).
 * ocv_token_free releases what the token owns. Thread safety: none needed
 * per token; the keyset is read-only.
 */
#ifndef OCV_VERIFIER_TOKEN_H
#define OCV_VERIFIER_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/claims.h"
#include "ocv.h"
#include "verifier/keyset.h"
#include "verifier/sigcache.h"

/* The longest signature a token may carry: RSA-8192, the largest modulus a
 * keyset accepts. A longer one cannot verify (SIGNATURE_INVALID). */
#define OCV_MAX_TOKEN_SIG_BYTES 1024

typedef struct ocv_token {
    ocv_credential_type type; /* JWT or CWT */
    ocv_alg alg;
    uint8_t kid[OCV_MAX_KID_BYTES];
    size_t kid_len;
    int has_kid;
    const uint8_t *signed_data; /* JWS signing input (borrowed), or sig_structure.data */
    size_t signed_len;
    ocv_bytes sig_structure; /* CWT: the COSE Sig_structure (owned); JWT: empty */
    uint8_t signature[OCV_MAX_TOKEN_SIG_BYTES];
    size_t signature_len; /* 0 when the signature was longer than the buffer */
} ocv_token;

void ocv_token_init(ocv_token *t);
void ocv_token_free(ocv_token *t);

/* Whether the bytes look like a token (compact JWS text, CWT CBOR, CWT in
 * base64url). Trailing whitespace is ignored. */
int ocv_token_sniff(const uint8_t *data, size_t len);

/* Whether the bytes are a token by what they decode to: a compact JWS
 * (or JWE), a binary CWT / COSE_Sign1, or base64url text that decodes to
 * one (tag 61, tag 18 or untagged). A base64url CWT in tag 18 begins
 * with '0', which a first-byte sniff would take for DER. */
int ocv_token_recognise(const uint8_t *data, size_t len);

/*
 * Parses a token and fills the claims (unverified). Reasons: OCV_OK;
 * OCV_UNSUPPORTED_FORMAT (not a JWS or CWT; COSE_Sign; JWE); OCV_MALFORMED
 * (encoding, JSON/CBOR strictness, claim types, unknown crit, exp before
 * nbf); OCV_ALG_NOT_ALLOWED (none, HS*, unknown, alg not protected);
 * OCV_TOO_LARGE (a claim longer than its field, too many audiences or
 * purposes, nesting too deep).
 */
OCV_MUST_CHECK ocv_reason ocv_token_parse(const uint8_t *data, size_t len, ocv_token *out,
                                          ocv_claims *claims, char *detail, size_t detail_len);

/*
 * A JWS compact serialisation whose payload need not be JSON: header
 * rules, key selection and signature only (JOSE test vectors sign text
 * payloads). Same reasons as ocv_token_parse and ocv_token_verify.
 */
OCV_MUST_CHECK ocv_reason ocv_jws_verify_compact(const char *text, size_t len,
                                                 const ocv_keyset *keys, char *detail,
                                                 size_t detail_len);

/* Picks the key (keyset rule) and verifies the signature. Reasons: OCV_OK,
 * OCV_KEY_UNKNOWN, OCV_ALG_NOT_ALLOWED, OCV_SIGNATURE_INVALID. */
OCV_MUST_CHECK ocv_reason ocv_token_verify(const ocv_token *t, const ocv_keyset *keys, char *detail,
                                           size_t detail_len);

/* The same, answering a verification that succeeded before from cache
 * (NULL: no cache); *cached says whether it did. On OCV_OK key_sha256 is
 * the SHA-256 of the SPKI of the key that verified (what revocation
 * `key` entries name); zeros otherwise. */
OCV_MUST_CHECK ocv_reason ocv_token_verify_cached(const ocv_token *t, const ocv_keyset *keys,
                                                  ocv_sigcache *cache, int *cached,
                                                  uint8_t key_sha256[32], char *detail,
                                                  size_t detail_len);

#endif
