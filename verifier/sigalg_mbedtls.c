/*
 * sigalg_mbedtls.c - the mbedtls backend: ECDSA and RSA verification for
 * the device profile (and the reference the default profile's OpenSSL
 * backend is compared with), and ECDSA / RSA signing in every profile.
 *
 * Keys shared between threads must have been precomputed
 * (ocv_pk_precompute): mbedtls fills the EC comb table and the RSA
 * Montgomery constant lazily inside the key's context.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#include "base/rng.h"
#include "verifier/sigalg.h"

static int digest(mbedtls_md_type_t type, const uint8_t *msg, size_t len,
                  uint8_t out[MBEDTLS_MD_MAX_SIZE], size_t *out_len)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(type);
    if (md == NULL || mbedtls_md(md, msg, len, out) != 0)
        return -1;
    *out_len = mbedtls_md_get_size(md);
    return 0;
}

/*
 * mbedtls 2.28 (built with MBEDTLS_THREADING_C, as Debian's is) takes an
 * RSA context's mutex in every public-key operation, so threads verifying
 * with one key took turns: two threads did fewer RSA verifications than
 * one. Each thread verifies with its own copy of the public key instead
 * (n and e only), made at its first use of that key and found again by
 * the key's SPKI hash, so a copy can never stand for another key.
 */
#define RSA_COPIES 8

typedef struct rsa_copy {
    uint8_t id[32]; /* the key's SPKI SHA-256 (ocv_pkey.id) */
    int used;
    mbedtls_rsa_context rsa;
} rsa_copy;

typedef struct rsa_copies {
    rsa_copy slot[RSA_COPIES];
    unsigned next;
} rsa_copies;

static pthread_key_t copies_owner;
static pthread_once_t copies_once = PTHREAD_ONCE_INIT;
static int copies_ready;
static _Thread_local rsa_copies *my_copies;

static void copies_free(void *arg)
{
    rsa_copies *c = arg;
    for (int i = 0; i < RSA_COPIES; i++)
        if (c->slot[i].used)
            mbedtls_rsa_free(&c->slot[i].rsa);
    free(c);
}

static void copies_init(void)
{
    copies_ready = pthread_key_create(&copies_owner, copies_free) == 0;
}

static int copy_public(mbedtls_rsa_context *to, const mbedtls_rsa_context *from)
{
    mbedtls_mpi n, e;
    mbedtls_mpi_init(&n);
    mbedtls_mpi_init(&e);
    mbedtls_rsa_init(to, MBEDTLS_RSA_PKCS_V15, MBEDTLS_MD_NONE);
    int rc = mbedtls_rsa_export(from, &n, NULL, NULL, NULL, &e) != 0 ||
                     mbedtls_rsa_import(to, &n, NULL, NULL, NULL, &e) != 0 ||
                     mbedtls_rsa_complete(to) != 0
                 ? -1
                 : 0;
    mbedtls_mpi_free(&n);
    mbedtls_mpi_free(&e);
    if (rc != 0)
        mbedtls_rsa_free(to);
    return rc;
}

/* This thread's copy of key's public RSA key; the shared context (which
 * locks) when no copy can be made. */
static mbedtls_rsa_context *rsa_of(const ocv_pkey *key)
{
    mbedtls_rsa_context *shared = mbedtls_pk_rsa(key->pk);
    static const uint8_t no_id[32];
    if (memcmp(key->id, no_id, sizeof(no_id)) == 0)
        return shared; /* a key without its id: nothing to find a copy by */
    if (my_copies == NULL) {
        pthread_once(&copies_once, copies_init);
        if (!copies_ready || (my_copies = calloc(1, sizeof(*my_copies))) == NULL)
            return shared;
        if (pthread_setspecific(copies_owner, my_copies) != 0) {
            free(my_copies);
            my_copies = NULL;
            return shared;
        }
    }
    for (int i = 0; i < RSA_COPIES; i++)
        if (my_copies->slot[i].used && memcmp(my_copies->slot[i].id, key->id, 32) == 0)
            return &my_copies->slot[i].rsa;
    rsa_copy *c = &my_copies->slot[my_copies->next++ % RSA_COPIES];
    if (c->used)
        mbedtls_rsa_free(&c->rsa);
    c->used = copy_public(&c->rsa, shared) == 0;
    if (!c->used)
        return shared;
    memcpy(c->id, key->id, 32);
    return &c->rsa;
}

