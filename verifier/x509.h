/*
 * x509.h - certificate chains and CRLs: the entry points the pipeline uses.
 *
 * What it does: parses a presented chain (leaf plus intermediates, PEM or
 * concatenated DER, in any order; mbedtls 2.28 parses, with the extension
 * callback of x509_ext.h), extracts the workload identity (SPIFFE rules,
 * or a generic PKI identity) and the normalised claims, builds and
 * validates the path to a trust anchor at the request's evaluation time
 * (x509_path.h: RFC 5280 §6.1 with name constraints and certificate
 * policies), applies the leaf rules, and checks the verified path against
 * CRLs (x509_crl.h: distribution points, delta and indirect CRLs).
 *
 * What it does not do: fetch anything (AIA, OCSP, CRL distribution
 * points), DSA or Ed25519 certificates, or trust a leaf that is itself an
 * anchor.
 *
 * Time: every validity window is checked by ocv against the request's
 * evaluation time with the configured skew; mbedtls's wall-clock checks
 * are never used.
 *
 * Ownership: ocv_x509_anchors, ocv_x509_crls and ocv_x509_chain own
 * their objects; _free releases them and leaves the struct reusable.
 * Loaded anchors and CRLs are read-only afterwards and may be shared by
 * any number of threads (anchor keys are precomputed at load so that
 * verification never writes to them). An ocv_x509_chain belongs to one
 * request.
 */
#ifndef OCV_VERIFIER_X509_H
#define OCV_VERIFIER_X509_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "base/claims.h"
#include "base/limits.h"
#include "ocv.h"
#include "verifier/sigcache.h"
#include "verifier/x509_policy.h"

typedef struct ocv_x509_options {
    int64_t at;                 /* evaluation time, UNIX seconds */
    int64_t skew;               /* tolerated clock skew, seconds */
    ocv_eku leaf_eku;           /* required EKU when the leaf has one */
    unsigned identity_fallback; /* OCV_IDENTITY_* bits */
    /* Appended with ocv's own path validation (x509_path.h). */
    const ocv_x509_policy_init *policy; /* NULL: {anyPolicy}, no flags */
    int anchor_constraints;             /* apply anchors' nameConstraints */
    ocv_sigcache *sig_cache;            /* CA and CRL signatures verified before; NULL: none */
} ocv_x509_options;

/* Anchors per configuration and anchor files per directory: a system CA
 * directory holds a few hundred; the bound keeps loading finite. */
#define OCV_MAX_ANCHORS      4096
#define OCV_MAX_ANCHOR_FILES 1024

typedef struct ocv_x509_anchors {
    mbedtls_x509_crt certs;
    size_t count;
    size_t skipped;    /* certificates that did not parse, left out */
    char problem[320]; /* the first of them: file and why */
} ocv_x509_anchors;

/* A CRL file that could not be used: which file, why, and whose
 * certificates it would cover. */
#define OCV_X509_MAX_SKIPPED_CRLS 32
typedef struct ocv_x509_skipped_crl {
    char file[256];
    char why[128];
    uint8_t *issuer; /* DER Name, heap */
    size_t issuer_len;
} ocv_x509_skipped_crl;

struct ocv_x509_crl; /* one parsed CRL: verifier/x509_crl.h */

typedef struct ocv_x509_crls {
    struct ocv_x509_crl *list; /* heap, list_count parsed CRLs */
    size_t list_count, list_cap;
    size_t count; /* files loaded */
    ocv_x509_skipped_crl skipped[OCV_X509_MAX_SKIPPED_CRLS];
    size_t skipped_count;
} ocv_x509_crls;

typedef struct ocv_x509_chain {
    mbedtls_x509_crt certs; /* leaf first, then intermediates in path order */
    size_t count;
    /* Filled by ocv_x509_verify_chain: the verified path, leaf at [0],
     * trust anchor last. Pointers borrow from certs and the anchors. */
    const mbedtls_x509_crt *path[OCV_MAX_CHAIN_LEN + 2];
    size_t path_len;
} ocv_x509_chain;

