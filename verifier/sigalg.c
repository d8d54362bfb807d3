/*
 * sigalg.c - the algorithm table and the checks every backend shares.
 *
 * Implementation notes
 *
 * A row's verify pointer is this build profile's backend for that row
 * (OCV_ECDSA_VERIFY and friends below pick it at compile time), so a
 * verification is one table lookup, the length and key-type checks, and
 * one indirect call. ocv_sig_verify_with runs the same checks and then the
 * given backend's function for the row's kind, which is how the
 * differential test holds the two backends to one answer.
 */
#include "sigalg.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/rsa.h>
#include <sodium.h>

#include "base/util.h"
#include "verifier/x509.h"

static ocv_reason verify_eddsa(const ocv_alg_info *info, const ocv_pkey *key, const uint8_t *msg,
                               size_t msg_len, const uint8_t *sig, size_t sig_len)
{
    (void)info;
    (void)sig_len; /* 64, checked by the seam */
    if (sodium_init() < 0)
        return OCV_INTERNAL_ERROR;
    return crypto_sign_verify_detached(sig, msg, msg_len, key->ed25519_pub) == 0
               ? OCV_OK
               : OCV_SIGNATURE_INVALID;
}

static ocv_reason sign_eddsa(const ocv_alg_info *info, const ocv_pkey *key, const uint8_t *msg,
                             size_t msg_len, ocv_bytes *sig)
{
    (void)info;
    if (sodium_init() < 0)
        return OCV_INTERNAL_ERROR;
    sig->data = malloc(crypto_sign_BYTES);
    if (sig->data == NULL)
        return OCV_INTERNAL_ERROR;
    crypto_sign_detached(sig->data, NULL, msg, msg_len, key->ed25519_sk);
    sig->len = crypto_sign_BYTES;
    return OCV_OK;
}

#ifdef OCV_PROFILE_DEVICE
#define ACTIVE_BACKEND   ocv_sig_backend_mbedtls
#define ECDSA_VERIFY     ocv_mbedtls_verify_ecdsa
#define RSA_PKCS1_VERIFY ocv_mbedtls_verify_rsa_pkcs1
#define RSA_PSS_VERIFY   ocv_mbedtls_verify_rsa_pss
#else
#define ACTIVE_BACKEND   ocv_sig_backend_openssl
#define ECDSA_VERIFY     ocv_openssl_verify_ecdsa
#define RSA_PKCS1_VERIFY ocv_openssl_verify_rsa_pkcs1
#define RSA_PSS_VERIFY   ocv_openssl_verify_rsa_pss
#endif

#define EC(a, j, c, md, kt, n)                                                                     \
    {                                                                                              \
        a, j, c, md, kt, n, ECDSA_VERIFY, ocv_mbedtls_sign_ecdsa                                   \
    }
#define RS(a, j, c, md)                                                                            \
    {                                                                                              \
        a, j, c, md, OCV_KEY_RSA, 0, RSA_PKCS1_VERIFY, ocv_mbedtls_sign_rsa                        \
    }
#define PS(a, j, c, md)                                                                            \
    {                                                                                              \
        a, j, c, md, OCV_KEY_RSA, 0, RSA_PSS_VERIFY, ocv_mbedtls_sign_rsa                          \
    }

static const ocv_alg_info ALGS[] = {
    EC(OCV_ALG_ES256, "ES256", -7, MBEDTLS_MD_SHA256, OCV_KEY_EC_P256, 64),
    EC(OCV_ALG_ES384, "ES384", -35, MBEDTLS_MD_SHA384, OCV_KEY_EC_P384, 96),
    EC(OCV_ALG_ES512, "ES512", -36, MBEDTLS_MD_SHA512, OCV_KEY_EC_P521, 132),
    RS(OCV_ALG_RS256, "RS256", -257, MBEDTLS_MD_SHA256),
    RS(OCV_ALG_RS384, "RS384", -258, MBEDTLS_MD_SHA384),
    RS(OCV_ALG_RS512, "RS512", -259, MBEDTLS_MD_SHA512),
    PS(OCV_ALG_PS256, "PS256", -37, MBEDTLS_MD_SHA256),
    PS(OCV_ALG_PS384, "PS384", -38, MBEDTLS_MD_SHA384),
    PS(OCV_ALG_PS512, "PS512", -39, MBEDTLS_MD_SHA512),
    {OCV_ALG_EDDSA, "EdDSA", -8, MBEDTLS_MD_NONE, OCV_KEY_ED25519, 64, verify_eddsa, sign_eddsa},
};
#define ALG_COUNT (sizeof(ALGS) / sizeof(ALGS[0]))

