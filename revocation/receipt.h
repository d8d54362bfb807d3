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
 *   })
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
} ocv_receipt;

/* Makes a signed receipt of one authority's state in the store. Reasons:
 * OCV_OK, OCV_BUNDLE_AUTHORITY_UNKNOWN, OCV_INTERNAL_ERROR. */
OCV_MUST_CHECK ocv_reason ocv_receipt_create(ocv_store *store, const char *authority,
                                             const char *device_id, const ocv_pkey *device_key,
                                             int64_t now, ocv_bytes *out);

/*
 * Verifies a receipt with the device's public key and decodes it (views
 * into bytes). Reasons: OCV_OK, OCV_MALFORMED, OCV_SIGNATURE_INVALID,
 * OCV_ALG_NOT_ALLOWED.
 */
OCV_MUST_CHECK ocv_reason ocv_receipt_verify(const uint8_t *bytes, size_t len,
                                             const ocv_pkey *device_pub, ocv_receipt *out,
                                             char *detail, size_t detail_len);

#endif