void ocv_x509_anchors_init(ocv_x509_anchors *anchors);
void ocv_x509_anchors_free(ocv_x509_anchors *anchors);
/*
 * Loads trust anchors: a file (PEM blocks with any text between them, or
 * DER certificates back to back) or a directory of such files (*.pem,
 * *.crt, *.cer, *.der, read in name order). Any number up to
 * OCV_MAX_ANCHORS. A certificate that does not parse is left out and
 * counted (anchors->skipped, anchors->problem; err describes it even on
 * OCV_OK); a file with no certificate at all, or no anchor loaded, is
 * OCV_CONFIG_INVALID. Reasons: OCV_OK, OCV_CONFIG_INVALID, OCV_TOO_LARGE,
 * OCV_INTERNAL_ERROR; err says which file and why.
 */
OCV_MUST_CHECK ocv_reason ocv_x509_anchors_load(ocv_x509_anchors *anchors, const char *path,
                                                char *err, size_t err_len);
/* The same for one file's bytes held in memory (borrowed for the call);
 * name stands for the path in messages. */
OCV_MUST_CHECK ocv_reason ocv_x509_anchors_load_bytes(ocv_x509_anchors *anchors, const char *name,
                                                      const uint8_t *data, size_t len, char *err,
                                                      size_t err_len);

void ocv_x509_crls_init(ocv_x509_crls *crls);
void ocv_x509_crls_free(ocv_x509_crls *crls);
/*
 * Adds the CRLs of one PEM or DER file. A file that is read but cannot be
 * used (mbedtls refuses it: a critical extension it does not know, a DSA
 * signature) but whose issuer name can be read is not a configuration
 * error: it is recorded in crls->skipped with that name, OCV_OK is
 * returned and err says why it was skipped. A file that is not a CRL at
 * all stays OCV_CONFIG_INVALID. A certificate that such a CRL would cover is
 * then REVOCATION_MISSING (ocv_x509_check_crls). Reasons: OCV_OK;
 * OCV_CONFIG_INVALID (unreadable file, too many skipped files);
 * OCV_TOO_LARGE; OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_x509_crls_load(ocv_x509_crls *crls, const char *path, char *err,
                                             size_t err_len);

void ocv_x509_chain_init(ocv_x509_chain *chain);
void ocv_x509_chain_free(ocv_x509_chain *chain);

/*
 * Parses the leaf and the optional intermediates and fills the claims.
 * PEM input must be certificate blocks and whitespace only; DER input
 * must be whole certificates back to back. Intermediates are put in path
 * order by name, so the order they arrive in does not matter.
 * Reasons: OCV_OK; OCV_TOO_LARGE (more than OCV_MAX_CHAIN_LEN certificates,
 * an identity longer than its field); OCV_MALFORMED (not a certificate,
 * junk, truncated DER, an unsupported critical extension, more than one
 * URI SAN, no identity, a serial over 20 octets); OCV_CHAIN_INVALID (the
 * same certificate twice); OCV_UNSUPPORTED_FORMAT (neither PEM nor DER).
 */
OCV_MUST_CHECK ocv_reason ocv_x509_parse(const uint8_t *leaf, size_t leaf_len,
                                         const uint8_t *intermediates, size_t intermediates_len,
                                         const ocv_x509_options *options, ocv_x509_chain *out,
                                         ocv_claims *claims, char *detail, size_t detail_len);

/*
 * Builds and validates the path to an anchor at options->at
 * (x509_path.h) and applies the leaf rules. Fills chain->path (leaf at
 * [0], anchor last) and the anchor and issuer fields of claims. Reasons:
 * those of ocv_x509_path_build - OCV_ALG_NOT_ALLOWED (SHA-1 or weaker,
 * RSA under 2048 bits, a curve outside P-256/384/521); OCV_MALFORMED (a
 * serial RFC 5280 forbids); OCV_CHAIN_INVALID (not a CA, not v3, path
 * length, key usage, EKU, name constraints, policies); OCV_EXPIRED;
 * OCV_NOT_YET_VALID; OCV_SIGNATURE_INVALID (the issuers found did not
 * sign); OCV_CHAIN_UNTRUSTED (no path to an anchor) - then the leaf
 * rules: OCV_CHAIN_INVALID (the leaf is a CA or an anchor, key usage,
 * wrong EKU); OCV_OK.
 */
