/*
 * json_doc.c - strict JSON with positions (json_doc.h).
 *
 * Implementation notes
 *
 * Two scanners read the raw text, neither recursive:
 *   - prescan() runs before jansson on untrusted text: it tracks strings,
 *     a small stack of open containers (bounded by OCV_MAX_JSON_DEPTH) and
 *     whether the next string is a member name, and counts values. It is
 *     only a gate: text it misreads is still refused by jansson.
 *   - skip_value()/find_child() run after jansson accepted the text, to
 *     turn a path of ordinals into an offset. Every step checks bounds, so
 *     they cannot read past the text even if the text were not JSON.
 */
#include "base/json_doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"

void ocv_json_doc_init(ocv_json_doc *doc)
{
    memset(doc, 0, sizeof(*doc));
}

void ocv_json_doc_free(ocv_json_doc *doc)
{
    if (doc == NULL)
        return;
    json_decref(doc->root);
    ocv_bytes_free(&doc->text);
    free(doc->name);
    ocv_json_doc_init(doc);
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_structural(char c)
{
    return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':';
}

/* ---- positions -------------------------------------------------------- */

static void advance_pos(const char *t, size_t from, size_t to, ocv_json_pos *pos)
{
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == '\n') {
            pos->line++;
            pos->column = 1;
        } else if ((c & 0xC0) != 0x80) {
            /* a UTF-8 continuation byte belongs to the character before */
            pos->column++;
        }
    }
}

ocv_json_pos ocv_json_doc_position(const ocv_json_doc *doc, size_t off)
{
    ocv_json_pos pos = {1, 1};
    if (off > doc->text.len)
        off = doc->text.len;
    advance_pos((const char *)doc->text.data, 0, off, &pos);
    return pos;
}

void ocv_json_doc_positions(const ocv_json_doc *doc, const size_t *offs, size_t count,
                            ocv_json_pos *out)
{
    ocv_json_pos pos = {1, 1};
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        size_t off = offs[i] > doc->text.len ? doc->text.len : offs[i];
        if (off < at) {
            pos = ocv_json_doc_position(doc, off);
        } else {
            advance_pos((const char *)doc->text.data, at, off, &pos);
        }
        at = off;
        out[i] = pos;
    }
}

static void errf_pos(const char *name, ocv_json_pos pos, char *err, size_t err_len, const char *fmt,
                     va_list ap) OCV_PRINTF(5, 0);

static void errf_pos(const char *name, ocv_json_pos pos, char *err, size_t err_len, const char *fmt,
                     va_list ap)
{
    if (err == NULL || err_len == 0)
        return;
    int n = snprintf(err, err_len, "%s:%lu:%lu: ", name, pos.line, pos.column);
    if (n < 0 || (size_t)n >= err_len)
        return;
    vsnprintf(err + n, err_len - (size_t)n, fmt, ap);
}

/* ---- the pre-scan gate -------------------------------------------------- */

typedef struct prescan_error {
    size_t off;
    const char *what;
    size_t limit;
} prescan_error;

/* Returns 0, or -1 with *e set. Containers: 'o' object, 'a' array. */
static int prescan(const char *t, size_t len, size_t max_values, prescan_error *e)
{
    char stack[OCV_MAX_JSON_DEPTH];
    size_t depth = 0, values = 0;
    int expect_key = 0, in_scalar = 0;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (in_scalar && (is_ws(c) || is_structural(c) || c == '"'))
            in_scalar = 0;
        if (in_scalar || is_ws(c))
            continue;
        if (c == '"') {
            for (i++; i < len && t[i] != '"'; i += t[i] == '\\' ? 2 : 1)
                ;
            if (!expect_key && ++values > max_values)
                goto too_many;
            expect_key = 0;
            continue;
        }
        switch (c) {
        case '{':
        case '[':
            if (depth == OCV_MAX_JSON_DEPTH) {
                e->off = i;
                e->what = "nesting deeper than the limit";
                e->limit = OCV_MAX_JSON_DEPTH;
                return -1;
            }
            stack[depth++] = c == '{' ? 'o' : 'a';
            expect_key = c == '{';
            if (++values > max_values)
                goto too_many;
            break;
        case '}':
        case ']':
            if (depth > 0)
                depth--;
            expect_key = 0;
            break;
        case ',':
            expect_key = depth > 0 && stack[depth - 1] == 'o';
            break;
        case ':':
            expect_key = 0;
            break;
        default:
            in_scalar = 1;
            expect_key = 0;
            if (++values > max_values)
                goto too_many;
            break;
        }
        continue;
    too_many:
        e->off = i;
        e->what = "more JSON values than the limit";
        e->limit = max_values;
        return -1;
    }
    return 0;
}

/* ---- parse ----------------------------------------------------------- */

static size_t skip_ws(const char *t, size_t len, size_t i)
{
    while (i < len && is_ws(t[i]))
        i++;
    return i;
}

/* Parses text, which it takes: on success the document owns it, on
 * failure it is freed. */
