/*
 * sigalg_openssl.c - the default profile's backend: ECDSA and RSA
 * (PKCS#1 v1.5, PSS) verified by OpenSSL libcrypto 3.
 *
 * Implementation notes
 *
 * Everything OpenSSL looks up by name is looked up once:
 * - the digests (EVP_MD_fetch) once per process, under pthread_once;
 * - the key (EVP_PKEY, from the SubjectPublicKeyInfo DER) once per
 *   ocv_pkey, when the key is built (ocv_pkey_evp_prepare);
 * - the verification context (EVP_PKEY_CTX with padding and hash set),
 *   per key and per kind of verification, kept in a small lock-free pool:
 *   a verifier takes a context with an atomic exchange, uses it alone,
 *   and puts it back with a compare-and-swap (or frees it when the pool is
 *   full). Two threads never share a context; an idle key holds at most
 *   POOL contexts per kind. Setting up a context costs about 3 µs (the
 *   provider lookups), a fifth of an RSA-2048 verification.
 * The message is hashed with EVP_Digest and the prefetched EVP_MD, then
 * EVP_PKEY_verify checks the signature over the digest.
 *
 * JOSE/COSE ECDSA signatures are raw r||s; OpenSSL wants the DER
 * ECDSA-Sig-Value, which is written here into a stack buffer (two
 * INTEGERs: leading zeros dropped, a 0x00 added before a set top bit).
 * OpenSSL refuses r or s outside [1, n-1] itself, like mbedtls.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "verifier/sigalg.h"

enum {
    KIND_ECDSA,
    KIND_PKCS1_SHA256,
    KIND_PKCS1_SHA384,
    KIND_PKCS1_SHA512,
    KIND_PSS_SHA256,
    KIND_PSS_SHA384,
    KIND_PSS_SHA512,
    KIND_COUNT
};
#define POOL 4

struct ocv_pkey_evp {
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *_Atomic pool[KIND_COUNT][POOL];
};

/* ---- digests, fetched once ------------------------------------------ */

static EVP_MD *md_sha224, *md_sha256, *md_sha384, *md_sha512;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_fetch(void)
{
    md_sha224 = EVP_MD_fetch(NULL, "SHA2-224", NULL);
    md_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    md_sha384 = EVP_MD_fetch(NULL, "SHA2-384", NULL);
    md_sha512 = EVP_MD_fetch(NULL, "SHA2-512", NULL);
}

static const EVP_MD *md_of(mbedtls_md_type_t t)
{
    pthread_once(&md_once, md_fetch);
    switch (t) {
    case MBEDTLS_MD_SHA224:
        return md_sha224;
    case MBEDTLS_MD_SHA256:
        return md_sha256;
    case MBEDTLS_MD_SHA384:
        return md_sha384;
    case MBEDTLS_MD_SHA512:
        return md_sha512;
    default:
        return NULL;
    }
}

static int hash(const EVP_MD *md, const uint8_t *msg, size_t len, uint8_t out[EVP_MAX_MD_SIZE],
                size_t *out_len)
{
    unsigned n = 0;
    if (md == NULL || EVP_Digest(msg, len, out, &n, md, NULL) != 1)
        return -1;
    *out_len = n;
    return 0;
}

int ocv_backend_sha256(const ocv_sigcache_part *parts, size_t n, uint8_t out[32])
{
    const EVP_MD *md = md_of(MBEDTLS_MD_SHA256);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = md != NULL && c != NULL && EVP_DigestInit_ex(c, md, NULL) == 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = parts[i].len == 0 || EVP_DigestUpdate(c, parts[i].p, parts[i].len) == 1;
    unsigned len = 0;
    ok = ok && EVP_DigestFinal_ex(c, out, &len) == 1 && len == 32;
    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

/* ---- keys ------------------------------------------------------------------ */

ocv_reason ocv_pkey_evp_prepare(ocv_pkey *key, const uint8_t *spki, size_t len)
{
    const unsigned char *p = spki;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)len);
    if (pkey == NULL || p != spki + len) {
        EVP_PKEY_free(pkey);
        return OCV_MALFORMED;
    }
    struct ocv_pkey_evp *evp = calloc(1, sizeof(*evp));
    if (evp == NULL) {
        EVP_PKEY_free(pkey);
        return OCV_INTERNAL_ERROR;
    }
    evp->pkey = pkey;
    ocv_pkey_evp_free(key->evp);
    key->evp = evp;
    return OCV_OK;
}

void ocv_pkey_evp_free(struct ocv_pkey_evp *evp)
{
    if (evp == NULL)
        return;
    for (int k = 0; k < KIND_COUNT; k++) {
        for (int i = 0; i < POOL; i++)
            EVP_PKEY_CTX_free(atomic_load(&evp->pool[k][i]));
    }
    EVP_PKEY_free(evp->pkey);
    free(evp);
}

