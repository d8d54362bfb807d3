/*
 * bundle.h - revocation bundles: the signed payload's codec and the
 * device-side apply (docs/formats/revocation-bundle.md).
 *
 * A bundle is a COSE_Sign1 whose payload is this CBOR map (CDDL):
 *
 *   bundle = {
 *     1 => tstr,            ; authority id
 *     2 => uint,            ; sequence, strictly increasing per authority
 *     3 => uint,            ; issued_at, UNIX seconds
 *     4 => uint,            ; next_update, UNIX seconds
 *     5 => 0 / 1,           ; kind: 0 full, 1 delta
 *     6 => uint,            ; base sequence (delta; 0 for full)
 *     7 => bstr .size 32,   ; base state digest (delta; zeros for full)
 *     8 => [* entry],       ; entries added (full: the whole state)
 *     9 => [* entry],       ; entries removed (full: empty)
 *     10 => bstr .size 32,  ; state digest after applying (LtHash16)
 *     ? 11 => bstr,         ; rotation: the next authority key (SPKI DER)
 *   }
 *   entry = [type: tstr, issuer: tstr, value: tstr, before: uint, expires: uint]
 *
 * Keys appear once each in this order; nothing else is accepted.
 *
 * Ownership: a decoded ocv_bundle borrows every string from the payload
 * bytes it was decoded from; its entry arrays are owned and freed by
 * ocv_bundle_free.
 */
#ifndef OCV_REVOCATION_BUNDLE_H
#define OCV_REVOCATION_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ocv.h"
#include "revocation/digest.h"
#include "revocation/store.h"

/* Ten million entries per bundle: the store's benchmark size. */
#define OCV_MAX_BUNDLE_ENTRIES 10000000u
#define OCV_MAX_BUNDLE_BYTES   (1024u * 1024u * 1024u)

typedef enum ocv_bundle_kind { OCV_BUNDLE_FULL = 0, OCV_BUNDLE_DELTA = 1 } ocv_bundle_kind;

typedef struct ocv_bundle {
    const char *authority; /* view */
    size_t authority_len;
    int64_t sequence, issued_at, next_update;
    ocv_bundle_kind kind;
    int64_t base_sequence;
    uint8_t base_digest[OCV_STATE_DIGEST_BYTES];
    ocv_entry *added;
    size_t added_count;
    ocv_entry *removed;
    size_t removed_count;
    uint8_t state_digest[OCV_STATE_DIGEST_BYTES];
    const uint8_t *new_key; /* view; NULL when no rotation */
    size_t new_key_len;
} ocv_bundle;

void ocv_bundle_init(ocv_bundle *b);
void ocv_bundle_free(ocv_bundle *b);

/* Encodes the payload. OCV_INTERNAL_ERROR only on allocation failure. */
OCV_MUST_CHECK ocv_reason ocv_bundle_encode(const ocv_bundle *b, ocv_bytes *out);

/* Decodes a payload strictly. OCV_BUNDLE_MALFORMED with detail, or
 * OCV_OK. Strings in *out borrow from payload. */
OCV_MUST_CHECK ocv_reason ocv_bundle_decode(const uint8_t *payload, size_t len, ocv_bundle *out,
                                            char *detail, size_t detail_len);

/* What applying did. */
typedef struct ocv_apply_result {
    int applied; /* 1: the store changed; 0: refused or no-op */
    int no_op;   /* 1: this sequence was already applied */
    int64_t sequence;
    uint8_t state_digest[OCV_STATE_DIGEST_BYTES];
    size_t added, removed;
} ocv_apply_result;

/*
 * Applies a decoded bundle whose signature the caller has verified with
 * the authority's pinned key. Every check of docs/formats/revocation-
 * bundle.md runs first; the change happens inside one transaction that
 * is rolled back on any failure, leaving the store exactly as it was.
 * Reasons: OCV_OK (applied, or a no-op re-apply of the current sequence);
 * OCV_BUNDLE_AUTHORITY_UNKNOWN; OCV_BUNDLE_ROLLBACK; OCV_BUNDLE_FROM_FUTURE;
 * OCV_BUNDLE_EXPIRED; OCV_BUNDLE_CHAIN_BROKEN; OCV_BUNDLE_DIGEST_MISMATCH;
 * OCV_INTERNAL_ERROR (the store failed; nothing changed).
 */
OCV_MUST_CHECK ocv_reason ocv_bundle_apply_verified(ocv_store *store, const ocv_bundle *b,
                                                    int64_t at, int64_t skew,
                                                    ocv_apply_result *result, char *detail,
                                                    size_t detail_len);

/*
 * Verifies and applies a signed bundle (COSE_Sign1 whose protected kid is
 * the authority id) against the authority's pinned key.
 * Reasons: as ocv_bundle_apply_verified, plus OCV_BUNDLE_MALFORMED (not a
 * COSE_Sign1, no kid, payload for another authority) and
 * OCV_BUNDLE_SIGNATURE_INVALID.
 */
OCV_MUST_CHECK ocv_reason ocv_bundle_apply_signed(ocv_store *store, const uint8_t *bytes,
                                                  size_t len, int64_t at, int64_t skew,
                                                  ocv_apply_result *result, char *detail,
                                                  size_t detail_len);

/*
 * Applies removals then additions to an authority's entries inside the
 * caller's transaction, keeping a->lthash and a->entry_count exact (a
 * full kind clears the entries first). Shared by the device (applying a
 * bundle) and the authority (building one), so both compute the digest
 * the same way.
 */
OCV_MUST_CHECK ocv_reason ocv_bundle_stage(ocv_store *store, ocv_authority_state *a,
                                           ocv_bundle_kind kind, const ocv_entry *removed,
                                           size_t removed_count, const ocv_entry *added,
                                           size_t added_count, size_t *removed_done,
                                           size_t *added_done);

/* A signed bundle file is at most this large (the payload cap plus the
 * COSE framing); a larger file is refused before it is read. */
#define OCV_MAX_BUNDLE_FILE_BYTES (OCV_MAX_BUNDLE_BYTES + 64u * 1024u)

/*
 * ocv_bundle_apply_signed for a file, with memory before authentication
 * independent of the bundle's size: the file is mapped read-only, never
 * copied; an ECDSA bundle's signature is checked over a streamed digest
 * while the pages already hashed are dropped (an EdDSA bundle needs its
 * Sig_structure whole: one copy). Reasons as ocv_bundle_apply_signed, plus
 * OCV_TOO_LARGE (over OCV_MAX_BUNDLE_FILE_BYTES, refused before reading)
 * and OCV_CONFIG_INVALID (the file cannot be opened; detail says why).
 */
OCV_MUST_CHECK ocv_reason ocv_bundle_apply_file(ocv_store *store, const char *path, int64_t at,
                                                int64_t skew, ocv_apply_result *result,
                                                char *detail, size_t detail_len);

#endif
