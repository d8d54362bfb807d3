/*
 * buf.h - owned byte buffers and a bounded reader for untrusted bytes.
 *
 * ocv_bytes owns its heap memory: ocv_bytes_free zeroises and frees it and
 * leaves the struct empty and reusable.
 *
 * ocv_reader never owns: it is a window {p, len, off} over borrowed bytes
 * with a sticky error. Once a read fails every later read returns nothing
 * and does not move, so a parser can read a whole structure and check the
 * error once, before using any value (ocv_reader_finish also demands that
 * every byte was consumed).
 */
#ifndef OCV_BASE_BUF_H
#define OCV_BASE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "ocv.h"

typedef struct ocv_bytes {
    uint8_t *data;
    size_t len;
} ocv_bytes;

void ocv_bytes_init(ocv_bytes *b);
void ocv_bytes_free(ocv_bytes *b);
/* Copies len bytes; a NUL is kept after them so text can be used as a C
 * string. OCV_INTERNAL_ERROR on allocation failure. */
OCV_MUST_CHECK ocv_reason ocv_bytes_copy(ocv_bytes *out, const void *data, size_t len);

/*
 * Reads a whole file (or standard input for "-") of at most max_len bytes.
 * Reasons: OCV_OK; OCV_TOO_LARGE when the file holds more than max_len
 * bytes (it is never truncated); OCV_CONFIG_INVALID when it cannot be
 * opened or read (err says why); OCV_INTERNAL_ERROR on allocation failure.
 * The buffer is NUL-terminated after len bytes.
 */
OCV_MUST_CHECK ocv_reason ocv_file_read(const char *path, size_t max_len, ocv_bytes *out, char *err,
                                        size_t err_len);

/*
 * A whole regular file mapped read-only, for large signed inputs (bundles)
 * that must not be copied before they are authenticated: the size is
 * checked before anything is mapped (OCV_TOO_LARGE), and pages the caller
 * is done with can be handed back (ocv_file_release), so streaming over the
 * file costs memory independent of its size. Reasons: OCV_OK,
 * OCV_TOO_LARGE, OCV_CONFIG_INVALID (cannot open; not a regular file).
 * Ownership: data is valid until ocv_file_unmap. Not for "-" (stdin).
 */
typedef struct ocv_mapped_file {
    const uint8_t *data; /* NULL for an empty file */
    size_t len;
} ocv_mapped_file;

void ocv_mapped_file_init(ocv_mapped_file *m);
OCV_MUST_CHECK ocv_reason ocv_file_map(const char *path, size_t max_len, ocv_mapped_file *out,
                                       char *err, size_t err_len);
/* Drops the whole pages inside [p, p+len) from memory; a later read
 * faults them in again from the file. */
void ocv_file_release(const ocv_mapped_file *m, const uint8_t *p, size_t len);
void ocv_file_unmap(ocv_mapped_file *m);

typedef struct ocv_reader {
    const uint8_t *p;
    size_t len;
    size_t off;
    int err;
} ocv_reader;

void ocv_reader_init(ocv_reader *r, const uint8_t *p, size_t len);
size_t ocv_reader_remaining(const ocv_reader *r);
/* Returns a pointer to n borrowed bytes and advances, or NULL (sticky). */
const uint8_t *ocv_reader_take(ocv_reader *r, size_t n);
uint8_t ocv_reader_u8(ocv_reader *r);
/* A child reader over the next n bytes; the parent advances past them. */
ocv_reader ocv_reader_sub(ocv_reader *r, size_t n);
/* 0 when no read failed and every byte was consumed. */
int ocv_reader_finish(const ocv_reader *r);

#endif
