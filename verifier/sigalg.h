/*
 * sigalg.h - the one seam between algorithm names and signature code.
 *
 * One table maps each ocv_alg to its JOSE name (RFC 7518, RFC 8037), its
 * COSE id (RFC 9053), its hash, the key type it needs, its raw signature
 * size, and the functions that verify and sign it in this build. Adding a
 * faster implementation of an algorithm means changing one row's function
 * pointer (or one backend's, below) and nothing else.
 *
 * Backends (docs/architecture.md, "The signature seam"):
 *   default build       ECDSA and RSA verified by OpenSSL libcrypto 3
 *                       (sigalg_openssl.c): the key is an EVP_PKEY made
 *                       once when the ocv_pkey is built (pkey.h), digests
 *                       fetched once per process, verification contexts
 *                       pooled per key (no provider lookup per call).
 *   PROFILE=device      ECDSA and RSA verified by mbedtls alone
 *                       (sigalg_mbedtls.c); no libcrypto is linked.
 *   both                Ed25519 by libsodium; signing (mint, bundles,
 *                       receipts) by mbedtls and libsodium.
 * The default build also carries the mbedtls backend, so the differential
 * test (tests/unit/test_sigalg_diff.c) compares the two in one process.
 * Both backends answer through the same checks here first (key type,
 * signature length), so a length or type error never reaches a library.
 *
 * Signatures are in the JOSE/COSE form: ECDSA as raw r||s, each half
 * exactly the curve's size (no DER, so no BER leniency); RSA as the
 * modulus-sized integer; Ed25519 as 64 bytes. RSA-PSS uses MGF1 with the
 * same hash and a salt as long as the hash (RFC 7518 §3.5), and nothing
 * else verifies. X.509 signatures (ocv_sig_verify_x509) keep their DER
 * form and their AlgorithmIdentifier's parameters.
 *
 * What it does not do: HMAC (ocv accepts no shared-secret algorithm), key
 * selection (keyset), path validation (x509), or any format parsing.
 *
 * Thread safety: verification only reads the key (the OpenSSL backend's
 * context pool is lock-free); keys shared between threads must have been
 * precomputed for the mbedtls backend (ocv_pk_precompute).
 */
#ifndef OCV_VERIFIER_SIGALG_H
#define OCV_VERIFIER_SIGALG_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/md.h>
#include <mbedtls/pk.h>

#include "base/buf.h"
#include "base/claims.h"
#include "ocv.h"
#include "verifier/pkey.h"
#include "verifier/sigcache.h"

struct ocv_alg_info;

/* A backend's verification of one JOSE/COSE signature. Called only after
 * the seam's checks: the key has the row's type and the signature has the
 * row's length (RSA: the modulus length). OCV_OK, OCV_SIGNATURE_INVALID,
 * OCV_INTERNAL_ERROR. */
typedef ocv_reason (*ocv_sig_verify_fn)(const struct ocv_alg_info *info, const ocv_pkey *key,
                                        const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                                        size_t sig_len);
/* Signing: a new sig the caller frees. OCV_OK or OCV_INTERNAL_ERROR. */
typedef ocv_reason (*ocv_sig_sign_fn)(const struct ocv_alg_info *info, const ocv_pkey *key,
                                      const uint8_t *msg, size_t msg_len, ocv_bytes *sig);

typedef struct ocv_alg_info {
    ocv_alg alg;
    const char *jose;         /* "ES256" */
    int64_t cose;             /* -7 */
    mbedtls_md_type_t md;     /* MBEDTLS_MD_NONE for EdDSA (it hashes itself) */
    ocv_key_type key_type;    /* OCV_KEY_RSA covers every RSA size */
    size_t raw_sig_len;       /* fixed size, or 0 for RSA (the modulus size) */
    ocv_sig_verify_fn verify; /* this build profile's backend */
    ocv_sig_sign_fn sign;
} ocv_alg_info;

/* NULL for anything not in the table: "none", "HS256", unknown names. */
const ocv_alg_info *ocv_alg_by_jose(const char *name, size_t len);
const ocv_alg_info *ocv_alg_by_cose(int64_t id);
const ocv_alg_info *ocv_alg_info_of(ocv_alg alg);

