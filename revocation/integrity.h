/*
 * integrity.h - the store proves its rows.
 *
 * What it does: shows that the revocation state on disk is the state the
 * authorities signed, so that an attacker who can write the store file
 * (but holds no authority key) cannot un-revoke anything by editing rows:
 *   - per authority: the LtHash recomputed from every entry row equals
 *     the stored digest, and the stored digest, sequence, issued_at and
 *     next_update are those of the last applied bundle, whose signature is
 *     verified again (the bundle is kept in the store as it arrived);
 *   - every row is in the canonical form lookups use (revocation/store.h:
 *     ocv_entry_check_canonical); a row in another form would be signed
 *     state that revokes nothing, so it fails the proof;
 *   - per imported CRL: the CRL kept as it arrived verifies with its
 *     issuer's key, and the rows are exactly its serials (crl_import.h).
 *
 * What it does not do: tell an older genuine copy of the whole store from
 * the current one (only receipts reveal that: docs/threat-model.md), or
 * prove the pinned authority keys themselves, which are as trustworthy as
 * the file that holds them.
 *
 * Cost: one pass over every row (the LtHash element of each) plus one
 * signature per authority and per CRL; docs/revocation.md gives figures.
 * Thread safety: uses the given handle only.
 */
#ifndef OCV_REVOCATION_INTEGRITY_H
#define OCV_REVOCATION_INTEGRITY_H

#include <stddef.h>

#include "ocv.h"
#include "revocation/store.h"

/* OCV_OK; OCV_BUNDLE_DIGEST_MISMATCH with detail naming the authority or
 * CRL and what differs; OCV_INTERNAL_ERROR when the store is unreadable. */
OCV_MUST_CHECK ocv_reason ocv_store_prove(ocv_store *store, char *detail, size_t detail_len);

#endif
