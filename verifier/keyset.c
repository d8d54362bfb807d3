/*
 * keyset.c - JWKS and COSE_KeySet loading, key selection, JWK thumbprints.
 *
 * JWK members (RFC 7517 §4, RFC 7518 §6): kty, kid, alg, use, crv, x, y,
 * n, e. Coordinates are strict base64url (base/b64url.c) and must be the
 * full length of the curve (RFC 7518 §6.2.1.2). COSE_Key labels (RFC 9052
 * §7.1, RFC 9053 §7): 1 kty, 2 kid, 3 alg, 4 key_ops, -1 crv or RSA n, -2
 * x or RSA e, -3 y (EC2) or RSA d, -4 d (EC2/OKP).
 */
#include "keyset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mbedtls/ecp.h>
#include <mbedtls/rsa.h>

#include "base/b64url.h"
#include "base/buf.h"
#include "base/cbor_stream.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/util.h"
#include "verifier/sigalg.h"

void ocv_keyset_init(ocv_keyset *set)
{
    set->keys = NULL;
    set->count = 0;
}

void ocv_keyset_free(ocv_keyset *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->count; i++)
        ocv_pkey_free(&set->keys[i].key);
    free(set->keys);
    ocv_keyset_init(set);
}

static ocv_reason add_key(ocv_keyset *set, ocv_trusted_key *k, char *err, size_t err_len)
{
    if (set->count >= OCV_MAX_KEYSET_KEYS) {
        ocv_errf(err, err_len, "more than %d keys", OCV_MAX_KEYSET_KEYS);
        return OCV_TOO_LARGE;
    }
    for (size_t i = 0; k->kid_len > 0 && i < set->count; i++) {
        if (set->keys[i].kid_len == k->kid_len &&
            memcmp(set->keys[i].kid, k->kid, k->kid_len) == 0) {
            ocv_errf(err, err_len, "two keys with kid '%s'", k->kid);
            return OCV_CONFIG_INVALID;
        }
    }
    if (k->key.type != OCV_KEY_ED25519 && ocv_pk_precompute(&k->key.pk) != OCV_OK)
        return OCV_INTERNAL_ERROR;
    if (ocv_pkey_spki_sha256(&k->key, k->spki_sha256) != OCV_OK)
        return OCV_INTERNAL_ERROR;
    ocv_trusted_key *grown = realloc(set->keys, (set->count + 1) * sizeof(*grown));
    if (grown == NULL)
        return OCV_INTERNAL_ERROR;
    set->keys = grown;
    set->keys[set->count++] = *k;
    return OCV_OK;
}

/* ---- JWKS ---------------------------------------------------------- */

