/*
 * canon.c - canonical identifiers (canon.h).
 */
#include "base/canon.h"

#include <string.h>
#include <strings.h>

#include "base/spiffe.h"
#include "base/util.h"

ocv_reason ocv_serial_from_der(const uint8_t *content, size_t len,
                               uint8_t out[OCV_MAX_SERIAL_BYTES], size_t *out_len, const char **why)
{
    *out_len = 0;
    if (len == 0) {
        *why = "empty serial number";
        return OCV_MALFORMED;
    }
    if (len > OCV_MAX_SERIAL_BYTES) {
        *why = "serial number longer than 20 octets (RFC 5280 4.1.2.2)";
        return OCV_MALFORMED;
    }
    if (content[0] & 0x80) {
        *why = "negative serial number (RFC 5280 4.1.2.2)";
        return OCV_MALFORMED;
    }
    if (len > 1 && content[0] == 0 && !(content[1] & 0x80)) {
        *why = "serial number not minimally encoded (X.690 8.3.2)";
        return OCV_MALFORMED;
    }
    size_t skip = content[0] == 0 ? 1 : 0;
    if (len == skip) {
        *why = "serial number zero (RFC 5280 4.1.2.2)";
        return OCV_MALFORMED;
    }
    memcpy(out, content + skip, len - skip);
    *out_len = len - skip;
    return OCV_OK;
}

int ocv_serial_from_listed(const uint8_t *content, size_t len, uint8_t out[OCV_MAX_SERIAL_BYTES],
                           size_t *out_len)
{
    *out_len = 0;
    if (len == 0 || (content[0] & 0x80))
        return -1;
    while (len > 0 && content[0] == 0) {
        content++;
        len--;
    }
    if (len == 0 || len > OCV_MAX_SERIAL_BYTES)
        return -1;
    memcpy(out, content, len);
    *out_len = len;
    return 0;
}

