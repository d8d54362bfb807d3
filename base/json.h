/*
 * json.h - strict JSON loading for untrusted and operator input: jansson
 * with duplicate members rejected and NUL escapes refused, after a
 * bounded pre-scan that refuses nesting deeper than max_depth (jansson's
 * own limit is 2048, far more than any credential or configuration needs).
 */
#ifndef OCV_BASE_JSON_H
#define OCV_BASE_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "ocv.h"

/*
 * Parses len bytes into *out (a new reference). Reasons: OCV_OK;
 * OCV_TOO_LARGE (nesting deeper than max_depth); OCV_MALFORMED (not JSON,
 * duplicate members, trailing data); err has the line and column.
 */
OCV_MUST_CHECK ocv_reason ocv_json_load(const char *text, size_t len, int max_depth, json_t **out,
                                        char *err, size_t err_len);

#endif