static const ocv_sig_backend *const BACKENDS[] = {
#ifndef OCV_PROFILE_DEVICE
    &ocv_sig_backend_openssl,
#endif
    &ocv_sig_backend_mbedtls,
};

const ocv_sig_backend *ocv_sig_backend_active(void)
{
    return &ACTIVE_BACKEND;
}

const ocv_sig_backend *const *ocv_sig_backends(size_t *count)
{
    *count = sizeof(BACKENDS) / sizeof(BACKENDS[0]);
    return BACKENDS;
}

const ocv_alg_info *ocv_alg_by_jose(const char *name, size_t len)
{
    for (size_t i = 0; i < ALG_COUNT; i++) {
        if (strlen(ALGS[i].jose) == len && memcmp(ALGS[i].jose, name, len) == 0)
            return &ALGS[i];
    }
    return NULL;
}

const ocv_alg_info *ocv_alg_by_cose(int64_t id)
{
    for (size_t i = 0; i < ALG_COUNT; i++) {
        if (ALGS[i].cose == id)
            return &ALGS[i];
    }
    return NULL;
}

const ocv_alg_info *ocv_alg_info_of(ocv_alg alg)
{
    for (size_t i = 0; i < ALG_COUNT; i++) {
        if (ALGS[i].alg == alg)
            return &ALGS[i];
    }
    return NULL;
}

ocv_alg ocv_alg_for_key(const ocv_pkey *key)
{
    switch (key->type) {
    case OCV_KEY_EC_P256:
        return OCV_ALG_ES256;
    case OCV_KEY_EC_P384:
        return OCV_ALG_ES384;
    case OCV_KEY_EC_P521:
        return OCV_ALG_ES512;
    case OCV_KEY_ED25519:
        return OCV_ALG_EDDSA;
    case OCV_KEY_RSA:
        return OCV_ALG_PS256;
    case OCV_KEY_NONE:
        return OCV_ALG_NONE;
    }
    return OCV_ALG_NONE;
}

/* The checks every backend relies on: a known alg, a key of its type, a
 * signature of its length (RSA: the modulus length). */
static ocv_reason seam_check(const ocv_alg_info *info, const ocv_pkey *key, size_t sig_len)
{
    if (info == NULL || key == NULL || key->type != info->key_type)
        return OCV_ALG_NOT_ALLOWED;
    if (info->raw_sig_len != 0 && sig_len != info->raw_sig_len)
        return OCV_SIGNATURE_INVALID;
    if (info->key_type == OCV_KEY_RSA && sig_len != mbedtls_rsa_get_len(mbedtls_pk_rsa(key->pk)))
        return OCV_SIGNATURE_INVALID;
    return OCV_OK;
}

ocv_reason ocv_sig_verify(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg, size_t msg_len,
                          const uint8_t *sig, size_t sig_len)
{
    const ocv_alg_info *info = ocv_alg_info_of(alg);
    ocv_reason r = seam_check(info, key, sig_len);
    if (r != OCV_OK)
        return r;
    return info->verify(info, key, msg, msg_len, sig, sig_len);
}

ocv_reason ocv_sig_verify_ecdsa_digest(ocv_alg alg, const ocv_pkey *key, const uint8_t *digest,
                                       size_t digest_len, const uint8_t *sig, size_t sig_len)
{
    const ocv_alg_info *info = ocv_alg_info_of(alg);
    if (info == NULL || info->md == MBEDTLS_MD_NONE || info->key_type == OCV_KEY_RSA ||
        info->key_type == OCV_KEY_ED25519 ||
        digest_len != mbedtls_md_get_size(mbedtls_md_info_from_type(info->md)))
        return OCV_ALG_NOT_ALLOWED;
    ocv_reason r = seam_check(info, key, sig_len);
    if (r != OCV_OK)
        return r;
    return ocv_sig_backend_active()->ecdsa_digest(info, key, digest, digest_len, sig, sig_len);
}