/* Raw r||s over a digest: each half exactly the curve's size (the seam
 * checked the length); mbedtls_ecdsa_verify itself refuses r or s
 * outside [1, n-1]. */
ocv_reason ocv_mbedtls_verify_ecdsa_digest(const ocv_alg_info *info, const ocv_pkey *key,
                                           const uint8_t *hash, size_t hash_len, const uint8_t *sig,
                                           size_t sig_len)
{
    (void)info;
    size_t half = sig_len / 2;
    mbedtls_ecp_keypair *ec = mbedtls_pk_ec(key->pk);
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    ocv_reason result = OCV_SIGNATURE_INVALID;
    if (mbedtls_mpi_read_binary(&r, sig, half) == 0 &&
        mbedtls_mpi_read_binary(&s, sig + half, half) == 0 &&
        mbedtls_ecdsa_verify(&ec->grp, hash, hash_len, &ec->Q, &r, &s) == 0)
        result = OCV_OK;
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    return result;
}

ocv_reason ocv_mbedtls_verify_ecdsa(const ocv_alg_info *info, const ocv_pkey *key,
                                    const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                                    size_t sig_len)
{
    uint8_t hash[MBEDTLS_MD_MAX_SIZE];
    size_t hash_len = 0;
    if (digest(info->md, msg, msg_len, hash, &hash_len) != 0)
        return OCV_INTERNAL_ERROR;
    return ocv_mbedtls_verify_ecdsa_digest(info, key, hash, hash_len, sig, sig_len);
}

ocv_reason ocv_mbedtls_verify_rsa_pkcs1(const ocv_alg_info *info, const ocv_pkey *key,
                                        const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                                        size_t sig_len)
{
    (void)sig_len; /* the modulus length, checked by the seam */
    uint8_t hash[MBEDTLS_MD_MAX_SIZE];
    size_t hash_len = 0;
    if (digest(info->md, msg, msg_len, hash, &hash_len) != 0)
        return OCV_INTERNAL_ERROR;
    mbedtls_rsa_context *rsa = rsa_of(key);
    return mbedtls_rsa_rsassa_pkcs1_v15_verify(rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, info->md,
                                               (unsigned)hash_len, hash, sig) == 0
               ? OCV_OK
               : OCV_SIGNATURE_INVALID;
}

/* RFC 7518 §3.5: MGF1 with the same hash, salt exactly the hash's length. */
ocv_reason ocv_mbedtls_verify_rsa_pss(const ocv_alg_info *info, const ocv_pkey *key,
                                      const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                                      size_t sig_len)
{
    (void)sig_len;
    uint8_t hash[MBEDTLS_MD_MAX_SIZE];
    size_t hash_len = 0;
    if (digest(info->md, msg, msg_len, hash, &hash_len) != 0)
        return OCV_INTERNAL_ERROR;
    mbedtls_rsa_context *rsa = rsa_of(key);
    return mbedtls_rsa_rsassa_pss_verify_ext(rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, info->md,
                                             (unsigned)hash_len, hash, info->md, (int)hash_len,
                                             sig) == 0
               ? OCV_OK
               : OCV_SIGNATURE_INVALID;
}

static ocv_reason verify_x509(const ocv_pkey *key, const ocv_x509_sig *s)
{
    uint8_t hash[MBEDTLS_MD_MAX_SIZE];
    size_t hash_len = 0;
    if (digest(s->md, s->tbs, s->tbs_len, hash, &hash_len) != 0)
        return OCV_ALG_NOT_ALLOWED;
    if (s->sig_type == MBEDTLS_PK_ECDSA || mbedtls_pk_get_type(&key->pk) != MBEDTLS_PK_RSA)
        return mbedtls_pk_verify_ext(s->sig_type, s->pss_opts, (mbedtls_pk_context *)&key->pk,
                                     s->md, hash, hash_len, s->sig, s->sig_len) == 0
                   ? OCV_OK
                   : OCV_SIGNATURE_INVALID;
    /* RSA with this thread's copy of the key, as mbedtls_pk_verify_ext
     * would: the signature exactly the modulus long, PSS with sig_opts */
    mbedtls_rsa_context *rsa = rsa_of(key);
    if (s->sig_len != mbedtls_rsa_get_len(rsa))
        return OCV_SIGNATURE_INVALID;
    int rc;
    if (s->sig_type == MBEDTLS_PK_RSASSA_PSS) {
        const mbedtls_pk_rsassa_pss_options *o = s->pss_opts;
        if (o == NULL)
            return OCV_SIGNATURE_INVALID;
        rc = mbedtls_rsa_rsassa_pss_verify_ext(rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, s->md,
                                               (unsigned)hash_len, hash, o->mgf1_hash_id,
                                               o->expected_salt_len, s->sig);
    } else if (s->sig_type == MBEDTLS_PK_RSA) {
        rc = mbedtls_rsa_rsassa_pkcs1_v15_verify(rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, s->md,
                                                 (unsigned)hash_len, hash, s->sig);
    } else {
        rc = -1;
    }
    return rc == 0 ? OCV_OK : OCV_SIGNATURE_INVALID;
}

