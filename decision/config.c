/*
 * config.c - ocv_config_load / ocv_open_file: the JSON configuration file
 * (docs/config.md).
 *
 * Grammar (JSON object, every member optional, nothing else allowed):
 *   "anchors": path, "crls": [path...], "jwks": path, "cose_keys": path,
 *   "db": path, "policy": path, "no_policy": bool, "clock_skew": duration,
 *   "leaf_eku": "clientAuth"|"serverAuth"|"any",
 *   "identity_fallback": ["dns"|"cn"...], "audience": string,
 *   "require_revocation": bool, "revocation_max_age": duration,
 *   "max_ttl_ceiling": duration,
 *   "identity": "spiffe"|"subject"|"san"|"san-or-subject",
 *   "initial_policies": [dotted OID...], "require_explicit_policy": bool,
 *   "inhibit_policy_mapping": bool, "inhibit_any_policy": bool,
 *   "anchor_name_constraints": bool, "serve": object (read by serve/serve_config.c)
 *   "trust_sources": [ { "name": string, "kind": "oidc"|"spiffe"|"ca",
 *                        "issuer": string (oidc), "trust_domain": string (spiffe),
 *                        "files": [path...] } ... ]   (docs/trust.md)
 * Relative paths are relative to the configuration file's directory.
 *
 * Strictness: duplicate members, unknown members, wrong types, bad or
 * out-of-range durations and nesting deeper than OCV_MAX_JSON_DEPTH are
 * errors "FILE:LINE:COL: \"member\": what is wrong" (base/json_doc.h
 * finds the position); nothing falls back to a default silently.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "base/claims.h"
#include "base/json_doc.h"
#include "base/limits.h"
#include "base/util.h"
#include "ocv.h"
#include "verifier/x509_policy.h"

#define MAX_CONFIG_BYTES  (1024u * 1024u)
#define MAX_CONFIG_VALUES 10000u
#define MAX_OID_TEXT      128 /* a dotted OID as configured */
#define MAX_PATH_BYTES    4096
#define MAX_CLOCK_SKEW    3600
#define MAX_DURATION      (3650 * 86400LL)

/* Everything an ocv_config from a file points into. */
struct ocv_config_file {
    char paths[6 + OCV_MAX_CRL_FILES][MAX_PATH_BYTES];
    size_t used;
    char audience[OCV_MAX_AUDIENCE_BYTES + 1];
    char policies[OCV_MAX_INITIAL_POLICIES][MAX_OID_TEXT];
    ocv_trust_source_config sources[OCV_MAX_TRUST_SOURCES];
    char *owned[OCV_MAX_TRUST_SOURCES * (OCV_MAX_TRUST_SOURCE_FILES + 3)];
    size_t owned_count;
};

typedef struct config_reader {
    const ocv_json_doc *doc;
    char dir[MAX_PATH_BYTES];
    ocv_config_file *storage;
    char *err;
    size_t err_len;
} config_reader;

static ocv_reason bad(config_reader *c, const ocv_json_at *at, const char *member, const char *what)
{
    ocv_json_doc_errf(c->doc, at, c->err, c->err_len, "\"%s\": %s", member, what);
    return OCV_CONFIG_INVALID;
}

static ocv_reason resolve_path(config_reader *c, const ocv_json_at *at, const char *member,
                               json_t *value, const char **out)
{
    if (!json_is_string(value) || json_string_length(value) == 0)
        return bad(c, at, member, "must be a non-empty string (a path)");
    const char *p = json_string_value(value);
    ocv_config_file *s = c->storage;
    if (s->used >= sizeof(s->paths) / sizeof(s->paths[0]))
        return bad(c, at, member, "too many paths");
    char *slot = s->paths[s->used++];
    int n = p[0] == '/' ? snprintf(slot, MAX_PATH_BYTES, "%s", p)
                        : snprintf(slot, MAX_PATH_BYTES, "%s/%s", c->dir, p);
    if (n < 0 || n >= MAX_PATH_BYTES)
        return bad(c, at, member, "path too long");
    *out = slot;
    return OCV_OK;
}

static ocv_reason read_crls(config_reader *c, const ocv_json_at *at, json_t *value, ocv_config *cfg)
{
    if (!json_is_array(value))
        return bad(c, at, "crls", "must be an array of paths");
    if (json_array_size(value) > OCV_MAX_CRL_FILES)
        return bad(c, at, "crls", "more than 32 CRL files");
    size_t i;
    json_t *item;
    json_array_foreach(value, i, item)
    {
        ocv_json_at item_at = {at, i, 0, 0};
        ocv_reason r = resolve_path(c, &item_at, "crls", item, &cfg->crl_paths[i]);
        if (r != OCV_OK)
            return r;
    }
    cfg->crl_count = json_array_size(value);
    return OCV_OK;
}

