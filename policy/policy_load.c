/*
 * policy_load.c - reading and compiling a policy file (policy.h).
 *
 * Grammar (JSON; every object closed: a member not listed is an error):
 *   policy   = { "version": 1, "rules": [rule...],
 *                ?"defaults": defaults, ?"description": string }
 *   defaults = { ?"max_ttl": dur, ?"clock_skew": dur,
 *                ?"revocation_max_age": dur, ?"require_revocation": bool,
 *                ?"require_pop": bool, ?"algorithms": [alg...] }
 *   rule     = { "id": id, "subjects": [identity...], "issuers": [string...],
 *                "purposes": [purpose...], ?"audiences": [string...],
 *                ?"credential_types": ["x509"|"jwt"|"cwt"...],
 *                ?"algorithms": [alg...], ?"max_ttl": dur, ?"require_pop": bool,
 *                ?"revocation": { ?"max_age": dur, ?"allow_stale": dur,
 *                                 ?"require": bool },
 *                ?"description": string }
 *   dur      = "90s" | "15m" | "1h" | "7d"      (base/util.h)
 *   alg      = "ES256" | ... | "EdDSA"          (base/claims.h)
 * Lists are non-empty. Identities: base/spiffe.h.
 *
 * Implementation notes
 *
 * Positions: every value is reached through an ocv_json_at (its ordinal
 * in its parent), so an error names its line and column by re-scanning
 * only when it is reported; the start of every rule object is found in
 * one pass over the rules array and kept in the rule for lint and
 * explain.
 *
 * Index: subjects are collected while rules are read, then placed in two
 * hash tables (exact, prefix) in two passes: count per key, then fill the
 * postings in file order. A rule listing one subject twice shows up in the
 * fill pass as the same rule twice in a row under one key.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_doc.h"
#include "base/spiffe.h"
#include "base/util.h"
#include "policy/policy_internal.h"

/* ---- the arena ----------------------------------------------------------- */

#define CHUNK_BYTES (256u * 1024u)

struct ocv_policy_chunk {
    ocv_policy_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

static void *arena_alloc(ocv_policy *p, size_t n)
{
    const size_t align = _Alignof(max_align_t);
    n = (n + align - 1) / align * align;
    ocv_policy_chunk *c = p->chunks;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
        c = malloc(sizeof(*c) + cap);
        if (c == NULL)
            return NULL;
        c->next = p->chunks;
        c->used = 0;
        c->cap = cap;
        p->chunks = c;
    }
    void *out = (unsigned char *)c->data + c->used;
    c->used += n;
    return out;
}

static const char *arena_strdup(ocv_policy *p, const char *s, size_t len)
{
    char *out = arena_alloc(p, len + 1);
    if (out != NULL) {
        memcpy(out, s, len);
        out[len] = 0;
    }
    return out;
}

/* ---- the loader ---------------------------------------------------------- */

typedef struct pending_subject {
    const char *key;
    size_t len;
    uint32_t rule;
    uint32_t entry; /* index in the rule's subjects, for messages */
    int prefix;
} pending_subject;

typedef struct loader {
    ocv_json_doc doc;
    ocv_policy *p;
    char *err;
    size_t err_len;
    pending_subject *subjects;
    size_t subject_count, subject_cap;
    size_t exact_keys, prefix_keys;
    size_t *rule_offs;
} loader;

/* Records an error at `at`: "FILE:LINE:COL: WHERE: what". */
static ocv_reason fail_at(loader *l, const ocv_json_at *at, const char *where, const char *fmt, ...)
    OCV_PRINTF(4, 5);

