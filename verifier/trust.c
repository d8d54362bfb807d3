/*
 * trust.c - trust sources: loading, SPIFFE bundles, selection (trust.h).
 *
 * Implementation notes
 *
 * SPIFFE bundle (SPIFFE Trust Domain and Bundle §4, as SPIRE writes it):
 *   { "keys": [ JWK... ], "spiffe_sequence": uint, "spiffe_refresh_hint": uint }
 *   JWK "use": "x509-svid" -> "x5c": [ base64 DER, ... ]; x5c[0] is the
 *              anchor and its public key must be the JWK's key
 *   JWK "use": "jwt-svid"  -> "kid" required; the JWK is a token key
 *   any other use (or none)-> skipped, counted, named in the note
 * Other members of the bundle are ignored, as the specification asks.
 *
 * Mismatch detection: when the claimed source cannot vouch, every other
 * source is asked whether it could (a key with the token's kid, a key that
 * verifies, anchors the chain leads to). That runs only on the failure
 * path, so a correct credential pays for one source only.
 */
#include "verifier/trust.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <mbedtls/base64.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/spiffe.h"
#include "base/util.h"
#include "verifier/dn.h"
#include "verifier/pkey.h"

#define MAX_X5C_CERT_BYTES (16 * 1024) /* one CA certificate, generously */

void ocv_trust_init(ocv_trust *trust)
{
    trust->sources = NULL;
    trust->count = 0;
}

static void source_free(ocv_trust_source *s)
{
    ocv_keyset_free(&s->keys);
    ocv_x509_anchors_free(&s->anchors);
}

void ocv_trust_free(ocv_trust *trust)
{
    if (trust == NULL)
        return;
    for (size_t i = 0; i < trust->count; i++)
        source_free(&trust->sources[i]);
    free(trust->sources);
    ocv_trust_init(trust);
}

const char *ocv_trust_kind_name(ocv_trust_kind kind)
{
    switch (kind) {
    case OCV_TRUST_UNNAMED:
        return "unnamed";
    case OCV_TRUST_OIDC:
        return "oidc";
    case OCV_TRUST_SPIFFE:
        return "spiffe";
    case OCV_TRUST_CA:
        return "ca";
    }
    return "unknown";
}

/* ---- anchors ------------------------------------------------------- */

static size_t anchors_count(const ocv_x509_anchors *a)
{
    return a->count;
}

/* Appends one DER certificate as an anchor (key precomputed). */
static ocv_reason anchors_add_der(ocv_x509_anchors *a, const uint8_t *der, size_t len, char *err,
                                  size_t err_len)
{
    if (a->count >= OCV_MAX_SOURCE_ANCHORS) {
        ocv_errf(err, err_len, "more than %d anchors in one source", OCV_MAX_SOURCE_ANCHORS);
        return OCV_TOO_LARGE;
    }
    if (mbedtls_x509_crt_parse_der(&a->certs, der, len) != 0) {
        ocv_errf(err, err_len, "not a DER certificate");
        return OCV_CONFIG_INVALID;
    }
    mbedtls_x509_crt *last = &a->certs;
    while (last->next != NULL)
        last = last->next;
    if (ocv_pk_precompute(&last->pk) != OCV_OK) {
        ocv_errf(err, err_len, "an anchor's public key is unusable");
        return OCV_CONFIG_INVALID;
    }
    a->count++;
    return OCV_OK;
}

/* One file's anchors (its bytes, named name), read by the strict loader,
 * appended. */
static ocv_reason anchors_append(ocv_x509_anchors *a, const char *name, const uint8_t *data,
                                 size_t len, char *err, size_t err_len)
{
    ocv_x509_anchors one;
    ocv_x509_anchors_init(&one);
    ocv_reason r = ocv_x509_anchors_load_bytes(&one, name, data, len, err, err_len);
    for (mbedtls_x509_crt *c = &one.certs; r == OCV_OK && c != NULL && c->raw.len > 0;
         c = c->next) {
        char why[160] = "";
        r = anchors_add_der(a, c->raw.p, c->raw.len, why, sizeof(why));
        if (r != OCV_OK)
            ocv_errf(err, err_len, "%s: %s", name, why);
    }
    ocv_x509_anchors_free(&one);
    return r;
}