/*
 * Verifies sig over msg with key under alg, with this build's backend.
 * Reasons: OCV_OK; OCV_SIGNATURE_INVALID (wrong length, r or s out of
 * range, mismatch); OCV_ALG_NOT_ALLOWED (the key's type is not the
 * algorithm's, e.g. an RSA key for ES256, or an unknown alg);
 * OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_sig_verify(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg,
                                         size_t msg_len, const uint8_t *sig, size_t sig_len);

/*
 * ECDSA over a digest the caller computed with the row's hash (a message
 * too large to hold, hashed as a stream: revocation bundles). Same checks
 * and reasons as ocv_sig_verify; OCV_ALG_NOT_ALLOWED for a row that is not
 * ECDSA (EdDSA hashes the message itself and cannot take a digest), and a
 * digest of the wrong length.
 */
OCV_MUST_CHECK ocv_reason ocv_sig_verify_ecdsa_digest(ocv_alg alg, const ocv_pkey *key,
                                                      const uint8_t *digest, size_t digest_len,
                                                      const uint8_t *sig, size_t sig_len);

/* Signs msg (the tools' side: mint, bundles, receipts). */
OCV_MUST_CHECK ocv_reason ocv_sig_sign(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg,
                                       size_t msg_len, ocv_bytes *sig);

/* The natural algorithm for a key: ES256/384/512 by curve, EdDSA, PS256
 * for RSA. OCV_ALG_NONE when none. */
ocv_alg ocv_alg_for_key(const ocv_pkey *key);

/* ---- X.509 signatures ------------------------------------------------ */

/*
 * One certificate or CRL signature as mbedtls parses it (the fields of
 * mbedtls_x509_crt / mbedtls_x509_crl with the same names). Borrowed: the
 * pointers are only read during the call.
 */
typedef struct ocv_x509_sig {
    mbedtls_pk_type_t sig_type; /* sig_pk: MBEDTLS_PK_ECDSA, _RSA or _RSASSA_PSS */
    mbedtls_md_type_t md;       /* sig_md: SHA-224, -256, -384 or -512 */
    const void *pss_opts;       /* sig_opts: mbedtls_pk_rsassa_pss_options for PSS, else NULL */
    const uint8_t *tbs;         /* tbs.p, tbs.len: the signed bytes */
    size_t tbs_len;
    const uint8_t *sig; /* sig.p, sig.len: DER ECDSA-Sig-Value, or the RSA integer */
    size_t sig_len;
} ocv_x509_sig;

/*
 * Verifies one X.509 signature (a certificate's or a CRL's) with the
 * issuer's key, through this build's backend. ECDSA signatures must be
 * strict DER (ocv_x509_ecdsa_der_is_strict) in both backends; RSA
 * signatures must be exactly the modulus long; RSA-PSS follows sig_opts
 * (MGF1 hash and salt length from the AlgorithmIdentifier).
 *
 * cache: optional (NULL: none). Pass the configuration's cache for CA
 * certificate and CRL signatures, which recur on every decision, and NULL
 * for leaf certificates, which do not. Only successes are remembered,
 * under (issuer_key->id, sig_type, md, PSS parameters, tbs, sig); a hit
 * answers OCV_OK without a verification.
 *
 * The issuer key: ocv_pkey_parse(crt->pk_raw.p, crt->pk_raw.len, 0, 1,
 * ...) makes one from a certificate (do it once per loaded anchor, not per
 * decision, where possible).
 *
 * Reasons: OCV_OK; OCV_SIGNATURE_INVALID (mismatch, non-strict DER, wrong
 * length); OCV_ALG_NOT_ALLOWED (SHA-1, MD5 or an unknown hash; a key whose
 * type does not fit sig_type, e.g. an EC key for an RSA signature; PSS
 * without parameters); OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_sig_verify_x509(const ocv_pkey *issuer_key, const ocv_x509_sig *s,
                                              ocv_sigcache *cache);

/* The same with the issuer key as its SubjectPublicKeyInfo DER (a
 * certificate's pk_raw): a cache hit answers without parsing the key. */
OCV_MUST_CHECK ocv_reason ocv_sig_verify_x509_spki(const uint8_t *spki, size_t spki_len,
                                                   const ocv_x509_sig *s, ocv_sigcache *cache);

/* ---- backends ---------------------------------------------------------- */

/* A backend's verification of one X.509 signature, after the seam's
 * checks (hash allowed, key type fits, strict DER). */
typedef ocv_reason (*ocv_sig_x509_fn)(const ocv_pkey *key, const ocv_x509_sig *s);