static ocv_reason fail_at(loader *l, const ocv_json_at *at, const char *where, const char *fmt, ...)
{
    char what[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    ocv_json_doc_errf(&l->doc, at, l->err, l->err_len, "%s: %s", where, what);
    return OCV_CONFIG_INVALID;
}

static ocv_reason oom(loader *l)
{
    ocv_errf(l->err, l->err_len, "%s: out of memory", l->doc.name);
    return OCV_INTERNAL_ERROR;
}

static ocv_json_at child(const ocv_json_at *parent, size_t index, int key)
{
    ocv_json_at at = {parent, index, key, 0};
    return at;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

static ocv_reason read_bool(loader *l, const ocv_json_at *at, const char *where, json_t *v,
                            int *out)
{
    if (!json_is_boolean(v))
        return fail_at(l, at, where, "must be true or false, not %s", type_name(v));
    *out = json_is_true(v);
    return OCV_OK;
}

static ocv_reason read_duration(loader *l, const ocv_json_at *at, const char *where, json_t *v,
                                int64_t max, int64_t *out)
{
    const char *s = json_string_value(v);
    int64_t seconds = 0;
    if (s == NULL)
        return fail_at(l, at, where,
                       "must be a duration string such as \"90s\", \"15m\", "
                       "\"1h\" or \"7d\", not %s",
                       type_name(v));
    if (ocv_parse_duration(s, &seconds) != 0)
        return fail_at(l, at, where,
                       "\"%.40s\" is not a duration (a count and one unit: s, m, h or d)", s);
    if (seconds > max) {
        char lim[32];
        ocv_policy_format_duration(max, lim, sizeof(lim));
        return fail_at(l, at, where, "\"%.40s\" is longer than the limit of %s", s, lim);
    }
    *out = seconds;
    return OCV_OK;
}

/* The kinds of string lists, each with its own rule for entries. */
typedef enum list_kind {
    LIST_SUBJECTS,
    LIST_ISSUERS,
    LIST_PURPOSES,
    LIST_AUDIENCES,
    LIST_TYPES,
    LIST_ALGORITHMS
} list_kind;

static int has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 1;
    }
    return 0;
}

static int is_token(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e)
            return 0;
    }
    return 1;
}

static int is_hex(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return 1;
}

static ocv_reason add_subject(loader *l, const ocv_spiffe_id *id, uint32_t rule, uint32_t entry,
                              const char **stored)
{
    if (l->subject_count == l->subject_cap) {
        size_t cap = l->subject_cap ? l->subject_cap * 2 : 1024;
        pending_subject *grown = realloc(l->subjects, cap * sizeof(*grown));
        if (grown == NULL)
            return oom(l);
        l->subjects = grown;
        l->subject_cap = cap;
    }
    /* Stored as written: "spiffe://td/a/ *" for a prefix, the key is its
     * first len bytes. */
    size_t written = id->kind == OCV_SPIFFE_PREFIX ? id->len + 2 : id->len;
    char *s = arena_alloc(l->p, written + 1);
    if (s == NULL)
        return oom(l);
    memcpy(s, id->text, id->len);
    if (id->kind == OCV_SPIFFE_PREFIX)
        memcpy(s + id->len, "/*", 2);
    s[written] = 0;
    pending_subject *ps = &l->subjects[l->subject_count++];
    ps->key = s;
    ps->len = id->len;
    ps->rule = rule;
    ps->entry = entry;
    ps->prefix = id->kind == OCV_SPIFFE_PREFIX;
    if (ps->prefix)
        l->prefix_keys++;
    else
        l->exact_keys++;
    *stored = s;
    return OCV_OK;
}