static const char *const JWK_PRIVATE[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

static int b64_member(json_t *jwk, const char *name, uint8_t *out, size_t cap, size_t *len)
{
    const char *v = json_string_value(json_object_get(jwk, name));
    return v == NULL ? -1 : ocv_b64url_decode(v, strlen(v), out, cap, len);
}

static ocv_reason jwk_public_key(json_t *jwk, const char *kty, ocv_pkey *out, const char **why)
{
    uint8_t a[1024], b[1024];
    size_t al = 0, bl = 0;
    if (strcmp(kty, "RSA") == 0) {
        if (b64_member(jwk, "n", a, sizeof(a), &al) != 0 ||
            b64_member(jwk, "e", b, sizeof(b), &bl) != 0) {
            *why = "RSA key without valid n and e";
            return OCV_CONFIG_INVALID;
        }
        ocv_reason r = ocv_pkey_from_rsa(a, al, b, bl, 0, out);
        *why = r == OCV_ALG_NOT_ALLOWED ? "RSA key under 2048 bits" : "invalid RSA key";
        return r;
    }
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    if (crv == NULL) {
        *why = "key without crv";
        return OCV_CONFIG_INVALID;
    }
    if (b64_member(jwk, "x", a, sizeof(a), &al) != 0) {
        *why = "key without a valid x";
        return OCV_CONFIG_INVALID;
    }
    if (strcmp(kty, "OKP") == 0) {
        *why = "OKP key other than a 32-byte Ed25519 key";
        return strcmp(crv, "Ed25519") == 0 ? ocv_pkey_from_ed25519(a, al, out) : OCV_CONFIG_INVALID;
    }
    ocv_key_type t = strcmp(crv, "P-256") == 0   ? OCV_KEY_EC_P256
                     : strcmp(crv, "P-384") == 0 ? OCV_KEY_EC_P384
                     : strcmp(crv, "P-521") == 0 ? OCV_KEY_EC_P521
                                                 : OCV_KEY_NONE;
    if (strcmp(kty, "EC") != 0 || t == OCV_KEY_NONE ||
        b64_member(jwk, "y", b, sizeof(b), &bl) != 0) {
        *why = "EC key on an unsupported curve, or without valid x and y";
        return OCV_CONFIG_INVALID;
    }
    *why = "EC point of the wrong size or not on the curve";
    return ocv_pkey_from_ec_point(t, a, al, b, bl, out);
}

static ocv_reason parse_jwk(json_t *jwk, ocv_trusted_key *k, const char **why)
{
    memset(k, 0, sizeof(*k));
    if (!json_is_object(jwk)) {
        *why = "not a JSON object";
        return OCV_CONFIG_INVALID;
    }
    for (size_t i = 0; i < sizeof(JWK_PRIVATE) / sizeof(JWK_PRIVATE[0]); i++) {
        if (json_object_get(jwk, JWK_PRIVATE[i]) != NULL) {
            *why = "private key material in a trust file (remove d/p/q/dp/dq/qi/oth/k)";
            return OCV_CONFIG_INVALID;
        }
    }
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    if (kty == NULL || (strcmp(kty, "EC") && strcmp(kty, "RSA") && strcmp(kty, "OKP"))) {
        *why = "kty must be EC, RSA or OKP (symmetric keys are never trusted)";
        return OCV_CONFIG_INVALID;
    }
    json_t *use = json_object_get(jwk, "use");
    if (use != NULL && !json_is_string(use)) {
        *why = "\"use\" must be a string";
        return OCV_CONFIG_INVALID;
    }
    json_t *ops = json_object_get(jwk, "key_ops");
    if (ops != NULL) {
        int verify = 0;
        size_t i;
        json_t *op;
        if (!json_is_array(ops)) {
            *why = "\"key_ops\" must be an array";
            return OCV_CONFIG_INVALID;
        }
        json_array_foreach(ops, i, op)
        {
            verify |= json_is_string(op) && strcmp(json_string_value(op), "verify") == 0;
        }
        if (!verify) {
            *why = "\"key_ops\" does not allow \"verify\"";
            return OCV_CONFIG_INVALID;
        }
    }
    json_t *kid = json_object_get(jwk, "kid");
    if (kid != NULL) {
        if (!json_is_string(kid) || json_string_length(kid) == 0 ||
            json_string_length(kid) > OCV_MAX_KID_BYTES) {
            *why = "kid must be a string of 1..256 bytes";
            return OCV_CONFIG_INVALID;
        }
        k->kid_len = json_string_length(kid);
        memcpy(k->kid, json_string_value(kid), k->kid_len);
    }
    json_t *alg = json_object_get(jwk, "alg");
    if (alg != NULL) {
        const ocv_alg_info *info =
            json_is_string(alg) ? ocv_alg_by_jose(json_string_value(alg), json_string_length(alg))
                                : NULL;
        if (info == NULL) {
            *why = "alg is not an algorithm ocv allows";
            return OCV_CONFIG_INVALID;
        }
        k->pinned_alg = info->alg;
    }
    ocv_reason r = jwk_public_key(jwk, kty, &k->key, why);
    if (r != OCV_OK)
        return r == OCV_ALG_NOT_ALLOWED || r == OCV_MALFORMED ? OCV_CONFIG_INVALID : r;
    if (k->pinned_alg != OCV_ALG_NONE && ocv_alg_info_of(k->pinned_alg)->key_type != k->key.type) {
        ocv_pkey_free(&k->key);
        *why = "alg does not fit the key";
        return OCV_CONFIG_INVALID;
    }
    return OCV_OK;
}

ocv_reason ocv_jwk_public_pkey(json_t *jwk, ocv_pkey *out, const char **why)
{
    if (!json_is_object(jwk)) {
        *why = "not a JSON object";
        return OCV_MALFORMED;
    }
    for (size_t i = 0; i < sizeof(JWK_PRIVATE) / sizeof(JWK_PRIVATE[0]); i++) {
        if (json_object_get(jwk, JWK_PRIVATE[i]) != NULL) {
            *why = "private key material";
            return OCV_MALFORMED;
        }
    }
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    if (kty == NULL || (strcmp(kty, "EC") && strcmp(kty, "RSA") && strcmp(kty, "OKP"))) {
        *why = "kty must be EC, RSA or OKP";
        return OCV_MALFORMED;
    }
    ocv_reason r = jwk_public_key(jwk, kty, out, why);
    return r == OCV_CONFIG_INVALID ? OCV_MALFORMED : r;
}

/* A key whose "use" is neither absent nor "sig" (an encryption key
 * published beside the signing keys): skipped, never trusted, never a
 * reason to refuse the set. */
static int jwk_use_other(json_t *jwk)
{
    json_t *use = json_object_get(jwk, "use");
    return json_is_string(use) && strcmp(json_string_value(use), "sig") != 0;
}

ocv_reason ocv_keyset_add_jwk(ocv_keyset *set, json_t *jwk, char *err, size_t err_len)
{
    ocv_trusted_key k;
    const char *reason = "invalid";
    ocv_reason r = parse_jwk(jwk, &k, &reason);
    if (r != OCV_OK) {
        ocv_errf(err, err_len, "%s", reason);
        return r;
    }
    r = add_key(set, &k, err, err_len);
    if (r != OCV_OK)
        ocv_pkey_free(&k.key);
    return r;
}

/* A JWK Set {"keys": [...]}, or one JWK object where a set is expected. */
static ocv_reason parse_jwks(const uint8_t *data, size_t len, ocv_keyset *set, size_t *skipped,
                             char *err, size_t err_len)
{
    json_t *root = NULL;
    char why[200] = "";
    ocv_reason r =
        ocv_json_load((const char *)data, len, OCV_MAX_JSON_DEPTH, &root, why, sizeof(why));
    if (r != OCV_OK) {
        ocv_errf(err, err_len, "not a JWK Set: %s", why);
        return r == OCV_TOO_LARGE ? r : OCV_CONFIG_INVALID;
    }
    json_t *keys = json_object_get(root, "keys");
    if (keys == NULL && json_is_object(root) && json_object_get(root, "kty") != NULL) {
        keys = json_array(); /* a single JWK: a set of one */
        json_array_append(keys, root);
        json_decref(root);
        root = keys;
    }
    if (!json_is_array(keys)) {
        json_decref(root);
        ocv_errf(err, err_len, "a JWK Set is an object with a \"keys\" array (or one JWK)");
        return OCV_CONFIG_INVALID;
    }
    size_t i, loaded = 0, other = 0;
    json_t *jwk;
    r = OCV_OK;
    json_array_foreach(keys, i, jwk)
    {
        if (json_is_object(jwk) && jwk_use_other(jwk)) {
            other++;
            continue;
        }
        char one[200] = "";
        r = ocv_keyset_add_jwk(set, jwk, one, sizeof(one));
        if (r != OCV_OK) {
            if (r == OCV_TOO_LARGE || r == OCV_INTERNAL_ERROR)
                ocv_errf(err, err_len, "%s", one);
            else
                ocv_errf(err, err_len, "key %zu: %s", i, one);
            break;
        }
        loaded++;
    }
    json_decref(root);
    if (r == OCV_OK && loaded == 0 && other > 0) {
        ocv_errf(err, err_len, "no signing key: %zu key(s) of another \"use\" only", other);
        r = OCV_CONFIG_INVALID;
    }
    if (skipped != NULL)
        *skipped += other;
    return r;
}

/* ---- COSE_KeySet --------------------------------------------------- */

enum { COSE_KTY_OKP = 1, COSE_KTY_EC2 = 2, COSE_KTY_RSA = 3 };

typedef struct cose_key_fields {
    int64_t kty, crv, alg;
    const uint8_t *kid, *x, *y, *n, *e;
    size_t kid_len, x_len, y_len, n_len, e_len;
    int has_private;
} cose_key_fields;

static int cose_label(const ocv_cbor_item *it, int64_t *label)
{
    if (it->kind == OCV_CBOR_UINT && it->u < 1000)
        *label = (int64_t)it->u;
    else if (it->kind == OCV_CBOR_NEGINT && it->u < 1000)
        *label = -1 - (int64_t)it->u;
    else
        return -1;
    return 0;
}

static int cose_int(const ocv_cbor_item *it, int64_t *out)
{
    return cose_label(it, out);
}

/* Reads one COSE_Key map. Values of labels ocv does not use must be
 * simple items (numbers, strings, bytes); nested ones are refused. */
static const char *read_cose_key(ocv_cbor_pull *r, cose_key_fields *f)
{
    memset(f, 0, sizeof(*f));
    ocv_cbor_item it, v;
    if (ocv_cbor_pull_expect(r, OCV_CBOR_MAP, &it) != 0 || it.u > 16)
        return "not a COSE_Key map";
    const uint8_t *minus3 = NULL;
    size_t minus3_len = 0;
    for (uint64_t i = 0; i < it.u; i++) {
        int64_t label;
        ocv_cbor_item k;
        if (ocv_cbor_pull_next(r, &k) != 0 || cose_label(&k, &label) != 0 ||
            ocv_cbor_pull_next(r, &v) != 0)
            return "bad label or value";
        if (v.kind == OCV_CBOR_ARRAY || v.kind == OCV_CBOR_MAP || v.kind == OCV_CBOR_TAG)
            return "nested values are not supported";
        int is_bytes = v.kind == OCV_CBOR_BYTES;
        switch (label) {
        case 1:
            if (cose_int(&v, &f->kty) != 0)
                return "kty must be an integer";
            break;
        case 2:
            if (!is_bytes || v.len == 0 || v.len > OCV_MAX_KID_BYTES)
                return "kid must be 1..256 bytes";
            f->kid = v.p, f->kid_len = v.len;
            break;
        case 3:
            if (cose_int(&v, &f->alg) != 0)
                return "alg must be an integer";
            break;
        case -1:
            if (is_bytes)
                f->n = v.p, f->n_len = v.len;
            else if (cose_int(&v, &f->crv) != 0)
                return "bad crv";
            break;
        case -2:
            if (!is_bytes)
                return "x / e must be bytes";
            f->x = f->e = v.p, f->x_len = f->e_len = v.len;
            break;
        case -3:
            if (!is_bytes)
                return "y / d must be bytes";
            minus3 = v.p, minus3_len = v.len;
            break;
        default:
            if (label <= -4)
                f->has_private = 1;
            break;
        }
    }
    if (f->kty == COSE_KTY_RSA && minus3 != NULL)
        f->has_private = 1; /* -3 is the RSA private exponent */
    else
        f->y = minus3, f->y_len = minus3_len;
    return NULL;
}

static const char *cose_key_to_trusted(const cose_key_fields *f, ocv_trusted_key *k)
{
    memset(k, 0, sizeof(*k));
    if (f->has_private)
        return "private key material in a trust file";
    if (f->kid != NULL) {
        memcpy(k->kid, f->kid, f->kid_len);
        k->kid_len = f->kid_len;
    }
    if (f->alg != 0) {
        const ocv_alg_info *info = ocv_alg_by_cose(f->alg);
        if (info == NULL)
            return "alg is not an algorithm ocv allows";
        k->pinned_alg = info->alg;
    }
    ocv_reason r = OCV_MALFORMED;
    if (f->kty == COSE_KTY_OKP && f->crv == 6)
        r = ocv_pkey_from_ed25519(f->x, f->x_len, &k->key);
    else if (f->kty == COSE_KTY_EC2 && f->crv >= 1 && f->crv <= 3 && f->x && f->y)
        r = ocv_pkey_from_ec_point(f->crv == 1   ? OCV_KEY_EC_P256
                                   : f->crv == 2 ? OCV_KEY_EC_P384
                                                 : OCV_KEY_EC_P521,
                                   f->x, f->x_len, f->y, f->y_len, &k->key);
    else if (f->kty == COSE_KTY_RSA && f->n && f->e)
        r = ocv_pkey_from_rsa(f->n, f->n_len, f->e, f->e_len, 0, &k->key);
    else
        return "kty/crv not supported (OKP Ed25519, EC2 P-256/384/521, RSA)";
    if (r != OCV_OK)
        return r == OCV_ALG_NOT_ALLOWED ? "RSA key under 2048 bits" : "invalid key";
    if (k->pinned_alg != OCV_ALG_NONE && ocv_alg_info_of(k->pinned_alg)->key_type != k->key.type) {
        ocv_pkey_free(&k->key);
        return "alg does not fit the key";
    }
    return NULL;
}

ocv_reason ocv_cose_key_public_pkey(ocv_cbor_pull *r, ocv_pkey *out, const char **why)
{
    cose_key_fields f;
    ocv_trusted_key *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return OCV_INTERNAL_ERROR;
    *why = read_cose_key(r, &f);
    if (*why == NULL)
        *why = cose_key_to_trusted(&f, k);
    if (*why != NULL) {
        free(k);
        return OCV_MALFORMED;
    }
    *out = k->key; /* moves the key: k itself holds nothing else */
    free(k);
    return OCV_OK;
}

static ocv_reason parse_cose_keyset(const uint8_t *data, size_t len, ocv_keyset *set, char *err,
                                    size_t err_len)
{
    ocv_cbor_pull r;
    ocv_cbor_pull_init(&r, data, len);
    ocv_cbor_item it;
    int single = len > 0 && (data[0] & 0xe0) == 0xa0; /* one COSE_Key map, not a set */
    if (single)
        it.u = 1;
    else if (ocv_cbor_pull_expect(&r, OCV_CBOR_ARRAY, &it) != 0) {
        ocv_errf(err, err_len, "a COSE_KeySet is a CBOR array of COSE_Key maps");
        return OCV_CONFIG_INVALID;
    }
    if (it.u > OCV_MAX_KEYSET_KEYS) {
        ocv_errf(err, err_len, "more than %d keys", OCV_MAX_KEYSET_KEYS);
        return OCV_TOO_LARGE;
    }
    for (uint64_t i = 0; i < it.u; i++) {
        cose_key_fields f;
        ocv_trusted_key k;
        const char *why = read_cose_key(&r, &f);
        if (why == NULL)
            why = cose_key_to_trusted(&f, &k);
        if (why != NULL) {
            ocv_errf(err, err_len, "COSE key %llu: %s", (unsigned long long)i, why);
            return OCV_CONFIG_INVALID;
        }
        ocv_reason rr = add_key(set, &k, err, err_len);
        if (rr != OCV_OK) {
            ocv_pkey_free(&k.key);
            return rr;
        }
    }
    if (!ocv_cbor_pull_done(&r)) {
        ocv_errf(err, err_len, "bytes after the COSE_KeySet");
        return OCV_CONFIG_INVALID;
    }
    return OCV_OK;
}

ocv_reason ocv_keyset_parse(const uint8_t *data, size_t len, ocv_keyset *out, char *err,
                            size_t err_len)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i < len && data[i] == '{')
        return parse_jwks(data, len, out, NULL, err, err_len);
    return parse_cose_keyset(data, len, out, err, err_len);
}