static int is_pss(ocv_alg alg)
{
    return alg == OCV_ALG_PS256 || alg == OCV_ALG_PS384 || alg == OCV_ALG_PS512;
}

ocv_reason ocv_sig_verify_with(const ocv_sig_backend *b, ocv_alg alg, const ocv_pkey *key,
                               const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                               size_t sig_len)
{
    const ocv_alg_info *info = ocv_alg_info_of(alg);
    ocv_reason r = seam_check(info, key, sig_len);
    if (r != OCV_OK)
        return r;
    ocv_sig_verify_fn fn = info->key_type == OCV_KEY_ED25519 ? verify_eddsa
                           : info->key_type != OCV_KEY_RSA   ? b->ecdsa
                           : is_pss(alg)                     ? b->rsa_pss
                                                             : b->rsa_pkcs1;
    return fn(info, key, msg, msg_len, sig, sig_len);
}

ocv_reason ocv_sig_sign(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg, size_t msg_len,
                        ocv_bytes *sig)
{
    ocv_bytes_init(sig);
    const ocv_alg_info *info = ocv_alg_info_of(alg);
    if (info == NULL || key == NULL || key->type != info->key_type || !key->has_private)
        return OCV_ALG_NOT_ALLOWED;
    ocv_reason r = info->sign(info, key, msg, msg_len, sig);
    if (r != OCV_OK)
        ocv_bytes_free(sig);
    return r;
}

/* ---- X.509 --------------------------------------------------------------- */

static int x509_md_allowed(mbedtls_md_type_t md)
{
    return md == MBEDTLS_MD_SHA224 || md == MBEDTLS_MD_SHA256 || md == MBEDTLS_MD_SHA384 ||
           md == MBEDTLS_MD_SHA512;
}

static ocv_reason x509_check(const ocv_pkey *key, const ocv_x509_sig *s)
{
    if (key == NULL || s == NULL || !x509_md_allowed(s->md))
        return OCV_ALG_NOT_ALLOWED;
    switch (s->sig_type) {
    case MBEDTLS_PK_ECDSA:
        if (key->type != OCV_KEY_EC_P256 && key->type != OCV_KEY_EC_P384 &&
            key->type != OCV_KEY_EC_P521)
            return OCV_ALG_NOT_ALLOWED;
        return ocv_x509_ecdsa_der_is_strict(s->sig, s->sig_len) ? OCV_OK : OCV_SIGNATURE_INVALID;
    case MBEDTLS_PK_RSASSA_PSS:
        if (s->pss_opts == NULL)
            return OCV_ALG_NOT_ALLOWED;
        /* fall through */
    case MBEDTLS_PK_RSA:
        if (key->type != OCV_KEY_RSA)
            return OCV_ALG_NOT_ALLOWED;
        return s->sig_len == mbedtls_rsa_get_len(mbedtls_pk_rsa(key->pk)) ? OCV_OK
                                                                          : OCV_SIGNATURE_INVALID;
    default:
        return OCV_ALG_NOT_ALLOWED;
    }
}

ocv_reason ocv_sig_verify_x509_with(const ocv_sig_backend *b, const ocv_pkey *issuer_key,
                                    const ocv_x509_sig *s)
{
    ocv_reason r = x509_check(issuer_key, s);
    return r == OCV_OK ? b->x509(issuer_key, s) : r;
}

/* The cache's algorithm code for an X.509 signature: type, hash and the
 * PSS parameters, so that a PSS signature with other parameters is a
 * different entry. */
static uint64_t x509_alg_code(const ocv_x509_sig *s)
{
    uint64_t code = OCV_SIGCACHE_X509 | (uint64_t)s->sig_type << 8 | (uint64_t)s->md << 16;
    if (s->sig_type == MBEDTLS_PK_RSASSA_PSS) {
        const mbedtls_pk_rsassa_pss_options *o = s->pss_opts;
        code |= (uint64_t)o->mgf1_hash_id << 24 | (uint64_t)(uint32_t)o->expected_salt_len << 32;
    }
    return code;
}

/*
 * Issuer keys as the backends want them, by SPKI hash: preparing a key
 * (parsing it, building the OpenSSL key) costs more than verifying with it,
 * and the same intermediates sign every leaf. A key joins only after it
 * verified a signature; the table fills once and is never evicted (a
 * process sees few issuers; when it is full, keys are prepared per call,
 * which is slower, never wrong). Entries are immutable once published and
 * live until the process ends.
 */