/* One entry of a list: validates, normalises and stores it. */
static ocv_reason read_entry(loader *l, const ocv_json_at *at, const char *where, list_kind kind,
                             json_t *v, uint32_t rule, uint32_t entry, const char **stored,
                             uint32_t *bits)
{
    const char *s = json_string_value(v);
    if (s == NULL)
        return fail_at(l, at, where, "entries must be strings, not %s", type_name(v));
    size_t len = json_string_length(v);
    if (len == 0)
        return fail_at(l, at, where, "empty string");
    switch (kind) {
    case LIST_SUBJECTS: {
        ocv_spiffe_id id;
        const char *why = "invalid";
        if (ocv_spiffe_parse(s, OCV_SPIFFE_PATTERN, &id, &why) != OCV_OK)
            return fail_at(l, at, where, "\"%.80s\": %s", s, why);
        return add_subject(l, &id, rule, entry, stored);
    }
    case LIST_ISSUERS:
        if (len > OCV_MAX_ISSUER_BYTES || has_control(s, len))
            return fail_at(l, at, where,
                           "an issuer is at most %d bytes without control "
                           "characters",
                           OCV_MAX_ISSUER_BYTES);
        if (strncmp(s, "sha256:", 7) == 0) {
            if (len != 7 + 64 || !is_hex(s + 7, 64))
                return fail_at(l, at, where,
                               "\"sha256:\" must be followed by 64 hex digits (the anchor's "
                               "SubjectPublicKeyInfo SHA-256)");
            char lower[7 + 64 + 1];
            for (size_t i = 0; i < len; i++)
                lower[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] - 'A' + 'a') : s[i];
            lower[len] = 0;
            *stored = arena_strdup(l->p, lower, len);
            return *stored == NULL ? oom(l) : OCV_OK;
        }
        break;
    case LIST_PURPOSES:
        if (len > OCV_MAX_PURPOSE_BYTES || !is_token(s, len))
            return fail_at(l, at, where,
                           "a purpose is 1..%d printable ASCII characters without spaces "
                           "(scopes are space-separated)",
                           OCV_MAX_PURPOSE_BYTES);
        break;
    case LIST_AUDIENCES:
        if (len > OCV_MAX_AUDIENCE_BYTES || has_control(s, len))
            return fail_at(l, at, where,
                           "an audience is at most %d bytes without control characters",
                           OCV_MAX_AUDIENCE_BYTES);
        break;
    case LIST_TYPES: {
        unsigned bit = 0;
        if (strcmp(s, "x509") == 0)
            bit = OCV_POLICY_TYPE_BIT(OCV_CREDENTIAL_X509);
        else if (strcmp(s, "jwt") == 0)
            bit = OCV_POLICY_TYPE_BIT(OCV_CREDENTIAL_JWT);
        else if (strcmp(s, "cwt") == 0)
            bit = OCV_POLICY_TYPE_BIT(OCV_CREDENTIAL_CWT);
        else
            return fail_at(l, at, where, "\"%.40s\" is not \"x509\", \"jwt\" or \"cwt\"", s);
        if (*bits & bit)
            return fail_at(l, at, where, "\"%s\" is listed twice", s);
        *bits |= bit;
        return OCV_OK;
    }
    case LIST_ALGORITHMS: {
        ocv_alg alg = ocv_policy_alg_from_name(s);
        if (alg == OCV_ALG_NONE)
            return fail_at(l, at, where,
                           "\"%.40s\" is not an algorithm ocv knows (ES256, ES384, ES512, "
                           "RS256, RS384, RS512, PS256, PS384, PS512, EdDSA)",
                           s);
        if (*bits & OCV_POLICY_ALG_BIT(alg))
            return fail_at(l, at, where, "\"%s\" is listed twice", s);
        *bits |= OCV_POLICY_ALG_BIT(alg);
        return OCV_OK;
    }
    }
    *stored = arena_strdup(l->p, s, len);
    return *stored == NULL ? oom(l) : OCV_OK;
}

/* A non-empty list of strings: stored entries (for string kinds) or bits
 * (types, algorithms). */
static ocv_reason read_list(loader *l, const ocv_json_at *at, const char *where, list_kind kind,
                            json_t *v, uint32_t rule, const char *const **out, size_t *count,
                            uint32_t *bits)
{
    if (!json_is_array(v))
        return fail_at(l, at, where, "must be an array of strings, not %s", type_name(v));
    size_t n = json_array_size(v);
    if (n == 0)
        return fail_at(l, at, where, "must not be empty");
    if (n > OCV_POLICY_MAX_LIST)
        return fail_at(l, at, where, "more than %u entries", OCV_POLICY_MAX_LIST);
    const char **items = NULL;
    if (out != NULL) {
        items = arena_alloc(l->p, n * sizeof(*items));
        if (items == NULL)
            return oom(l);
    }
    uint32_t set = 0;
    for (size_t i = 0; i < n; i++) {
        ocv_json_at item_at = child(at, i, 0);
        const char *stored = NULL;
        ocv_reason r = read_entry(l, &item_at, where, kind, json_array_get(v, i), rule, (uint32_t)i,
                                  &stored, &set);
        if (r != OCV_OK)
            return r;
        if (items != NULL)
            items[i] = stored;
    }
    if (out != NULL) {
        *out = items;
        *count = n;
    }
    if (bits != NULL)
        *bits = set;
    return OCV_OK;
}

