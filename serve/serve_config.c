/*
 * serve_config.c - ocv_serve_config_load: the "serve" member of the
 * configuration file (docs/sidecar.md, docs/config.md).
 *
 * Grammar (every member optional, nothing else allowed):
 *   "serve": {
 *     "listen": [addr...] | addr,          addr = host:port | unix:PATH
 *     "threads": 1..256,
 *     "auth_path": "/auth", "envoy_prefix": "/envoy" | "",
 *     "headers": {"purpose", "client_cert", "xfcc", "subject"}: name | "",
 *     "limits": {"max_header_bytes": 1024..1048576,
 *                "max_body_bytes": 0..1048576,
 *                "max_connections": 1..65536,
 *                "max_connections_per_ip": 0..65536,
 *                "connection_timeout": duration 1s..1h,
 *                "drain_timeout": duration 0..10m},
 *     "routes": [{"methods": [METHOD...], "path"|"prefix": "/...",
 *                 "purpose": name}...],          at most 256
 *     "log": {"format": "json"|"logfmt",
 *             "level": "debug"|"info"|"warn"|"error"|"off"},
 *     "audit": {"path": path, "batch_count": 1..4096,
 *               "batch_ms": 0..10000, "decisions": "both"|"allow"|"deny",
 *               "device_key": path, "device_id": 1..128 bytes,
 *               "checkpoint_every": 0..1000000}
 *   }
 * Errors name the file, line, column and "serve.member", like the rest
 * of the file (decision/config.c). The library's reader accepts the
 * "serve" member as an object and leaves it to this file.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_doc.h"
#include "base/util.h"
#include "serve/serve.h"

#define MAX_CONFIG_BYTES  (1024u * 1024u)
#define MAX_CONFIG_VALUES 10000u

typedef struct serve_reader {
    const ocv_json_doc *doc;
    char dir[OCV_SERVE_MAX_PATH + 1];
    char *err;
    size_t err_len;
} serve_reader;

static ocv_reason bad(serve_reader *c, const ocv_json_at *at, const char *member, const char *what)
{
    ocv_json_doc_errf(c->doc, at, c->err, c->err_len, "\"serve.%s\": %s", member, what);
    return OCV_CONFIG_INVALID;
}

void ocv_serve_config_init(ocv_serve_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->threads = 2;
    cfg->max_header_bytes = 8 * 1024;
    cfg->max_body_bytes = 8 * 1024;
    cfg->max_connections = 1024;
    cfg->connection_timeout = 10;
    cfg->drain_timeout = 10;
    ocv_strlcpy(cfg->auth_path, "/auth", sizeof(cfg->auth_path));
    ocv_strlcpy(cfg->envoy_prefix, "/envoy", sizeof(cfg->envoy_prefix));
    ocv_strlcpy(cfg->purpose_header, "X-OCV-Purpose", sizeof(cfg->purpose_header));
    ocv_strlcpy(cfg->client_cert_header, "X-Client-Cert", sizeof(cfg->client_cert_header));
    ocv_strlcpy(cfg->xfcc_header, "x-forwarded-client-cert", sizeof(cfg->xfcc_header));
    ocv_strlcpy(cfg->subject_header, "x-spiffe-id", sizeof(cfg->subject_header));
    cfg->log_format = OCV_SERVE_LOG_JSON;
    cfg->log_level = OCV_SERVE_LOG_INFO;
    cfg->audit_batch_count = 1024;
    cfg->audit_batch_ms = 5;
    cfg->audit_which = OCV_SERVE_AUDIT_BOTH;
    cfg->audit_checkpoint_every = 1000;
}

void ocv_serve_config_free(ocv_serve_config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->routes);
    cfg->routes = NULL;
    cfg->route_count = 0;
}

static ocv_reason read_uint(serve_reader *c, const ocv_json_at *at, const char *member, json_t *v,
                            long long lo, long long hi, long long *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        char what[96];
        snprintf(what, sizeof(what), "must be an integer from %lld to %lld", lo, hi);
        return bad(c, at, member, what);
    }
    *out = json_integer_value(v);
    return OCV_OK;
}

static ocv_reason read_seconds(serve_reader *c, const ocv_json_at *at, const char *member,
                               json_t *v, int64_t lo, int64_t hi, unsigned *out)
{
    const char *s = json_string_value(v);
    int64_t seconds = 0;
    if (s == NULL || ocv_parse_duration(s, &seconds) != 0 || seconds < lo || seconds > hi) {
        char what[96];
        snprintf(what, sizeof(what), "must be a duration from %llds to %llds", (long long)lo,
                 (long long)hi);
        return bad(c, at, member, what);
    }
    *out = (unsigned)seconds;
    return OCV_OK;
}

/* A header name is an RFC 9110 token; "" turns the header off. */
static ocv_reason read_name(serve_reader *c, const ocv_json_at *at, const char *member, json_t *v,
                            int may_be_empty, char *out, size_t cap)
{
    const char *s = json_string_value(v);
    size_t n = s != NULL ? json_string_length(v) : 0;
    int ok = s != NULL && n < cap && (n > 0 || may_be_empty);
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
             (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
    }
    if (!ok)
        return bad(c, at, member, "must be a header name (letters, digits, -) of at most 64 bytes");
    memcpy(out, s, n + 1);
    return OCV_OK;
}