static ocv_reason anchors_add_file(ocv_x509_anchors *a, const char *path, char *err, size_t err_len)
{
    ocv_bytes file;
    ocv_reason r = ocv_file_read(path, OCV_MAX_TRUST_FILE_BYTES, &file, err, err_len);
    if (r != OCV_OK)
        return r;
    r = anchors_append(a, path, file.data, file.len, err, err_len);
    ocv_bytes_free(&file);
    return r;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_pem_name(const char *n)
{
    size_t l = strlen(n);
    return n[0] != '.' && l > 4 &&
           (strcmp(n + l - 4, ".pem") == 0 || strcmp(n + l - 4, ".crt") == 0);
}

/* A file, or every *.pem / *.crt file of a directory in name order. */
static ocv_reason anchors_add_path(ocv_x509_anchors *a, const char *path, char *err, size_t err_len)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return anchors_add_file(a, path, err, err_len);
    DIR *d = opendir(path);
    if (d == NULL) {
        ocv_errf(err, err_len, "%s: cannot open the directory", path);
        return OCV_CONFIG_INVALID;
    }
    char *names[OCV_MAX_DIR_FILES];
    size_t n = 0;
    ocv_reason r = OCV_OK;
    struct dirent *e;
    while (r == OCV_OK && (e = readdir(d)) != NULL) {
        if (!is_pem_name(e->d_name))
            continue;
        if (n >= OCV_MAX_DIR_FILES) {
            ocv_errf(err, err_len, "%s: more than %d certificate files", path, OCV_MAX_DIR_FILES);
            r = OCV_TOO_LARGE;
            break;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (names[n] == NULL) {
            r = OCV_INTERNAL_ERROR;
            break;
        }
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), name_cmp);
    if (r == OCV_OK && n == 0) {
        ocv_errf(err, err_len, "%s: no *.pem or *.crt file in the directory", path);
        r = OCV_CONFIG_INVALID;
    }
    for (size_t i = 0; i < n; i++) {
        if (r == OCV_OK)
            r = anchors_add_file(a, names[i], err, err_len);
        free(names[i]);
    }
    return r;
}

/* ---- token keys ---------------------------------------------------- */

static int starts_with_pem(const ocv_bytes *b)
{
    size_t i = 0;
    while (i < b->len && (b->data[i] == ' ' || b->data[i] == '\n' || b->data[i] == '\r'))
        i++;
    return b->len - i >= 10 && memcmp(b->data + i, "-----BEGIN", 10) == 0;
}

/* A JWK Set, a COSE_KeySet, one JWK or COSE_Key, or a PEM public key. */
static ocv_reason keys_add_bytes(ocv_trust_source *s, const char *path, const ocv_bytes *file,
                                 char *err, size_t err_len)
{
    char why[300] = "";
    ocv_reason r;
    if (starts_with_pem(file)) {
        ocv_pkey key;
        ocv_pkey_init(&key);
        r = ocv_pkey_parse(file->data, file->len, 0, 0, &key, why, sizeof(why));
        if (r == OCV_OK)
            r = ocv_keyset_add_pkey(&s->keys, &key, why, sizeof(why));
        ocv_pkey_free(&key);
    } else {
        r = ocv_keyset_parse_counted(file->data, file->len, &s->keys, &s->skipped_keys, why,
                                     sizeof(why));
    }
    if (r != OCV_OK) {
        ocv_errf(err, err_len, "%s: %s", path, why);
        return r == OCV_TOO_LARGE || r == OCV_INTERNAL_ERROR ? r : OCV_CONFIG_INVALID;
    }
    return OCV_OK;
}

/* ---- SPIFFE bundles ------------------------------------------------ */

/* Appends "text; " to the source's note (truncated, never overflowing). */
static void note_add(ocv_trust_source *s, const char *what, const char *arg)
{
    size_t used = strlen(s->note);
    if (used + 1 < sizeof(s->note))
        snprintf(s->note + used, sizeof(s->note) - used, "%s%.40s; ", what, arg);
}

/* x5c[0] becomes an anchor; its key must be the JWK's key. */
static ocv_reason bundle_x509_key(ocv_trust_source *s, json_t *jwk, char *why, size_t why_len)
{
    json_t *x5c = json_object_get(jwk, "x5c");
    const char *b64 = json_string_value(json_array_get(x5c, 0));
    if (!json_is_array(x5c) || b64 == NULL) {
        ocv_errf(why, why_len, "an x509-svid key needs \"x5c\" with the CA certificate");
        return OCV_CONFIG_INVALID;
    }
    size_t b64_len = strlen(b64), der_len = 0;
    uint8_t *der = malloc(MAX_X5C_CERT_BYTES);
    if (der == NULL)
        return OCV_INTERNAL_ERROR;
    ocv_reason r = OCV_CONFIG_INVALID;
    if (mbedtls_base64_decode(der, MAX_X5C_CERT_BYTES, &der_len, (const unsigned char *)b64,
                              b64_len) != 0) {
        ocv_errf(why, why_len, "x5c[0] is not base64 of at most %d bytes", MAX_X5C_CERT_BYTES);
        goto out;
    }
    ocv_pkey key;
    ocv_pkey_init(&key);
    const char *kwhy = "invalid";
    if (ocv_jwk_public_pkey(jwk, &key, &kwhy) != OCV_OK) {
        ocv_errf(why, why_len, "the key: %s", kwhy);
        goto out;
    }
    uint8_t jwk_hash[32];
    int hashed = ocv_pkey_spki_sha256(&key, jwk_hash) == OCV_OK;
    ocv_pkey_free(&key);
    if (!hashed) {
        r = OCV_INTERNAL_ERROR;
        goto out;
    }
    r = anchors_add_der(&s->anchors, der, der_len, why, why_len);
    if (r != OCV_OK)
        goto out;
    const mbedtls_x509_crt *last = &s->anchors.certs;
    while (last->next != NULL)
        last = last->next;
    uint8_t cert_hash[32];
    if (ocv_sha256(last->pk_raw.p, last->pk_raw.len, cert_hash) != 0) {
        r = OCV_INTERNAL_ERROR;
        goto out;
    }
    /* public keys: memcmp is fine */
    if (memcmp(cert_hash, jwk_hash, 32) != 0) {
        ocv_errf(why, why_len, "x5c[0] certifies another key than the JWK's");
        r = OCV_CONFIG_INVALID;
        goto out;
    }
    if (json_array_size(x5c) > 1)
        note_add(s, "x5c chains: only x5c[0] is an anchor", "");
out:
    free(der);
    return r;
}

