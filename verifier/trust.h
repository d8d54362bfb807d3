/*
 * trust.h - trust sources: every token key and every anchor belongs to
 * exactly one source, and a credential is verified only with the keys or
 * anchors of the source it claims (docs/trust.md).
 *
 * Sources (ocv_trust_kind in ocv.h):
 *   OIDC    an issuer (exact iss) and its keys: JWK Set, COSE_KeySet, one
 *           JWK or COSE_Key, PEM public keys.
 *   SPIFFE  a trust domain and its SPIFFE bundle (the JWK Set SPIRE writes
 *           with `bundle show -format spiffe`): "x509-svid" keys carry the
 *           anchor in x5c, "jwt-svid" keys must have a kid; keys of any
 *           other use are skipped and counted; spiffe_sequence and
 *           spiffe_refresh_hint are kept.
 *   CA      PEM anchors (files or directories) for certificates without a
 *           SPIFFE ID.
 *   UNNAMED the old anchors / jwks / cose_keys: one source vouching for
 *           any issuer, as before trust sources existed.
 *
 * Selection (which source a credential claims):
 *   token:  the OIDC source whose issuer is the token's iss; else, when sub
 *           is a SPIFFE ID, the SPIFFE source of its trust domain (a
 *           JWT-SVID: iss optional, aud required); else the unnamed source.
 *   X.509:  a leaf with a SPIFFE ID: the SPIFFE source of its trust domain,
 *           else the unnamed source; any other leaf: the CA sources and the
 *           unnamed source, in configuration order.
 * When the claimed source cannot vouch but another source's key (or kid)
 * or anchor does, the answer is OCV_TRUST_SOURCE_MISMATCH: a key of issuer
 * A never grants issuer B's authority.
 *
 * What it does not do: fetch bundles (SPIFFE bundle endpoints), or keep a
 * bundle's sequence across processes (rollback is refused on reload,
 * against the configuration in force).
 *
 * Ownership: ocv_trust owns its sources, their keys and anchors; _free
 * releases and zeroises. Read-only after load: any number of threads may
 * verify with one ocv_trust.
 */
#ifndef OCV_VERIFIER_TRUST_H
#define OCV_VERIFIER_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "base/claims.h"
#include "ocv.h"
#include "verifier/keyset.h"
#include "verifier/sigcache.h"
#include "verifier/token.h"
#include "verifier/x509.h"

/* A bundle or anchors directory holds at most this many anchors: one
 * authority with a few rotations, never a public CA store. */
#define OCV_MAX_SOURCE_ANCHORS 64
/* Files read from one anchors directory. */
#define OCV_MAX_DIR_FILES 64

typedef struct ocv_trust_source {
    char name[OCV_MAX_SOURCE_NAME_BYTES + 1]; /* "" for the unnamed source */
    ocv_trust_kind kind;
    char issuer[OCV_MAX_ISSUER_BYTES + 1];       /* OIDC */
    char trust_domain[OCV_MAX_ISSUER_BYTES + 1]; /* SPIFFE: "spiffe://td" */
    ocv_keyset keys;                             /* OIDC, jwt-svid, unnamed */
    ocv_x509_anchors anchors;                    /* CA, x509-svid, unnamed */
    int has_sequence;
    uint64_t sequence;
    int64_t refresh_hint;
    size_t skipped_keys;
    char note[256];
} ocv_trust_source;

typedef struct ocv_trust {
    ocv_trust_source *sources;
    size_t count;
} ocv_trust;

void ocv_trust_init(ocv_trust *trust);
void ocv_trust_free(ocv_trust *trust);

/*
 * Loads every source of the configuration (and the unnamed source of the
 * old paths). prev, when not NULL, is the trust in force: a SPIFFE bundle
 * whose spiffe_sequence is lower than the one in force for its trust
 * domain is refused (rollback). Reasons: OCV_OK; OCV_CONFIG_INVALID (err
 * names the source, the file and why: duplicate names, a bad trust
 * domain, a jwt-svid key without kid, a rollback, old paths combined with
 * sources...); OCV_TOO_LARGE; OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_trust_load(ocv_trust *out, const ocv_config *config,
                                         const ocv_trust *prev, char *err, size_t err_len);

/*
 * Verifies a parsed token's signature with the keys of the source it
 * claims (see the header note). On OCV_OK *by is the source, key_sha256
 * the SPKI hash of the key, *cached whether the signature cache answered.
 * Reasons: OCV_OK; OCV_TRUST_SOURCE_MISMATCH; OCV_MALFORMED (a JWT-SVID
 * without aud); OCV_KEY_UNKNOWN (no source claimed, or no key of it);
 * OCV_ALG_NOT_ALLOWED; OCV_SIGNATURE_INVALID.
 */
OCV_MUST_CHECK ocv_reason ocv_trust_verify_token(const ocv_trust *trust, const ocv_token *token,
                                                 const ocv_claims *claims, ocv_sigcache *cache,
                                                 int *cached, uint8_t key_sha256[32],
                                                 const ocv_trust_source **by, char *detail,
                                                 size_t detail_len);

/*
 * Verifies a parsed chain against the anchors of the source it claims.
 * On OCV_OK *by is the source and the chain's path and claims are filled
 * as ocv_x509_verify_chain fills them. Reasons: those of
 * ocv_x509_verify_chain, and OCV_TRUST_SOURCE_MISMATCH.
 */
OCV_MUST_CHECK ocv_reason ocv_trust_verify_chain(const ocv_trust *trust, ocv_x509_chain *chain,
                                                 const ocv_x509_options *options,
                                                 ocv_claims *claims, const ocv_trust_source **by,
                                                 char *detail, size_t detail_len);

/*
 * Parses a SPIFFE bundle into *s (initialised by the caller with its keys
 * and anchors empty; released with ocv_trust_free of its trust or by
 * freeing keys and anchors). Reasons: OCV_OK; OCV_CONFIG_INVALID (err: the
 * key, by index, use and kid, and why); OCV_TOO_LARGE; OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_trust_bundle_parse(ocv_trust_source *s, const uint8_t *data,
                                                 size_t len, char *err, size_t err_len);

/* "oidc", "spiffe", "ca" or "unnamed". */
const char *ocv_trust_kind_name(ocv_trust_kind kind);

/* The info `ocv trust status` prints about one source. */
void ocv_trust_source_info(const ocv_trust_source *source, ocv_trust_info *out);

#endif