static ocv_reason parse_owned(ocv_json_doc *doc, const char *name, ocv_bytes *text,
                              size_t max_values, char *err, size_t err_len)
{
    ocv_reason r = OCV_INTERNAL_ERROR;
    ocv_json_doc d;
    ocv_json_doc_init(&d);
    d.text = *text;
    ocv_bytes_init(text);
    size_t name_len = strlen(name);
    d.name = malloc(name_len + 1);
    if (d.name == NULL)
        goto fail;
    memcpy(d.name, name, name_len + 1);
    const char *t = (const char *)d.text.data;
    size_t len = d.text.len;
    prescan_error pe = {0, NULL, 0};
    if (prescan(t, len, max_values, &pe) != 0) {
        ocv_json_pos pos = ocv_json_doc_position(&d, pe.off);
        ocv_errf(err, err_len, "%s:%lu:%lu: %s (%zu)", name, pos.line, pos.column, pe.what,
                 pe.limit);
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    json_error_t jerr;
    d.root = json_loadb(t, len, JSON_REJECT_DUPLICATES, &jerr);
    if (d.root == NULL) {
        ocv_errf(err, err_len, "%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
        r = OCV_CONFIG_INVALID;
        goto fail;
    }
    d.root_off = skip_ws(t, len, 0);
    *doc = d;
    return OCV_OK;
fail:
    ocv_json_doc_free(&d);
    return r;
}

ocv_reason ocv_json_doc_parse(ocv_json_doc *doc, const char *name, const uint8_t *data, size_t len,
                              size_t max_bytes, size_t max_values, char *err, size_t err_len)
{
    ocv_json_doc_init(doc);
    if (len > max_bytes) {
        ocv_errf(err, err_len, "%s: larger than %zu bytes", name, max_bytes);
        return OCV_TOO_LARGE;
    }
    ocv_bytes text;
    ocv_bytes_init(&text);
    ocv_reason r = ocv_bytes_copy(&text, data, len);
    if (r != OCV_OK)
        return r;
    return parse_owned(doc, name, &text, max_values, err, err_len);
}

ocv_reason ocv_json_doc_load(ocv_json_doc *doc, const char *path, size_t max_bytes,
                             size_t max_values, char *err, size_t err_len)
{
    ocv_bytes text;
    ocv_bytes_init(&text);
    ocv_json_doc_init(doc);
    ocv_reason r = ocv_file_read(path, max_bytes, &text, err, err_len);
    if (r != OCV_OK)
        return r;
    return parse_owned(doc, path, &text, max_values, err, err_len);
}

/* ---- finding values again -------------------------------------------- */

/* The offset just past the string starting at i (t[i] == '"'), or len. */
static size_t skip_string(const char *t, size_t len, size_t i)
{
    for (i++; i < len; i += t[i] == '\\' ? 2 : 1) {
        if (t[i] == '"')
            return i + 1;
    }
    return len;
}

/* The offset just past the value starting at i (or len). */
static size_t skip_value(const char *t, size_t len, size_t i)
{
    if (i >= len)
        return len;
    if (t[i] == '"')
        return skip_string(t, len, i);
    if (t[i] == '{' || t[i] == '[') {
        size_t depth = 0;
        while (i < len) {
            char c = t[i];
            if (c == '"') {
                i = skip_string(t, len, i);
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return len;
    }
    while (i < len && !is_ws(t[i]) && !is_structural(t[i]))
        i++;
    return i;
}

/* Member or element `index` of the container at off: 0 and *out set, or -1. */
static int find_child(const char *t, size_t len, size_t off, size_t index, int want_key,
                      size_t *out)
{
    if (off >= len || (t[off] != '{' && t[off] != '['))
        return -1;
    int object = t[off] == '{';
    size_t i = skip_ws(t, len, off + 1);
    for (size_t n = 0; i < len; n++) {
        size_t key = i;
        if (object) {
            if (t[i] != '"')
                return -1;
            i = skip_ws(t, len, skip_value(t, len, i));
            if (i >= len || t[i] != ':')
                return -1;
            i = skip_ws(t, len, i + 1);
        }
        if (n == index) {
            *out = object && want_key ? key : i;
            return i < len ? 0 : -1;
        }
        i = skip_ws(t, len, skip_value(t, len, i));
        if (i >= len || t[i] != ',')
            return -1;
        i = skip_ws(t, len, i + 1);
    }
    return -1;
}

size_t ocv_json_doc_offset(const ocv_json_doc *doc, const ocv_json_at *at)
{
    /* Collect the path root-first. Values nest at most OCV_MAX_JSON_DEPTH
     * deep (the pre-scan refused deeper text), so the array suffices; a
     * longer chain cannot name a value and falls back to the root. */
    const ocv_json_at *path[OCV_MAX_JSON_DEPTH + 1];
    size_t n = 0;
    const ocv_json_at *a = at;
    while (a != NULL && a->parent != NULL) {
        if (n == OCV_MAX_JSON_DEPTH + 1)
            return doc->root_off;
        path[n++] = a;
        a = a->parent;
    }
    size_t off = a != NULL ? a->off : doc->root_off;
    const char *t = (const char *)doc->text.data;
    while (n > 0) {
        const ocv_json_at *step = path[--n];
        size_t child;
        if (find_child(t, doc->text.len, off, step->index, step->key, &child) != 0)
            break;
        off = child;
    }
    return off;
}

int ocv_json_doc_elements(const ocv_json_doc *doc, size_t arr_off, size_t *offs, size_t count)
{
    const char *t = (const char *)doc->text.data;
    size_t len = doc->text.len;
    if (arr_off >= len || t[arr_off] != '[')
        return -1;
    size_t i = skip_ws(t, len, arr_off + 1);
    for (size_t n = 0; n < count; n++) {
        if (i >= len || t[i] == ']')
            return -1;
        offs[n] = i;
        i = skip_ws(t, len, skip_value(t, len, i));
        if (i < len && t[i] == ',')
            i = skip_ws(t, len, i + 1);
    }
    return 0;
}

ocv_json_at ocv_json_doc_root(const ocv_json_doc *doc)
{
    ocv_json_at at = {NULL, 0, 0, doc->root_off};
    return at;
}

void ocv_json_doc_errf(const ocv_json_doc *doc, const ocv_json_at *at, char *err, size_t err_len,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    errf_pos(doc->name, ocv_json_doc_position(doc, ocv_json_doc_offset(doc, at)), err, err_len, fmt,
             ap);
    va_end(ap);
}
