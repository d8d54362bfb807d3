#include "json.h"

#include "base/util.h"

/* Nesting depth of the document, ignoring brackets inside strings. */
static int nesting_depth(const char *p, size_t len, int limit)
{
    int depth = 0, in_string = 0, escaped = 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (c == '\\')
                escaped = 1;
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > limit)
                return depth;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 0;
}

ocv_reason ocv_json_load(const char *text, size_t len, int max_depth, json_t **out, char *err,
                         size_t err_len)
{
    *out = NULL;
    if (nesting_depth(text, len, max_depth) > max_depth) {
        ocv_errf(err, err_len, "JSON nested deeper than %d levels", max_depth);
        return OCV_TOO_LARGE;
    }
    json_error_t jerr;
    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (*out == NULL) {
        ocv_errf(err, err_len, "%d:%d: %s", jerr.line, jerr.column, jerr.text);
        return OCV_MALFORMED;
    }
    return OCV_OK;
}
