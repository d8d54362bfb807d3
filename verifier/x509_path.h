/*
 * x509_path.h - certification path building and RFC 5280 §6.1 validation.
 *
 * What it does: from a leaf, a pool of presented intermediates and the
 * trust anchors, builds candidate paths depth first - issuers found by
 * name (RFC 5280 §7.1 comparison), the ones whose subjectKeyIdentifier
 * matches the child's authorityKeyIdentifier tried first, each edge's
 * signature checked before going deeper - and validates each complete
 * path with the §6.1 state machine: validity at the request time with
 * skew, extendedKeyUsage of intermediates against the leaf's purpose,
 * basicConstraints and pathLenConstraint (self-issued certificates
 * not counted, §6.1.4 (l)), keyUsage keyCertSign, version 3 for CAs,
 * name constraints (x509_name.c; optionally the anchor's own, §6.1.1),
 * certificate policies (x509_policy.c), and algorithm policy (SHA-256 and
 * up, RSA 2048+, P-256/384/521). The first path that validates wins.
 *
 * What it does not do: revocation (x509_crl.c checks the chosen path),
 * leaf rules (SPIFFE or generic PKI; x509.c), or fetch anything.
 *
 * Work bound: at most OCV_X509_MAX_PATH_WORK candidate issuers are tried
 * per request and paths are at most OCV_MAX_CHAIN_LEN + 1 certificates
 * plus the anchor, so a bundle of hundreds of same-named CAs cannot make
 * building exponential; hitting the bound is CHAIN_UNTRUSTED.
 *
 * Reasons when no path validates, most specific first: the reason of the
 * first complete path that failed validation (CHAIN_INVALID, EXPIRED,
 * NOT_YET_VALID, ALG_NOT_ALLOWED, MALFORMED); SIGNATURE_INVALID when the
 * only issuers found did not sign; CHAIN_UNTRUSTED when no anchor is
 * reachable (or the work bound was hit).
 *
 * Ownership: path entries borrow from the inputs. Thread safety: no state.
 */
#ifndef OCV_VERIFIER_X509_PATH_H
#define OCV_VERIFIER_X509_PATH_H

#include <stddef.h>

#include <mbedtls/x509_crt.h>

#include "base/limits.h"
#include "ocv.h"
#include "verifier/sigcache.h"
#include "verifier/x509_policy.h"

/* Candidate issuers tried per request: PKITS needs under 10; a real
 * chain 1 to 3. 64 leaves room for cross-signed PKIs. */
#define OCV_X509_MAX_PATH_WORK 64
#define OCV_X509_MAX_PATH      (OCV_MAX_CHAIN_LEN + 2)

typedef struct ocv_x509_path_options {
    int64_t at, skew;
    const ocv_x509_policy_init *policy; /* NULL: {anyPolicy}, no flags */
    int anchor_constraints;             /* apply the anchor's nameConstraints */
    /* The leaf's required purpose (OCV_EKU_*): an intermediate with an
     * extendedKeyUsage that excludes it (and anyExtendedKeyUsage) cannot
     * be on the path, as CA/Browser and most validators read EKU. */
    ocv_eku eku;
    ocv_sigcache *sig_cache; /* CA signatures verified before; NULL: none */
} ocv_x509_path_options;

/*
 * Builds and validates. leaf is the first certificate; pool the list of
 * presented intermediates (may be NULL); anchors the anchor list. On OCV_OK
 * path[0] is the leaf and path[*len - 1] the anchor.
 */
OCV_MUST_CHECK ocv_reason ocv_x509_path_build(const mbedtls_x509_crt *leaf,
                                              const mbedtls_x509_crt *pool,
                                              const mbedtls_x509_crt *anchors,
                                              const ocv_x509_path_options *options,
                                              const mbedtls_x509_crt *path[OCV_X509_MAX_PATH],
                                              size_t *len, char *detail, size_t detail_len);

/*
 * §6.1 over one complete path (path[len - 1] the anchor; signatures are
 * not re-checked here: the builder checked every edge). Reasons as above.
 */
OCV_MUST_CHECK ocv_reason ocv_x509_path_validate(const mbedtls_x509_crt *const *path, size_t len,
                                                 const ocv_x509_path_options *options, char *detail,
                                                 size_t detail_len);

/* 1 when the certificate's subject and issuer are the same name. */
int ocv_x509_self_issued(const mbedtls_x509_crt *crt);

#endif