ocv_reason ocv_keyset_parse_counted(const uint8_t *data, size_t len, ocv_keyset *out,
                                    size_t *skipped, char *err, size_t err_len)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i < len && data[i] == '{')
        return parse_jwks(data, len, out, skipped, err, err_len);
    return parse_cose_keyset(data, len, out, err, err_len);
}

ocv_reason ocv_keyset_add_pkey(ocv_keyset *set, ocv_pkey *key, char *err, size_t err_len)
{
    ocv_trusted_key k;
    memset(&k, 0, sizeof(k));
    k.key = *key;
    ocv_reason r = add_key(set, &k, err, err_len);
    if (r == OCV_OK)
        memset(key, 0, sizeof(*key)); /* moved into the set */
    return r;
}

ocv_reason ocv_keyset_load_file(ocv_keyset *set, const char *path, char *err, size_t err_len)
{
    ocv_bytes file;
    ocv_reason r = ocv_file_read(path, OCV_MAX_TRUST_FILE_BYTES, &file, err, err_len);
    if (r != OCV_OK)
        return r;
    char why[300] = "";
    r = ocv_keyset_parse(file.data, file.len, set, why, sizeof(why));
    ocv_bytes_free(&file);
    if (r != OCV_OK)
        ocv_errf(err, err_len, "%s: %s", path, why);
    return r;
}

