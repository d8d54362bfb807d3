/*
 * x509_crl.h - CRLs as PKIs issue them (RFC 5280 §5, §6.3): ocv's own
 * CRL parser and the per-certificate revocation algorithm behind
 * ocv_x509_check_crls (x509.h).
 *
 * What it does: parses CertificateList with the bounded DER reader
 * (mbedtls 2.28 refuses any critical CRL extension, so it cannot read the
 * CRLs real PKIs issue) and reads cRLNumber, deltaCRLIndicator,
 * issuingDistributionPoint (fullName or nameRelativeToCRLIssuer,
 * onlyContainsUserCerts/CACerts/AttributeCerts, onlySomeReasons,
 * indirectCRL), authorityKeyIdentifier, and per entry reasonCode and
 * certificateIssuer. A CRL with an unknown critical extension, or an entry
 * with one, is kept but marked unusable: certificates in its scope are
 * REVOCATION_MISSING (§5.2, §5.3: such a CRL must not be used).
 *
 * Checking one certificate follows §6.3.3: for each distribution point
 * of the certificate (or the implicit one: its issuer, all reasons), each
 * complete CRL in scope - issuer (or, for an indirect CRL, the DP's
 * cRLIssuer), IDP names against the DP's names, certificate kind - whose
 * signature verifies with the issuer's key or another current key of the
 * CRL issuer presented in the chain (itself issued by the verified path,
 * with cRLSign, and not revoked), adds its reasons to the mask; a current
 * delta CRL in the same scope whose base is not newer than the complete
 * CRL is applied (removeFromCRL unrevokes a hold). The certificate is
 * unrevoked only when the reasons cover all of them.
 *
 * What it does not do: fetch CRLs, check a CRL issuer's path beyond one
 * level, or use the freshestCRL pointer.
 *
 * Ownership: ocv_x509_crls owns every parsed CRL (a DER copy) and the
 * skipped-file records. Thread safety: read-only after loading.
 */
#ifndef OCV_VERIFIER_X509_CRL_H
#define OCV_VERIFIER_X509_CRL_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

#include "ocv.h"
#include "verifier/x509.h"
#include "verifier/x509_ext.h"

#define OCV_CRL_REASON_REMOVE_FROM_CRL 8
#define OCV_CRL_ALL_REASONS            0x1feu /* ReasonFlags bits 1..8 */

typedef struct ocv_x509_crl_entry {
    ocv_span serial;
    int reason;           /* CRLReason, -1 when absent */
    ocv_span cert_issuer; /* certificateIssuer in effect (GeneralNames content), p NULL: the CRL
                             issuer */
} ocv_x509_crl_entry;

typedef struct ocv_x509_crl {
    uint8_t *der; /* owned copy */
    size_t der_len;
    char file[256];
    ocv_span tbs, issuer, sig, number, base_number, aki;
    mbedtls_md_type_t md;
    mbedtls_pk_type_t pk;
    void *sig_opts; /* mbedtls-allocated for RSASSA-PSS */
    int version;    /* 1 or 2 */
    int64_t this_update, next_update;
    int has_next_update;
    int is_delta;
    int has_idp;
    ocv_span idp_full_names; /* fullName GeneralNames content */
    ocv_span idp_relative;   /* nameRelativeToCRLIssuer: the RDN's content */
    int only_user, only_ca, only_attr, indirect;
    unsigned only_reasons; /* 0: all */
    int unusable;          /* an unknown critical (entry) extension */
    char why[96];
    ocv_x509_crl_entry *entries;
    size_t entry_count;
} ocv_x509_crl;

/*
 * Parses one DER CertificateList into crl (which then owns a copy).
 * OCV_OK; OCV_MALFORMED (detail says where); OCV_ALG_NOT_ALLOWED (a
 * signature algorithm mbedtls does not know, such as DSA);
 * OCV_INTERNAL_ERROR on allocation failure.
 */
OCV_MUST_CHECK ocv_reason ocv_x509_crl_parse(const uint8_t *der, size_t len, ocv_x509_crl *crl,
                                             char *detail, size_t detail_len);
void ocv_x509_crl_free(ocv_x509_crl *crl);

#endif
