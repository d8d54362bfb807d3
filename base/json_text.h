/*
 * json_text.h - JSON text written directly, for the records ocv writes on
 * every decision (the audit record, the sidecar's decision line, `ocv
 * verify --json`), where building a jansson object and serialising it cost
 * a fifth of an audited request.
 *
 * Output: compact JSON (no spaces), strings escaped exactly as jansson's
 * dump with JSON_ENSURE_ASCII escapes them (\" \\ \b \f \n \r \t, other
 * control characters and everything above U+007F as \uXXXX in upper-case
 * hex, a surrogate pair above U+FFFF, '/' as is), so text written here is
 * byte for byte what jansson would write for the same members in the same
 * order (tests/unit/test_json_text.c holds it to that on hostile and
 * random text). Text that is not valid UTF-8 by jansson's rules (no
 * overlong forms, no surrogates, nothing above U+10FFFF) is never written
 * as a string: the *_or_null writers put null, as jansson would refuse it.
 *
 * The caller orders the members (a sorted record sorts them itself).
 *
 * Ownership: a writer owns its malloc'd buffer until ocv_jtext_take hands
 * it over. Errors: allocation failure is sticky; ocv_jtext_take then
 * returns NULL. Thread safety: one writer per thread.
 */
#ifndef OCV_BASE_JSON_TEXT_H
#define OCV_BASE_JSON_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ocv_jtext {
    char *p;
    size_t len, cap;
    int failed;
} ocv_jtext;

/* Empty writer (nothing allocated yet). */
void ocv_jtext_init(ocv_jtext *w);
/* The text, NUL-terminated, for the caller to free; NULL after a failed
 * allocation (the buffer is freed). */
char *ocv_jtext_take(ocv_jtext *w);
void ocv_jtext_free(ocv_jtext *w);

/* Raw bytes (punctuation, member names already quoted by the caller,
 * text already written as JSON). */
void ocv_jtext_raw(ocv_jtext *w, const char *s);
void ocv_jtext_rawn(ocv_jtext *w, const char *s, size_t n);
void ocv_jtext_int(ocv_jtext *w, int64_t v);
/* 1 when s (n bytes) is UTF-8 that jansson accepts. */
int ocv_jtext_utf8_valid(const char *s, size_t n);
/* A string of valid UTF-8 (check with ocv_jtext_utf8_valid first). */
void ocv_jtext_quoted(ocv_jtext *w, const char *s, size_t n);
/* The string, or null when it is NULL, empty, or not valid UTF-8. */
void ocv_jtext_text_or_null(ocv_jtext *w, const char *s);

#endif