/* ---- selection ----------------------------------------------------- */

ocv_reason ocv_keyset_select(const ocv_keyset *set, const uint8_t *kid, size_t kid_len, ocv_alg alg,
                             const ocv_trusted_key **out, char *detail, size_t detail_len)
{
    *out = NULL;
    const ocv_alg_info *info = ocv_alg_info_of(alg);
    if (info == NULL) {
        ocv_errf(detail, detail_len, "algorithm not allowed");
        return OCV_ALG_NOT_ALLOWED;
    }
    const ocv_trusted_key *found = NULL;
    size_t candidates = 0;
    for (size_t i = 0; set != NULL && i < set->count; i++) {
        const ocv_trusted_key *k = &set->keys[i];
        if (kid != NULL) {
            if (k->kid_len == kid_len && memcmp(k->kid, kid, kid_len) == 0)
                found = k, candidates = 1;
        } else if (k->key.type == info->key_type &&
                   (k->pinned_alg == OCV_ALG_NONE || k->pinned_alg == alg)) {
            found = k;
            candidates++;
        }
    }
    if (found == NULL || candidates != 1) {
        if (kid != NULL)
            ocv_errf(detail, detail_len, "no trusted key has kid '%.*s'",
                     (int)(kid_len > 64 ? 64 : kid_len), (const char *)kid);
        else
            ocv_errf(detail, detail_len, "no kid, and %zu trusted keys could verify %s", candidates,
                     info->jose);
        return OCV_KEY_UNKNOWN;
    }
    if (found->pinned_alg != OCV_ALG_NONE && found->pinned_alg != alg) {
        ocv_errf(detail, detail_len, "the key is pinned to %s, the token says %s",
                 ocv_alg_name(found->pinned_alg), info->jose);
        return OCV_ALG_NOT_ALLOWED;
    }
    *out = found;
    return OCV_OK;
}

