/*
 * pkey.h - public and private keys in PEM files, for every key type ocv
 * uses: EC P-256 / P-384 / P-521 and RSA (through mbedtls) and Ed25519
 * (through libsodium; mbedtls 2.28 has no EdDSA).
 *
 * Accepted files, as openssl writes them: public keys as
 * SubjectPublicKeyInfo ("PUBLIC KEY"); private keys as PKCS#8
 * ("PRIVATE KEY"), SEC1 ("EC PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY").
 * Encrypted private keys are refused. RSA keys under 2048 bits are refused
 * unless allow_weak is set (test fixtures only).
 *
 * Every constructor (parse, load, from_*, generate) finishes the key once:
 * it fills id (SHA-256 of the SubjectPublicKeyInfo: the key's identity for
 * the signature cache and revocation) and, in the default build profile,
 * prepares the OpenSSL EVP_PKEY the fast backend verifies with (sigalg.h).
 * Nothing is parsed again per verification.
 *
 * Ownership: an ocv_pkey owns its key material and its prepared backend
 * key; ocv_pkey_free zeroises it and leaves the struct reusable. A struct
 * copy moves ownership (free only one of the two). Not thread-safe for
 * writes; a loaded public key may be read by many threads once
 * ocv_pk_precompute ran (the mbedtls backend's lazy tables; the OpenSSL
 * backend needs nothing more).
 */
#ifndef OCV_VERIFIER_PKEY_H
#define OCV_VERIFIER_PKEY_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#include "base/buf.h"
#include "ocv.h"

typedef enum ocv_key_type {
    OCV_KEY_NONE = 0,
    OCV_KEY_EC_P256,
    OCV_KEY_EC_P384,
    OCV_KEY_EC_P521,
    OCV_KEY_RSA,
    OCV_KEY_ED25519
} ocv_key_type;

typedef struct ocv_pkey {
    ocv_key_type type;
    int has_private;
    mbedtls_pk_context pk;    /* EC and RSA keys */
    uint8_t ed25519_pub[32];  /* Ed25519 public key */
    uint8_t ed25519_sk[64];   /* Ed25519 libsodium secret key (seed||pub) */
    uint8_t id[32];           /* SHA-256 of the SubjectPublicKeyInfo DER */
    struct ocv_pkey_evp *evp; /* default profile: the prepared OpenSSL key;
                                 NULL in the device profile and for Ed25519 */
} ocv_pkey;

void ocv_pkey_init(ocv_pkey *key);
void ocv_pkey_free(ocv_pkey *key);

/* "ec-p256", "ec-p384", "ec-p521", "rsa", "ed25519". */
const char *ocv_key_type_name(ocv_key_type type);

/*
 * Parses a PEM (or DER) key. want_private selects private-key formats.
 * Reasons: OCV_OK; OCV_MALFORMED (not a key, wrong kind, encrypted);
 * OCV_ALG_NOT_ALLOWED (unsupported curve or RSA under 2048 bits without
 * allow_weak); OCV_INTERNAL_ERROR. err says what is wrong.
 */
OCV_MUST_CHECK ocv_reason ocv_pkey_parse(const uint8_t *data, size_t len, int want_private,
                                         int allow_weak, ocv_pkey *out, char *err, size_t err_len);

/* ocv_file_read + ocv_pkey_parse; err names the file. */
OCV_MUST_CHECK ocv_reason ocv_pkey_load_file(const char *path, int want_private, int allow_weak,
                                             ocv_pkey *out, char *err, size_t err_len);

/*
 * Public keys from raw parts, as JWK and COSE_Key carry them: an EC point
 * (x and y, big-endian, each exactly the curve's size) on the curve of
 * type, an RSA modulus and exponent (big-endian, 2048 bits at least
 * unless allow_weak), or a 32-byte Ed25519 key.
 * OCV_OK, OCV_MALFORMED (wrong sizes, point not on the curve),
 * OCV_ALG_NOT_ALLOWED (weak RSA), OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_pkey_from_ec_point(ocv_key_type type, const uint8_t *x, size_t x_len,
                                                 const uint8_t *y, size_t y_len, ocv_pkey *out);
OCV_MUST_CHECK ocv_reason ocv_pkey_from_rsa(const uint8_t *n, size_t n_len, const uint8_t *e,
                                            size_t e_len, int allow_weak, ocv_pkey *out);
OCV_MUST_CHECK ocv_reason ocv_pkey_from_ed25519(const uint8_t *pub, size_t len, ocv_pkey *out);

/* Generates a key: type EC_* / ED25519 (bits ignored) or RSA (bits). */
OCV_MUST_CHECK ocv_reason ocv_pkey_generate(ocv_key_type type, unsigned rsa_bits, ocv_pkey *out);

/* PEM writers: PKCS#8 private key, SubjectPublicKeyInfo public key. */
OCV_MUST_CHECK ocv_reason ocv_pkey_write_private_pem(const ocv_pkey *key, ocv_bytes *out);
OCV_MUST_CHECK ocv_reason ocv_pkey_write_public_pem(const ocv_pkey *key, ocv_bytes *out);

/* DER SubjectPublicKeyInfo, and its SHA-256 (the key's stable id). */
OCV_MUST_CHECK ocv_reason ocv_pkey_public_der(const ocv_pkey *key, ocv_bytes *out);
OCV_MUST_CHECK ocv_reason ocv_pkey_spki_sha256(const ocv_pkey *key, uint8_t out[32]);

/*
 * Runs the lazy precomputations mbedtls caches inside a key context (the
 * EC comb table for the generator, the RSA Montgomery constant) so that
 * later verifications only read the context and may run in parallel.
 */
OCV_MUST_CHECK ocv_reason ocv_pk_precompute(mbedtls_pk_context *pk);

/*
 * The backend's half of a key (verifier/sigalg_openssl.c in the default
 * profile; nothing in the device profile): prepare turns the public key's
 * SubjectPublicKeyInfo DER into the backend's key, once; free releases it
 * (NULL accepted). Called by this module's constructors and ocv_pkey_free.
 * OCV_OK, OCV_MALFORMED (the backend refuses the key), OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_pkey_evp_prepare(ocv_pkey *key, const uint8_t *spki, size_t len);
void ocv_pkey_evp_free(struct ocv_pkey_evp *evp);

#endif