int ocv_eku_from_name(const char *name, ocv_eku *out)
{
    if (name == NULL)
        return -1;
    if (strcmp(name, "clientAuth") == 0 || strcmp(name, "client") == 0)
        *out = OCV_EKU_CLIENT_AUTH;
    else if (strcmp(name, "serverAuth") == 0 || strcmp(name, "server") == 0)
        *out = OCV_EKU_SERVER_AUTH;
    else if (strcmp(name, "any") == 0)
        *out = OCV_EKU_ANY;
    else
        return -1;
    return 0;
}

static ocv_reason read_eku(config_reader *c, const ocv_json_at *at, json_t *value, ocv_config *cfg)
{
    if (ocv_eku_from_name(json_string_value(value), &cfg->leaf_eku) != 0)
        return bad(c, at, "leaf_eku",
                   "must be \"clientAuth\" (or \"client\"), \"serverAuth\" (or \"server\") "
                   "or \"any\"");
    return OCV_OK;
}

static ocv_reason read_fallback(config_reader *c, const ocv_json_at *at, json_t *value,
                                ocv_config *cfg)
{
    if (!json_is_array(value))
        return bad(c, at, "identity_fallback", "must be an array of \"dns\" and \"cn\"");
    unsigned bits = 0;
    size_t i;
    json_t *item;
    json_array_foreach(value, i, item)
    {
        ocv_json_at item_at = {at, i, 0, 0};
        const char *s = json_string_value(item);
        unsigned bit = 0;
        if (s != NULL && strcmp(s, "dns") == 0)
            bit = OCV_IDENTITY_FALLBACK_DNS;
        else if (s != NULL && strcmp(s, "cn") == 0)
            bit = OCV_IDENTITY_FALLBACK_CN;
        else
            return bad(c, &item_at, "identity_fallback", "entries must be \"dns\" or \"cn\"");
        if (bits & bit)
            return bad(c, &item_at, "identity_fallback", "an entry is listed twice");
        bits |= bit;
    }
    cfg->identity_fallback = bits;
    return OCV_OK;
}

/* "identity": the SPIFFE rules (default) or a generic PKI identity. */
static ocv_reason read_identity(config_reader *c, const ocv_json_at *at, json_t *value,
                                ocv_config *cfg)
{
    const char *s = json_string_value(value);
    unsigned bits = 0;
    if (s != NULL && strcmp(s, "spiffe") == 0)
        bits = 0;
    else if (s != NULL && strcmp(s, "subject") == 0)
        bits = OCV_IDENTITY_PKI_SUBJECT;
    else if (s != NULL && strcmp(s, "san") == 0)
        bits = OCV_IDENTITY_PKI_SAN;
    else if (s != NULL && strcmp(s, "san-or-subject") == 0)
        bits = OCV_IDENTITY_PKI;
    else
        return bad(c, at, "identity",
                   "must be \"spiffe\", \"subject\", \"san\" or "
                   "\"san-or-subject\"");
    cfg->identity_fallback = (cfg->identity_fallback & ~(unsigned)OCV_IDENTITY_PKI) | bits;
    return OCV_OK;
}

/* "initial_policies": dotted OIDs, checked here so a typo is a
 * configuration error rather than a policy that matches nothing. */
static ocv_reason read_policies(config_reader *c, const ocv_json_at *at, json_t *value,
                                ocv_config *cfg)
{
    if (!json_is_array(value) || json_array_size(value) == 0 ||
        json_array_size(value) > OCV_MAX_INITIAL_POLICIES)
        return bad(c, at, "initial_policies", "must be an array of 1 to 8 dotted OIDs");
    size_t i;
    json_t *item;
    json_array_foreach(value, i, item)
    {
        ocv_json_at item_at = {at, i, 0, 0};
        const char *s = json_string_value(item);
        uint8_t der[64];
        size_t der_len;
        if (s == NULL || json_string_length(item) >= MAX_OID_TEXT ||
            ocv_x509_oid_encode(s, der, sizeof(der), &der_len) != 0)
            return bad(c, &item_at, "initial_policies", "entries must be dotted OIDs");
        memcpy(c->storage->policies[i], s, json_string_length(item) + 1);
        cfg->initial_policies[i] = c->storage->policies[i];
    }
    cfg->initial_policy_count = json_array_size(value);
    return OCV_OK;
}

