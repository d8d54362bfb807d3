/*
 * crl_import.h - CRLs into the revocation store: each CRL's signature is
 * verified against a trusted CA, its CRL number must not go backwards for
 * its issuer (rollback), and its serials replace that issuer's previous
 * CRL entries in one transaction, with its nextUpdate as freshness and
 * its thisUpdate raising the clock floor.
 *
 * Entries live under the pseudo-authority "crl:<issuer SPKI SHA-256 hex>"
 * as serial entries of that issuer, so decisions look them up exactly as
 * bundle entries.
 */
#ifndef OCV_REVOCATION_CRL_IMPORT_H
#define OCV_REVOCATION_CRL_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "ocv.h"
#include "revocation/store.h"
#include "verifier/x509.h"

typedef struct ocv_crl_import_result {
    char issuer[65]; /* SPKI SHA-256 hex of the issuing CA */
    char issuer_name[256];
    size_t serials;
    int64_t this_update, next_update;
} ocv_crl_import_result;

/*
 * Reasons: OCV_OK; OCV_BUNDLE_MALFORMED (not a CRL); OCV_CHAIN_UNTRUSTED
 * (no trusted CA of that name); OCV_BUNDLE_SIGNATURE_INVALID (signature,
 * or a CA not allowed to sign CRLs); OCV_ALG_NOT_ALLOWED (weak hash);
 * OCV_BUNDLE_ROLLBACK (a CRL number below the last imported, or the same
 * number with other content); OCV_BUNDLE_FROM_FUTURE; OCV_BUNDLE_EXPIRED;
 * OCV_INTERNAL_ERROR. The store is unchanged unless OCV_OK.
 */
OCV_MUST_CHECK ocv_reason ocv_crl_import(ocv_store *store, const ocv_x509_anchors *anchors,
                                         const uint8_t *data, size_t len, int64_t at, int64_t skew,
                                         ocv_crl_import_result *result, char *detail,
                                         size_t detail_len);

/*
 * ocv_crl_import for a CRL whose issuer is an intermediate CA rather than
 * a trust anchor: when no anchor has the CRL's issuer name, a certificate
 * of that name among intermediates (a list, may be NULL) is the issuer,
 * but only once it is a CA (basicConstraints cA) with a path to an anchor
 * that validates at `at` (x509_path.h: signatures, validity, CA rules,
 * algorithms). Reasons as ocv_crl_import, plus the path's: OCV_CHAIN_INVALID
 * (the issuer is no CA, or a CA rule fails), OCV_EXPIRED,
 * OCV_NOT_YET_VALID, OCV_SIGNATURE_INVALID, OCV_ALG_NOT_ALLOWED,
 * OCV_CHAIN_UNTRUSTED (no path). The store keeps the issuer's key as for
 * an anchor; later proofs (ocv_crl_prove) need no chain.
 */
OCV_MUST_CHECK ocv_reason ocv_crl_import_chain(ocv_store *store, const ocv_x509_anchors *anchors,
                                               const mbedtls_x509_crt *intermediates,
                                               const uint8_t *data, size_t len, int64_t at,
                                               int64_t skew, ocv_crl_import_result *result,
                                               char *detail, size_t detail_len);

/*
 * Proves an imported CRL at rest: the stored CRL verifies with the stored
 * issuer key, that key hashes to the issuer id, the record (thisUpdate,
 * nextUpdate, number) is the signed one, and the store's rows under
 * "crl:<issuer>" are exactly the serials it lists. OCV_OK,
 * OCV_BUNDLE_DIGEST_MISMATCH (detail says what differs), OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_crl_prove(ocv_store *store, const char *issuer, char *detail,
                                        size_t detail_len);

#endif