static int rule_id_ok(const char *s, size_t len)
{
    if (len == 0 || len > OCV_MAX_RULE_ID_BYTES)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '@';
        if (!ok)
            return 0;
    }
    return 1;
}

static ocv_reason read_description(loader *l, const ocv_json_at *at, const char *where, json_t *v,
                                   const char **out)
{
    const char *s = json_string_value(v);
    if (s == NULL)
        return fail_at(l, at, where, "must be a string, not %s", type_name(v));
    size_t len = json_string_length(v);
    if (len > 1024)
        return fail_at(l, at, where, "longer than 1024 bytes");
    *out = arena_strdup(l->p, s, len);
    return *out == NULL ? oom(l) : OCV_OK;
}

static ocv_reason read_revocation(loader *l, const ocv_json_at *at, const char *where, json_t *v,
                                  ocv_policy_rule *rule)
{
    if (!json_is_object(v))
        return fail_at(l, at, where, "must be an object, not %s", type_name(v));
    const char *key;
    json_t *value;
    size_t k = 0;
    char path[192];
    json_object_foreach(v, key, value)
    {
        ocv_json_at key_at = child(at, k, 1), value_at = child(at, k, 0);
        k++;
        snprintf(path, sizeof(path), "%s.%.32s", where, key);
        ocv_reason r = OCV_OK;
        if (strcmp(key, "max_age") == 0) {
            r = read_duration(l, &value_at, path, value, OCV_POLICY_MAX_DURATION,
                              &rule->revocation_max_age);
            rule->has_revocation_max_age = 1;
        } else if (strcmp(key, "allow_stale") == 0) {
            r = read_duration(l, &value_at, path, value, OCV_POLICY_MAX_ALLOW_STALE,
                              &rule->allow_stale);
        } else if (strcmp(key, "require") == 0) {
            r = read_bool(l, &value_at, path, value, &rule->require_revocation);
            rule->has_require_revocation = 1;
        } else {
            r = fail_at(l, &key_at, path, "unknown member (max_age, allow_stale, require)");
        }
        if (r != OCV_OK)
            return r;
    }
    return OCV_OK;
}