static ocv_reason bundle_key(ocv_trust_source *s, json_t *jwk, char *why, size_t why_len)
{
    const char *use = json_string_value(json_object_get(jwk, "use"));
    if (!json_is_object(jwk)) {
        ocv_errf(why, why_len, "not a JSON object");
        return OCV_CONFIG_INVALID;
    }
    if (use != NULL && strcmp(use, "x509-svid") == 0)
        return bundle_x509_key(s, jwk, why, why_len);
    if (use != NULL && strcmp(use, "jwt-svid") == 0) {
        if (json_object_get(jwk, "kid") == NULL) {
            ocv_errf(why, why_len, "a jwt-svid key needs a kid (SPIFFE JWT-SVID §3)");
            return OCV_CONFIG_INVALID;
        }
        return ocv_keyset_add_jwk(&s->keys, jwk, why, why_len);
    }
    s->skipped_keys++;
    note_add(s, "skipped a key of use ", use != NULL ? use : "(none)");
    return OCV_OK;
}

static ocv_reason bundle_uint(json_t *root, const char *name, int *has, uint64_t *out, char *err,
                              size_t err_len)
{
    json_t *v = json_object_get(root, name);
    if (v == NULL)
        return OCV_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        ocv_errf(err, err_len, "\"%s\" must be a non-negative integer", name);
        return OCV_CONFIG_INVALID;
    }
    if (has != NULL)
        *has = 1;
    *out = (uint64_t)json_integer_value(v);
    return OCV_OK;
}

ocv_reason ocv_trust_bundle_parse(ocv_trust_source *s, const uint8_t *data, size_t len, char *err,
                                  size_t err_len)
{
    json_t *root = NULL;
    char why[200] = "";
    ocv_reason r =
        ocv_json_load((const char *)data, len, OCV_MAX_JSON_DEPTH, &root, why, sizeof(why));
    if (r != OCV_OK) {
        ocv_errf(err, err_len, "not a SPIFFE bundle (JSON): %s", why);
        return r == OCV_TOO_LARGE ? r : OCV_CONFIG_INVALID;
    }
    json_t *keys = json_object_get(root, "keys");
    uint64_t hint = 0;
    if (!json_is_array(keys)) {
        ocv_errf(err, err_len, "a SPIFFE bundle is a JWK Set: an object with a \"keys\" array");
        r = OCV_CONFIG_INVALID;
    }
    if (r == OCV_OK)
        r = bundle_uint(root, "spiffe_sequence", &s->has_sequence, &s->sequence, err, err_len);
    if (r == OCV_OK)
        r = bundle_uint(root, "spiffe_refresh_hint", NULL, &hint, err, err_len);
    s->refresh_hint = hint > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)hint;
    size_t i;
    json_t *jwk;
    json_array_foreach(keys, i, jwk)
    {
        if (r != OCV_OK)
            break;
        char one[200] = "";
        r = bundle_key(s, jwk, one, sizeof(one));
        if (r != OCV_OK) {
            const char *kid = json_string_value(json_object_get(jwk, "kid"));
            const char *use = json_string_value(json_object_get(jwk, "use"));
            char name[120];
            snprintf(name, sizeof(name), "key %zu (use '%.20s'%s%.60s%s)", i, use ? use : "",
                     kid ? ", kid '" : "", kid ? kid : "", kid ? "'" : "");
            ocv_errf(err, err_len, "%s: %s", name, one);
        }
    }
    json_decref(root);
    if (r == OCV_OK && s->keys.count == 0 && anchors_count(&s->anchors) == 0) {
        ocv_errf(err, err_len, "no x509-svid or jwt-svid key in the bundle");
        r = OCV_CONFIG_INVALID;
    }
    return r;
}