static ocv_reason read_bool(config_reader *c, const ocv_json_at *at, const char *member,
                            json_t *value, int *out)
{
    if (!json_is_boolean(value))
        return bad(c, at, member, "must be true or false");
    *out = json_is_true(value);
    return OCV_OK;
}

static ocv_reason read_duration(config_reader *c, const ocv_json_at *at, const char *member,
                                json_t *value, int64_t max, const char *max_text, int64_t *out)
{
    const char *s = json_string_value(value);
    int64_t seconds = 0;
    if (s == NULL || ocv_parse_duration(s, &seconds) != 0)
        return bad(c, at, member, "must be a duration such as \"60s\", \"2m\" or \"1h\"");
    if (seconds > max) {
        char what[64];
        snprintf(what, sizeof(what), "must be at most %s", max_text);
        return bad(c, at, member, what);
    }
    *out = seconds;
    return OCV_OK;
}

static ocv_reason read_audience(config_reader *c, const ocv_json_at *at, json_t *value,
                                ocv_config *cfg)
{
    const char *s = json_string_value(value);
    size_t len = s != NULL ? json_string_length(value) : 0;
    int clean = s != NULL && len > 0 && len <= OCV_MAX_AUDIENCE_BYTES;
    for (size_t i = 0; clean && i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        clean = ch >= 0x20 && ch != 0x7f;
    }
    if (!clean)
        return bad(c, at, "audience",
                   "must be a non-empty string of at most 256 bytes without control "
                   "characters (this service's name)");
    memcpy(c->storage->audience, s, len + 1);
    cfg->audience = c->storage->audience;
    return OCV_OK;
}

/* A copy of text the storage owns (freed with it). */
static const char *keep(config_reader *c, const char *text)
{
    ocv_config_file *s = c->storage;
    if (s->owned_count >= sizeof(s->owned) / sizeof(s->owned[0]))
        return NULL;
    char *copy = strdup(text);
    if (copy != NULL)
        s->owned[s->owned_count++] = copy;
    return copy;
}

static ocv_reason source_string(config_reader *c, const ocv_json_at *at, const char *member,
                                json_t *value, size_t max, const char **out)
{
    const char *v = json_string_value(value);
    size_t len = v != NULL ? json_string_length(value) : 0;
    int clean = v != NULL && len > 0 && len <= max;
    for (size_t i = 0; clean && i < len; i++)
        clean = (unsigned char)v[i] >= 0x20 && v[i] != 0x7f;
    if (!clean)
        return bad(c, at, member, "must be a non-empty string without control characters");
    *out = keep(c, v);
    return *out != NULL ? OCV_OK : OCV_INTERNAL_ERROR;
}

static ocv_reason source_files(config_reader *c, const ocv_json_at *at, json_t *value,
                               ocv_trust_source_config *src)
{
    if (!json_is_array(value) || json_array_size(value) == 0 ||
        json_array_size(value) > OCV_MAX_TRUST_SOURCE_FILES)
        return bad(c, at, "files", "must be an array of 1..8 paths");
    size_t i;
    json_t *item;
    json_array_foreach(value, i, item)
    {
        ocv_json_at item_at = {at, i, 0, 0};
        const char *path = NULL;
        ocv_reason r = resolve_path(c, &item_at, "files", item, &path);
        if (r == OCV_OK) {
            c->storage->used--; /* the slot is reused: the copy is owned */
            path = keep(c, path);
            r = path != NULL ? OCV_OK : OCV_INTERNAL_ERROR;
        }
        if (r != OCV_OK)
            return r;
        src->files[src->file_count++] = path;
    }
    return OCV_OK;
}

static ocv_reason source_member(config_reader *c, const ocv_json_at *key_at, const ocv_json_at *at,
                                const char *key, json_t *value, ocv_trust_source_config *src)
{
    if (strcmp(key, "name") == 0)
        return source_string(c, at, key, value, OCV_MAX_SOURCE_NAME_BYTES, &src->name);
    if (strcmp(key, "issuer") == 0)
        return source_string(c, at, key, value, OCV_MAX_ISSUER_BYTES, &src->issuer);
    if (strcmp(key, "trust_domain") == 0)
        return source_string(c, at, key, value, OCV_MAX_ISSUER_BYTES, &src->trust_domain);
    if (strcmp(key, "files") == 0)
        return source_files(c, at, value, src);
    if (strcmp(key, "kind") == 0) {
        const char *k = json_string_value(value);
        if (k != NULL && strcmp(k, "oidc") == 0)
            src->kind = OCV_TRUST_OIDC;
        else if (k != NULL && strcmp(k, "spiffe") == 0)
            src->kind = OCV_TRUST_SPIFFE;
        else if (k != NULL && strcmp(k, "ca") == 0)
            src->kind = OCV_TRUST_CA;
        else
            return bad(c, at, key, "must be \"oidc\", \"spiffe\" or \"ca\"");
        return OCV_OK;
    }
    return bad(c, key_at, key, "unknown member (name, kind, issuer, trust_domain, files)");
}