static ocv_reason read_rule(loader *l, const ocv_json_at *at, size_t index, json_t *v,
                            ocv_policy_rule *rule)
{
    char where[64];
    snprintf(where, sizeof(where), "rules[%zu]", index);
    if (!json_is_object(v))
        return fail_at(l, at, where, "a rule must be an object, not %s", type_name(v));
    const char *key;
    json_t *value;
    size_t k = 0;
    char path[128];
    uint32_t no = (uint32_t)index;
    json_object_foreach(v, key, value)
    {
        ocv_json_at key_at = child(at, k, 1), value_at = child(at, k, 0);
        k++;
        snprintf(path, sizeof(path), "%s.%.32s", where, key);
        ocv_reason r = OCV_OK;
        if (strcmp(key, "id") == 0) {
            const char *s = json_string_value(value);
            if (s == NULL || !rule_id_ok(s, json_string_length(value)))
                return fail_at(l, &value_at, path,
                               "a rule id is a string of 1..%d letters, digits and - _ . : / @",
                               OCV_MAX_RULE_ID_BYTES);
            rule->id = arena_strdup(l->p, s, json_string_length(value));
            r = rule->id == NULL ? oom(l) : OCV_OK;
        } else if (strcmp(key, "description") == 0) {
            r = read_description(l, &value_at, path, value, &rule->description);
        } else if (strcmp(key, "subjects") == 0) {
            r = read_list(l, &value_at, path, LIST_SUBJECTS, value, no, &rule->subjects,
                          &rule->subject_count, NULL);
        } else if (strcmp(key, "issuers") == 0) {
            r = read_list(l, &value_at, path, LIST_ISSUERS, value, no, &rule->issuers,
                          &rule->issuer_count, NULL);
        } else if (strcmp(key, "purposes") == 0) {
            r = read_list(l, &value_at, path, LIST_PURPOSES, value, no, &rule->purposes,
                          &rule->purpose_count, NULL);
        } else if (strcmp(key, "audiences") == 0) {
            r = read_list(l, &value_at, path, LIST_AUDIENCES, value, no, &rule->audiences,
                          &rule->audience_count, NULL);
        } else if (strcmp(key, "credential_types") == 0) {
            uint32_t bits = 0;
            r = read_list(l, &value_at, path, LIST_TYPES, value, no, NULL, NULL, &bits);
            rule->types = bits;
        } else if (strcmp(key, "algorithms") == 0) {
            r = read_list(l, &value_at, path, LIST_ALGORITHMS, value, no, NULL, NULL,
                          &rule->algorithms);
        } else if (strcmp(key, "max_ttl") == 0) {
            r = read_duration(l, &value_at, path, value, OCV_POLICY_MAX_DURATION, &rule->max_ttl);
            rule->has_max_ttl = 1;
        } else if (strcmp(key, "require_pop") == 0) {
            r = read_bool(l, &value_at, path, value, &rule->require_pop);
            rule->has_require_pop = 1;
        } else if (strcmp(key, "revocation") == 0) {
            r = read_revocation(l, &value_at, path, value, rule);
        } else {
            r = fail_at(l, &key_at, path,
                        "unknown member (id, description, subjects, issuers, purposes, "
                        "audiences, credential_types, algorithms, max_ttl, require_pop, "
                        "revocation)");
        }
        if (r != OCV_OK)
            return r;
    }
    static const char *const required[] = {"id", "subjects", "issuers", "purposes"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (json_object_get(v, required[i]) == NULL)
            return fail_at(l, at, where, "a rule needs \"%s\"", required[i]);
    }
    return OCV_OK;
}

static ocv_reason read_defaults(loader *l, const ocv_json_at *at, json_t *v)
{
    if (!json_is_object(v))
        return fail_at(l, at, "defaults", "must be an object, not %s", type_name(v));
    ocv_policy_defaults *d = &l->p->defaults;
    const char *key;
    json_t *value;
    size_t k = 0;
    char path[64];
    json_object_foreach(v, key, value)
    {
        ocv_json_at key_at = child(at, k, 1), value_at = child(at, k, 0);
        k++;
        snprintf(path, sizeof(path), "defaults.%.32s", key);
        ocv_reason r = OCV_OK;
        if (strcmp(key, "max_ttl") == 0) {
            r = read_duration(l, &value_at, path, value, OCV_POLICY_MAX_DURATION, &d->max_ttl);
            d->has_max_ttl = 1;
        } else if (strcmp(key, "clock_skew") == 0) {
            r = read_duration(l, &value_at, path, value, OCV_POLICY_MAX_CLOCK_SKEW, &d->clock_skew);
            d->has_clock_skew = 1;
        } else if (strcmp(key, "revocation_max_age") == 0) {
            r = read_duration(l, &value_at, path, value, OCV_POLICY_MAX_DURATION,
                              &d->revocation_max_age);
            d->has_revocation_max_age = 1;
        } else if (strcmp(key, "require_revocation") == 0) {
            r = read_bool(l, &value_at, path, value, &d->require_revocation);
        } else if (strcmp(key, "require_pop") == 0) {
            r = read_bool(l, &value_at, path, value, &d->require_pop);
        } else if (strcmp(key, "algorithms") == 0) {
            r = read_list(l, &value_at, path, LIST_ALGORITHMS, value, 0, NULL, NULL,
                          &d->algorithms);
        } else {
            r = fail_at(l, &key_at, path,
                        "unknown member (max_ttl, clock_skew, revocation_max_age, "
                        "require_revocation, require_pop, algorithms)");
        }
        if (r != OCV_OK)
            return r;
    }
    return OCV_OK;
}