static ocv_reason bundle_add_bytes(ocv_trust_source *s, const char *path, const ocv_bytes *file,
                                   char *err, size_t err_len)
{
    char why[300] = "";
    ocv_reason r = ocv_trust_bundle_parse(s, file->data, file->len, why, sizeof(why));
    if (r != OCV_OK)
        ocv_errf(err, err_len, "%s: %s", path, why);
    return r;
}

/* A source's input: a file, or a blob of the caller's. */
typedef ocv_reason (*add_bytes_fn)(ocv_trust_source *s, const char *name, const ocv_bytes *bytes,
                                   char *err, size_t err_len);

static ocv_reason add_blob(ocv_trust_source *s, const ocv_blob *blob, add_bytes_fn add, char *err,
                           size_t err_len)
{
    const char *name = blob->name != NULL ? blob->name : "(memory)";
    if (blob->data == NULL) {
        ocv_errf(err, err_len, "%s: no data", name);
        return OCV_CONFIG_INVALID;
    }
    if (blob->len > OCV_MAX_TRUST_FILE_BYTES) {
        ocv_errf(err, err_len, "%s: larger than %u bytes", name, OCV_MAX_TRUST_FILE_BYTES);
        return OCV_TOO_LARGE;
    }
    ocv_bytes view = {(uint8_t *)blob->data, blob->len}; /* read only */
    return add(s, name, &view, err, err_len);
}

static ocv_reason add_file(ocv_trust_source *s, const char *path, add_bytes_fn add, char *err,
                           size_t err_len)
{
    ocv_bytes file;
    ocv_reason r = ocv_file_read(path, OCV_MAX_TRUST_FILE_BYTES, &file, err, err_len);
    if (r != OCV_OK)
        return r;
    r = add(s, path, &file, err, err_len);
    ocv_bytes_free(&file);
    return r;
}

static ocv_reason anchors_add_bytes(ocv_trust_source *s, const char *name, const ocv_bytes *bytes,
                                    char *err, size_t err_len)
{
    return anchors_append(&s->anchors, name, bytes->data, bytes->len, err, err_len);
}

/* ---- loading ------------------------------------------------------- */

