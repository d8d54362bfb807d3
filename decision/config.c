/*
 * config.c - ocv_open_file: the JSON configuration file (docs/config.md).
 *
 * Grammar (JSON object, every member optional, nothing else allowed):
 *   "anchors": path, "crls": [path...], "jwks": path, "cose_keys": path,
 *   "db": path, "policy": path, "no_policy": bool, "clock_skew": duration,
 *   "leaf_eku": "clientAuth"|"serverAuth"|"any",
 *   "identity_fallback": ["dns"|"cn"...], "require_revocation": bool,
 *   "revocation_max_age": duration
 * Relative paths are relative to the configuration file's directory.
 *
 * Strictness: duplicate members, unknown members, wrong types and bad
 * durations are errors naming the file and the member (syntax errors also
 * the line and column); nothing falls back to a default silently.
 */
#include <jansson.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/util.h"
#include "ocv.h"

#define MAX_CONFIG_BYTES (1024u * 1024u)
#define MAX_PATH_BYTES 4096

/* The resolved paths an ocv_config points into. */
struct ocv_config_file {
    char paths[6 + OCV_MAX_CRL_FILES][MAX_PATH_BYTES];
    size_t used;
};
typedef struct ocv_config_file path_arena;

typedef struct config_reader {
    const char *file;
    char dir[MAX_PATH_BYTES];
    path_arena *arena;
    char *err;
    size_t err_len;
} config_reader;

static ocv_reason bad(config_reader *c, const char *member, const char *what)
{
    ocv_errf(c->err, c->err_len, "%s: \"%s\": %s", c->file, member, what);
    return OCV_CONFIG_INVALID;
}

static ocv_reason resolve_path(config_reader *c, const char *member, json_t *value,
                               const char **out)
{
    if (!json_is_string(value) || json_string_length(value) == 0)
        return bad(c, member, "must be a non-empty string (a path)");
    const char *p = json_string_value(value);
    if (c->arena->used >= sizeof(c->arena->paths) / sizeof(c->arena->paths[0]))
        return bad(c, member, "too many paths");
    char *slot = c->arena->paths[c->arena->used++];
    int n = p[0] == '/' ? snprintf(slot, MAX_PATH_BYTES, "%s", p)
                        : snprintf(slot, MAX_PATH_BYTES, "%s/%s", c->dir, p);
    if (n < 0 || n >= MAX_PATH_BYTES)
        return bad(c, member, "path too long");
    *out = slot;
    return OCV_OK;
}

static ocv_reason read_crls(config_reader *c, json_t *value, ocv_config *cfg)
{
    if (!json_is_array(value))
        return bad(c, "crls", "must be an array of paths");
    if (json_array_size(value) > OCV_MAX_CRL_FILES)
        return bad(c, "crls", "more than 32 CRL files");
    size_t i;
    json_t *item;
    json_array_foreach(value, i, item)
    {
        ocv_reason r = resolve_path(c, "crls", item, &cfg->crl_paths[i]);
        if (r != OCV_OK)
            return r;
    }
    cfg->crl_count = json_array_size(value);
    return OCV_OK;
}

static ocv_reason read_eku(config_reader *c, json_t *value, ocv_config *cfg)
{
    const char *s = json_string_value(value);
    if (s != NULL && strcmp(s, "clientAuth") == 0)
        cfg->leaf_eku = OCV_EKU_CLIENT_AUTH;
    else if (s != NULL && strcmp(s, "serverAuth") == 0)
        cfg->leaf_eku = OCV_EKU_SERVER_AUTH;
    else if (s != NULL && strcmp(s, "any") == 0)
        cfg->leaf_eku = OCV_EKU_ANY;
    else
        return bad(c, "leaf_eku", "must be \"clientAuth\", \"serverAuth\" or \"any\"");
    return OCV_OK;
}

static ocv_reason read_fallback(config_reader *c, json_t *value, ocv_config *cfg)
{
    if (!json_is_array(value))
        return bad(c, "identity_fallback", "must be an array of \"dns\" and \"cn\"");
    unsigned bits = 0;
    size_t i;
    json_t *item;
    json_array_foreach(value, i, item)
    {
        const char *s = json_string_value(item);
        if (s != NULL && strcmp(s, "dns") == 0)
            bits |= OCV_IDENTITY_FALLBACK_DNS;
        else if (s != NULL && strcmp(s, "cn") == 0)
            bits |= OCV_IDENTITY_FALLBACK_CN;
        else
            return bad(c, "identity_fallback", "entries must be \"dns\" or \"cn\"");
    }
    cfg->identity_fallback = bits;
    return OCV_OK;
}