static ocv_reason read_sources(config_reader *c, const ocv_json_at *at, json_t *value,
                               ocv_config *cfg)
{
    if (!json_is_array(value) || json_array_size(value) > OCV_MAX_TRUST_SOURCES)
        return bad(c, at, "trust_sources", "must be an array of at most 32 sources");
    size_t i;
    json_t *item;
    json_array_foreach(value, i, item)
    {
        ocv_json_at item_at = {at, i, 0, 0};
        ocv_trust_source_config *src = &c->storage->sources[i];
        memset(src, 0, sizeof(*src));
        if (!json_is_object(item))
            return bad(c, &item_at, "trust_sources", "each source is an object");
        const char *key;
        json_t *v;
        size_t k = 0;
        json_object_foreach(item, key, v)
        {
            ocv_json_at key_at = {&item_at, k, 1, 0}, value_at = {&item_at, k, 0, 0};
            k++;
            ocv_reason r = source_member(c, &key_at, &value_at, key, v, src);
            if (r != OCV_OK)
                return r;
        }
        if (src->name == NULL || src->kind == OCV_TRUST_UNNAMED || src->file_count == 0)
            return bad(c, &item_at, "trust_sources", "a source needs name, kind and files");
        for (size_t j = 0; j < i; j++) {
            if (strcmp(c->storage->sources[j].name, src->name) == 0)
                return bad(c, &item_at, "trust_sources", "two sources have the same name");
        }
    }
    cfg->trust_sources = c->storage->sources;
    cfg->trust_source_count = json_array_size(value);
    return OCV_OK;
}

static ocv_reason read_member(config_reader *c, const ocv_json_at *key_at, const ocv_json_at *at,
                              const char *key, json_t *value, ocv_config *cfg)
{
    if (strcmp(key, "anchors") == 0)
        return resolve_path(c, at, key, value, &cfg->anchors_path);
    if (strcmp(key, "jwks") == 0)
        return resolve_path(c, at, key, value, &cfg->jwks_path);
    if (strcmp(key, "cose_keys") == 0)
        return resolve_path(c, at, key, value, &cfg->cose_keys_path);
    if (strcmp(key, "db") == 0)
        return resolve_path(c, at, key, value, &cfg->db_path);
    if (strcmp(key, "policy") == 0)
        return resolve_path(c, at, key, value, &cfg->policy_path);
    if (strcmp(key, "crls") == 0)
        return read_crls(c, at, value, cfg);
    if (strcmp(key, "leaf_eku") == 0)
        return read_eku(c, at, value, cfg);
    if (strcmp(key, "identity_fallback") == 0)
        return read_fallback(c, at, value, cfg);
    if (strcmp(key, "no_policy") == 0)
        return read_bool(c, at, key, value, &cfg->no_policy);
    if (strcmp(key, "identity") == 0)
        return read_identity(c, at, value, cfg);
    if (strcmp(key, "initial_policies") == 0)
        return read_policies(c, at, value, cfg);
    if (strcmp(key, "require_explicit_policy") == 0)
        return read_bool(c, at, key, value, &cfg->require_explicit_policy);
    if (strcmp(key, "inhibit_policy_mapping") == 0)
        return read_bool(c, at, key, value, &cfg->inhibit_policy_mapping);
    if (strcmp(key, "inhibit_any_policy") == 0)
        return read_bool(c, at, key, value, &cfg->inhibit_any_policy);
    if (strcmp(key, "anchor_name_constraints") == 0)
        return read_bool(c, at, key, value, &cfg->anchor_name_constraints);
    if (strcmp(key, "require_revocation") == 0)
        return read_bool(c, at, key, value, &cfg->require_revocation);
    if (strcmp(key, "clock_skew") == 0)
        return read_duration(c, at, key, value, MAX_CLOCK_SKEW, "1h", &cfg->clock_skew_seconds);
    if (strcmp(key, "revocation_max_age") == 0)
        return read_duration(c, at, key, value, MAX_DURATION, "3650d",
                             &cfg->revocation_max_age_seconds);
    if (strcmp(key, "max_ttl_ceiling") == 0)
        return read_duration(c, at, key, value, MAX_DURATION, "3650d",
                             &cfg->max_ttl_ceiling_seconds);
    if (strcmp(key, "audience") == 0)
        return read_audience(c, at, value, cfg);
    if (strcmp(key, "trust_sources") == 0)
        return read_sources(c, at, value, cfg);
    if (strcmp(key, "signature_cache") == 0) {
        if (!json_is_integer(value) || json_integer_value(value) < 0 ||
            json_integer_value(value) > (1 << 24))
            return bad(c, at, key, "must be an integer from 0 (off) to 16777216");
        cfg->signature_cache_entries = (size_t)json_integer_value(value);
        return OCV_OK;
    }
    if (strcmp(key, "serve") == 0) /* the sidecar's section: serve/serve_config.c reads it */
        return json_is_object(value) ? OCV_OK
                                     : bad(c, at, key, "must be an object (docs/sidecar.md)");
    return bad(c, key_at, key,
               "unknown member (anchors, crls, jwks, cose_keys, db, policy, no_policy, "
               "clock_skew, leaf_eku, identity_fallback, audience, require_revocation, "
               "revocation_max_age, max_ttl_ceiling, signature_cache, identity, "
               "initial_policies, require_explicit_policy, inhibit_policy_mapping, "
               "inhibit_any_policy, anchor_name_constraints, trust_sources, serve)");
}