#define ISSUER_KEYS 64
static struct {
    pthread_mutex_t lock;
    size_t count;
    uint8_t id[ISSUER_KEYS][32];
    ocv_pkey *key[ISSUER_KEYS];
} issuer_keys = {PTHREAD_MUTEX_INITIALIZER, 0, {{0}}, {NULL}};

static const ocv_pkey *issuer_key_find(const uint8_t id[32])
{
    const ocv_pkey *k = NULL;
    pthread_mutex_lock(&issuer_keys.lock);
    for (size_t i = 0; i < issuer_keys.count && k == NULL; i++) {
        if (memcmp(issuer_keys.id[i], id, 32) == 0) /* public key hashes */
            k = issuer_keys.key[i];
    }
    pthread_mutex_unlock(&issuer_keys.lock);
    return k;
}

/* Takes ownership of *key when it is kept (then *key is reset). */
static void issuer_key_keep(const uint8_t id[32], ocv_pkey *key)
{
    pthread_mutex_lock(&issuer_keys.lock);
    size_t n = issuer_keys.count;
    int present = 0;
    for (size_t i = 0; i < n && !present; i++)
        present = memcmp(issuer_keys.id[i], id, 32) == 0;
    ocv_pkey *copy = !present && n < ISSUER_KEYS ? malloc(sizeof(*copy)) : NULL;
    if (copy != NULL) {
        *copy = *key;
        ocv_pkey_init(key);
        memcpy(issuer_keys.id[n], id, 32);
        issuer_keys.key[n] = copy;
        issuer_keys.count = n + 1;
    }
    pthread_mutex_unlock(&issuer_keys.lock);
}

ocv_reason ocv_sig_verify_x509_spki(const uint8_t *spki, size_t spki_len, const ocv_x509_sig *s,
                                    ocv_sigcache *cache)
{
    uint8_t key_id[32], id[32];
    if (ocv_sha256(spki, spki_len, key_id) != 0)
        return OCV_INTERNAL_ERROR;
    /* a hit needs no key: only successes by the key with this SPKI hash
     * over exactly these bytes were remembered */
    int have_id = cache != NULL && ocv_sigcache_id(key_id, x509_alg_code(s), s->tbs, s->tbs_len,
                                                   s->sig, s->sig_len, id) == 0;
    if (have_id && ocv_sigcache_hit(cache, id))
        return OCV_OK;
    const ocv_pkey *kept = issuer_key_find(key_id);
    if (kept != NULL)
        return ocv_sig_verify_x509(kept, s, cache);
    ocv_pkey key;
    ocv_pkey_init(&key);
    ocv_reason r = ocv_pkey_parse(spki, spki_len, 0, 1, &key, NULL, 0);
    if (r == OCV_OK)
        r = ocv_sig_verify_x509(&key, s, cache);
    else
        r = r == OCV_ALG_NOT_ALLOWED ? r : OCV_SIGNATURE_INVALID;
    /* shared between threads from now on: the mbedtls backend's lazy
     * tables are filled first (ocv_pk_precompute) */
    if (r == OCV_OK && (key.type == OCV_KEY_ED25519 || ocv_pk_precompute(&key.pk) == OCV_OK))
        issuer_key_keep(key_id, &key);
    ocv_pkey_free(&key);
    return r;
}

ocv_reason ocv_sig_verify_x509(const ocv_pkey *issuer_key, const ocv_x509_sig *s,
                               ocv_sigcache *cache)
{
    ocv_reason r = x509_check(issuer_key, s);
    if (r != OCV_OK)
        return r;
    uint8_t id[32];
    int have_id = cache != NULL && ocv_sigcache_id(issuer_key->id, x509_alg_code(s), s->tbs,
                                                   s->tbs_len, s->sig, s->sig_len, id) == 0;
    if (have_id && ocv_sigcache_hit(cache, id))
        return OCV_OK;
    r = ACTIVE_BACKEND.x509(issuer_key, s);
    if (r == OCV_OK && have_id)
        ocv_sigcache_remember(cache, id, issuer_key->id);
    return r;
}
