/*
 * cbor_stream.h - a pull reader for large CBOR documents (RFC 8949), over
 * libcbor's streaming decoder.
 *
 * Why: cbor_load builds a tree of every item; a revocation bundle of a
 * million entries would cost hundreds of megabytes. This reader yields one
 * item head at a time, and strings are views into the input (definite
 * lengths only), so decoding needs no allocation at all.
 *
 * Strictness: indefinite-length items, floats, simple values other than
 * false/true/null are reported as OCV_CBOR_REJECTED, so a format built on
 * this reader refuses them. Nesting is the caller's grammar: it reads
 * exactly the structure it expects.
 *
 * Ownership: borrows the input; nothing to free. Not thread-safe per
 * reader.
 */
#ifndef OCV_BASE_CBOR_STREAM_H
#define OCV_BASE_CBOR_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ocv.h"

typedef enum ocv_cbor_kind {
    OCV_CBOR_UINT,
    OCV_CBOR_NEGINT, /* value u means -1 - u */
    OCV_CBOR_BYTES,
    OCV_CBOR_TEXT,
    OCV_CBOR_ARRAY, /* u = element count */
    OCV_CBOR_MAP,   /* u = pair count */
    OCV_CBOR_TAG,
    OCV_CBOR_BOOL, /* u = 0 or 1 */
    OCV_CBOR_NULL,
    OCV_CBOR_REJECTED
} ocv_cbor_kind;

typedef struct ocv_cbor_item {
    ocv_cbor_kind kind;
    uint64_t u;
    const uint8_t *p; /* BYTES / TEXT: view into the input */
    size_t len;
} ocv_cbor_item;

typedef struct ocv_cbor_pull {
    const uint8_t *p;
    size_t len;
    size_t off;
    int err;
} ocv_cbor_pull;

void ocv_cbor_pull_init(ocv_cbor_pull *r, const uint8_t *p, size_t len);

/* Reads the next item head. 0 on success; -1 (sticky) on malformed or
 * truncated input, or at the end. */
int ocv_cbor_pull_next(ocv_cbor_pull *r, ocv_cbor_item *out);

/* Reads the next item and demands its kind; 0 on success. */
int ocv_cbor_pull_expect(ocv_cbor_pull *r, ocv_cbor_kind kind, ocv_cbor_item *out);

/* Skips one whole item (with everything nested in it), refusing nesting
 * deeper than max_depth. 0 on success, -1 (sticky) otherwise. */
int ocv_cbor_pull_skip(ocv_cbor_pull *r, int max_depth);

/* 1 when every byte was consumed without an error. */
int ocv_cbor_pull_done(const ocv_cbor_pull *r);

/* The writer: appends to an owned, growing buffer; errors are sticky and
 * reported by ocv_cbor_out_finish. Definite lengths only. */
typedef struct ocv_cbor_out {
    ocv_bytes buf; /* data, len */
    size_t cap;
    int err;
} ocv_cbor_out;

void ocv_cbor_out_init(ocv_cbor_out *w);
void ocv_cbor_out_uint(ocv_cbor_out *w, uint64_t v);
/* The negative integer -1 - v. */
void ocv_cbor_out_negint(ocv_cbor_out *w, uint64_t v);
void ocv_cbor_out_tag(ocv_cbor_out *w, uint64_t tag);
void ocv_cbor_out_array(ocv_cbor_out *w, size_t n);
void ocv_cbor_out_map(ocv_cbor_out *w, size_t n);
void ocv_cbor_out_text(ocv_cbor_out *w, const char *p, size_t len);
void ocv_cbor_out_bytes(ocv_cbor_out *w, const uint8_t *p, size_t len);
/* Appends bytes as they are: only for tools that must write hostile
 * encodings (ocv mint --defect). */
void ocv_cbor_out_raw(ocv_cbor_out *w, const uint8_t *p, size_t len);
/* Moves the encoding into *out (OCV_OK) or frees it (OCV_INTERNAL_ERROR). */
OCV_MUST_CHECK ocv_reason ocv_cbor_out_finish(ocv_cbor_out *w, ocv_bytes *out);

#endif
