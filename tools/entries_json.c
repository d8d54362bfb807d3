/*
 * entries_json.c - the authority's ENTRIES.json (docs/formats/entries.md):
 * a JSON array of objects
 *   {"type": "jti"|"serial"|"key"|"subject"|"subject_before",
 *    "issuer": str (jti, serial), "value": str, "before": int (subject_before),
 *    "expires": int (optional)}
 * Strict: duplicate members, unknown members and wrong types are errors
 * with the file and the index of the entry.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/util.h"
#include "cli.h"
#include "entries_json.h"

#define MAX_ENTRIES_FILE_BYTES (1024u * 1024u * 1024u)

void ocv_entries_file_init(ocv_entries_file *f)
{
    memset(f, 0, sizeof(*f));
}

void ocv_entries_file_free(ocv_entries_file *f)
{
    if (f == NULL)
        return;
    free(f->entries);
    json_decref(f->root);
    ocv_entries_file_init(f);
}

static int string_member(json_t *o, const char *name, const char **out, size_t *len)
{
    json_t *v = json_object_get(o, name);
    if (v == NULL) {
        *out = "";
        *len = 0;
        return 0;
    }
    if (!json_is_string(v))
        return -1;
    *out = json_string_value(v);
    *len = json_string_length(v);
    return strlen(*out) == *len ? 0 : -1; /* no NUL inside */
}

static int time_member(json_t *o, const char *name, int64_t *out)
{
    json_t *v = json_object_get(o, name);
    if (v == NULL) {
        *out = 0;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 253402300799ll)
        return -1;
    *out = json_integer_value(v);
    return 0;
}

static const char *read_entry(json_t *o, ocv_entry *e)
{
    if (!json_is_object(o))
        return "not an object";
    const char *key;
    json_t *value;
    json_object_foreach(o, key, value)
    {
        if (strcmp(key, "type") && strcmp(key, "issuer") && strcmp(key, "value") &&
            strcmp(key, "before") && strcmp(key, "expires"))
            return "unknown member";
    }
    const char *type = json_string_value(json_object_get(o, "type"));
    if (type == NULL || ocv_entry_type_parse(type, &e->type) != 0)
        return "\"type\" must be jti, serial, key, subject or subject_before";
    if (string_member(o, "issuer", &e->issuer, &e->issuer_len) != 0 ||
        string_member(o, "value", &e->value, &e->value_len) != 0)
        return "\"issuer\" and \"value\" must be strings";
    if (e->value_len == 0 || e->value_len > OCV_MAX_ENTRY_VALUE_BYTES)
        return "\"value\" must be 1..2048 bytes";
    int needs_issuer = e->type == OCV_ENTRY_SERIAL || e->type == OCV_ENTRY_JTI;
    if (needs_issuer != (e->issuer_len > 0) || e->issuer_len > OCV_MAX_ISSUER_BYTES)
        return needs_issuer ? "\"issuer\" is required for jti and serial entries"
                            : "\"issuer\" is only for jti and serial entries";
    if (time_member(o, "before", &e->before) != 0 || time_member(o, "expires", &e->expires) != 0)
        return "\"before\" and \"expires\" must be UNIX times";
    if ((e->type == OCV_ENTRY_SUBJECT_BEFORE) != (e->before > 0))
        return "\"before\" is required exactly for subject_before entries";
    for (size_t i = 0; i < e->value_len; i++) {
        if ((unsigned char)e->value[i] < 0x20)
            return "control character in \"value\"";
    }
    /* The canonical spelling replaces the operator's in the document, so
     * e keeps pointing into memory the file owns. */
    char canon[OCV_MAX_IDENTITY_BYTES + 1];
    const char *why = ocv_entry_canonicalise(e, canon, sizeof(canon));
    if (why != NULL)
        return why;
    if (json_object_set_new(o, "issuer", json_string(e->issuer_len ? e->issuer : "")) != 0 ||
        json_object_set_new(o, "value", json_string(e->value)) != 0)
        return "out of memory";
    string_member(o, "issuer", &e->issuer, &e->issuer_len);
    string_member(o, "value", &e->value, &e->value_len);
    return NULL;
}

int ocv_entries_file_load(const char *path, ocv_entries_file *out)
{
    ocv_entries_file_init(out);
    char err[512] = "";
    ocv_bytes text;
    if (ocv_file_read(path, MAX_ENTRIES_FILE_BYTES, &text, err, sizeof(err)) != OCV_OK)
        return ocv_cli_usage_error("%s", err);
    json_error_t jerr;
    out->root = json_loadb((const char *)text.data, text.len, JSON_REJECT_DUPLICATES, &jerr);
    ocv_bytes_free(&text);
    if (out->root == NULL)
        return ocv_cli_usage_error("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    if (!json_is_array(out->root)) {
        ocv_entries_file_free(out);
        return ocv_cli_usage_error("%s: must be a JSON array of entries", path);
    }
    size_t n = json_array_size(out->root);
    out->entries = calloc(n ? n : 1, sizeof(ocv_entry));
    if (out->entries == NULL) {
        ocv_entries_file_free(out);
        return ocv_cli_usage_error("out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const char *why = read_entry(json_array_get(out->root, i), &out->entries[i]);
        if (why != NULL) {
            ocv_entries_file_free(out);
            return ocv_cli_usage_error("%s: entry %zu: %s", path, i, why);
        }
    }
    out->count = n;
    return 0;
}