static ocv_reason read_rules(loader *l, const ocv_json_at *at, json_t *v)
{
    if (!json_is_array(v))
        return fail_at(l, at, "rules", "must be an array of rules, not %s", type_name(v));
    size_t n = json_array_size(v);
    if (n > OCV_POLICY_MAX_RULES)
        return fail_at(l, at, "rules", "more than %u rules", OCV_POLICY_MAX_RULES);
    if (n == 0)
        return OCV_OK;
    ocv_policy *p = l->p;
    p->rules = calloc(n, sizeof(*p->rules));
    l->rule_offs = calloc(n, sizeof(*l->rule_offs));
    ocv_json_pos *pos = calloc(n, sizeof(*pos));
    if (p->rules == NULL || l->rule_offs == NULL || pos == NULL) {
        free(pos);
        return oom(l);
    }
    /* One pass for every rule's position; the array's own offset is found
     * from the root once. */
    size_t arr_off = ocv_json_doc_offset(&l->doc, at);
    if (ocv_json_doc_elements(&l->doc, arr_off, l->rule_offs, n) != 0) {
        free(pos);
        return fail_at(l, at, "rules", "cannot locate the rules in the text");
    }
    ocv_json_doc_positions(&l->doc, l->rule_offs, n, pos);
    ocv_reason r = OCV_OK;
    for (size_t i = 0; i < n && r == OCV_OK; i++) {
        ocv_json_at rule_at = {NULL, 0, 0, l->rule_offs[i]};
        p->rules[i].line = pos[i].line;
        p->rules[i].column = pos[i].column;
        r = read_rule(l, &rule_at, i, json_array_get(v, i), &p->rules[i]);
        p->rule_count = i + 1;
    }
    free(pos);
    return r;
}

/* Finds the member `name` of a rule for a message: its ordinal. */
static ocv_json_at member_at(json_t *obj, const ocv_json_at *parent, const char *name)
{
    const char *key;
    json_t *value;
    size_t k = 0;
    json_object_foreach(obj, key, value)
    {
        if (strcmp(key, name) == 0)
            return child(parent, k, 0);
        k++;
    }
    return *parent;
}

static ocv_reason check_ids(loader *l, json_t *rules_json)
{
    ocv_policy *p = l->p;
    ocv_strmap ids;
    ocv_strmap_init(&ids);
    ocv_reason r = ocv_strmap_reserve(&ids, p->rule_count);
    for (size_t i = 0; r == OCV_OK && i < p->rule_count; i++) {
        const ocv_policy_rule *rule = &p->rules[i];
        ocv_strmap_entry *e = ocv_strmap_insert(&ids, rule->id, strlen(rule->id));
        if (e == NULL) {
            r = OCV_INTERNAL_ERROR;
        } else if (e->count > 0) {
            const ocv_policy_rule *first = &p->rules[e->first];
            ocv_json_at rule_at = {NULL, 0, 0, l->rule_offs[i]};
            ocv_json_at id_at = member_at(json_array_get(rules_json, i), &rule_at, "id");
            char where[64];
            snprintf(where, sizeof(where), "rules[%zu].id", i);
            r = fail_at(l, &id_at, where,
                        "duplicate rule id \"%s\" (first at line %lu, column %lu)", rule->id,
                        first->line, first->column);
        } else {
            e->first = (uint32_t)i;
            e->count = 1;
        }
    }
    ocv_strmap_free(&ids);
    return r;
}