/* A path for auth_path, envoy_prefix and routes. */
static ocv_reason read_path(serve_reader *c, const ocv_json_at *at, const char *member, json_t *v,
                            int may_be_empty, char *out)
{
    const char *s = json_string_value(v);
    size_t n = s != NULL ? json_string_length(v) : 0;
    if (s != NULL && n == 0 && may_be_empty) {
        out[0] = 0;
        return OCV_OK;
    }
    /* A prefix may end in '/', which the path check sees as an empty last
     * segment; check it without that slash. */
    size_t check = n > 1 && s[n - 1] == '/' ? n - 1 : n;
    if (s == NULL || n == 0 || ocv_serve_path_check(s, check) != 0)
        return bad(c, at, member,
                   "must be a path starting with '/' without '//', '.' or '..' segments");
    memcpy(out, s, n + 1);
    return OCV_OK;
}

static ocv_reason read_listen(serve_reader *c, const ocv_json_at *at, json_t *v,
                              ocv_serve_config *cfg)
{
    if (json_is_string(v)) {
        json_t *one = json_array();
        json_array_append(one, v);
        ocv_reason r = read_listen(c, at, one, cfg);
        json_decref(one);
        return r;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > OCV_SERVE_MAX_LISTEN)
        return bad(c, at, "listen", "must be an address or an array of 1 to 8 addresses");
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        ocv_json_at item_at = {at, i, 0, 0};
        const char *s = json_string_value(item);
        if (s == NULL || json_string_length(item) == 0 ||
            json_string_length(item) > OCV_SERVE_MAX_ADDR ||
            (strncmp(s, "unix:", 5) != 0 && strrchr(s, ':') == NULL))
            return bad(c, &item_at, "listen", "entries must be \"host:port\" or \"unix:PATH\"");
        memcpy(cfg->listen[i], s, json_string_length(item) + 1);
    }
    cfg->listen_count = json_array_size(v);
    return OCV_OK;
}

static ocv_reason read_methods(serve_reader *c, const ocv_json_at *at, json_t *v, unsigned *out)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return bad(c, at, "routes.methods", "must be a non-empty array of HTTP methods");
    unsigned bits = 0;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        ocv_json_at item_at = {at, i, 0, 0};
        const char *s = json_string_value(item);
        unsigned bit = s != NULL ? ocv_serve_method_bit(s) : OCV_METHOD_OTHER;
        if (bit == OCV_METHOD_OTHER)
            return bad(c, &item_at, "routes.methods",
                       "entries must be GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, CONNECT "
                       "or TRACE");
        if (bits & bit)
            return bad(c, &item_at, "routes.methods", "a method is listed twice");
        bits |= bit;
    }
    *out = bits;
    return OCV_OK;
}