static int name_ok(const char *n)
{
    size_t len = n != NULL ? strlen(n) : 0;
    if (len == 0 || len > OCV_MAX_SOURCE_NAME_BYTES)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = n[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

/* "spiffe://td" exactly: a SPIFFE ID with no path. */
static int trust_domain_ok(const char *td, const char **why)
{
    ocv_spiffe_id id;
    *why = "not a SPIFFE ID";
    if (td == NULL || ocv_spiffe_parse(td, OCV_SPIFFE_SUBJECT, &id, why) != OCV_OK ||
        id.kind != OCV_SPIFFE_EXACT)
        return 0;
    *why = "a trust domain has no path (spiffe://example.org)";
    return id.td_end == strlen(td);
}

static ocv_reason check_fields(const ocv_trust_source_config *c, char *err, size_t err_len)
{
    const char *why = "";
    if (!name_ok(c->name)) {
        ocv_errf(err, err_len,
                 "trust source '%.64s': a name is 1..64 characters of A-Z a-z 0-9 . - _",
                 c->name ? c->name : "");
        return OCV_CONFIG_INVALID;
    }
    size_t inputs = c->file_count + c->blob_count;
    if (inputs == 0 || inputs > OCV_MAX_TRUST_SOURCE_FILES ||
        (c->file_count > 0 && c->blob_count > 0) || (c->blob_count > 0 && c->blobs == NULL)) {
        ocv_errf(err, err_len, "trust source '%s': 1..%d files, or as many blobs (not both)",
                 c->name, OCV_MAX_TRUST_SOURCE_FILES);
        return OCV_CONFIG_INVALID;
    }
    switch (c->kind) {
    case OCV_TRUST_OIDC:
        if (c->issuer == NULL || c->issuer[0] == 0 || strlen(c->issuer) > OCV_MAX_ISSUER_BYTES ||
            c->trust_domain != NULL) {
            ocv_errf(err, err_len,
                     "trust source '%s' (oidc): needs an issuer (the exact iss) "
                     "and no trust_domain",
                     c->name);
            return OCV_CONFIG_INVALID;
        }
        return OCV_OK;
    case OCV_TRUST_SPIFFE:
        if (c->issuer != NULL || !trust_domain_ok(c->trust_domain, &why)) {
            ocv_errf(err, err_len,
                     "trust source '%s' (spiffe): needs a trust_domain "
                     "(spiffe://example.org) and no issuer: %s",
                     c->name, c->issuer != NULL ? "issuer given" : why);
            return OCV_CONFIG_INVALID;
        }
        if (inputs != 1) {
            ocv_errf(err, err_len, "trust source '%s' (spiffe): exactly one bundle file", c->name);
            return OCV_CONFIG_INVALID;
        }
        return OCV_OK;
    case OCV_TRUST_CA:
        if (c->issuer != NULL || c->trust_domain != NULL) {
            ocv_errf(err, err_len,
                     "trust source '%s' (ca): anchors only, no issuer or "
                     "trust_domain",
                     c->name);
            return OCV_CONFIG_INVALID;
        }
        return OCV_OK;
    case OCV_TRUST_UNNAMED:
        break;
    }
    ocv_errf(err, err_len, "trust source '%s': kind must be oidc, spiffe or ca", c->name);
    return OCV_CONFIG_INVALID;
}

static ocv_reason load_source(ocv_trust_source *s, const ocv_trust_source_config *c, char *err,
                              size_t err_len)
{
    char why[400] = "";
    ocv_reason r = check_fields(c, err, err_len);
    if (r != OCV_OK)
        return r;
    ocv_strlcpy(s->name, c->name, sizeof(s->name));
    s->kind = c->kind;
    if (c->issuer != NULL)
        ocv_strlcpy(s->issuer, c->issuer, sizeof(s->issuer));
    if (c->trust_domain != NULL)
        ocv_strlcpy(s->trust_domain, c->trust_domain, sizeof(s->trust_domain));
    add_bytes_fn add = c->kind == OCV_TRUST_OIDC ? keys_add_bytes
                       : c->kind == OCV_TRUST_CA ? anchors_add_bytes
                                                 : bundle_add_bytes;
    for (size_t i = 0; r == OCV_OK && i < c->file_count; i++) {
        if (c->kind == OCV_TRUST_CA) /* a file or a directory */
            r = anchors_add_path(&s->anchors, c->files[i], why, sizeof(why));
        else
            r = add_file(s, c->files[i], add, why, sizeof(why));
    }
    for (size_t i = 0; r == OCV_OK && i < c->blob_count; i++)
        r = add_blob(s, &c->blobs[i], add, why, sizeof(why));
    if (r == OCV_OK && s->keys.count == 0 && s->anchors.count == 0) {
        ocv_errf(why, sizeof(why), "no key and no anchor");
        r = OCV_CONFIG_INVALID;
    }
    if (r != OCV_OK)
        ocv_errf(err, err_len, "trust source '%s': %s", c->name, why);
    return r;
}

/* The unnamed source's token keys: a JWK Set or COSE_KeySet (no PEM). */
static ocv_reason keyset_add_bytes(ocv_trust_source *s, const char *name, const ocv_bytes *bytes,
                                   char *err, size_t err_len)
{
    char why[300] = "";
    ocv_reason r = ocv_keyset_parse_counted(bytes->data, bytes->len, &s->keys, &s->skipped_keys,
                                            why, sizeof(why));
    if (r != OCV_OK) {
        ocv_errf(err, err_len, "%s: %s", name, why);
        r = r == OCV_TOO_LARGE ? r : OCV_CONFIG_INVALID;
    }
    return r;
}

static ocv_reason load_unnamed(ocv_trust_source *s, const ocv_config *config, char *err,
                               size_t err_len)
{
    s->kind = OCV_TRUST_UNNAMED;
    if ((config->anchors_path != NULL && config->anchors_blob.data != NULL) ||
        ((config->jwks_path != NULL || config->cose_keys_path != NULL) &&
         config->keys_blob.data != NULL)) {
        ocv_errf(err, err_len, "a file and a blob of the same kind exclude each other");
        return OCV_CONFIG_INVALID;
    }
    ocv_reason r = OCV_OK;
    if (config->anchors_path != NULL)
        r = ocv_x509_anchors_load(&s->anchors, config->anchors_path, err, err_len);
    else if (config->anchors_blob.data != NULL)
        r = add_blob(s, &config->anchors_blob, anchors_add_bytes, err, err_len);
    const char *key_files[] = {config->jwks_path, config->cose_keys_path};
    for (size_t i = 0; r == OCV_OK && i < 2; i++) {
        if (key_files[i] != NULL)
            r = add_file(s, key_files[i], keyset_add_bytes, err, err_len);
    }
    if (r == OCV_OK && config->keys_blob.data != NULL)
        r = add_blob(s, &config->keys_blob, keyset_add_bytes, err, err_len);
    /* as for a named source: token keys that hold no usable key are a
     * mistake to report now, not a KEY_UNKNOWN on every token later */
    if (r == OCV_OK && s->keys.count == 0 && s->anchors.count == 0) {
        const char *where = config->jwks_path        ? config->jwks_path
                            : config->cose_keys_path ? config->cose_keys_path
                            : config->keys_blob.name ? config->keys_blob.name
                                                     : "(memory)";
        ocv_errf(err, err_len, "%s: no usable token key%s", where,
                 s->skipped_keys ? " (every key is for another use or algorithm)" : "");
        r = OCV_CONFIG_INVALID;
    }
    if (r == OCV_OK && s->keys.count > 1)
        ocv_errf(s->note, sizeof(s->note),
                 "%zu token keys that no issuer binds: each verifies a token claiming any "
                 "issuer (declare trust_sources, docs/trust.md)",
                 s->keys.count);
    return r;
}

/* Rollback: a bundle older than the one in force for its trust domain. */
static ocv_reason check_rollback(const ocv_trust_source *s, const ocv_trust *prev, char *err,
                                 size_t err_len)
{
    for (size_t i = 0; prev != NULL && s->kind == OCV_TRUST_SPIFFE && i < prev->count; i++) {
        const ocv_trust_source *p = &prev->sources[i];
        if (p->kind != OCV_TRUST_SPIFFE || strcmp(p->trust_domain, s->trust_domain) != 0 ||
            !p->has_sequence)
            continue;
        if (!s->has_sequence || s->sequence < p->sequence) {
            char now[24] = "none";
            if (s->has_sequence)
                snprintf(now, sizeof(now), "%llu", (unsigned long long)s->sequence);
            ocv_errf(err, err_len,
                     "trust source '%s': the bundle for %s has spiffe_sequence %s, older than "
                     "%llu in force (rollback refused; the old bundle stays)",
                     s->name, s->trust_domain, now, (unsigned long long)p->sequence);
            return OCV_CONFIG_INVALID;
        }
    }
    return OCV_OK;
}

ocv_reason ocv_trust_load(ocv_trust *out, const ocv_config *config, const ocv_trust *prev,
                          char *err, size_t err_len)
{
    ocv_trust_init(out);
    int old_paths = config->anchors_path != NULL || config->jwks_path != NULL ||
                    config->cose_keys_path != NULL || config->anchors_blob.data != NULL ||
                    config->keys_blob.data != NULL;
    size_t n = config->trust_source_count;
    if (n > OCV_MAX_TRUST_SOURCES) {
        ocv_errf(err, err_len, "more than %d trust sources", OCV_MAX_TRUST_SOURCES);
        return OCV_CONFIG_INVALID;
    }
    if (n > 0 && config->trust_sources == NULL)
        return OCV_INTERNAL_ERROR;
    if (n > 0 && old_paths) {
        ocv_errf(err, err_len,
                 "anchors / jwks / cose_keys (or --anchors / --jwks / --cose-keys) cannot be "
                 "combined with trust_sources: move those files into a source (docs/trust.md)");
        return OCV_CONFIG_INVALID;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            const char *a = config->trust_sources[i].name, *b = config->trust_sources[j].name;
            if (a != NULL && b != NULL && strcmp(a, b) == 0) {
                ocv_errf(err, err_len, "two trust sources are named '%.64s'", a);
                return OCV_CONFIG_INVALID;
            }
        }
    }
    size_t total = n + (old_paths ? 1 : 0);
    if (total == 0)
        return OCV_OK;
    out->sources = calloc(total, sizeof(*out->sources));
    if (out->sources == NULL)
        return OCV_INTERNAL_ERROR;
    ocv_reason r = OCV_OK;
    for (size_t i = 0; r == OCV_OK && i < total; i++) {
        ocv_trust_source *s = &out->sources[i];
        ocv_keyset_init(&s->keys);
        ocv_x509_anchors_init(&s->anchors);
        out->count++;
        r = i < n ? load_source(s, &config->trust_sources[i], err, err_len)
                  : load_unnamed(s, config, err, err_len);
        if (r == OCV_OK)
            r = check_rollback(s, prev, err, err_len);
    }
    for (size_t i = 0; r == OCV_OK && i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            const ocv_trust_source *a = &out->sources[i], *b = &out->sources[j];
            int same =
                a->kind == b->kind &&
                ((a->kind == OCV_TRUST_OIDC && strcmp(a->issuer, b->issuer) == 0) ||
                 (a->kind == OCV_TRUST_SPIFFE && strcmp(a->trust_domain, b->trust_domain) == 0));
            if (same) {
                ocv_errf(err, err_len, "trust sources '%s' and '%s' claim the same %s", b->name,
                         a->name, a->kind == OCV_TRUST_OIDC ? "issuer" : "trust domain");
                r = OCV_CONFIG_INVALID;
                break;
            }
        }
    }
    if (r != OCV_OK)
        ocv_trust_free(out);
    return r;
}

