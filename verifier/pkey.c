/*
 * pkey.c - key files for every key type ocv uses.
 *
 * Implementation notes
 *
 * EC and RSA keys go through mbedtls's PEM/DER parsers and writers. mbedtls
 * 2.28 writes private keys as SEC1 ("EC PRIVATE KEY") or PKCS#1 ("RSA
 * PRIVATE KEY"); openssl reads both. Ed25519 (RFC 8410) is not known to
 * mbedtls 2.28, so its two fixed-size encodings are read and written here,
 * byte for byte as `openssl genpkey -algorithm ed25519` produces them:
 *
 *   PrivateKeyInfo (48 bytes): 30 2e 02 01 00 30 05 06 03 2b 65 70
 *                              04 22 04 20 <32-byte seed>
 *   SubjectPublicKeyInfo (44): 30 2a 30 05 06 03 2b 65 70 03 21 00
 *                              <32-byte public key>
 *
 * Nothing else is accepted for Ed25519 (no attributes, no embedded public
 * key), which keeps the parser to two exact prefix comparisons.
 */
#include "pkey.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <sodium.h>

#include "base/limits.h"
#include "base/rng.h"
#include "base/util.h"

static const uint8_t ED25519_PKCS8_PREFIX[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                                 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
static const uint8_t ED25519_SPKI_PREFIX[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

#define PEM_PRIVATE_BEGIN "-----BEGIN PRIVATE KEY-----"
#define PEM_PRIVATE_END   "-----END PRIVATE KEY-----"
#define PEM_PUBLIC_BEGIN  "-----BEGIN PUBLIC KEY-----"
#define PEM_PUBLIC_END    "-----END PUBLIC KEY-----"

/* Keys are small; anything larger is not a key file. */
#define MAX_KEY_FILE_BYTES (64u * 1024u)

void ocv_pkey_init(ocv_pkey *key)
{
    memset(key, 0, sizeof(*key));
    mbedtls_pk_init(&key->pk);
}

void ocv_pkey_free(ocv_pkey *key)
{
    if (key == NULL)
        return;
    ocv_pkey_evp_free(key->evp);
    mbedtls_pk_free(&key->pk);
    ocv_zeroize(key, sizeof(*key));
    ocv_pkey_init(key);
}

const char *ocv_key_type_name(ocv_key_type type)
{
    switch (type) {
    case OCV_KEY_NONE:
        return "none";
    case OCV_KEY_EC_P256:
        return "ec-p256";
    case OCV_KEY_EC_P384:
        return "ec-p384";
    case OCV_KEY_EC_P521:
        return "ec-p521";
    case OCV_KEY_RSA:
        return "rsa";
    case OCV_KEY_ED25519:
        return "ed25519";
    }
    return "none";
}

/* Names the key type of an mbedtls key and enforces the allowed set. */
static ocv_reason classify(ocv_pkey *key, int allow_weak, char *err, size_t err_len)
{
    mbedtls_pk_type_t t = mbedtls_pk_get_type(&key->pk);
    if (t == MBEDTLS_PK_RSA) {
        size_t bits = mbedtls_pk_get_bitlen(&key->pk);
        if (bits < 2048 && !allow_weak) {
            ocv_errf(err, err_len, "RSA key of %zu bits (2048 at least)", bits);
            return OCV_ALG_NOT_ALLOWED;
        }
        key->type = OCV_KEY_RSA;
        return OCV_OK;
    }
    if (t == MBEDTLS_PK_ECKEY || t == MBEDTLS_PK_ECDSA) {
        switch (mbedtls_pk_ec(key->pk)->grp.id) {
        case MBEDTLS_ECP_DP_SECP256R1:
            key->type = OCV_KEY_EC_P256;
            return OCV_OK;
        case MBEDTLS_ECP_DP_SECP384R1:
            key->type = OCV_KEY_EC_P384;
            return OCV_OK;
        case MBEDTLS_ECP_DP_SECP521R1:
            key->type = OCV_KEY_EC_P521;
            return OCV_OK;
        default:
            ocv_errf(err, err_len, "EC curve other than P-256, P-384, P-521");
            return OCV_ALG_NOT_ALLOWED;
        }
    }
    ocv_errf(err, err_len, "key type not supported");
    return OCV_ALG_NOT_ALLOWED;
}

/* DER of the first PEM block with these armour lines, or the input when
 * it is DER already. Returns 0 and fills der (owned) on success. */
static int pem_to_der(const uint8_t *data, size_t len, const char *begin, const char *end,
                      ocv_bytes *der)
{
    ocv_bytes_init(der);
    if (len > 0 && data[0] == 0x30)
        return ocv_bytes_copy(der, data, len) == OCV_OK ? 0 : -1;
    ocv_bytes text;
    if (ocv_bytes_copy(&text, data, len) != OCV_OK)
        return -1;
    mbedtls_pem_context pem;
    mbedtls_pem_init(&pem);
    size_t used = 0;
    int rc = -1;
    if (strstr((const char *)text.data, begin) != NULL &&
        mbedtls_pem_read_buffer(&pem, begin, end, text.data, NULL, 0, &used) == 0)
        rc = ocv_bytes_copy(der, pem.buf, pem.buflen) == OCV_OK ? 0 : -1;
    mbedtls_pem_free(&pem);
    ocv_bytes_free(&text);
    return rc;
}

static ocv_reason parse_ed25519(const uint8_t *data, size_t len, int want_private, ocv_pkey *out)
{
    ocv_bytes der;
    const char *begin = want_private ? PEM_PRIVATE_BEGIN : PEM_PUBLIC_BEGIN;
    const char *end = want_private ? PEM_PRIVATE_END : PEM_PUBLIC_END;
    if (pem_to_der(data, len, begin, end, &der) != 0)
        return OCV_MALFORMED;
    ocv_reason r = OCV_MALFORMED;
    if (want_private && der.len == 48 && memcmp(der.data, ED25519_PKCS8_PREFIX, 16) == 0) {
        if (sodium_init() >= 0 &&
            crypto_sign_seed_keypair(out->ed25519_pub, out->ed25519_sk, der.data + 16) == 0) {
            out->has_private = 1;
            r = OCV_OK;
        } else {
            r = OCV_INTERNAL_ERROR;
        }
    } else if (!want_private && der.len == 44 && memcmp(der.data, ED25519_SPKI_PREFIX, 12) == 0) {
        memcpy(out->ed25519_pub, der.data + 12, 32);
        r = OCV_OK;
    }
    if (r == OCV_OK)
        out->type = OCV_KEY_ED25519;
    ocv_bytes_free(&der);
    return r;
}

static ocv_reason parse_mbedtls(const uint8_t *data, size_t len, int want_private, int allow_weak,
                                ocv_pkey *out, char *err, size_t err_len)
{
    /* mbedtls wants the terminating NUL counted for PEM input. */
    ocv_bytes copy;
    if (ocv_bytes_copy(&copy, data, len) != OCV_OK)
        return OCV_INTERNAL_ERROR;
    size_t n = (len > 0 && data[0] == 0x30) ? len : len + 1;
    int ret = want_private ? mbedtls_pk_parse_key(&out->pk, copy.data, n, NULL, 0)
                           : mbedtls_pk_parse_public_key(&out->pk, copy.data, n);
    ocv_bytes_free(&copy);
    if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED || ret == MBEDTLS_ERR_PK_PASSWORD_MISMATCH) {
        ocv_errf(err, err_len, "encrypted private keys are not supported");
        return OCV_MALFORMED;
    }
    if (ret != 0) {
        ocv_errf(err, err_len, "not a %s key (mbedtls -0x%04x)",
                 want_private ? "private" : "public", (unsigned)-ret);
        return OCV_MALFORMED;
    }
    out->has_private = want_private;
    return classify(out, allow_weak, err, err_len);
}

/* Once per key, at construction: the key's id and the backend's key. */
static ocv_reason pkey_finish(ocv_pkey *key)
{
    ocv_bytes der;
    ocv_reason r = ocv_pkey_public_der(key, &der);
    if (r != OCV_OK)
        return r;
    r = ocv_sha256(der.data, der.len, key->id) == 0 ? OCV_OK : OCV_INTERNAL_ERROR;
    if (r == OCV_OK && key->type != OCV_KEY_ED25519)
        r = ocv_pkey_evp_prepare(key, der.data, der.len);
    ocv_bytes_free(&der);
    return r;
}

#ifdef OCV_PROFILE_DEVICE
ocv_reason ocv_pkey_evp_prepare(ocv_pkey *key, const uint8_t *spki, size_t len)
{
    (void)key;
    (void)spki;
    (void)len;
    return OCV_OK;
}

void ocv_pkey_evp_free(struct ocv_pkey_evp *evp)
{
    (void)evp;
}
#endif

ocv_reason ocv_pkey_parse(const uint8_t *data, size_t len, int want_private, int allow_weak,
                          ocv_pkey *out, char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    ocv_pkey_init(out);
    if (data == NULL || len == 0) {
        ocv_errf(err, err_len, "empty key");
        return OCV_MALFORMED;
    }
    if (len > MAX_KEY_FILE_BYTES) {
        ocv_errf(err, err_len, "key larger than %u bytes", MAX_KEY_FILE_BYTES);
        return OCV_TOO_LARGE;
    }
    if (memchr(data, 0, len) != NULL && data[0] != 0x30) {
        ocv_errf(err, err_len, "NUL byte in a PEM key");
        return OCV_MALFORMED;
    }
    r = parse_ed25519(data, len, want_private, out);
    if (r == OCV_INTERNAL_ERROR)
        return r;
    if (r != OCV_OK) {
        ocv_pkey_init(out);
        r = parse_mbedtls(data, len, want_private, allow_weak, out, err, err_len);
    }
    if (r == OCV_OK) {
        r = pkey_finish(out);
        if (r == OCV_MALFORMED)
            ocv_errf(err, err_len, "the key does not load into the signature backend");
    }
    if (r != OCV_OK)
        ocv_pkey_free(out);
    return r;
}

ocv_reason ocv_pkey_load_file(const char *path, int want_private, int allow_weak, ocv_pkey *out,
                              char *err, size_t err_len)
{
    ocv_bytes file;
    ocv_pkey_init(out);
    ocv_reason r = ocv_file_read(path, MAX_KEY_FILE_BYTES, &file, err, err_len);
    if (r != OCV_OK)
        return r;
    char why[200] = "";
    r = ocv_pkey_parse(file.data, file.len, want_private, allow_weak, out, why, sizeof(why));
    ocv_bytes_free(&file);
    if (r != OCV_OK)
        ocv_errf(err, err_len, "%s: %s", path, why[0] ? why : ocv_reason_meaning(r));
    return r;
}

static ocv_reason finish_or_free(ocv_pkey *key)
{
    ocv_reason r = pkey_finish(key);
    if (r != OCV_OK)
        ocv_pkey_free(key);
    return r;
}

static mbedtls_ecp_group_id curve_of(ocv_key_type type, size_t *coord_len)
{
    switch (type) {
    case OCV_KEY_EC_P256:
        *coord_len = 32;
        return MBEDTLS_ECP_DP_SECP256R1;
    case OCV_KEY_EC_P384:
        *coord_len = 48;
        return MBEDTLS_ECP_DP_SECP384R1;
    case OCV_KEY_EC_P521:
        *coord_len = 66;
        return MBEDTLS_ECP_DP_SECP521R1;
    case OCV_KEY_NONE:
    case OCV_KEY_RSA:
    case OCV_KEY_ED25519:
        break;
    }
    *coord_len = 0;
    return MBEDTLS_ECP_DP_NONE;
}

ocv_reason ocv_pkey_from_ec_point(ocv_key_type type, const uint8_t *x, size_t x_len,
                                  const uint8_t *y, size_t y_len, ocv_pkey *out)
{
    ocv_pkey_init(out);
    size_t coord = 0;
    mbedtls_ecp_group_id id = curve_of(type, &coord);
    if (id == MBEDTLS_ECP_DP_NONE || x_len != coord || y_len != coord)
        return OCV_MALFORMED;
    uint8_t point[1 + 2 * 66];
    point[0] = 0x04;
    memcpy(point + 1, x, coord);
    memcpy(point + 1 + coord, y, coord);
    int ret = mbedtls_pk_setup(&out->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    mbedtls_ecp_keypair *ec = mbedtls_pk_ec(out->pk);
    if (ret == 0)
        ret = mbedtls_ecp_group_load(&ec->grp, id);
    if (ret == 0)
        ret = mbedtls_ecp_point_read_binary(&ec->grp, &ec->Q, point, 1 + 2 * coord);
    if (ret == 0)
        ret = mbedtls_ecp_check_pubkey(&ec->grp, &ec->Q);
    if (ret != 0) {
        ocv_pkey_free(out);
        return OCV_MALFORMED;
    }
    out->type = type;
    return finish_or_free(out);
}

ocv_reason ocv_pkey_from_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                             int allow_weak, ocv_pkey *out)
{
    ocv_pkey_init(out);
    if (n_len == 0 || n_len > 1024 || e_len == 0 || e_len > 8)
        return OCV_MALFORMED;
    int ret = mbedtls_pk_setup(&out->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
    mbedtls_rsa_context *rsa = mbedtls_pk_rsa(out->pk);
    if (ret == 0)
        ret = mbedtls_rsa_import_raw(rsa, n, n_len, NULL, 0, NULL, 0, NULL, 0, e, e_len);
    if (ret == 0)
        ret = mbedtls_rsa_complete(rsa);
    if (ret == 0)
        ret = mbedtls_rsa_check_pubkey(rsa);
    if (ret != 0) {
        ocv_pkey_free(out);
        return OCV_MALFORMED;
    }
    if (mbedtls_pk_get_bitlen(&out->pk) < 2048 && !allow_weak) {
        ocv_pkey_free(out);
        return OCV_ALG_NOT_ALLOWED;
    }
    out->type = OCV_KEY_RSA;
    return finish_or_free(out);
}

ocv_reason ocv_pkey_from_ed25519(const uint8_t *pub, size_t len, ocv_pkey *out)
{
    ocv_pkey_init(out);
    if (len != 32)
        return OCV_MALFORMED;
    memcpy(out->ed25519_pub, pub, 32);
    out->type = OCV_KEY_ED25519;
    return finish_or_free(out);
}

ocv_reason ocv_pkey_generate(ocv_key_type type, unsigned rsa_bits, ocv_pkey *out)
{
    ocv_pkey_init(out);
    int ret = -1;
    switch (type) {
    case OCV_KEY_ED25519:
        if (sodium_init() < 0 || crypto_sign_keypair(out->ed25519_pub, out->ed25519_sk) != 0)
            return OCV_INTERNAL_ERROR;
        out->type = type;
        out->has_private = 1;
        return finish_or_free(out);
    case OCV_KEY_RSA:
        if (rsa_bits < 1024 || rsa_bits > 8192)
            return OCV_ALG_NOT_ALLOWED;
        ret = mbedtls_pk_setup(&out->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
        if (ret == 0)
            ret = mbedtls_rsa_gen_key(mbedtls_pk_rsa(out->pk), ocv_rng, NULL, rsa_bits, 65537);
        break;
    case OCV_KEY_EC_P256:
    case OCV_KEY_EC_P384:
    case OCV_KEY_EC_P521: {
        mbedtls_ecp_group_id id = type == OCV_KEY_EC_P256   ? MBEDTLS_ECP_DP_SECP256R1
                                  : type == OCV_KEY_EC_P384 ? MBEDTLS_ECP_DP_SECP384R1
                                                            : MBEDTLS_ECP_DP_SECP521R1;
        ret = mbedtls_pk_setup(&out->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
        if (ret == 0)
            ret = mbedtls_ecp_gen_key(id, mbedtls_pk_ec(out->pk), ocv_rng, NULL);
        break;
    }
    case OCV_KEY_NONE:
        return OCV_INTERNAL_ERROR;
    }
    if (ret != 0) {
        ocv_pkey_free(out);
        return OCV_INTERNAL_ERROR;
    }
    out->type = type;
    out->has_private = 1;
    return finish_or_free(out);
}

static ocv_reason pem_armour(const char *begin, const char *end, const uint8_t *der, size_t der_len,
                             ocv_bytes *out)
{
    size_t need = 0;
    mbedtls_pem_write_buffer(begin, end, der, der_len, NULL, 0, &need);
    ocv_bytes_init(out);
    out->data = malloc(need + 1);
    if (out->data == NULL)
        return OCV_INTERNAL_ERROR;
    size_t olen = 0;
    if (mbedtls_pem_write_buffer(begin, end, der, der_len, out->data, need + 1, &olen) != 0) {
        ocv_bytes_free(out);
        return OCV_INTERNAL_ERROR;
    }
    out->len = strlen((const char *)out->data);
    return OCV_OK;
}

/* mbedtls PEM writers need a buffer size up front; keys fit in 16 KiB. */
#define PEM_BUF 16384

static ocv_reason mbedtls_pem(int (*write)(mbedtls_pk_context *, unsigned char *, size_t),
                              const ocv_pkey *key, ocv_bytes *out)
{
    ocv_bytes_init(out);
    out->data = calloc(1, PEM_BUF);
    if (out->data == NULL)
        return OCV_INTERNAL_ERROR;
    if (write((mbedtls_pk_context *)&key->pk, out->data, PEM_BUF) != 0) {
        ocv_bytes_free(out);
        return OCV_INTERNAL_ERROR;
    }
    out->len = strlen((const char *)out->data);
    return OCV_OK;
}

static int write_private_pem(mbedtls_pk_context *pk, unsigned char *buf, size_t len)
{
    return mbedtls_pk_write_key_pem(pk, buf, len);
}

static int write_public_pem(mbedtls_pk_context *pk, unsigned char *buf, size_t len)
{
    return mbedtls_pk_write_pubkey_pem(pk, buf, len);
}

ocv_reason ocv_pkey_write_private_pem(const ocv_pkey *key, ocv_bytes *out)
{
    ocv_bytes_init(out);
    if (!key->has_private)
        return OCV_INTERNAL_ERROR;
    if (key->type != OCV_KEY_ED25519)
        return mbedtls_pem(write_private_pem, key, out);
    uint8_t der[48];
    memcpy(der, ED25519_PKCS8_PREFIX, 16);
    memcpy(der + 16, key->ed25519_sk, 32); /* libsodium sk = seed || pub */
    ocv_reason r = pem_armour(PEM_PRIVATE_BEGIN "\n", PEM_PRIVATE_END "\n", der, sizeof(der), out);
    ocv_zeroize(der, sizeof(der));
    return r;
}

ocv_reason ocv_pkey_write_public_pem(const ocv_pkey *key, ocv_bytes *out)
{
    ocv_bytes_init(out);
    if (key->type != OCV_KEY_ED25519)
        return mbedtls_pem(write_public_pem, key, out);
    ocv_bytes der;
    ocv_reason r = ocv_pkey_public_der(key, &der);
    if (r != OCV_OK)
        return r;
    r = pem_armour(PEM_PUBLIC_BEGIN "\n", PEM_PUBLIC_END "\n", der.data, der.len, out);
    ocv_bytes_free(&der);
    return r;
}

ocv_reason ocv_pkey_public_der(const ocv_pkey *key, ocv_bytes *out)
{
    ocv_bytes_init(out);
    if (key->type == OCV_KEY_ED25519) {
        uint8_t der[44];
        memcpy(der, ED25519_SPKI_PREFIX, 12);
        memcpy(der + 12, key->ed25519_pub, 32);
        return ocv_bytes_copy(out, der, sizeof(der));
    }
    unsigned char buf[PEM_BUF];
    /* mbedtls writes DER at the end of the buffer and returns its length */
    int n = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)&key->pk, buf, sizeof(buf));
    if (n <= 0)
        return OCV_INTERNAL_ERROR;
    return ocv_bytes_copy(out, buf + sizeof(buf) - n, (size_t)n);
}

ocv_reason ocv_pkey_spki_sha256(const ocv_pkey *key, uint8_t out[32])
{
    ocv_bytes der;
    ocv_reason r = ocv_pkey_public_der(key, &der);
    if (r != OCV_OK)
        return r;
    r = ocv_sha256(der.data, der.len, out) == 0 ? OCV_OK : OCV_INTERNAL_ERROR;
    ocv_bytes_free(&der);
    return r;
}

ocv_reason ocv_pk_precompute(mbedtls_pk_context *pk)
{
    mbedtls_pk_type_t t = mbedtls_pk_get_type(pk);
    if (t == MBEDTLS_PK_ECKEY || t == MBEDTLS_PK_ECDSA) {
        mbedtls_ecp_keypair *ec = mbedtls_pk_ec(*pk);
        mbedtls_ecp_point r;
        mbedtls_mpi one;
        mbedtls_ecp_point_init(&r);
        mbedtls_mpi_init(&one);
        /* a multiplication of the generator fills the group's comb table */
        int ret = mbedtls_mpi_lset(&one, 1);
        if (ret == 0)
            ret = mbedtls_ecp_mul(&ec->grp, &r, &one, &ec->grp.G, ocv_rng, NULL);
        mbedtls_ecp_point_free(&r);
        mbedtls_mpi_free(&one);
        return ret == 0 ? OCV_OK : OCV_INTERNAL_ERROR;
    }
    if (t == MBEDTLS_PK_RSA) {
        mbedtls_rsa_context *rsa = mbedtls_pk_rsa(*pk);
        size_t n = mbedtls_rsa_get_len(rsa);
        unsigned char in[1024] = {0}, out[1024];
        if (n == 0 || n > sizeof(in))
            return OCV_INTERNAL_ERROR;
        in[n - 1] = 2; /* any value below the modulus */
        return mbedtls_rsa_public(rsa, in, out) == 0 ? OCV_OK : OCV_INTERNAL_ERROR;
    }
    return OCV_OK;
}
