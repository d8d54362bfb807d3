/*
 * spiffe.c - SPIFFE IDs and rule patterns (spiffe.h).
 *
 * Grammar (SPIFFE ID standard §2, with the rule wildcard):
 *   id       = "spiffe://" td *("/" segment) [ "/" "*" ]   ; "*" rules only
 *   td       = 1*255( a-z / 0-9 / "." / "-" / "_" )
 *   segment  = 1*( A-Z / a-z / 0-9 / "." / "-" / "_" ), not "." or ".."
 */
#include "base/spiffe.h"

#include <string.h>
#include <strings.h>

#define SCHEME           "spiffe://"
#define SCHEME_LEN       9
#define MAX_TRUST_DOMAIN 255

static int is_td_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

static int is_segment_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

/* Why a character cannot stand where it stands. */
static const char *bad_char(char c, int in_td)
{
    if (c == '%')
        return "percent-encoding is not allowed";
    if (c == '*')
        return "'*' is only allowed as a whole final path segment of a rule";
    if (c == '?' || c == '#')
        return "a query or fragment is not allowed";
    if (in_td && c == ':')
        return "a port is not allowed in the trust domain";
    if (in_td && c == '@')
        return "user info is not allowed in the trust domain";
    return in_td ? "character not allowed in the trust domain"
                 : "character not allowed in a path segment";
}

static ocv_reason parse_opaque(const char *text, size_t len, ocv_spiffe_mode mode,
                               ocv_spiffe_id *out, const char **why)
{
    if (mode == OCV_SPIFFE_PATTERN) {
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)text[i];
            if (c < 0x21 || c > 0x7e) {
                *why = "an identity must be printable ASCII without spaces";
                return OCV_MALFORMED;
            }
            if (c == '*') {
                *why = "'*' is only allowed as a whole final path segment of a SPIFFE ID";
                return OCV_MALFORMED;
            }
        }
    }
    out->kind = OCV_SPIFFE_OPAQUE;
    memcpy(out->text, text, len);
    out->text[len] = 0;
    out->len = len;
    out->td_end = 0;
    out->segments = 0;
    return OCV_OK;
}

ocv_reason ocv_spiffe_parse(const char *text, ocv_spiffe_mode mode, ocv_spiffe_id *out,
                            const char **why)
{
    size_t len = strnlen(text, OCV_MAX_IDENTITY_BYTES + 1);
    if (len > OCV_MAX_IDENTITY_BYTES) {
        *why = "longer than 2048 bytes";
        return OCV_TOO_LARGE;
    }
    if (len == 0) {
        *why = "empty identity";
        return OCV_MALFORMED;
    }
    if (strncasecmp(text, "spiffe:", 7) != 0)
        return parse_opaque(text, len, mode, out, why);
    if (len < SCHEME_LEN || strncasecmp(text, SCHEME, SCHEME_LEN) != 0) {
        *why = "a SPIFFE ID starts with spiffe://";
        return OCV_MALFORMED;
    }
    if (memcmp(text, SCHEME, SCHEME_LEN) != 0) {
        *why = "the scheme must be written spiffe:// in lower case";
        return OCV_MALFORMED;
    }
    ocv_spiffe_id id;
    memcpy(id.text, SCHEME, SCHEME_LEN);
    size_t i = SCHEME_LEN;
    for (; i < len && text[i] != '/'; i++) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') {
            *why = "upper case in the trust domain (SPIFFE trust domains are lower case)";
            return OCV_MALFORMED;
        } else if (!is_td_char(c)) {
            *why = bad_char(c, 1);
            return OCV_MALFORMED;
        }
        id.text[i] = c;
    }
    if (i == SCHEME_LEN) {
        *why = "empty trust domain";
        return OCV_MALFORMED;
    }
    if (i - SCHEME_LEN > MAX_TRUST_DOMAIN) {
        *why = "trust domain longer than 255 bytes";
        return OCV_MALFORMED;
    }
    id.td_end = i;
    id.segments = 0;
    id.kind = OCV_SPIFFE_EXACT;
    id.len = len;
    while (i < len) {
        /* text[i] == '/': one segment follows */
        size_t start = i + 1, j = start;
        while (j < len && text[j] != '/')
            j++;
        size_t seg = j - start;
        if (seg == 0) {
            *why = j == len ? "trailing slash" : "empty path segment (\"//\")";
            return OCV_MALFORMED;
        }
        if (seg == 1 && text[start] == '*' && j == len && mode == OCV_SPIFFE_PATTERN) {
            id.kind = OCV_SPIFFE_PREFIX;
            id.len = i; /* the prefix, without "/ *" */
            break;
        }
        if ((seg == 1 && text[start] == '.') ||
            (seg == 2 && text[start] == '.' && text[start + 1] == '.')) {
            *why = "\".\" and \"..\" are not allowed as path segments";
            return OCV_MALFORMED;
        }
        for (size_t k = start; k < j; k++) {
            if (!is_segment_char(text[k])) {
                *why = bad_char(text[k], 0);
                return OCV_MALFORMED;
            }
        }
        memcpy(id.text + i, text + i, j - i);
        id.segments++;
        i = j;
    }
    id.text[id.len] = 0;
    *out = id;
    return OCV_OK;
}
