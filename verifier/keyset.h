/*
 * keyset.h - trusted token-issuer keys: a JWK Set (RFC 7517) or a
 * COSE_KeySet (RFC 9052 §7), and the rule that picks the key for a token.
 *
 * Accepted keys: EC P-256 / P-384 / P-521 (x and y at full length), RSA of
 * 2048 bits or more (n, e), OKP Ed25519. Refused, with the whole file: a
 * private member (d, p, q, dp, dq, qi, oth, k; COSE d or RSA private
 * parameters), a symmetric key (kty oct / COSE kty 4), "key_ops" without
 * "verify", an unknown kty or curve, two keys with the same kid, more than
 * OCV_MAX_KEYSET_KEYS keys. A key's "alg", when present, pins it to that
 * algorithm (and must itself be one ocv allows). A JWK whose "use" is
 * not "sig" (an encryption key beside the signing keys) is skipped and
 * counted, never trusted; a set of such keys only is refused. Where a set
 * is expected, one JWK object or one COSE_Key map is a set of one.
 *
 * Selection (ocv_keyset_select): a token with a kid gets the key with that
 * kid or nothing (KEY_UNKNOWN); a token without a kid gets the one key
 * that can verify its alg, and nothing when there are several. A pinned
 * alg that differs from the token's is ALG_NOT_ALLOWED.
 *
 * Ownership: the keyset owns its keys; _free zeroises. Read-only after
 * load (keys precomputed), so selection and verification are thread-safe.
 */
#ifndef OCV_VERIFIER_KEYSET_H
#define OCV_VERIFIER_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/cbor_stream.h"
#include "base/claims.h"
#include "ocv.h"
#include "verifier/pkey.h"
#include "verifier/sigcache.h"

#define OCV_MAX_KEYSET_KEYS 256
#define OCV_MAX_KID_BYTES   256

typedef struct ocv_trusted_key {
    ocv_pkey key;
    char kid[OCV_MAX_KID_BYTES + 1]; /* "" when absent */
    size_t kid_len;                  /* COSE kids are bytes: length, not strlen */
    ocv_alg pinned_alg;              /* OCV_ALG_NONE when not pinned */
    uint8_t spki_sha256[32];         /* the key's stable id (signature cache) */
} ocv_trusted_key;

typedef struct ocv_keyset {
    ocv_trusted_key *keys;
    size_t count;
} ocv_keyset;

void ocv_keyset_init(ocv_keyset *set);
void ocv_keyset_free(ocv_keyset *set);

/* Parses a JWKS (JSON) or a COSE_KeySet (CBOR array), sniffed by the first
 * byte. Reasons: OCV_OK; OCV_CONFIG_INVALID (err: which key and why);
 * OCV_TOO_LARGE. */
OCV_MUST_CHECK ocv_reason ocv_keyset_parse(const uint8_t *data, size_t len, ocv_keyset *out,
                                           char *err, size_t err_len);
/* Appends the keys of a file to *set (a JWKS and a COSE_KeySet may both
 * feed one set). Reasons as ocv_keyset_parse; err names the file. */
OCV_MUST_CHECK ocv_reason ocv_keyset_load_file(ocv_keyset *set, const char *path, char *err,
                                               size_t err_len);

/* ocv_keyset_parse, adding the number of keys skipped for their "use"
 * to *skipped (may be NULL). */
OCV_MUST_CHECK ocv_reason ocv_keyset_parse_counted(const uint8_t *data, size_t len, ocv_keyset *out,
                                                   size_t *skipped, char *err, size_t err_len);

/* Adds one JWK whatever its "use" (the caller decided: a SPIFFE bundle's
 * jwt-svid keys). OCV_OK, OCV_CONFIG_INVALID (err: why), OCV_TOO_LARGE. */
OCV_MUST_CHECK ocv_reason ocv_keyset_add_jwk(ocv_keyset *set, json_t *jwk, char *err,
                                             size_t err_len);

/* Moves a public key (a PEM file's) into the set, without kid or pin; on
 * OCV_OK *key is emptied. */
OCV_MUST_CHECK ocv_reason ocv_keyset_add_pkey(ocv_keyset *set, ocv_pkey *key, char *err,
                                              size_t err_len);

/* Picks the key for a token; see the header note. OCV_OK,
 * OCV_KEY_UNKNOWN, OCV_ALG_NOT_ALLOWED. */
OCV_MUST_CHECK ocv_reason ocv_keyset_select(const ocv_keyset *set, const uint8_t *kid,
                                            size_t kid_len, ocv_alg alg,
                                            const ocv_trusted_key **out, char *detail,
                                            size_t detail_len);

/* A JWK Set holding the public key (with kid and an alg pin when given),
 * as a new string the caller frees with free(). */
OCV_MUST_CHECK ocv_reason ocv_jwks_from_key(const ocv_pkey *key, const char *kid, ocv_alg pin,
                                            char **out);

/* One public key from a JWK object (a cnf "jwk"): OCV_OK, OCV_MALFORMED
 * (*why: private members, unknown kty, bad parameters), OCV_ALG_NOT_ALLOWED
 * (weak RSA). */
OCV_MUST_CHECK ocv_reason ocv_jwk_public_pkey(json_t *jwk, ocv_pkey *out, const char **why);

/* One public key from the COSE_Key map at the reader (a CWT cnf, RFC
 * 8747 §3.2): OCV_OK, OCV_MALFORMED with *why, OCV_INTERNAL_ERROR. */
OCV_MUST_CHECK ocv_reason ocv_cose_key_public_pkey(ocv_cbor_pull *r, ocv_pkey *out,
                                                   const char **why);

/* For ocv_reload: copies from the old configuration's signature cache into
 * the new one the entries made by keys `set` (the new configuration's
 * keys) still holds; a removed key's entries stay behind. Either cache may
 * be NULL. Returns how many entries were copied. */
size_t ocv_keyset_carry_cache(const ocv_keyset *set, ocv_sigcache *to, ocv_sigcache *from);

/* RFC 7638 JWK thumbprint (SHA-256) of a public key, for cnf "jkt". */
OCV_MUST_CHECK ocv_reason ocv_jwk_thumbprint(const ocv_pkey *key, uint8_t out[32]);

#endif