#ifdef OCV_PROFILE_DEVICE
int ocv_backend_sha256(const ocv_sigcache_part *parts, size_t n, uint8_t out[32])
{
    mbedtls_sha256_context ctx;
    mbedtls_sha256_init(&ctx);
    int rc = mbedtls_sha256_starts_ret(&ctx, 0);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = mbedtls_sha256_update_ret(&ctx, parts[i].p, parts[i].len);
    if (rc == 0)
        rc = mbedtls_sha256_finish_ret(&ctx, out);
    mbedtls_sha256_free(&ctx);
    return rc == 0 ? 0 : -1;
}
#endif

const ocv_sig_backend ocv_sig_backend_mbedtls = {
    "mbedtls",
    ocv_mbedtls_verify_ecdsa,
    ocv_mbedtls_verify_rsa_pkcs1,
    ocv_mbedtls_verify_rsa_pss,
    verify_x509,
    ocv_mbedtls_verify_ecdsa_digest,
};

ocv_reason ocv_mbedtls_sign_ecdsa(const ocv_alg_info *info, const ocv_pkey *key, const uint8_t *msg,
                                  size_t msg_len, ocv_bytes *out)
{
    uint8_t hash[MBEDTLS_MD_MAX_SIZE];
    size_t hash_len = 0;
    if (digest(info->md, msg, msg_len, hash, &hash_len) != 0)
        return OCV_INTERNAL_ERROR;
    size_t half = info->raw_sig_len / 2;
    mbedtls_ecp_keypair *ec = mbedtls_pk_ec(key->pk);
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    ocv_reason result = OCV_INTERNAL_ERROR;
    out->data = malloc(info->raw_sig_len);
    if (out->data != NULL &&
        mbedtls_ecdsa_sign(&ec->grp, &r, &s, &ec->d, hash, hash_len, ocv_rng, NULL) == 0 &&
        mbedtls_mpi_write_binary(&r, out->data, half) == 0 &&
        mbedtls_mpi_write_binary(&s, out->data + half, half) == 0) {
        out->len = info->raw_sig_len;
        result = OCV_OK;
    }
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    return result;
}

static int is_pss(ocv_alg alg)
{
    return alg == OCV_ALG_PS256 || alg == OCV_ALG_PS384 || alg == OCV_ALG_PS512;
}

ocv_reason ocv_mbedtls_sign_rsa(const ocv_alg_info *info, const ocv_pkey *key, const uint8_t *msg,
                                size_t msg_len, ocv_bytes *out)
{
    uint8_t hash[MBEDTLS_MD_MAX_SIZE];
    size_t hash_len = 0;
    if (digest(info->md, msg, msg_len, hash, &hash_len) != 0)
        return OCV_INTERNAL_ERROR;
    mbedtls_rsa_context *rsa = mbedtls_pk_rsa(key->pk);
    size_t n = mbedtls_rsa_get_len(rsa);
    out->data = malloc(n);
    if (out->data == NULL)
        return OCV_INTERNAL_ERROR;
    int ret;
    if (is_pss(info->alg)) {
        mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, info->md);
        ret = mbedtls_rsa_rsassa_pss_sign_ext(rsa, ocv_rng, NULL, info->md, (unsigned)hash_len,
                                              hash, (int)hash_len, out->data);
        mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V15, MBEDTLS_MD_NONE);
    } else {
        ret = mbedtls_rsa_rsassa_pkcs1_v15_sign(rsa, ocv_rng, NULL, MBEDTLS_RSA_PRIVATE, info->md,
                                                (unsigned)hash_len, hash, out->data);
    }
    if (ret != 0)
        return OCV_INTERNAL_ERROR;
    out->len = n;
    return OCV_OK;
}