/* ---- selection ----------------------------------------------------- */

static const ocv_trust_source *find_kind(const ocv_trust *t, ocv_trust_kind kind, const char *what)
{
    for (size_t i = 0; i < t->count; i++) {
        const ocv_trust_source *s = &t->sources[i];
        if (s->kind != kind)
            continue;
        if (kind == OCV_TRUST_UNNAMED)
            return s;
        const char *v = kind == OCV_TRUST_OIDC ? s->issuer : s->trust_domain;
        if (what != NULL && strcmp(v, what) == 0)
            return s;
    }
    return NULL;
}

/* The trust domain of a SPIFFE identity into td; 0 when it is none. */
static int subject_trust_domain(const ocv_claims *c, char *td, size_t td_len)
{
    /* settled SPIFFE IDs carry their trust domain's extent (base/canon.h) */
    size_t n = c->subject_td_len;
    if (c->subject_kind != OCV_IDENTITY_SPIFFE || n == 0 || n >= td_len)
        return 0;
    memcpy(td, c->subject, n);
    td[n] = 0;
    return 1;
}

static const char *source_label(const ocv_trust_source *s)
{
    return s->kind == OCV_TRUST_UNNAMED ? "(the unnamed source of --jwks/--anchors)" : s->name;
}

/* Whether an iss reads as a certificate anchor's name ("sha256:..." or an
 * anchor's DN): token issuers and anchors must never share a namespace. */
