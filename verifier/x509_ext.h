/*
 * x509_ext.h - the certificate extensions ocv reads itself (RFC 5280 §4.2).
 *
 * What it does: mbedtls 2.28 parses basicConstraints, keyUsage,
 * extKeyUsage, subjectAltName and the policy OIDs; everything else that
 * path validation needs - authority/subject key identifiers,
 * nameConstraints, certificatePolicies, policyMappings, policyConstraints,
 * inhibitAnyPolicy, cRLDistributionPoints - is read here from the raw
 * extensions (crt->v3_ext) with the bounded reader, and a small DER
 * reader (ocv_der_next) that the name-constraint, policy and CRL modules
 * share.
 *
 * What it does not do: interpret the values (x509_name.c, x509_policy.c
 * and x509_path.c do), or accept an unknown critical extension:
 * ocv_x509_ext_cb makes mbedtls refuse such a certificate at parse time.
 *
 * Ownership: every span borrows from the certificate's DER; valid as long
 * as the mbedtls_x509_crt is. Thread safety: no state.
 */
#ifndef OCV_VERIFIER_X509_EXT_H
#define OCV_VERIFIER_X509_EXT_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

#include "base/buf.h"
#include "ocv.h"

/* Policies and mappings per certificate: PKITS uses at most 4; real CAs
 * a handful. More is refused (MALFORMED), never truncated. */
#define OCV_X509_MAX_POLICIES 16
#define OCV_X509_MAX_MAPPINGS 16

typedef struct ocv_span {
    const uint8_t *p;
    size_t len;
} ocv_span;

typedef struct ocv_x509_ext {
    ocv_span ski;          /* subjectKeyIdentifier, p NULL when absent */
    ocv_span aki;          /* authorityKeyIdentifier keyIdentifier */
    int has_nc;            /* nameConstraints present */
    ocv_span nc_permitted; /* content of permittedSubtrees (GeneralSubtree...) */
    ocv_span nc_excluded;  /* content of excludedSubtrees */
    int has_policies;      /* certificatePolicies present */
    size_t policy_count;
    ocv_span policies[OCV_X509_MAX_POLICIES]; /* OID contents */
    size_t mapping_count;
    ocv_span map_issuer[OCV_X509_MAX_MAPPINGS];
    ocv_span map_subject[OCV_X509_MAX_MAPPINGS];
    int require_explicit; /* policyConstraints, -1 when absent */
    int inhibit_mapping;  /* policyConstraints, -1 when absent */
    int inhibit_any;      /* inhibitAnyPolicy SkipCerts, -1 when absent */
    ocv_span crldp;       /* content of cRLDistributionPoints, p NULL when absent */
    int any_in_mapping;   /* anyPolicy mapped from or to (RFC 5280 §6.1.4 (a)) */
} ocv_x509_ext;

/* The anyPolicy OID content (2.5.29.32.0). */
extern const ocv_span OCV_ANY_POLICY;

/*
 * Reads one DER TLV with a single-byte tag and a definite length of at
 * most 3 length octets: *tag, and content as a child reader. 0 on
 * success; -1 (and r's sticky error) otherwise.
 */
OCV_MUST_CHECK int ocv_der_next(ocv_reader *r, uint8_t *tag, ocv_reader *content);

/* Equal spans (public data: memcmp). */
int ocv_span_eq(ocv_span a, ocv_span b);

/*
 * The extension callback for mbedtls_x509_crt_parse_der_with_ext_cb:
 * accepts the extensions this module reads, refuses any other critical one.
 */
int ocv_x509_ext_cb(void *ctx, mbedtls_x509_crt const *crt, mbedtls_x509_buf const *oid,
                    int critical, const unsigned char *p, const unsigned char *end);

/*
 * Reads the extensions of a parsed certificate. Reasons: OCV_OK;
 * OCV_MALFORMED (bad DER in an extension ocv reads, an extension twice,
 * more than the named limits, anyPolicy in a mapping).
 */
OCV_MUST_CHECK ocv_reason ocv_x509_ext_parse(const mbedtls_x509_crt *crt, ocv_x509_ext *out,
                                             char *detail, size_t detail_len);

/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OPTIONAL, ... }
 * at the reader (certificates and CRLs alike): 0 with *key_id set when
 * present (a view into the input), -1 when malformed. */
int ocv_x509_ext_parse_aki(ocv_reader *v, ocv_span *key_id);

#endif
