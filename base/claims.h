/*
 * claims.h - the normalised claims every credential format fills.
 *
 * The X.509, JWT and CWT parsers each produce one ocv_claims; the later
 * pipeline stages (time, revocation, policy) read only this struct and so
 * never care which format arrived. Fixed-size fields: no heap, no owner.
 * A value that does not fit its field is TOO_LARGE at parse time, never
 * truncated.
 *
 * Until the signature stage passes, every field is "claimed": read from
 * bytes nobody has vouched for yet.
 */
#ifndef OCV_BASE_CLAIMS_H
#define OCV_BASE_CLAIMS_H

#include <stddef.h>
#include <stdint.h>

#include "ocv.h"

#define OCV_MAX_ISSUER_BYTES   512
#define OCV_MAX_KEY_ID_BYTES   256
#define OCV_MAX_TOKEN_ID_BYTES 256
#define OCV_MAX_SERIAL_BYTES   20 /* RFC 5280 §4.1.2.2: at most 20 octets */
#define OCV_MAX_AUDIENCES      8
#define OCV_MAX_AUDIENCE_BYTES 256
#define OCV_MAX_PURPOSES       16
#define OCV_MAX_PURPOSE_BYTES  128

/* Signature algorithms, one id for JOSE, COSE and X.509 alike. */
typedef enum ocv_alg {
    OCV_ALG_NONE = 0, /* unknown or not yet read */
    OCV_ALG_ES256,
    OCV_ALG_ES384,
    OCV_ALG_ES512,
    OCV_ALG_RS256,
    OCV_ALG_RS384,
    OCV_ALG_RS512,
    OCV_ALG_PS256,
    OCV_ALG_PS384,
    OCV_ALG_PS512,
    OCV_ALG_EDDSA
} ocv_alg;

/* Where the workload identity came from; only OCV_IDENTITY_SPIFFE is
 * ever matched against SPIFFE rules or entries (base/canon.h). */
typedef enum ocv_identity_kind {
    OCV_IDENTITY_NONE = 0,
    OCV_IDENTITY_URI,    /* an X.509 URI SAN, before it is settled */
    OCV_IDENTITY_SPIFFE, /* a valid SPIFFE ID (settled) */
    OCV_IDENTITY_DNS,    /* a dNSName by identity_fallback (settled to lower case) */
    OCV_IDENTITY_CN,     /* a subject CN by identity_fallback (settled to lower case) */
    OCV_IDENTITY_NAME,   /* pki identity: a DN or email SAN, as printed */
    OCV_IDENTITY_TOKEN   /* a token's sub that is no SPIFFE ID */
} ocv_identity_kind;

/* One certificate of a verified path, as revocation entries name it. */
typedef struct ocv_cert_ref {
    char serial[2 * OCV_MAX_SERIAL_BYTES + 1]; /* canonical serial text; "" for the anchor */
    char issuer_key_sha256[65];                /* SPKI hash of its issuer; "" for the anchor */
    char key_sha256[65];                       /* SPKI hash of its own key */
} ocv_cert_ref;

#define OCV_MAX_PATH_REFS 10 /* OCV_MAX_CHAIN_LEN certificates + anchor + slack */

typedef struct ocv_claims {
    ocv_credential_type type;
    ocv_alg alg;

    /* X.509: issuer DN as text; tokens: iss. */
    char issuer[OCV_MAX_ISSUER_BYTES + 1];
    /* The workload identity: the URI SAN, or sub; and where it came from. */
    char subject[OCV_MAX_IDENTITY_BYTES + 1];
    ocv_identity_kind subject_kind;
    size_t subject_td_len; /* SPIFFE: bytes of "spiffe://td" (set when settled) */
    /* Tokens: kid from the header; X.509: SHA-256 hex of the leaf's SPKI. */
    char key_id[OCV_MAX_KEY_ID_BYTES + 1];
    /* Tokens: jti / cti (cti as lower-case hex). */
    char token_id[OCV_MAX_TOKEN_ID_BYTES + 1];
    /* X.509: the serial number as the DER integer's content bytes. */
    uint8_t serial[OCV_MAX_SERIAL_BYTES];
    size_t serial_len;

    /* Validity; a has_ flag says whether the claim was present. */
    int64_t issued_at;  /* iat; X.509: notBefore */
    int64_t not_before; /* nbf; X.509: notBefore */
    int64_t expires_at; /* exp; X.509: notAfter */
    int has_issued_at, has_not_before, has_expires_at;

    char audiences[OCV_MAX_AUDIENCES][OCV_MAX_AUDIENCE_BYTES + 1];
    size_t audience_count;
    char purposes[OCV_MAX_PURPOSES][OCV_MAX_PURPOSE_BYTES + 1];
    size_t purpose_count;

    /* X.509: SHA-256 (hex) of the issuing CA's SubjectPublicKeyInfo, which
     * names the issuer for revocation entries; and of the trust anchor the
     * chain ends at, with the anchor's subject DN, which policy rules name. */
    char issuer_key_sha256[65];
    char anchor_key_sha256[65];
    char anchor_name[OCV_MAX_ISSUER_BYTES + 1];

    /* Filled once the signature verified, for revocation: the SHA-256
     * (hex) of the SPKI of the key that verified a token, and for X.509
     * the verified path, leaf first, anchor last. */
    char verified_key_sha256[65];
    ocv_cert_ref path[OCV_MAX_PATH_REFS];
    size_t path_len;

    /* Proof of possession (RFC 7800 cnf, RFC 8747 for CWTs): a presented
     * certificate (x5t#S256) or key (jkt; a cnf jwk or COSE_Key is reduced
     * to its RFC 7638 thumbprint). has_cnf: a cnf claim was present at all;
     * cnf_unsupported names a confirmation method ocv cannot verify (kid,
     * jku, x5t, an encrypted key, an empty cnf...): such a credential is
     * denied POP_UNSUPPORTED whatever the policy says. */
    uint8_t cnf_x5t_s256[32];
    int has_cnf_x5t_s256;
    uint8_t cnf_jkt[32];
    int has_cnf_jkt;
    int has_cnf;
    char cnf_unsupported[48];

    /* Filled by the signature stage (verifier/trust.h): the trust source
     * that vouched, by name ("" for the unnamed source of the old flags),
     * its kind, and for a SPIFFE source its trust domain. */
    char trust_source[OCV_MAX_SOURCE_NAME_BYTES + 1];
    ocv_trust_kind trust_kind;
    char trust_domain[OCV_MAX_ISSUER_BYTES + 1];
} ocv_claims;

void ocv_claims_init(ocv_claims *claims);

/* The JOSE name of an algorithm ("ES256"), or "none". */
const char *ocv_alg_name(ocv_alg alg);

#endif