/* ---- verification contexts --------------------------------------------- */

/* A fresh context for verifying a digest: padding, hash, MGF1 hash and
 * salt length set (pss_salt < 0: RSA_PSS_SALTLEN_AUTO). */
static EVP_PKEY_CTX *ctx_new(EVP_PKEY *pkey, int pss, int pkcs1, const EVP_MD *md,
                             const EVP_MD *mgf1, int pss_salt)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok = c != NULL && EVP_PKEY_verify_init(c) == 1;
    if (ok && pkcs1)
        ok = EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
             EVP_PKEY_CTX_set_signature_md(c, md) == 1;
    if (ok && pss)
        ok = EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_signature_md(c, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(c, mgf1) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(c, pss_salt < 0 ? RSA_PSS_SALTLEN_AUTO : pss_salt) ==
                 1;
    if (!ok) {
        EVP_PKEY_CTX_free(c);
        return NULL;
    }
    return c;
}

static EVP_PKEY_CTX *ctx_new_kind(EVP_PKEY *pkey, int kind)
{
    static const mbedtls_md_type_t MD[] = {MBEDTLS_MD_NONE,   MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA384,
                                           MBEDTLS_MD_SHA512, MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA384,
                                           MBEDTLS_MD_SHA512};
    const EVP_MD *md = md_of(MD[kind]);
    int pss = kind >= KIND_PSS_SHA256, pkcs1 = kind != KIND_ECDSA && !pss;
    return ctx_new(pkey, pss, pkcs1, md, md, pss ? EVP_MD_get_size(md) : 0);
}

static EVP_PKEY_CTX *ctx_take(struct ocv_pkey_evp *evp, int kind)
{
    for (int i = 0; i < POOL; i++) {
        EVP_PKEY_CTX *c = atomic_exchange(&evp->pool[kind][i], NULL);
        if (c != NULL)
            return c;
    }
    return ctx_new_kind(evp->pkey, kind);
}

static void ctx_give_back(struct ocv_pkey_evp *evp, int kind, EVP_PKEY_CTX *c)
{
    for (int i = 0; i < POOL; i++) {
        EVP_PKEY_CTX *empty = NULL;
        if (atomic_compare_exchange_strong(&evp->pool[kind][i], &empty, c))
            return;
    }
    EVP_PKEY_CTX_free(c);
}

/* Verifies sig over an already computed digest with a pooled context. */
static ocv_reason verify_digest(const ocv_pkey *key, int kind, const uint8_t *sig, size_t sig_len,
                                const uint8_t *digest, size_t digest_len)
{
    struct ocv_pkey_evp *evp = key->evp;
    if (evp == NULL)
        return OCV_INTERNAL_ERROR;
    EVP_PKEY_CTX *c = ctx_take(evp, kind);
    if (c == NULL)
        return OCV_INTERNAL_ERROR;
    int rc = EVP_PKEY_verify(c, sig, sig_len, digest, digest_len);
    ctx_give_back(evp, kind, c);
    return rc == 1 ? OCV_OK : OCV_SIGNATURE_INVALID;
}

/* ---- JOSE / COSE ------------------------------------------------------------ */

/* One DER INTEGER from a big-endian unsigned value; returns its size. */
static size_t der_integer(uint8_t *out, const uint8_t *v, size_t n)
{
    while (n > 1 && v[0] == 0) {
        v++;
        n--;
    }
    size_t pad = (v[0] & 0x80) != 0;
    out[0] = 0x02;
    out[1] = (uint8_t)(n + pad); /* at most 67 for P-521: short form */
    out[2] = 0;
    memcpy(out + 2 + pad, v, n);
    return 2 + pad + n;
}

/* raw r||s (2 * half bytes, half <= 66) as an ECDSA-Sig-Value; returns
 * the DER size (at most 3 + 2 * 69). */
static size_t ecdsa_raw_to_der(const uint8_t *sig, size_t half, uint8_t der[144])
{
    uint8_t body[2 * 69];
    size_t n = der_integer(body, sig, half);
    n += der_integer(body + n, sig + half, half);
    size_t h = 0;
    der[h++] = 0x30;
    if (n >= 0x80)
        der[h++] = 0x81;
    der[h++] = (uint8_t)n;
    memcpy(der + h, body, n);
    return h + n;
}

ocv_reason ocv_openssl_verify_ecdsa(const ocv_alg_info *info, const ocv_pkey *key,
                                    const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                                    size_t sig_len)
{
    uint8_t digest[EVP_MAX_MD_SIZE], der[144];
    size_t digest_len = 0;
    if (sig_len > 132 || hash(md_of(info->md), msg, msg_len, digest, &digest_len) != 0)
        return OCV_INTERNAL_ERROR;
    size_t der_len = ecdsa_raw_to_der(sig, sig_len / 2, der);
    return verify_digest(key, KIND_ECDSA, der, der_len, digest, digest_len);
}