/* ---- JWK export and RFC 7638 thumbprint ----------------------------- */

static int b64_set(json_t *o, const char *name, const uint8_t *p, size_t n)
{
    ocv_bytes e;
    if (ocv_b64url_encode(p, n, &e) != OCV_OK)
        return -1;
    json_object_set_new(o, name, json_string((const char *)e.data));
    ocv_bytes_free(&e);
    return 0;
}

/* The required members only (RFC 7638 §3.2), which is also a valid JWK. */
static json_t *jwk_required(const ocv_pkey *key)
{
    json_t *o = json_object();
    int rc = -1;
    if (key->type == OCV_KEY_ED25519) {
        json_object_set_new(o, "kty", json_string("OKP"));
        json_object_set_new(o, "crv", json_string("Ed25519"));
        rc = b64_set(o, "x", key->ed25519_pub, 32);
    } else if (key->type == OCV_KEY_RSA) {
        mbedtls_rsa_context *rsa = mbedtls_pk_rsa(key->pk);
        uint8_t nb[1024], eb[8];
        size_t nl = mbedtls_rsa_get_len(rsa);
        mbedtls_mpi e;
        mbedtls_mpi_init(&e);
        if (nl <= sizeof(nb) &&
            mbedtls_rsa_export_raw(rsa, nb, nl, NULL, 0, NULL, 0, NULL, 0, NULL, 0) == 0 &&
            mbedtls_rsa_export(rsa, NULL, NULL, NULL, NULL, &e) == 0 &&
            mbedtls_mpi_size(&e) <= sizeof(eb) &&
            mbedtls_mpi_write_binary(&e, eb, mbedtls_mpi_size(&e)) == 0) {
            json_object_set_new(o, "kty", json_string("RSA"));
            rc = b64_set(o, "n", nb, nl) || b64_set(o, "e", eb, mbedtls_mpi_size(&e));
        }
        mbedtls_mpi_free(&e);
    } else if (key->type != OCV_KEY_NONE) {
        const mbedtls_ecp_keypair *ec = mbedtls_pk_ec(key->pk);
        uint8_t pt[1 + 2 * 66];
        size_t pl = 0;
        if (mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &pl, pt,
                                           sizeof(pt)) == 0) {
            size_t c = (pl - 1) / 2;
            json_object_set_new(o, "kty", json_string("EC"));
            json_object_set_new(o, "crv",
                                json_string(key->type == OCV_KEY_EC_P256   ? "P-256"
                                            : key->type == OCV_KEY_EC_P384 ? "P-384"
                                                                           : "P-521"));
            rc = b64_set(o, "x", pt + 1, c) || b64_set(o, "y", pt + 1 + c, c);
        }
    }
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