void ocv_serial_to_text(const uint8_t *mag, size_t len, char out[OCV_SERIAL_HEX_BYTES])
{
    if (len > OCV_MAX_SERIAL_BYTES)
        len = OCV_MAX_SERIAL_BYTES;
    ocv_hex_encode(mag, len, out);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Collects the hex digits of an operator's serial: "0x" first, ':' only
 * between byte pairs. Returns the digit count, or -1. */
static int collect_digits(const char *text, size_t len, char *digits, size_t cap, const char **why)
{
    size_t i = 0, n = 0, since_colon = 0;
    int colons = 0;
    if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        i = 2;
    for (; i < len; i++) {
        if (text[i] == ':') {
            if (since_colon != 2) {
                *why = "':' must separate pairs of hex digits";
                return -1;
            }
            since_colon = 0;
            colons = 1;
            continue;
        }
        if (hex_value(text[i]) < 0) {
            *why = "a serial number is written in hex digits (as openssl x509 -serial prints it)";
            return -1;
        }
        if (n >= cap) {
            *why = "serial number longer than 20 octets (RFC 5280 4.1.2.2)";
            return -1;
        }
        digits[n++] = text[i];
        since_colon++;
    }
    if ((since_colon == 0 && n > 0) || (colons && since_colon != 2)) {
        *why = "':' must separate pairs of hex digits";
        return -1;
    }
    return (int)n;
}

ocv_reason ocv_serial_canon_text(const char *text, size_t len, char out[OCV_SERIAL_HEX_BYTES],
                                 const char **why)
{
    char digits[128];
    int n = collect_digits(text, len, digits, sizeof(digits), why);
    if (n < 0)
        return OCV_MALFORMED;
    int start = 0;
    while (start < n && digits[start] == '0')
        start++;
    int sig = n - start;
    if (sig == 0) {
        *why = n == 0 ? "empty serial number" : "serial number zero (RFC 5280 4.1.2.2)";
        return OCV_MALFORMED;
    }
    size_t bytes = ((size_t)sig + 1) / 2;
    if (bytes > OCV_MAX_SERIAL_BYTES) {
        *why = "serial number longer than 20 octets (RFC 5280 4.1.2.2)";
        return OCV_MALFORMED;
    }
    uint8_t mag[OCV_MAX_SERIAL_BYTES];
    int d = start;
    for (size_t b = 0; b < bytes; b++) {
        int hi = (b == 0 && sig % 2 == 1) ? 0 : hex_value(digits[d++]);
        int lo = hex_value(digits[d++]);
        mag[b] = (uint8_t)(hi << 4 | lo);
    }
    ocv_serial_to_text(mag, bytes, out);
    return OCV_OK;
}

int ocv_key_id_is_canonical(const char *text, size_t len)
{
    if (len != 64)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return 1;
}

static int reads_like_spiffe(const char *text, size_t len)
{
    return len >= 7 && strncasecmp(text, "spiffe:", 7) == 0;
}

ocv_reason ocv_identity_check_text(const char *text, size_t len, const char **why)
{
    if (len == 0 || len > OCV_MAX_IDENTITY_BYTES || memchr(text, 0, len) != NULL) {
        *why = "an identity is 1 to 2048 bytes without NUL";
        return OCV_MALFORMED;
    }
    if (!reads_like_spiffe(text, len))
        return OCV_OK;
    char copy[OCV_MAX_IDENTITY_BYTES + 1];
    memcpy(copy, text, len);
    copy[len] = 0;
    ocv_spiffe_id id;
    return ocv_spiffe_parse(copy, OCV_SPIFFE_SUBJECT, &id, why) == OCV_OK ? OCV_OK : OCV_MALFORMED;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

void ocv_identity_revocation_form(const char *text, size_t len, char *out)
{
    int keep = reads_like_spiffe(text, len);
    for (size_t i = 0; i < len; i++)
        out[i] = keep ? text[i] : ascii_lower(text[i]);
    out[len] = 0;
}

int ocv_identity_is_revocation_form(const char *text, size_t len)
{
    if (reads_like_spiffe(text, len))
        return 1;
    for (size_t i = 0; i < len; i++) {
        if (ascii_lower(text[i]) != text[i])
            return 0;
    }
    return 1;
}

ocv_reason ocv_identity_settle(ocv_claims *claims, const char **why)
{
    size_t len = strnlen(claims->subject, sizeof(claims->subject));
    if (len == 0)
        return OCV_OK; /* no identity: the policy stage denies if it needs one */
    if (!reads_like_spiffe(claims->subject, len)) {
        if (claims->subject_kind == OCV_IDENTITY_URI)
            claims->subject_kind = OCV_IDENTITY_TOKEN; /* an opaque URI */
        if (claims->subject_kind == OCV_IDENTITY_DNS || claims->subject_kind == OCV_IDENTITY_CN) {
            for (size_t i = 0; i < len; i++)
                claims->subject[i] = ascii_lower(claims->subject[i]);
        }
        return OCV_OK;
    }
    switch (claims->subject_kind) {
    case OCV_IDENTITY_DNS:
    case OCV_IDENTITY_CN:
    case OCV_IDENTITY_NAME:
        *why = "a fallback identity (DNS name, CN, DN or email) that reads like a SPIFFE ID";
        return OCV_MALFORMED;
    case OCV_IDENTITY_NONE:
    case OCV_IDENTITY_URI:
    case OCV_IDENTITY_SPIFFE:
    case OCV_IDENTITY_TOKEN:
        break;
    }
    /* the subject is NUL-terminated within its bounds: parsed in place */
    ocv_spiffe_id id;
    if (ocv_spiffe_parse(claims->subject, OCV_SPIFFE_SUBJECT, &id, why) != OCV_OK)
        return OCV_MALFORMED;
    claims->subject_kind = OCV_IDENTITY_SPIFFE;
    claims->subject_td_len = id.td_end;
    return OCV_OK;
}