OCV_MUST_CHECK ocv_reason ocv_x509_verify_chain(ocv_x509_chain *chain,
                                                const ocv_x509_anchors *anchors,
                                                const ocv_x509_options *options, ocv_claims *claims,
                                                char *detail, size_t detail_len);

/*
 * Checks a verified chain (chain->path) against CRLs at options->at. A
 * CRL applies to a certificate when its issuer name is the certificate
 * issuer's subject (RFC 5280 §7.1) and its signature verifies with that
 * issuer's key. A skipped CRL file naming the issuer makes the
 * certificate REVOCATION_MISSING (detail names the file) unless a usable
 * CRL lists it (REVOKED).
 * Reasons: OCV_REVOKED (a listed serial, whatever the CRL's age);
 * OCV_REVOCATION_STALE (the only applicable CRLs are past nextUpdate or
 * before thisUpdate); OCV_REVOCATION_MISSING (no applicable CRL for the
 * leaf's issuer, including a CRL in the issuer's name with a bad
 * signature); OCV_ALG_NOT_ALLOWED (CRL signed with a weak hash); OCV_OK.
 * With no CRLs loaded at all the answer is OCV_OK.
 */
OCV_MUST_CHECK ocv_reason ocv_x509_check_crls(const ocv_x509_chain *chain,
                                              const ocv_x509_crls *crls,
                                              const ocv_x509_options *options, char *detail,
                                              size_t detail_len);

/*
 * Says which loaded CRL files are not used and why (skipped at load, or
 * parsed but carrying an unknown critical extension), for --explain:
 * "; CRL F skipped: why" per file, appended to out. Returns how many.
 */
size_t ocv_x509_crls_describe_problems(const ocv_x509_crls *crls, char *out, size_t out_len);

/*
 * 1 when sig is an ECDSA-Sig-Value in strict DER (RFC 5480 §2.2, X.690
 * §10): SEQUENCE { INTEGER r, INTEGER s }, minimal lengths, minimal
 * non-negative integers, nothing after. mbedtls 2.28 also accepts BER
 * forms of the same (r, s); ocv refuses them so a signature has exactly
 * one encoding.
 */
int ocv_x509_ecdsa_der_is_strict(const uint8_t *sig, size_t len);

/*
 * Checks one X.509 signature (certificate or CRL) over tbs with the
 * issuer's key (its SubjectPublicKeyInfo DER), through the one signature
 * seam (verifier/sigalg.h: strict DER for ECDSA, this build's backend).
 * cache (NULL: none) remembers successes: pass it for CA certificate and
 * CRL signatures, which recur on every decision, not for leaves. Every
 * certificate and CRL signature ocv checks goes through here. OCV_OK,
 * OCV_SIGNATURE_INVALID, or OCV_ALG_NOT_ALLOWED for a hash or key ocv
 * does not accept.
 */
OCV_MUST_CHECK ocv_reason ocv_x509_check_signature(mbedtls_pk_type_t sig_pk, const void *sig_opts,
                                                   mbedtls_md_type_t md_type,
                                                   const mbedtls_x509_buf *issuer_spki,
                                                   const uint8_t *tbs, size_t tbs_len,
                                                   const uint8_t *sig, size_t sig_len,
                                                   ocv_sigcache *cache);

/* Converts an mbedtls time (UTC) to UNIX seconds. */
int64_t ocv_x509_time_to_unix(const mbedtls_x509_time *t);

/* Whether the bytes look like a certificate (PEM header or DER SEQUENCE). */
int ocv_x509_sniff(const uint8_t *data, size_t len);

#endif