static ocv_reason read_route(serve_reader *c, const ocv_json_at *at, json_t *v,
                             ocv_serve_route *route)
{
    if (!json_is_object(v))
        return bad(c, at, "routes", "entries must be objects {methods, path|prefix, purpose}");
    int has_path = 0, has_purpose = 0;
    const char *key;
    json_t *value;
    size_t k = 0;
    json_object_foreach(v, key, value)
    {
        ocv_json_at key_at = {at, k, 1, 0}, value_at = {at, k, 0, 0};
        k++;
        ocv_reason r = OCV_OK;
        if (strcmp(key, "methods") == 0) {
            r = read_methods(c, &value_at, value, &route->methods);
        } else if (strcmp(key, "path") == 0 || strcmp(key, "prefix") == 0) {
            if (has_path++)
                return bad(c, &key_at, "routes", "give one of \"path\" or \"prefix\"");
            route->exact = strcmp(key, "path") == 0;
            r = read_path(c, &value_at, "routes.path", value, 0, route->path);
        } else if (strcmp(key, "purpose") == 0) {
            const char *s = json_string_value(value);
            if (s == NULL || json_string_length(value) == 0 ||
                json_string_length(value) > OCV_SERVE_MAX_PURPOSE)
                return bad(c, &value_at, "routes.purpose", "must be a non-empty string");
            memcpy(route->purpose, s, json_string_length(value) + 1);
            has_purpose = 1;
        } else {
            return bad(c, &key_at, "routes", "unknown member (methods, path, prefix, purpose)");
        }
        if (r != OCV_OK)
            return r;
    }
    if (!has_path || !has_purpose)
        return bad(c, at, "routes", "a rule needs \"path\" or \"prefix\", and \"purpose\"");
    return OCV_OK;
}

static ocv_reason read_routes(serve_reader *c, const ocv_json_at *at, json_t *v,
                              ocv_serve_config *cfg)
{
    if (!json_is_array(v) || json_array_size(v) > OCV_SERVE_MAX_ROUTES)
        return bad(c, at, "routes", "must be an array of at most 256 rules");
    size_t n = json_array_size(v);
    ocv_serve_route *routes = calloc(n > 0 ? n : 1, sizeof(*routes));
    if (routes == NULL)
        return OCV_INTERNAL_ERROR;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        ocv_json_at item_at = {at, i, 0, 0};
        routes[i].index = i;
        ocv_reason r = read_route(c, &item_at, item, &routes[i]);
        if (r != OCV_OK) {
            free(routes);
            return r;
        }
    }
    free(cfg->routes);
    cfg->routes = routes;
    cfg->route_count = n;
    return OCV_OK;
}

typedef ocv_reason (*member_fn)(serve_reader *c, const ocv_json_at *key_at, const ocv_json_at *at,
                                const char *key, json_t *v, ocv_serve_config *cfg);

/* Runs fn over every member of an object value. */
static ocv_reason each_member(serve_reader *c, const ocv_json_at *at, const char *member, json_t *v,
                              ocv_serve_config *cfg, member_fn fn)
{
    if (!json_is_object(v))
        return bad(c, at, member, "must be an object");
    const char *key;
    json_t *value;
    size_t k = 0;
    json_object_foreach(v, key, value)
    {
        ocv_json_at key_at = {at, k, 1, 0}, value_at = {at, k, 0, 0};
        k++;
        ocv_reason r = fn(c, &key_at, &value_at, key, value, cfg);
        if (r != OCV_OK)
            return r;
    }
    return OCV_OK;
}

static ocv_reason headers_member(serve_reader *c, const ocv_json_at *key_at, const ocv_json_at *at,
                                 const char *key, json_t *v, ocv_serve_config *cfg)
{
    if (strcmp(key, "purpose") == 0)
        return read_name(c, at, "headers.purpose", v, 1, cfg->purpose_header,
                         sizeof(cfg->purpose_header));
    if (strcmp(key, "client_cert") == 0)
        return read_name(c, at, "headers.client_cert", v, 1, cfg->client_cert_header,
                         sizeof(cfg->client_cert_header));
    if (strcmp(key, "xfcc") == 0)
        return read_name(c, at, "headers.xfcc", v, 1, cfg->xfcc_header, sizeof(cfg->xfcc_header));
    if (strcmp(key, "subject") == 0)
        return read_name(c, at, "headers.subject", v, 0, cfg->subject_header,
                         sizeof(cfg->subject_header));
    return bad(c, key_at, "headers", "unknown member (purpose, client_cert, xfcc, subject)");
}