ocv_reason ocv_openssl_verify_ecdsa_digest(const ocv_alg_info *info, const ocv_pkey *key,
                                           const uint8_t *digest, size_t digest_len,
                                           const uint8_t *sig, size_t sig_len)
{
    (void)info;
    uint8_t der[144];
    if (sig_len > 132)
        return OCV_INTERNAL_ERROR;
    size_t der_len = ecdsa_raw_to_der(sig, sig_len / 2, der);
    return verify_digest(key, KIND_ECDSA, der, der_len, digest, digest_len);
}

static int rsa_kind(mbedtls_md_type_t md, int pss)
{
    int base = pss ? KIND_PSS_SHA256 : KIND_PKCS1_SHA256;
    switch (md) {
    case MBEDTLS_MD_SHA256:
        return base;
    case MBEDTLS_MD_SHA384:
        return base + 1;
    case MBEDTLS_MD_SHA512:
        return base + 2;
    default:
        return -1;
    }
}

static ocv_reason verify_rsa(const ocv_alg_info *info, const ocv_pkey *key, const uint8_t *msg,
                             size_t msg_len, const uint8_t *sig, size_t sig_len, int pss)
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    size_t digest_len = 0;
    int kind = rsa_kind(info->md, pss);
    if (kind < 0 || hash(md_of(info->md), msg, msg_len, digest, &digest_len) != 0)
        return OCV_INTERNAL_ERROR;
    return verify_digest(key, kind, sig, sig_len, digest, digest_len);
}

ocv_reason ocv_openssl_verify_rsa_pkcs1(const ocv_alg_info *info, const ocv_pkey *key,
                                        const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                                        size_t sig_len)
{
    return verify_rsa(info, key, msg, msg_len, sig, sig_len, 0);
}

ocv_reason ocv_openssl_verify_rsa_pss(const ocv_alg_info *info, const ocv_pkey *key,
                                      const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                                      size_t sig_len)
{
    return verify_rsa(info, key, msg, msg_len, sig, sig_len, 1);
}

/* ---- X.509 ---------------------------------------------------------------- */

/* PSS with the AlgorithmIdentifier's parameters: a context of its own. */
static ocv_reason verify_x509_pss(const ocv_pkey *key, const ocv_x509_sig *s, const uint8_t *digest,
                                  size_t digest_len)
{
    const mbedtls_pk_rsassa_pss_options *o = s->pss_opts;
    const EVP_MD *mgf1 = md_of(o->mgf1_hash_id);
    if (mgf1 == NULL || key->evp == NULL)
        return OCV_SIGNATURE_INVALID; /* mbedtls refuses an unknown MGF1 hash the same way */
    EVP_PKEY_CTX *c = ctx_new(key->evp->pkey, 1, 0, md_of(s->md), mgf1, o->expected_salt_len);
    if (c == NULL)
        return OCV_INTERNAL_ERROR;
    int rc = EVP_PKEY_verify(c, s->sig, s->sig_len, digest, digest_len);
    EVP_PKEY_CTX_free(c);
    return rc == 1 ? OCV_OK : OCV_SIGNATURE_INVALID;
}

static ocv_reason verify_x509(const ocv_pkey *key, const ocv_x509_sig *s)
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    size_t digest_len = 0;
    if (hash(md_of(s->md), s->tbs, s->tbs_len, digest, &digest_len) != 0)
        return OCV_ALG_NOT_ALLOWED;
    if (s->sig_type == MBEDTLS_PK_ECDSA)
        return verify_digest(key, KIND_ECDSA, s->sig, s->sig_len, digest, digest_len);
    if (s->sig_type == MBEDTLS_PK_RSASSA_PSS)
        return verify_x509_pss(key, s, digest, digest_len);
    int kind = rsa_kind(s->md, 0);
    if (kind >= 0)
        return verify_digest(key, kind, s->sig, s->sig_len, digest, digest_len);
    if (key->evp == NULL)
        return OCV_INTERNAL_ERROR;
    EVP_PKEY_CTX *c = ctx_new(key->evp->pkey, 0, 1, md_of(s->md), NULL, 0);
    if (c == NULL)
        return OCV_INTERNAL_ERROR;
    int rc = EVP_PKEY_verify(c, s->sig, s->sig_len, digest, digest_len);
    EVP_PKEY_CTX_free(c);
    return rc == 1 ? OCV_OK : OCV_SIGNATURE_INVALID;
}

const ocv_sig_backend ocv_sig_backend_openssl = {
    "openssl",   ocv_openssl_verify_ecdsa, ocv_openssl_verify_rsa_pkcs1, ocv_openssl_verify_rsa_pss,
    verify_x509, ocv_openssl_verify_ecdsa_digest,
};
