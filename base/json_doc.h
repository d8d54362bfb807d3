/*
 * json_doc.h - strict JSON documents that can say where each value is.
 *
 * What it does: parses an operator-supplied JSON text (configuration,
 * policy) strictly and keeps the text, so that an error found after
 * parsing (a wrong type, an unknown member, a duplicate rule id) can name
 * the line and column of the value at fault, as a syntax error does.
 *
 *   - size: the caller's byte limit (TOO_LARGE, never truncation);
 *   - nesting deeper than OCV_MAX_JSON_DEPTH and more than max_values
 *     values are refused by a linear pre-scan, before jansson builds a
 *     tree (a tree costs 40..230 bytes a value: the count bounds memory);
 *   - jansson with JSON_REJECT_DUPLICATES: duplicate members, bad UTF-8,
 *     NUL characters and trailing bytes are syntax errors.
 *
 * How positions work: jansson keeps no position per value, but it keeps
 * object members in insertion order and refuses duplicates, so the n-th
 * member that json_object_foreach visits is the n-th member in the text.
 * A value is therefore named by a path of ordinals (ocv_json_at: member
 * or element number within its parent) and found, only when an error is
 * reported, by re-scanning the already validated text from its parent.
 * The scan is iterative and bounded by the text; a path that cannot be
 * followed (it cannot happen on text jansson accepted) falls back to the
 * deepest position found, never to an out-of-range read.
 *
 * What it does not do: interpret values. Lines and columns are 1-based;
 * columns count characters (UTF-8 sequences), as jansson's do.
 *
 * Ownership: ocv_json_doc owns a copy of the text, its name and the
 * jansson tree; ocv_json_doc_free releases them and leaves the struct
 * reusable. json_t pointers handed out are borrowed from the document.
 * Thread safety: a loaded document is read-only; lookups may run
 * concurrently.
 */
#ifndef OCV_BASE_JSON_DOC_H
#define OCV_BASE_JSON_DOC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/util.h"
#include "ocv.h"

typedef struct ocv_json_doc {
    char *name;     /* for messages: the file name */
    ocv_bytes text; /* the bytes parsed, NUL-terminated */
    json_t *root;
    size_t root_off; /* offset of the root value's first character */
} ocv_json_doc;

/* A value's place: the root (parent NULL, off known), or member / element
 * number `index` of the value `parent` names. `key` (members only) points
 * at the member's name instead of its value (for "unknown member"). */
typedef struct ocv_json_at {
    const struct ocv_json_at *parent;
    size_t index;
    int key;
    size_t off; /* used when parent is NULL */
} ocv_json_at;

typedef struct ocv_json_pos {
    unsigned long line, column;
} ocv_json_pos;

void ocv_json_doc_init(ocv_json_doc *doc);
void ocv_json_doc_free(ocv_json_doc *doc);

/*
 * Parses len bytes (copied) named `name` in messages.
 * Reasons: OCV_OK; OCV_TOO_LARGE when len > max_bytes; OCV_CONFIG_INVALID
 * for a syntax error, nesting deeper than OCV_MAX_JSON_DEPTH or more than
 * max_values values (err: "NAME:LINE:COL: what is wrong"), and when the
 * root is neither an object nor an array; OCV_INTERNAL_ERROR on
 * allocation failure. On failure doc is left empty.
 */
OCV_MUST_CHECK ocv_reason ocv_json_doc_parse(ocv_json_doc *doc, const char *name,
                                             const uint8_t *data, size_t len, size_t max_bytes,
                                             size_t max_values, char *err, size_t err_len);

/*
 * Reads a file (at most max_bytes) and parses it as ocv_json_doc_parse.
 * Reasons: as ocv_json_doc_parse, plus OCV_CONFIG_INVALID when the file
 * cannot be opened or read (err: "PATH: why").
 */
OCV_MUST_CHECK ocv_reason ocv_json_doc_load(ocv_json_doc *doc, const char *path, size_t max_bytes,
                                            size_t max_values, char *err, size_t err_len);

/* The root's place. */
ocv_json_at ocv_json_doc_root(const ocv_json_doc *doc);

/* The byte offset of a place (see the fallback rule above). */
size_t ocv_json_doc_offset(const ocv_json_doc *doc, const ocv_json_at *at);

/* Fills offs[0..count) with the offsets of the first count elements of
 * the array at arr_off, in one pass. 0 on success, -1 when the array has
 * fewer elements or arr_off is no array. */
OCV_MUST_CHECK int ocv_json_doc_elements(const ocv_json_doc *doc, size_t arr_off, size_t *offs,
                                         size_t count);

/* Line and column of an offset. */
ocv_json_pos ocv_json_doc_position(const ocv_json_doc *doc, size_t off);

/* Positions of count ascending offsets in one pass over the text. */
void ocv_json_doc_positions(const ocv_json_doc *doc, const size_t *offs, size_t count,
                            ocv_json_pos *out);

/* err = "NAME:LINE:COL: " + the formatted message, for the value at `at`. */
void ocv_json_doc_errf(const ocv_json_doc *doc, const ocv_json_at *at, char *err, size_t err_len,
                       const char *fmt, ...) OCV_PRINTF(5, 6);

#endif