static ocv_reason build_index(loader *l, json_t *rules_json)
{
    ocv_policy *p = l->p;
    ocv_reason r = ocv_strmap_reserve(&p->exact, l->exact_keys);
    if (r == OCV_OK)
        r = ocv_strmap_reserve(&p->prefix, l->prefix_keys);
    if (r != OCV_OK)
        return r == OCV_INTERNAL_ERROR ? oom(l) : r;
    /* pass 1: count the postings of every key */
    for (size_t i = 0; i < l->subject_count; i++) {
        const pending_subject *ps = &l->subjects[i];
        ocv_strmap_entry *e =
            ocv_strmap_insert(ps->prefix ? &p->prefix : &p->exact, ps->key, ps->len);
        if (e == NULL)
            return OCV_INTERNAL_ERROR;
        e->count++;
    }
    p->posting_count = l->subject_count;
    p->postings = calloc(p->posting_count ? p->posting_count : 1, sizeof(*p->postings));
    if (p->postings == NULL)
        return oom(l);
    uint32_t next = 0;
    ocv_strmap *maps[2] = {&p->exact, &p->prefix};
    for (size_t m = 0; m < 2; m++) {
        for (size_t s = 0; s < maps[m]->cap; s++) {
            ocv_strmap_entry *e = &maps[m]->slots[s];
            if (e->key == NULL)
                continue;
            e->first = next;
            next += e->count;
            e->count = 0;
        }
    }
    /* pass 2: fill in file order; the same rule twice in a row under one
     * key is a subject listed twice */
    for (size_t i = 0; i < l->subject_count; i++) {
        const pending_subject *ps = &l->subjects[i];
        ocv_strmap_entry *e =
            ocv_strmap_insert(ps->prefix ? &p->prefix : &p->exact, ps->key, ps->len);
        if (e == NULL)
            return OCV_INTERNAL_ERROR;
        if (e->count > 0 && p->postings[e->first + e->count - 1] == ps->rule) {
            json_t *rule_json = json_array_get(rules_json, ps->rule);
            ocv_json_at rule_at = {NULL, 0, 0, l->rule_offs[ps->rule]};
            ocv_json_at list_at = member_at(rule_json, &rule_at, "subjects");
            ocv_json_at entry_at = child(&list_at, ps->entry, 0);
            char where[64];
            snprintf(where, sizeof(where), "rules[%u].subjects", ps->rule);
            return fail_at(l, &entry_at, where, "\"%s\" is listed twice",
                           p->rules[ps->rule].subjects[ps->entry]);
        }
        p->postings[e->first + e->count++] = ps->rule;
    }
    return OCV_OK;
}

static ocv_reason read_policy(loader *l)
{
    json_t *root = l->doc.root;
    ocv_json_at root_at = ocv_json_doc_root(&l->doc);
    if (!json_is_object(root))
        return fail_at(l, &root_at, "policy", "must be a JSON object");
    const char *key;
    json_t *value;
    size_t k = 0;
    ocv_reason r = OCV_OK;
    json_t *rules_json = NULL;
    json_object_foreach(root, key, value)
    {
        ocv_json_at key_at = child(&root_at, k, 1), value_at = child(&root_at, k, 0);
        k++;
        if (strcmp(key, "version") == 0) {
            if (!json_is_integer(value) || json_integer_value(value) != 1)
                r = fail_at(l, &value_at, "version", "must be 1 (the only version)");
        } else if (strcmp(key, "description") == 0) {
            const char *ignored = NULL;
            r = read_description(l, &value_at, "description", value, &ignored);
        } else if (strcmp(key, "defaults") == 0) {
            ocv_json_pos pos =
                ocv_json_doc_position(&l->doc, ocv_json_doc_offset(&l->doc, &value_at));
            l->p->defaults.line = pos.line;
            l->p->defaults.column = pos.column;
            r = read_defaults(l, &value_at, value);
        } else if (strcmp(key, "rules") == 0) {
            rules_json = value;
            r = read_rules(l, &value_at, value);
        } else {
            r = fail_at(l, &key_at, key, "unknown member (version, description, defaults, rules)");
        }
        if (r != OCV_OK)
            return r;
    }
    if (json_object_get(root, "version") == NULL)
        return fail_at(l, &root_at, "policy", "\"version\": 1 is required");
    if (rules_json == NULL)
        return fail_at(l, &root_at, "policy",
                       "\"rules\" is required (an empty list denies "
                       "everything)");
    r = check_ids(l, rules_json);
    if (r == OCV_OK)
        r = build_index(l, rules_json);
    return r;
}