static int iss_names_anchor(const ocv_trust *t, const char *iss)
{
    if (strncmp(iss, "sha256:", 7) == 0)
        return 1;
    char dn[OCV_MAX_ISSUER_BYTES + 1];
    for (size_t i = 0; i < t->count; i++) {
        for (const mbedtls_x509_crt *c = &t->sources[i].anchors.certs; c != NULL && c->raw.len > 0;
             c = c->next) {
            if (ocv_dn_format(&c->subject, dn, sizeof(dn)) == 0 && strcmp(dn, iss) == 0)
                return 1;
        }
    }
    return 0;
}

/* Another source that would vouch for the token: holds its kid, or (no
 * kid) has the key that verifies it. */
static const ocv_trust_source *token_other(const ocv_trust *t, const ocv_token *tok,
                                           const ocv_trust_source *claimed)
{
    for (size_t i = 0; i < t->count; i++) {
        const ocv_trust_source *s = &t->sources[i];
        if (s == claimed || s->keys.count == 0)
            continue;
        char d[160];
        ocv_reason r = ocv_token_verify(tok, &s->keys, d, sizeof(d));
        if (r == OCV_OK || (tok->has_kid && r != OCV_KEY_UNKNOWN))
            return s;
    }
    return NULL;
}

static const ocv_trust_source *token_claimed(const ocv_trust *t, const ocv_claims *c, char *td,
                                             size_t td_len)
{
    const ocv_trust_source *s = NULL;
    td[0] = 0;
    if (c->issuer[0] != 0)
        s = find_kind(t, OCV_TRUST_OIDC, c->issuer);
    if (s == NULL && subject_trust_domain(c, td, td_len))
        s = find_kind(t, OCV_TRUST_SPIFFE, td);
    if (s == NULL)
        s = find_kind(t, OCV_TRUST_UNNAMED, NULL);
    return s;
}

ocv_reason ocv_trust_verify_token(const ocv_trust *t, const ocv_token *tok, const ocv_claims *c,
                                  ocv_sigcache *cache, int *cached, uint8_t key_sha256[32],
                                  const ocv_trust_source **by, char *detail, size_t detail_len)
{
    *by = NULL;
    *cached = 0;
    memset(key_sha256, 0, 32);
    char td[OCV_MAX_ISSUER_BYTES + 1];
    const ocv_trust_source *claimed = token_claimed(t, c, td, sizeof(td));
    const char *claim_text = c->issuer[0] ? c->issuer : td[0] ? td : "(no iss)";
    if (claimed != NULL && claimed->kind == OCV_TRUST_UNNAMED && c->issuer[0] &&
        iss_names_anchor(t, c->issuer)) {
        ocv_errf(detail, detail_len,
                 "the token's iss '%.200s' names a certificate anchor, not a token issuer",
                 c->issuer);
        return OCV_TRUST_SOURCE_MISMATCH;
    }
    if (claimed != NULL && claimed->kind == OCV_TRUST_SPIFFE && c->audience_count == 0) {
        ocv_errf(detail, detail_len, "a JWT-SVID of %.200s must carry aud", td);
        return OCV_MALFORMED;
    }
    ocv_reason r = OCV_KEY_UNKNOWN;
    char own[OCV_MAX_DETAIL_BYTES] = "";
    if (claimed != NULL) {
        r = ocv_token_verify_cached(tok, &claimed->keys, cache, cached, key_sha256, own,
                                    sizeof(own));
        if (r == OCV_OK) {
            *by = claimed;
            return OCV_OK;
        }
        memset(key_sha256, 0, 32);
    } else {
        ocv_errf(own, sizeof(own), "no trust source for issuer '%.200s'%s%.200s", claim_text,
                 td[0] && c->issuer[0] ? " or trust domain " : "", c->issuer[0] ? td : "");
    }
    if (r == OCV_KEY_UNKNOWN || r == OCV_SIGNATURE_INVALID) {
        const ocv_trust_source *other = token_other(t, tok, claimed);
        if (other != NULL) {
            ocv_errf(detail, detail_len,
                     "the token claims '%.200s'%s%s%s but %s a key of trust source %s", claim_text,
                     claimed ? " (source " : "", claimed ? source_label(claimed) : "",
                     claimed ? ")" : "", tok->has_kid ? "names" : "is signed by",
                     source_label(other));
            return OCV_TRUST_SOURCE_MISMATCH;
        }
    }
    ocv_strlcpy(detail, own, detail_len);
    return r;
}