typedef struct ocv_sig_backend {
    const char *name; /* "openssl", "mbedtls" */
    ocv_sig_verify_fn ecdsa;
    ocv_sig_verify_fn rsa_pkcs1;
    ocv_sig_verify_fn rsa_pss;
    ocv_sig_x509_fn x509;
    ocv_sig_verify_fn ecdsa_digest; /* msg is the row's digest of the message */
} ocv_sig_backend;

/* The backend this build verifies ECDSA and RSA with. */
const ocv_sig_backend *ocv_sig_backend_active(void);
/* Every backend built in: mbedtls always, OpenSSL in the default profile.
 * *count gets how many. */
const ocv_sig_backend *const *ocv_sig_backends(size_t *count);

/* ocv_sig_verify and ocv_sig_verify_x509 (without cache) through a given
 * backend, for the differential test and the benchmarks. Same checks,
 * same reasons. */
OCV_MUST_CHECK ocv_reason ocv_sig_verify_with(const ocv_sig_backend *b, ocv_alg alg,
                                              const ocv_pkey *key, const uint8_t *msg,
                                              size_t msg_len, const uint8_t *sig, size_t sig_len);
OCV_MUST_CHECK ocv_reason ocv_sig_verify_x509_with(const ocv_sig_backend *b,
                                                   const ocv_pkey *issuer_key,
                                                   const ocv_x509_sig *s);

/* The backends' functions (sigalg_mbedtls.c, sigalg_openssl.c). */
extern const ocv_sig_backend ocv_sig_backend_mbedtls;
#ifndef OCV_PROFILE_DEVICE
extern const ocv_sig_backend ocv_sig_backend_openssl;
#endif
OCV_MUST_CHECK ocv_reason ocv_mbedtls_sign_ecdsa(const ocv_alg_info *info, const ocv_pkey *key,
                                                 const uint8_t *msg, size_t msg_len,
                                                 ocv_bytes *sig);
OCV_MUST_CHECK ocv_reason ocv_mbedtls_sign_rsa(const ocv_alg_info *info, const ocv_pkey *key,
                                               const uint8_t *msg, size_t msg_len, ocv_bytes *sig);
OCV_MUST_CHECK ocv_reason ocv_mbedtls_verify_ecdsa(const ocv_alg_info *info, const ocv_pkey *key,
                                                   const uint8_t *msg, size_t msg_len,
                                                   const uint8_t *sig, size_t sig_len);
OCV_MUST_CHECK ocv_reason ocv_mbedtls_verify_rsa_pkcs1(const ocv_alg_info *info,
                                                       const ocv_pkey *key, const uint8_t *msg,
                                                       size_t msg_len, const uint8_t *sig,
                                                       size_t sig_len);
OCV_MUST_CHECK ocv_reason ocv_mbedtls_verify_rsa_pss(const ocv_alg_info *info, const ocv_pkey *key,
                                                     const uint8_t *msg, size_t msg_len,
                                                     const uint8_t *sig, size_t sig_len);
OCV_MUST_CHECK ocv_reason ocv_mbedtls_verify_ecdsa_digest(const ocv_alg_info *info,
                                                          const ocv_pkey *key,
                                                          const uint8_t *digest, size_t digest_len,
                                                          const uint8_t *sig, size_t sig_len);
OCV_MUST_CHECK ocv_reason ocv_openssl_verify_ecdsa_digest(const ocv_alg_info *info,
                                                          const ocv_pkey *key,
                                                          const uint8_t *digest, size_t digest_len,
                                                          const uint8_t *sig, size_t sig_len);
OCV_MUST_CHECK ocv_reason ocv_openssl_verify_ecdsa(const ocv_alg_info *info, const ocv_pkey *key,
                                                   const uint8_t *msg, size_t msg_len,
                                                   const uint8_t *sig, size_t sig_len);
OCV_MUST_CHECK ocv_reason ocv_openssl_verify_rsa_pkcs1(const ocv_alg_info *info,
                                                       const ocv_pkey *key, const uint8_t *msg,
                                                       size_t msg_len, const uint8_t *sig,
                                                       size_t sig_len);
OCV_MUST_CHECK ocv_reason ocv_openssl_verify_rsa_pss(const ocv_alg_info *info, const ocv_pkey *key,
                                                     const uint8_t *msg, size_t msg_len,
                                                     const uint8_t *sig, size_t sig_len);

#endif
