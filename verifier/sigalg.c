#include "sigalg.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/rsa.h>
#include <sodium.h>

#include "base/rng.h"
#include "base/util.h"

static const ocv_alg_info ALGS[] = {
    {OCV_ALG_ES256, "ES256", -7, MBEDTLS_MD_SHA256, OCV_KEY_EC_P256, 64},
    {OCV_ALG_ES384, "ES384", -35, MBEDTLS_MD_SHA384, OCV_KEY_EC_P384, 96},
    {OCV_ALG_ES512, "ES512", -36, MBEDTLS_MD_SHA512, OCV_KEY_EC_P521, 132},
    {OCV_ALG_RS256, "RS256", -257, MBEDTLS_MD_SHA256, OCV_KEY_RSA, 0},
    {OCV_ALG_RS384, "RS384", -258, MBEDTLS_MD_SHA384, OCV_KEY_RSA, 0},
    {OCV_ALG_RS512, "RS512", -259, MBEDTLS_MD_SHA512, OCV_KEY_RSA, 0},
    {OCV_ALG_PS256, "PS256", -37, MBEDTLS_MD_SHA256, OCV_KEY_RSA, 0},
    {OCV_ALG_PS384, "PS384", -38, MBEDTLS_MD_SHA384, OCV_KEY_RSA, 0},
    {OCV_ALG_PS512, "PS512", -39, MBEDTLS_MD_SHA512, OCV_KEY_RSA, 0},
    {OCV_ALG_EDDSA, "EdDSA", -8, MBEDTLS_MD_NONE, OCV_KEY_ED25519, 64},
};
#define ALG_COUNT (sizeof(ALGS) / sizeof(ALGS[0]))

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

static int is_pss(ocv_alg alg)
{
    return alg == OCV_ALG_PS256 || alg == OCV_ALG_PS384 || alg == OCV_ALG_PS512;
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

static ocv_reason digest(const ocv_alg_info *info, const uint8_t *msg, size_t len,
                         uint8_t out[MBEDTLS_MD_MAX_SIZE], size_t *out_len)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(info->md);
    if (md == NULL || mbedtls_md(md, msg, len, out) != 0)
        return OCV_INTERNAL_ERROR;
    *out_len = mbedtls_md_get_size(md);
    return OCV_OK;
}

/* Raw r||s: each half exactly the curve's size; mbedtls_ecdsa_verify
 * itself refuses r or s outside [1, n-1]. */
static ocv_reason verify_ecdsa(const ocv_alg_info *info, const ocv_pkey *key, const uint8_t *hash,
                               size_t hash_len, const uint8_t *sig)
{
    size_t half = info->raw_sig_len / 2;
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

static ocv_reason verify_rsa(const ocv_alg_info *info, const ocv_pkey *key, const uint8_t *hash,
                             size_t hash_len, const uint8_t *sig, size_t sig_len)
{
    mbedtls_rsa_context *rsa = mbedtls_pk_rsa(key->pk);
    if (sig_len != mbedtls_rsa_get_len(rsa))
        return OCV_SIGNATURE_INVALID;
    int ret;
    if (is_pss(info->alg))
        ret = mbedtls_rsa_rsassa_pss_verify_ext(rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, info->md,
                                                (unsigned)hash_len, hash, info->md, (int)hash_len,
                                                sig);
    else
        ret = mbedtls_rsa_rsassa_pkcs1_v15_verify(rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, info->md,
                                                  (unsigned)hash_len, hash, sig);
    return ret == 0 ? OCV_OK : OCV_SIGNATURE_INVALID;
}

ocv_reason ocv_sig_verify(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg, size_t msg_len,
                          const uint8_t *sig, size_t sig_len)
{
    const ocv_alg_info *info = ocv_alg_info_of(alg);
    if (info == NULL || key == NULL || key->type != info->key_type)
        return OCV_ALG_NOT_ALLOWED;
    if (info->raw_sig_len != 0 && sig_len != info->raw_sig_len)
        return OCV_SIGNATURE_INVALID;
    if (alg == OCV_ALG_EDDSA) {
        if (sodium_init() < 0)
            return OCV_INTERNAL_ERROR;
        return crypto_sign_verify_detached(sig, msg, msg_len, key->ed25519_pub) == 0
                   ? OCV_OK
                   : OCV_SIGNATURE_INVALID;
    }
    uint8_t hash[MBEDTLS_MD_MAX_SIZE];
    size_t hash_len = 0;
    ocv_reason r = digest(info, msg, msg_len, hash, &hash_len);
    if (r != OCV_OK)
        return r;
    if (info->key_type == OCV_KEY_RSA)
        return verify_rsa(info, key, hash, hash_len, sig, sig_len);
    return verify_ecdsa(info, key, hash, hash_len, sig);
}

static ocv_reason sign_ecdsa(const ocv_alg_info *info, const ocv_pkey *key, const uint8_t *hash,
                             size_t hash_len, ocv_bytes *out)
{
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

static ocv_reason sign_rsa(const ocv_alg_info *info, const ocv_pkey *key, const uint8_t *hash,
                           size_t hash_len, ocv_bytes *out)
{
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

ocv_reason ocv_sig_sign(ocv_alg alg, const ocv_pkey *key, const uint8_t *msg, size_t msg_len,
                        ocv_bytes *sig)
{
    ocv_bytes_init(sig);
    const ocv_alg_info *info = ocv_alg_info_of(alg);
    if (info == NULL || key == NULL || key->type != info->key_type || !key->has_private)
        return OCV_ALG_NOT_ALLOWED;
    ocv_reason r = OCV_INTERNAL_ERROR;
    if (alg == OCV_ALG_EDDSA) {
        if (sodium_init() < 0)
            return OCV_INTERNAL_ERROR;
        sig->data = malloc(crypto_sign_BYTES);
        if (sig->data == NULL)
            return OCV_INTERNAL_ERROR;
        crypto_sign_detached(sig->data, NULL, msg, msg_len, key->ed25519_sk);
        sig->len = crypto_sign_BYTES;
        return OCV_OK;
    }
    uint8_t hash[MBEDTLS_MD_MAX_SIZE];
    size_t hash_len = 0;
    r = digest(info, msg, msg_len, hash, &hash_len);
    if (r == OCV_OK)
        r = info->key_type == OCV_KEY_RSA ? sign_rsa(info, key, hash, hash_len, sig)
                                          : sign_ecdsa(info, key, hash, hash_len, sig);
    if (r != OCV_OK)
        ocv_bytes_free(sig);
    return r;
}