/* Sources that may vouch for this leaf, in order; returns the count. */
static size_t chain_candidates(const ocv_trust *t, const ocv_claims *c, char *td, size_t td_len,
                               const ocv_trust_source **out, size_t cap)
{
    size_t n = 0;
    td[0] = 0;
    if (subject_trust_domain(c, td, td_len)) {
        const ocv_trust_source *s = find_kind(t, OCV_TRUST_SPIFFE, td);
        if (s == NULL)
            s = find_kind(t, OCV_TRUST_UNNAMED, NULL);
        if (s != NULL && s->anchors.count > 0)
            out[n++] = s;
        return n;
    }
    for (size_t i = 0; i < t->count && n < cap; i++) {
        const ocv_trust_source *s = &t->sources[i];
        if ((s->kind == OCV_TRUST_CA || s->kind == OCV_TRUST_UNNAMED) && s->anchors.count > 0)
            out[n++] = s;
    }
    return n;
}

ocv_reason ocv_trust_verify_chain(const ocv_trust *t, ocv_x509_chain *chain,
                                  const ocv_x509_options *options, ocv_claims *claims,
                                  const ocv_trust_source **by, char *detail, size_t detail_len)
{
    *by = NULL;
    const ocv_trust_source *cand[OCV_MAX_TRUST_SOURCES + 1];
    char td[OCV_MAX_ISSUER_BYTES + 1];
    size_t n = chain_candidates(t, claims, td, sizeof(td), cand, OCV_MAX_TRUST_SOURCES + 1);
    ocv_reason r = OCV_CHAIN_UNTRUSTED;
    char first[OCV_MAX_DETAIL_BYTES] = "";
    int have_first = 0;
    for (size_t i = 0; i < n; i++) {
        char d[OCV_MAX_DETAIL_BYTES] = "";
        ocv_reason ri =
            ocv_x509_verify_chain(chain, &cand[i]->anchors, options, claims, d, sizeof(d));
        if (ri == OCV_OK && chain->path_len > 0 &&
            ocv_dn_format(&chain->path[chain->path_len - 1]->subject, claims->anchor_name,
                          sizeof(claims->anchor_name)) != 0) {
            ocv_errf(d, sizeof(d), "the anchor's name is longer than %d bytes",
                     OCV_MAX_ISSUER_BYTES);
            ri = OCV_TOO_LARGE;
        }
        if (ri == OCV_OK) {
            *by = cand[i]; /* the anchor named with UTF-8 kept (verifier/dn.h) */
            return OCV_OK;
        }
        /* the most telling failure: one that found a path beats "no path" */
        if (!have_first || (r == OCV_CHAIN_UNTRUSTED && ri != OCV_CHAIN_UNTRUSTED)) {
            r = ri;
            ocv_strlcpy(first, d, sizeof(first));
            have_first = 1;
        }
    }
    if (n == 0)
        ocv_errf(first, sizeof(first), "no trust source vouches for %s%.200s",
                 td[0] ? "trust domain " : "certificates without a SPIFFE ID", td);
    if (r == OCV_CHAIN_UNTRUSTED) {
        for (size_t i = 0; i < t->count; i++) {
            const ocv_trust_source *s = &t->sources[i];
            int tried = 0;
            for (size_t j = 0; j < n; j++)
                tried |= cand[j] == s;
            char d[OCV_MAX_DETAIL_BYTES];
            if (tried || s->anchors.count == 0 ||
                ocv_x509_verify_chain(chain, &s->anchors, options, claims, d, sizeof(d)) != OCV_OK)
                continue;
            chain->path_len = 0;
            ocv_errf(detail, detail_len,
                     "the leaf is %s%.200s but chains to the anchors of trust source %s%s%.200s",
                     td[0] ? "of trust domain " : "a certificate without a SPIFFE ID", td,
                     source_label(s), s->trust_domain[0] ? " of " : "", s->trust_domain);
            return OCV_TRUST_SOURCE_MISMATCH;
        }
    }
    ocv_strlcpy(detail, first, detail_len);
    return r;
}

void ocv_trust_source_info(const ocv_trust_source *s, ocv_trust_info *out)
{
    memset(out, 0, sizeof(*out));
    ocv_strlcpy(out->name, s->name, sizeof(out->name));
    out->kind = s->kind;
    ocv_strlcpy(out->issuer, s->issuer, sizeof(out->issuer));
    ocv_strlcpy(out->trust_domain, s->trust_domain, sizeof(out->trust_domain));
    out->key_count = s->keys.count;
    out->anchor_count = s->anchors.count;
    out->has_sequence = s->has_sequence;
    out->sequence = s->sequence;
    out->refresh_hint = s->refresh_hint;
    out->skipped_keys = s->skipped_keys;
    ocv_strlcpy(out->note, s->note, sizeof(out->note));
}
