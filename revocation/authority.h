/*
 * authority.h - the revocation authority's side: keep the authority's own
 * state (an ocv store holding only its own entries, pinned to its own
 * key) and build signed bundles from it.
 *
 * A build stages the changes inside one transaction, signs the bundle,
 * and leaves the transaction open: the caller writes the bundle out and
 * only then commits (ocv_store_commit), or rolls back, so the authority's
 * sequence never moves past a bundle that was not written.
 *
 * Ownership: *out is a new owned buffer. Not thread-safe (one writer).
 */
#ifndef OCV_REVOCATION_AUTHORITY_H
#define OCV_REVOCATION_AUTHORITY_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "ocv.h"
#include "revocation/bundle.h"
#include "revocation/store.h"
#include "verifier/pkey.h"

typedef struct ocv_build_request {
    const char *authority;
    const ocv_pkey *key; /* the currently pinned private key */
    ocv_bundle_kind kind;
    const ocv_entry *added;
    size_t added_count;
    const ocv_entry *removed;
    size_t removed_count;
    int64_t issued_at;
    int64_t next_update;
    const uint8_t *rotate_to; /* SPKI DER of the next key, or NULL */
    size_t rotate_to_len;
    int prune; /* 1: also remove entries expired at issued_at */
} ocv_build_request;

/*
 * Opens (creating) the authority's state, pinning the key's public half
 * on first use. A state pinned to another key, or to another authority
 * id, is refused (OCV_CONFIG_INVALID).
 */
OCV_MUST_CHECK ocv_reason ocv_authority_open(const char *path, const char *authority,
                                             const ocv_pkey *key, ocv_store **out, char *err,
                                             size_t err_len);

/*
 * Stages and signs the next bundle; see the header note on the open
 * transaction. With prune, every entry whose expiry has passed at
 * issued_at is removed too (and listed among a delta's removals), so
 * devices drop it in step and the digests still agree. Reasons: OCV_OK; OCV_CONFIG_INVALID
 * (next_update not after issued_at, issued_at before the previous bundle); OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_authority_build(ocv_store *state, const ocv_build_request *req,
                                              ocv_bytes *out, int64_t *sequence, char *err,
                                              size_t err_len);

#endif