/* Compiles a parsed document, which it frees. */
static ocv_reason compile(ocv_json_doc *doc, ocv_policy **out, char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    loader l;
    memset(&l, 0, sizeof(l));
    l.doc = *doc;
    ocv_json_doc_init(doc);
    l.err = err;
    l.err_len = err_len;
    l.p = calloc(1, sizeof(*l.p));
    if (l.p != NULL) {
        ocv_strmap_init(&l.p->exact);
        ocv_strmap_init(&l.p->prefix);
        r = read_policy(&l);
    }
    free(l.subjects);
    free(l.rule_offs);
    ocv_json_doc_free(&l.doc);
    if (r != OCV_OK) {
        ocv_policy_free(l.p);
        return r;
    }
    *out = l.p;
    return OCV_OK;
}

ocv_reason ocv_policy_parse(const char *name, const uint8_t *text, size_t len, ocv_policy **out,
                            char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    if (out == NULL)
        return OCV_INTERNAL_ERROR;
    *out = NULL;
    if (name == NULL || (text == NULL && len > 0))
        return OCV_INTERNAL_ERROR;
    ocv_json_doc doc;
    r = ocv_json_doc_parse(&doc, name, text, len, OCV_POLICY_MAX_BYTES, OCV_POLICY_MAX_VALUES, err,
                           err_len);
    if (r != OCV_OK)
        return r;
    return compile(&doc, out, err, err_len);
}

ocv_reason ocv_policy_load(const char *path, ocv_policy **out, char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    if (out == NULL)
        return OCV_INTERNAL_ERROR;
    *out = NULL;
    if (path == NULL)
        return OCV_INTERNAL_ERROR;
    ocv_json_doc doc;
    r = ocv_json_doc_load(&doc, path, OCV_POLICY_MAX_BYTES, OCV_POLICY_MAX_VALUES, err, err_len);
    if (r != OCV_OK)
        return r;
    return compile(&doc, out, err, err_len);
}

void ocv_policy_free(ocv_policy *policy)
{
    if (policy == NULL)
        return;
    ocv_strmap_free(&policy->exact);
    ocv_strmap_free(&policy->prefix);
    free(policy->postings);
    free(policy->rules);
    ocv_policy_chunk *c = policy->chunks;
    while (c != NULL) {
        ocv_policy_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(policy);
}

size_t ocv_policy_rule_count(const ocv_policy *policy)
{
    return policy == NULL ? 0 : policy->rule_count;
}

const ocv_policy_rule *ocv_policy_rule_at(const ocv_policy *policy, size_t i)
{
    return policy == NULL || i >= policy->rule_count ? NULL : &policy->rules[i];
}

const ocv_policy_defaults *ocv_policy_get_defaults(const ocv_policy *policy)
{
    return policy == NULL ? NULL : &policy->defaults;
}

ocv_alg ocv_policy_alg_from_name(const char *name)
{
    for (int a = OCV_ALG_ES256; a <= OCV_ALG_EDDSA; a++) {
        if (strcmp(name, ocv_alg_name((ocv_alg)a)) == 0)
            return (ocv_alg)a;
    }
    return OCV_ALG_NONE;
}

void ocv_policy_format_duration(int64_t seconds, char *out, size_t out_len)
{
    static const struct {
        int64_t size;
        char unit;
    } units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    if (seconds <= 0) {
        ocv_errf(out, out_len, "0s");
        return;
    }
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && seconds > 0; i++) {
        int64_t count = seconds / units[i].size;
        if (count == 0)
            continue;
        seconds -= count * units[i].size;
        int w = snprintf(out + n, out_len - n, "%lld%c", (long long)count, units[i].unit);
        if (w < 0 || (size_t)w >= out_len - n)
            return;
        n += (size_t)w;
    }
}