/* Fills cfg from the file; strings point into storage. */
static ocv_reason read_config(const char *path, ocv_config_file *storage, ocv_config *cfg,
                              char *err, size_t err_len)
{
    ocv_json_doc doc;
    ocv_reason r = ocv_json_doc_load(&doc, path, MAX_CONFIG_BYTES, MAX_CONFIG_VALUES, err, err_len);
    if (r == OCV_TOO_LARGE)
        return OCV_CONFIG_INVALID;
    if (r != OCV_OK)
        return r;
    config_reader c = {&doc, "", storage, err, err_len};
    char copy[MAX_PATH_BYTES];
    if (ocv_strlcpy(copy, path, sizeof(copy)) != 0) {
        ocv_errf(err, err_len, "%s: path too long", path);
        ocv_json_doc_free(&doc);
        return OCV_CONFIG_INVALID;
    }
    ocv_strlcpy(c.dir, dirname(copy), sizeof(c.dir));
    ocv_json_at root_at = ocv_json_doc_root(&doc);
    r = OCV_OK;
    if (!json_is_object(doc.root)) {
        ocv_json_doc_errf(&doc, &root_at, err, err_len, "the configuration must be a JSON object");
        r = OCV_CONFIG_INVALID;
    }
    const char *key;
    json_t *value;
    size_t k = 0;
    if (r == OCV_OK) {
        json_object_foreach(doc.root, key, value)
        {
            ocv_json_at key_at = {&root_at, k, 1, 0}, value_at = {&root_at, k, 0, 0};
            k++;
            r = read_member(&c, &key_at, &value_at, key, value, cfg);
            if (r != OCV_OK)
                break;
        }
    }
    ocv_json_doc_free(&doc);
    return r;
}

ocv_reason ocv_config_load(const char *config_path, ocv_config *out, ocv_config_file **storage,
                           char *err, size_t err_len)
{
    if (out == NULL || storage == NULL || config_path == NULL)
        return OCV_INTERNAL_ERROR;
    *storage = NULL;
    ocv_config_init(out);
    ocv_config_file *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return OCV_INTERNAL_ERROR;
    ocv_config cfg;
    ocv_config_init(&cfg);
    ocv_reason r = read_config(config_path, s, &cfg, err, err_len);
    if (r != OCV_OK) {
        ocv_config_file_free(s);
        return r;
    }
    *out = cfg;
    *storage = s;
    return OCV_OK;
}

void ocv_config_file_free(ocv_config_file *storage)
{
    if (storage == NULL)
        return;
    for (size_t i = 0; i < storage->owned_count; i++)
        free(storage->owned[i]);
    free(storage);
}

ocv_reason ocv_open_file(ocv_ctx **out, const char *config_path, char *err, size_t err_len)
{
    if (out == NULL)
        return OCV_INTERNAL_ERROR;
    *out = NULL;
    ocv_config cfg;
    ocv_config_file *storage = NULL;
    ocv_reason r = ocv_config_load(config_path, &cfg, &storage, err, err_len);
    if (r == OCV_OK)
        r = ocv_open(out, &cfg, err, err_len);
    ocv_config_file_free(storage);
    return r;
}