static ocv_reason limits_member(serve_reader *c, const ocv_json_at *key_at, const ocv_json_at *at,
                                const char *key, json_t *v, ocv_serve_config *cfg)
{
    long long n = 0;
    ocv_reason r = OCV_OK;
    if (strcmp(key, "max_header_bytes") == 0) {
        r = read_uint(c, at, "limits.max_header_bytes", v, 1024, 1 << 20, &n);
        cfg->max_header_bytes = (size_t)n;
    } else if (strcmp(key, "max_body_bytes") == 0) {
        r = read_uint(c, at, "limits.max_body_bytes", v, 0, 1 << 20, &n);
        cfg->max_body_bytes = (size_t)n;
    } else if (strcmp(key, "max_connections") == 0) {
        r = read_uint(c, at, "limits.max_connections", v, 1, 65536, &n);
        cfg->max_connections = (unsigned)n;
    } else if (strcmp(key, "max_connections_per_ip") == 0) {
        r = read_uint(c, at, "limits.max_connections_per_ip", v, 0, 65536, &n);
        cfg->max_per_ip = (unsigned)n;
    } else if (strcmp(key, "connection_timeout") == 0) {
        r = read_seconds(c, at, "limits.connection_timeout", v, 1, 3600, &cfg->connection_timeout);
    } else if (strcmp(key, "drain_timeout") == 0) {
        r = read_seconds(c, at, "limits.drain_timeout", v, 0, 600, &cfg->drain_timeout);
    } else {
        r = bad(c, key_at, "limits",
                "unknown member (max_header_bytes, max_body_bytes, max_connections, "
                "max_connections_per_ip, connection_timeout, drain_timeout)");
    }
    return r;
}

static ocv_reason log_member(serve_reader *c, const ocv_json_at *key_at, const ocv_json_at *at,
                             const char *key, json_t *v, ocv_serve_config *cfg)
{
    static const char *const LEVELS[] = {"debug", "info", "warn", "error", "off"};
    const char *s = json_string_value(v);
    if (strcmp(key, "format") == 0) {
        if (s != NULL && strcmp(s, "json") == 0)
            cfg->log_format = OCV_SERVE_LOG_JSON;
        else if (s != NULL && strcmp(s, "logfmt") == 0)
            cfg->log_format = OCV_SERVE_LOG_LOGFMT;
        else
            return bad(c, at, "log.format", "must be \"json\" or \"logfmt\"");
        return OCV_OK;
    }
    if (strcmp(key, "level") == 0) {
        for (size_t i = 0; s != NULL && i < sizeof(LEVELS) / sizeof(LEVELS[0]); i++) {
            if (strcmp(s, LEVELS[i]) == 0) {
                cfg->log_level = (ocv_serve_log_level)i;
                return OCV_OK;
            }
        }
        return bad(c, at, "log.level",
                   "must be \"debug\", \"info\", \"warn\", \"error\" or \"off\"");
    }
    return bad(c, key_at, "log", "unknown member (format, level)");
}

/* A file named in the serve section: absolute, or relative to the
 * configuration file's directory. */
static ocv_reason read_file_path(serve_reader *c, const ocv_json_at *at, const char *member,
                                 json_t *v, char out[OCV_SERVE_MAX_PATH + 1])
{
    const char *s = json_string_value(v);
    int len = -1;
    if (s != NULL && json_string_length(v) > 0 && strlen(s) == json_string_length(v))
        len = s[0] == '/' ? snprintf(out, OCV_SERVE_MAX_PATH + 1, "%s", s)
                          : snprintf(out, OCV_SERVE_MAX_PATH + 1, "%s/%s", c->dir, s);
    if (len < 0 || (size_t)len > OCV_SERVE_MAX_PATH)
        return bad(c, at, member, "must be a non-empty path of at most 4096 bytes");
    return OCV_OK;
}

