/*
 * sigalg.h - the one seam between algorithm names and signature code.
 *
 * One table maps each ocv_alg to its JOSE name (RFC 7518, RFC 8037), its
 * COSE id (RFC 9053), its hash, the key type it needs and its raw
 * signature size; ocv_sig_verify and ocv_sig_sign dispatch on it to
 * mbedtls (ECDSA, RSA PKCS#1 v1.5, RSA-PSS) or libsodium (Ed25519). A
 * faster implementation of one algorithm replaces one row's functions and
 * nothing else.
 *
 * Signatures are in the JOSE/COSE form: ECDSA as raw r||s, each half
 * exactly the curve's size (no DER, so no BER leniency); RSA as the
 * modulus-sized integer; Ed25519 as 64 bytes. Lengths are checked before
 * any library call. RSA-PSS uses MGF1 with the same hash and a salt as
 * long as the hash (RFC 7518 §3.5), and nothing else verifies.
 *
 * What it does not do: HMAC (ocv accepts no shared-secret algorithm), key
 * selection (keyset), or any format parsing.
 *
 * Thread safety: verification only reads the key; keys shared between
 * threads must have been precomputed (ocv_pk_precompute).
 */
#ifndef OCV_VERIFIER_SIGALG_H
#define OCV_VERIFIER_SIGALG_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/md.h>

#include "base/buf.h"
#include "base/claims.h"
#include "ocv.h"
#include "verifier/pkey.h"

typedef struct ocv_alg_info {
    ocv_alg alg;
    const char *jose;      /* "ES256" */
    int64_t cose;          /* -7 */
    mbedtls_md_type_t md;  /* MBEDTLS_MD_NONE for EdDSA (it hashes itself) */
    ocv_key_type key_type; /* OCV_KEY_RSA covers every RSA size */
    size_t raw_sig_len;    /* fixed size, or 0 for RSA (the modulus size) */
} ocv_alg_info;

/* NULL for anything not in the table: "none", "HS256", unknown names. */
const ocv_alg_info *ocv_alg_by_jose(const char *name, size_t len);
const ocv_alg_info *ocv_alg_by_cose(int64_t id);
const ocv_alg_info *ocv_alg_info_of(ocv_alg alg);

/*
 * Verifies sig over msg with key under alg.
 * Reasons: OCV_OK; OCV_SIGNATURE_INVALID (wrong length, r or s out of
 * range, mismatch); OCV_ALG_NOT_ALLOWED (the key's type is not the
 * algorithm's, e.g. an RSA key for ES256, or an unknown alg);
 * OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_sig_verify(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg,
                                         size_t msg_len, const uint8_t *sig, size_t sig_len);

/* Signs msg (the tools' side: mint, bundles, receipts). */
OCV_MUST_CHECK ocv_reason ocv_sig_sign(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg,
                                       size_t msg_len, ocv_bytes *sig);

/* The natural algorithm for a key: ES256/384/512 by curve, EdDSA, PS256
 * for RSA. OCV_ALG_NONE when none. */
ocv_alg ocv_alg_for_key(const ocv_pkey *key);

#endif