ocv_reason ocv_jwk_thumbprint(const ocv_pkey *key, uint8_t out[32])
{
    json_t *o = jwk_required(key);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    if (text == NULL)
        return OCV_INTERNAL_ERROR;
    int rc = ocv_sha256((const uint8_t *)text, strlen(text), out);
    free(text);
    return rc == 0 ? OCV_OK : OCV_INTERNAL_ERROR;
}

ocv_reason ocv_jwks_from_key(const ocv_pkey *key, const char *kid, ocv_alg pin, char **out)
{
    *out = NULL;
    json_t *jwk = jwk_required(key);
    if (jwk == NULL)
        return OCV_INTERNAL_ERROR;
    if (kid != NULL)
        json_object_set_new(jwk, "kid", json_string(kid));
    if (pin != OCV_ALG_NONE)
        json_object_set_new(jwk, "alg", json_string(ocv_alg_name(pin)));
    json_object_set_new(jwk, "use", json_string("sig"));
    json_t *set = json_pack("{s:[o]}", "keys", jwk);
    *out = set ? json_dumps(set, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(set);
    return *out ? OCV_OK : OCV_INTERNAL_ERROR;
}

size_t ocv_keyset_carry_cache(const ocv_keyset *set, ocv_sigcache *to, ocv_sigcache *from)
{
    if (set == NULL || set->count == 0 || to == NULL || from == NULL)
        return 0;
    uint8_t(*ids)[32] = malloc(set->count * sizeof(*ids));
    if (ids == NULL)
        return 0; /* the new cache starts empty: slower, never wrong */
    for (size_t i = 0; i < set->count; i++)
        memcpy(ids[i], set->keys[i].spki_sha256, 32);
    size_t n = ocv_sigcache_carry_over(to, from, (const uint8_t(*)[32])ids, set->count);
    free(ids);
    return n;
}