static ocv_reason audit_member(serve_reader *c, const ocv_json_at *key_at, const ocv_json_at *at,
                               const char *key, json_t *v, ocv_serve_config *cfg)
{
    long long n = 0;
    ocv_reason r = OCV_OK;
    const char *s = json_string_value(v);
    if (strcmp(key, "path") == 0) {
        r = read_file_path(c, at, "audit.path", v, cfg->audit_path);
    } else if (strcmp(key, "device_key") == 0) {
        r = read_file_path(c, at, "audit.device_key", v, cfg->audit_device_key);
    } else if (strcmp(key, "device_id") == 0) {
        if (s == NULL || json_string_length(v) == 0 ||
            json_string_length(v) > OCV_SERVE_MAX_DEVICE_ID || strlen(s) != json_string_length(v))
            return bad(c, at, "audit.device_id", "must be a string of 1..128 bytes");
        ocv_strlcpy(cfg->audit_device_id, s, sizeof(cfg->audit_device_id));
    } else if (strcmp(key, "checkpoint_every") == 0) {
        r = read_uint(c, at, "audit.checkpoint_every", v, 0, OCV_SERVE_MAX_CHECKPOINT, &n);
        cfg->audit_checkpoint_every = (unsigned)n;
    } else if (strcmp(key, "batch_count") == 0) {
        r = read_uint(c, at, "audit.batch_count", v, 1, OCV_SERVE_MAX_AUDIT_BATCH, &n);
        cfg->audit_batch_count = (unsigned)n;
    } else if (strcmp(key, "batch_ms") == 0) {
        r = read_uint(c, at, "audit.batch_ms", v, 0, 10000, &n);
        cfg->audit_batch_ms = (unsigned)n;
    } else if (strcmp(key, "decisions") == 0) {
        if (s != NULL && strcmp(s, "both") == 0)
            cfg->audit_which = OCV_SERVE_AUDIT_BOTH;
        else if (s != NULL && strcmp(s, "allow") == 0)
            cfg->audit_which = OCV_SERVE_AUDIT_ALLOWS;
        else if (s != NULL && strcmp(s, "deny") == 0)
            cfg->audit_which = OCV_SERVE_AUDIT_DENIES;
        else
            return bad(c, at, "audit.decisions", "must be \"both\", \"allow\" or \"deny\"");
    } else {
        r = bad(c, key_at, "audit",
                "unknown member (path, batch_count, batch_ms, decisions, device_key, device_id, "
                "checkpoint_every)");
    }
    return r;
}

static ocv_reason serve_member(serve_reader *c, const ocv_json_at *key_at, const ocv_json_at *at,
                               const char *key, json_t *v, ocv_serve_config *cfg)
{
    long long n = 0;
    if (strcmp(key, "listen") == 0)
        return read_listen(c, at, v, cfg);
    if (strcmp(key, "threads") == 0) {
        ocv_reason r = read_uint(c, at, "threads", v, 1, 256, &n);
        cfg->threads = (unsigned)n;
        return r;
    }
    if (strcmp(key, "auth_path") == 0)
        return read_path(c, at, "auth_path", v, 0, cfg->auth_path);
    if (strcmp(key, "envoy_prefix") == 0)
        return read_path(c, at, "envoy_prefix", v, 1, cfg->envoy_prefix);
    if (strcmp(key, "headers") == 0)
        return each_member(c, at, "headers", v, cfg, headers_member);
    if (strcmp(key, "limits") == 0)
        return each_member(c, at, "limits", v, cfg, limits_member);
    if (strcmp(key, "log") == 0)
        return each_member(c, at, "log", v, cfg, log_member);
    if (strcmp(key, "audit") == 0)
        return each_member(c, at, "audit", v, cfg, audit_member);
    if (strcmp(key, "routes") == 0)
        return read_routes(c, at, v, cfg);
    return bad(c, key_at, key,
               "unknown member (listen, threads, auth_path, envoy_prefix, headers, limits, "
               "routes, log, audit)");
}

ocv_reason ocv_serve_config_load(const char *path, ocv_serve_config *cfg, char *err, size_t err_len)
{
    ocv_json_doc doc;
    ocv_reason r = ocv_json_doc_load(&doc, path, MAX_CONFIG_BYTES, MAX_CONFIG_VALUES, err, err_len);
    if (r != OCV_OK)
        return r == OCV_TOO_LARGE ? OCV_CONFIG_INVALID : r;
    serve_reader c = {&doc, "", err, err_len};
    char copy[OCV_SERVE_MAX_PATH + 1];
    ocv_strlcpy(copy, path, sizeof(copy));
    ocv_strlcpy(c.dir, dirname(copy), sizeof(c.dir));
    ocv_serve_config fresh = *cfg;
    fresh.routes = NULL;
    fresh.route_count = 0;
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
            ocv_json_at value_at = {&root_at, k++, 0, 0};
            if (strcmp(key, "serve") == 0)
                r = each_member(&c, &value_at, "serve", value, &fresh, serve_member);
        }
    }
    ocv_json_doc_free(&doc);
    if (r != OCV_OK) {
        ocv_serve_config_free(&fresh);
        return r;
    }
    ocv_serve_config_free(cfg);
    *cfg = fresh;
    return OCV_OK;
}