static ocv_reason read_member(config_reader *c, const char *key, json_t *value, ocv_config *cfg)
{
    if (strcmp(key, "anchors") == 0)
        return resolve_path(c, key, value, &cfg->anchors_path);
    if (strcmp(key, "jwks") == 0)
        return resolve_path(c, key, value, &cfg->jwks_path);
    if (strcmp(key, "cose_keys") == 0)
        return resolve_path(c, key, value, &cfg->cose_keys_path);
    if (strcmp(key, "db") == 0)
        return resolve_path(c, key, value, &cfg->db_path);
    if (strcmp(key, "policy") == 0)
        return resolve_path(c, key, value, &cfg->policy_path);
    if (strcmp(key, "crls") == 0)
        return read_crls(c, value, cfg);
    if (strcmp(key, "leaf_eku") == 0)
        return read_eku(c, value, cfg);
    if (strcmp(key, "identity_fallback") == 0)
        return read_fallback(c, value, cfg);
    if (strcmp(key, "no_policy") == 0) {
        if (!json_is_boolean(value))
            return bad(c, key, "must be true or false");
        cfg->no_policy = json_is_true(value);
        return OCV_OK;
    }
    if (strcmp(key, "require_revocation") == 0) {
        if (!json_is_boolean(value))
            return bad(c, key, "must be true or false");
        cfg->require_revocation = json_is_true(value);
        return OCV_OK;
    }
    if (strcmp(key, "revocation_max_age") == 0) {
        const char *s = json_string_value(value);
        if (s == NULL || ocv_parse_duration(s, &cfg->revocation_max_age_seconds) != 0)
            return bad(c, key, "must be a duration such as \"24h\"");
        return OCV_OK;
    }
    if (strcmp(key, "clock_skew") == 0) {
        const char *s = json_string_value(value);
        if (s == NULL || ocv_parse_duration(s, &cfg->clock_skew_seconds) != 0)
            return bad(c, key, "must be a duration such as \"60s\" or \"2m\"");
        return OCV_OK;
    }
    return bad(c, key, "unknown member");
}

/* Fills cfg from the file; path strings point into arena. */
static ocv_reason read_config(const char *path, path_arena *arena, ocv_config *cfg, char *err,
                              size_t err_len)
{
    ocv_bytes text;
    ocv_reason r = ocv_file_read(path, MAX_CONFIG_BYTES, &text, err, err_len);
    if (r == OCV_TOO_LARGE)
        return OCV_CONFIG_INVALID;
    if (r != OCV_OK)
        return r;
    json_error_t jerr;
    json_t *root = json_loadb((const char *)text.data, text.len, JSON_REJECT_DUPLICATES, &jerr);
    ocv_bytes_free(&text);
    if (root == NULL) {
        ocv_errf(err, err_len, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        return OCV_CONFIG_INVALID;
    }
    config_reader c = {path, "", arena, err, err_len};
    char copy[MAX_PATH_BYTES];
    ocv_strlcpy(copy, path, sizeof(copy));
    ocv_strlcpy(c.dir, dirname(copy), sizeof(c.dir));
    r = OCV_OK;
    if (!json_is_object(root)) {
        ocv_errf(err, err_len, "%s: the configuration must be a JSON object", path);
        r = OCV_CONFIG_INVALID;
    }
    const char *key;
    json_t *value;
    if (r == OCV_OK) {
        json_object_foreach(root, key, value)
        {
            r = read_member(&c, key, value, cfg);
            if (r != OCV_OK)
                break;
        }
    }
    json_decref(root);
    return r;
}

ocv_reason ocv_config_load(const char *config_path, ocv_config *out, ocv_config_file **storage,
                           char *err, size_t err_len)
{
    if (out == NULL || storage == NULL)
        return OCV_INTERNAL_ERROR;
    *storage = NULL;
    ocv_config_init(out);
    path_arena *arena = calloc(1, sizeof(*arena));
    if (arena == NULL)
        return OCV_INTERNAL_ERROR;
    ocv_config cfg;
    ocv_config_init(&cfg);
    ocv_reason r = read_config(config_path, arena, &cfg, err, err_len);
    if (r != OCV_OK) {
        free(arena);
        return r;
    }
    *out = cfg;
    *storage = arena;
    return OCV_OK;
}

void ocv_config_file_free(ocv_config_file *storage)
{
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
