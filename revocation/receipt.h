/*
 * receipt.h - sync receipts: a device's signed statement of the
 * revocation state it holds, so the control plane confirms that a
 * revocation reached the device instead of trusting that a file was
 * copied (docs/formats/receipt.md).
 *
 *   receipt = COSE_Sign1(kid = device id, payload = {
 *     1 => tstr,            ; device id
 *     2 => tstr,            ; authority id
 *     3 => uint,            ; sequence applied
 *     4 => bstr .size 32,   ; state digest (LtHash16)
 *     5 => uint,            ; applied_at
 *     6 => uint,            ; clock floor
 *     7 => uint,            ; issued_at: when the receipt was made
 *     ? 8 => tstr,          ; nonce: the control plane's challenge
 *     ? 9 => uint,          ; audit log head: record count   } both or
 *     ? 10 => bstr .size 32 ; audit log head: last hash      } neither
 *   })
 *
 * Keys 1..7 are always present, in order; 8..10 follow in order when
 * present. Receipts made before 8..10 existed decode unchanged (a map of
 * 7), so they carry no nonce and no audit head: a verifier that asks for
 * a nonce refuses them.
 *
 * Ownership: a decoded ocv_receipt borrows its strings from the payload.
 */
#ifndef OCV_REVOCATION_RECEIPT_H
#define OCV_REVOCATION_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ocv.h"
#include "revocation/digest.h"
#include "revocation/store.h"
#include "verifier/pkey.h"

typedef struct ocv_receipt {
    const char *device_id;
    size_t device_id_len;
    const char *authority;
    size_t authority_len;
    int64_t sequence;
    uint8_t state_digest[OCV_STATE_DIGEST_BYTES];
    int64_t applied_at, clock_floor, issued_at;
    const char *nonce; /* NULL when the receipt carries none */
    size_t nonce_len;
    int has_audit_head; /* 1: audit_count and audit_head are set */
    int64_t audit_count;
    uint8_t audit_head[32];
} ocv_receipt;

/* A challenge is an opaque string the control plane picked. */
#define OCV_MAX_RECEIPT_NONCE_BYTES 128

/* What a receipt may carry besides the state (all optional). */
typedef struct ocv_receipt_extras {
    const char *nonce; /* NULL: none; 1..OCV_MAX_RECEIPT_NONCE_BYTES bytes */
    int has_audit_head;
    int64_t audit_count;
    uint8_t audit_head[32];
} ocv_receipt_extras;

/* Makes a signed receipt of one authority's state in the store; extras
 * may be NULL. Reasons: OCV_OK, OCV_BUNDLE_AUTHORITY_UNKNOWN,
 * OCV_MALFORMED (a nonce of the wrong size), OCV_INTERNAL_ERROR. */
OCV_MUST_CHECK ocv_reason ocv_receipt_create(ocv_store *store, const char *authority,
                                             const char *device_id, const ocv_pkey *device_key,
                                             int64_t now, const ocv_receipt_extras *extras,
                                             ocv_bytes *out);

/* Decodes a receipt's payload (no signature check: for tests and fuzzing;
 * views into payload). OCV_OK or OCV_MALFORMED; *out cleared on failure. */
OCV_MUST_CHECK ocv_reason ocv_receipt_decode(const uint8_t *payload, size_t len, ocv_receipt *out);

/*
 * Verifies a receipt with the device's public key and decodes it (views
 * into bytes). Reasons: OCV_OK; OCV_MALFORMED; OCV_SIGNATURE_INVALID (the
 * signature does not verify with this key, whatever its type);
 * OCV_ALG_NOT_ALLOWED (the receipt names an algorithm outside the table).
 */
OCV_MUST_CHECK ocv_reason ocv_receipt_verify(const uint8_t *bytes, size_t len,
                                             const ocv_pkey *device_pub, ocv_receipt *out,
                                             char *detail, size_t detail_len);

#endif
