/*
 * ocv.h - the public interface of libocv, the offline credential verifier.
 *
 * What it does: decides, without any network access, whether a credential
 * (an X.509 workload certificate chain, a JWT or a CWT) grants authority.
 * A decision is allow or deny with exactly one stable reason code
 * (ocv_reason), the workload identity, the matched policy rule and a human
 * detail line; on request, the list of checks that ran.
 *
 * It checks the credential's validity at the evaluation time, revocation
 * (CRLs and a local store fed by signed bundles) and a policy binding the
 * workload identity to its purposes.
 *
 * What it does not do: fetch anything (no OCSP, no AIA, no key discovery),
 * trust a signature alone, or fall back silently. Every opt-out
 * (no_policy, an identity fallback) is off by default and recorded in the
 * decision it affects.
 *
 * Ownership: ocv_open returns a context the caller frees with ocv_close.
 * Requests borrow their byte buffers for the duration of ocv_check only.
 * Decisions are plain values (fixed-size arrays, no heap), so they need no
 * free and can be copied.
 *
 * Thread safety: ocv_check may be called from any number of threads at once
 * on one context. ocv_reload may run concurrently with ocv_check: a check
 * that started before the swap finishes under the old configuration.
 * ocv_close must not race with any other call on the same context.
 */
#ifndef OCV_H
#define OCV_H

#include <stddef.h>
#include <stdint.h>

#include "ocv_reasons.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define OCV_MUST_CHECK __attribute__((warn_unused_result))
#else
#define OCV_MUST_CHECK
#endif

/* Only the functions of this header are exported from libocv.so. */
#if defined(__GNUC__) || defined(__clang__)
#define OCV_API __attribute__((visibility("default")))
#else
#define OCV_API
#endif

#define OCV_VERSION "0.1.0"

/* Reason codes: generated from OCV_REASON_LIST, numbers are stable. */
typedef enum ocv_reason {
#define OCV_REASON_ENUM(name, number, text, meaning) name = number,
    OCV_REASON_LIST(OCV_REASON_ENUM)
#undef OCV_REASON_ENUM
} ocv_reason;

/* "OK", "REVOKED", ...; "UNKNOWN" for a number outside the list. */
OCV_API const char *ocv_reason_name(ocv_reason reason);
/* One line for humans: "the credential is revoked". */
OCV_API const char *ocv_reason_meaning(ocv_reason reason);
/* Parses "REVOKED" back into OCV_REVOKED; returns -1 for an unknown name. */
OCV_API int ocv_reason_from_name(const char *name);

/* Which key purpose (X.509 extendedKeyUsage) a workload leaf must carry
 * when it has an EKU extension at all. */
typedef enum ocv_eku {
    OCV_EKU_CLIENT_AUTH = 0, /* default: workloads authenticate as clients */
    OCV_EKU_SERVER_AUTH = 1,
    OCV_EKU_ANY = 2
} ocv_eku;

/* Parses a key purpose as the configuration's "leaf_eku" and `ocv verify
 * --eku` both spell it: "client" or "clientAuth", "server" or "serverAuth",
 * "any". Returns 0 and sets *out, or -1 (and leaves *out) for anything else. */
OCV_API int ocv_eku_from_name(const char *name, ocv_eku *out);

/* Where the workload identity may come from when the leaf has no URI SAN.
 * The SPIFFE rule (exactly one URI SAN) is the only default. */
enum {
    OCV_IDENTITY_URI_ONLY = 0,
    OCV_IDENTITY_FALLBACK_DNS = 1 << 0,
    OCV_IDENTITY_FALLBACK_CN = 1 << 1,
    /* Generic PKI mode (not SPIFFE): no URI-SAN rule, the leaf may be a
     * CA. The identity is the first SAN (URI, DNS, email) with
     * PKI_SAN, else the subject DN (RFC 4514-like text) with PKI_SUBJECT. */
    OCV_IDENTITY_PKI_SUBJECT = 1 << 2,
    OCV_IDENTITY_PKI_SAN = 1 << 3
};
#define OCV_IDENTITY_PKI (OCV_IDENTITY_PKI_SUBJECT | OCV_IDENTITY_PKI_SAN)

#define OCV_MAX_CRL_FILES        32
#define OCV_MAX_INITIAL_POLICIES 8 /* certificate policies a configuration accepts */

/*
 * Trust sources (docs/trust.md): every token key and every anchor belongs
 * to exactly one source, and only the source a credential claims may
 * vouch for it.
 *   OIDC:   an issuer; a token verifies only with a key of the source whose
 *           issuer equals its iss. Files: JWK Set, COSE_KeySet, a single
 *           JWK or COSE_Key, PEM public keys.
 *   SPIFFE: a trust domain ("spiffe://example.org"); one SPIFFE bundle
 *           file (x509-svid anchors, jwt-svid keys, spiffe_sequence). An
 *           X.509-SVID verifies only against the anchors of the trust
 *           domain of its URI SAN, a JWT-SVID only with the keys of the
 *           trust domain of its sub.
 *   CA:     PEM anchors (files or directories) for certificates without a
 *           SPIFFE ID.
 * The old anchors_path / jwks_path / cose_keys_path form one unnamed
 * source that vouches for any issuer; they cannot be combined with
 * trust sources.
 */
typedef enum ocv_trust_kind {
    OCV_TRUST_UNNAMED = 0, /* the old flags: anchors, jwks, cose_keys */
    OCV_TRUST_OIDC = 1,
    OCV_TRUST_SPIFFE = 2,
    OCV_TRUST_CA = 3
} ocv_trust_kind;

#define OCV_MAX_TRUST_SOURCES      32
#define OCV_MAX_TRUST_SOURCE_FILES 8
#define OCV_MAX_SOURCE_NAME_BYTES  64

/*
 * A file's bytes held by the caller, for loading from memory (as libcurl's
 * CURLOPT_CAINFO_BLOB): read exactly as the file would be, never copied
 * beyond the call, at most 8 MiB. name stands for the file in messages
 * (NULL: "(memory)").
 */
typedef struct ocv_blob {
    const uint8_t *data;
    size_t len;
    const char *name;
} ocv_blob;

typedef struct ocv_trust_source_config {
    const char *name; /* [A-Za-z0-9._-], 1..64 bytes, unique */
    ocv_trust_kind kind;
    const char *issuer;       /* OIDC: the exact iss */
    const char *trust_domain; /* SPIFFE: "spiffe://td" */
    const char *files[OCV_MAX_TRUST_SOURCE_FILES];
    size_t file_count;
    /* Appended with loading from memory: the source's files as blobs
     * instead (a source takes files or blobs, not both). */
    const ocv_blob *blobs;
    size_t blob_count;
} ocv_trust_source_config;

/*
 * Configuration. Paths are read during ocv_open/ocv_reload only; the
 * struct and its strings may be freed as soon as that call returns.
 * Initialise with ocv_config_init, then set what you need.
 */
typedef struct ocv_config {
    const char *anchors_path;   /* PEM bundle of trust anchors */
    const char *jwks_path;      /* token issuer keys: a JWK Set */
    const char *cose_keys_path; /* token issuer keys: a COSE_KeySet */
    const char *crl_paths[OCV_MAX_CRL_FILES];
    size_t crl_count;
    const char *db_path;                /* the revocation store (SQLite) */
    const char *policy_path;            /* the policy file (docs/policy.md) */
    int no_policy;                      /* 1: check the credential alone */
    int64_t clock_skew_seconds;         /* default 60 */
    ocv_eku leaf_eku;                   /* default OCV_EKU_CLIENT_AUTH */
    unsigned identity_fallback;         /* OCV_IDENTITY_* bits, default none */
    int require_revocation;             /* 1: no revocation data denies */
    int64_t revocation_max_age_seconds; /* 0: data is fresh until next_update */
    /* Appended with the policy engine (append only, never reorder). */
    const char *audience;            /* this service's name; NULL: none */
    int64_t max_ttl_ceiling_seconds; /* >0: caps every policy max_ttl; 0: none */
    size_t signature_cache_entries;  /* verified token signatures kept; default
                                        4096, 0: no cache */
    /* Appended with ocv's own X.509 path validation (docs/x509.md). The
     * RFC 5280 §6.1.1 inputs; defaults: {anyPolicy}, no flags. */
    const char *initial_policies[OCV_MAX_INITIAL_POLICIES]; /* dotted OIDs */
    size_t initial_policy_count;
    int require_explicit_policy; /* initial-explicit-policy */
    int inhibit_policy_mapping;  /* initial-policy-mapping-inhibit */
    int inhibit_any_policy;      /* initial-any-policy-inhibit */
    int anchor_name_constraints; /* apply anchors' own nameConstraints */
    /* Appended with trust sources (docs/trust.md). Borrowed during
     * ocv_open/ocv_reload only. */
    const ocv_trust_source_config *trust_sources;
    size_t trust_source_count;
    /* Appended with loading from memory (docs/api.md): the bytes of the
     * anchors, keys and policy files instead of their paths. Borrowed
     * during ocv_open/ocv_reload only; a blob and its path together are
     * CONFIG_INVALID; data NULL: not used. */
    ocv_blob anchors_blob; /* as anchors_path: PEM blocks or DER certificates */
    ocv_blob keys_blob;    /* as jwks_path / cose_keys_path: a JWK Set or COSE_KeySet */
    ocv_blob policy_blob;  /* as policy_path: the policy JSON */
} ocv_config;

OCV_API void ocv_config_init(ocv_config *config);

typedef enum ocv_credential_type {
    OCV_CREDENTIAL_AUTO = 0, /* sniff the bytes */
    OCV_CREDENTIAL_X509 = 1,
    OCV_CREDENTIAL_JWT = 2,
    OCV_CREDENTIAL_CWT = 3
} ocv_credential_type;

/* One request. Every pointer is borrowed for the call only. */
typedef struct ocv_request {
    ocv_credential_type type;
    const uint8_t *credential; /* leaf certificate (PEM or DER) or token */
    size_t credential_len;
    const uint8_t *chain; /* intermediates, PEM or concatenated DER */
    size_t chain_len;
    const char *purpose;      /* what the credential is used for */
    const char *audience;     /* this service */
    const uint8_t *peer_cert; /* for proof of possession */
    size_t peer_cert_len;
    int64_t at;  /* evaluation time, UNIX seconds */
    int has_at;  /* 0: use the system clock */
    int explain; /* 1: fill decision.checks */
    /* Appended with the historical mode: 1 asks "was this credential
     * valid at `at`?" (has_at required): the revocation store's clock
     * floor, which refuses a clock set back, is not applied, and the
     * decision is marked historical. Revocation data is the data held
     * now, so a credential revoked since is REVOKED. Never the default. */
    int historical;
} ocv_request;

OCV_API void ocv_request_init(ocv_request *request);

#define OCV_MAX_IDENTITY_BYTES 2048 /* SPIFFE IDs are at most 2048 bytes */
#define OCV_MAX_RULE_ID_BYTES  128
#define OCV_MAX_DETAIL_BYTES   512
#define OCV_MAX_CHECKS         16

/* The issuer a decision names: a trust source's name or a claimed issuer. */
#define OCV_MAX_ISSUER_NAME_BYTES 512

typedef enum ocv_check_outcome {
    OCV_CHECK_PASS = 0,
    OCV_CHECK_FAIL = 1,
    OCV_CHECK_SKIPPED = 2 /* not run: an earlier check denied, or opted out */
} ocv_check_outcome;

typedef struct ocv_check_entry {
    const char *name; /* static: "parse", "time", ... */
    ocv_check_outcome outcome;
    ocv_reason reason;
    char detail[160];
} ocv_check_entry;

#define OCV_MAX_AUTHORITY_ID_BYTES 128
#define OCV_MAX_AUTHORITIES        16

/* A revocation authority pinned in the store, and the sequence of the
 * last bundle it applied (0: never synced). */
typedef struct ocv_revocation_state {
    char authority[OCV_MAX_AUTHORITY_ID_BYTES + 1];
    int64_t sequence;
} ocv_revocation_state;

/* How one of a decision's caches answered (ocv_decision). */
typedef enum ocv_cache_use {
    OCV_CACHE_NOT_USED = 0, /* not consulted, or no such cache configured */
    OCV_CACHE_HIT,
    OCV_CACHE_MISS
} ocv_cache_use;

typedef struct ocv_decision {
    int allow; /* 1 only when reason is OCV_OK */
    ocv_reason reason;
    char subject[OCV_MAX_IDENTITY_BYTES + 1]; /* workload identity, or "" */
    int subject_verified;                     /* 0: read from bytes not yet verified */
    char rule[OCV_MAX_RULE_ID_BYTES + 1];     /* matched rule id, or "" */
    char detail[OCV_MAX_DETAIL_BYTES];
    int policy_skipped;               /* 1: no_policy was in force (whatever denied) */
    int revocation_stale_allowed;     /* 1: stale revocation data accepted by a rule */
    int64_t revocation_stale_seconds; /* how far past the rule's max age */
    int64_t evaluated_at;             /* the time the decision used */
    size_t check_count;
    ocv_check_entry checks[OCV_MAX_CHECKS];
    /* Appended with trust sources: the source that vouched (its name), or
     * for the unnamed source of the old flags the issuer the credential
     * claims (token iss, anchor DN); "" until the signature verified. */
    char issuer[OCV_MAX_ISSUER_NAME_BYTES + 1];
    /* Appended with the historical mode: 1 when the request asked about
     * a past time (ocv_request.historical): no grant of authority now. */
    int historical;
    /* Appended with audited decisions: the revocation state the decision
     * was made under, from the same store snapshot its every check read
     * (each pinned authority, in id order). 0 entries without a store,
     * when the store could not be read or failed its proof, and when the
     * credential did not parse (no state was consulted). */
    size_t revocation_count;
    ocv_revocation_state revocation[OCV_MAX_AUTHORITIES];
    /* Appended with the sidecar's cache metrics. signature_cache: a
     * token's signature found in the verified-signature cache (HIT), or
     * not (MISS: verified, or refused, now); NOT_USED for certificates
     * and without a cache. store_read: the revocation store answered from
     * its connection's cache with no transaction (HIT), or opened one
     * (MISS); NOT_USED when the store was not read. */
    ocv_cache_use signature_cache;
    ocv_cache_use store_read;
} ocv_decision;

typedef struct ocv_ctx ocv_ctx;

/*
 * Opens a verifier from a config struct. On success *out owns the context.
 * On failure *out is NULL, the reason is OCV_CONFIG_INVALID (or
 * OCV_TOO_LARGE, OCV_INTERNAL_ERROR) and err (if not NULL) holds a
 * message naming the file and what is wrong.
 */
OCV_API OCV_MUST_CHECK ocv_reason ocv_open(ocv_ctx **out, const ocv_config *config, char *err,
                                           size_t err_len);

/* Opens a verifier from a JSON configuration file (docs/config.md). */
OCV_API OCV_MUST_CHECK ocv_reason ocv_open_file(ocv_ctx **out, const char *config_path, char *err,
                                                size_t err_len);

/*
 * Reads a configuration file into *out without opening anything, so a
 * caller can override fields (as `ocv verify` does with its flags) before
 * ocv_open. The paths and the audience in *out point into *storage, which
 * the caller frees with ocv_config_file_free after ocv_open. Relative
 * paths are resolved against the file's directory. Reasons: OCV_OK; OCV_CONFIG_INVALID (err:
 * "FILE:LINE:COL: ..." naming the member for every error in the file,
 * "FILE: ..." when it cannot be read); OCV_INTERNAL_ERROR.
 */
typedef struct ocv_config_file ocv_config_file;
OCV_API OCV_MUST_CHECK ocv_reason ocv_config_load(const char *config_path, ocv_config *out,
                                                  ocv_config_file **storage, char *err,
                                                  size_t err_len);
OCV_API void ocv_config_file_free(ocv_config_file *storage);

/* Loads a new configuration and swaps it in atomically. On failure the old
 * configuration stays in force and err says why. */
OCV_API OCV_MUST_CHECK ocv_reason ocv_reload(ocv_ctx *ctx, const ocv_config *config, char *err,
                                             size_t err_len);

/*
 * Decides one request. Always fills *decision, also on error: anything
 * but OCV_OK is a deny. Returns decision->reason.
 */
OCV_API OCV_MUST_CHECK ocv_reason ocv_check(ocv_ctx *ctx, const ocv_request *request,
                                            ocv_decision *decision);

/* Frees the context; NULL is fine. */
OCV_API void ocv_close(ocv_ctx *ctx);

OCV_API const char *ocv_version(void);

/*
 * What a trust source holds, for `ocv trust status`. ocv_trust_describe
 * fills *out for source index (0..count-1) of the configuration in force
 * and returns OCV_OK, or OCV_CONFIG_INVALID past the last one.
 */
typedef struct ocv_trust_info {
    char name[OCV_MAX_SOURCE_NAME_BYTES + 1]; /* "" for the unnamed source */
    ocv_trust_kind kind;
    char issuer[OCV_MAX_ISSUER_NAME_BYTES + 1];
    char trust_domain[OCV_MAX_ISSUER_NAME_BYTES + 1];
    size_t key_count;    /* token keys (OIDC, jwt-svid, the old flags) */
    size_t anchor_count; /* anchors (CA, x509-svid, the old flags) */
    int has_sequence;    /* SPIFFE: the bundle carried spiffe_sequence */
    uint64_t sequence;
    int64_t refresh_hint; /* seconds; 0: none */
    size_t skipped_keys;  /* keys of another use, not loaded */
    char note[256];       /* what was skipped, or a warning */
} ocv_trust_info;
OCV_API size_t ocv_trust_count(ocv_ctx *ctx);
OCV_API OCV_MUST_CHECK ocv_reason ocv_trust_describe(ocv_ctx *ctx, size_t index,
                                                     ocv_trust_info *out);

/*
 * The device's revocation state without the ocv binary (docs/api.md):
 * sync signed bundles from memory or a file, read the store's status,
 * and make signed receipts, each change committed together with its
 * audit record, as `ocv revocation sync|status|receipt` do (they call
 * these functions).
 *
 * Thread safety: one ocv_device is used by one thread at a time. Several
 * handles (threads or processes) on one store are safe: every change is
 * one SQLite transaction, and decisions (ocv_check) see it at once.
 */
typedef struct ocv_device ocv_device;

typedef struct ocv_device_options {
    const char *db_path;       /* required: a store `ocv revocation init` made */
    const char *audit_path;    /* NULL: no records; else every change commits
                                  only once its record is on disk */
    const uint8_t *device_key; /* PEM or DER private key, or NULL: signs
                                  receipts and the log's checkpoints */
    size_t device_key_len;
    const char *device_id;      /* 1..128 bytes; needed with device_key */
    int64_t clock_skew_seconds; /* for bundle times; default 60 */
} ocv_device_options;

OCV_API void ocv_device_options_init(ocv_device_options *options);

/*
 * Opens the store (which proves nothing yet: ocv_device_status does) and
 * the audit log. The options and their buffers are read during the call
 * only. Reasons: OCV_OK; OCV_CONFIG_INVALID (err names the file and why:
 * no such store, not initialised, an unreadable key or log);
 * OCV_INTERNAL_ERROR. *out is NULL unless OCV_OK.
 */
OCV_API OCV_MUST_CHECK ocv_reason ocv_device_open(ocv_device **out,
                                                  const ocv_device_options *options, char *err,
                                                  size_t err_len);

/* Closes the store and the log (a signed checkpoint first, with a device
 * key). OCV_OK, or OCV_CONFIG_INVALID when the log's last write failed
 * (err says why). NULL is fine. */
OCV_API OCV_MUST_CHECK ocv_reason ocv_device_close(ocv_device *device, char *err, size_t err_len);

typedef enum ocv_sync_outcome {
    OCV_SYNC_APPLIED = 0,   /* the store changed */
    OCV_SYNC_UNCHANGED = 1, /* this sequence was applied already */
    OCV_SYNC_SKIPPED = 2,   /* older than the store's sequence (ROLLBACK) */
    OCV_SYNC_REFUSED = 3    /* anything else: nothing changed */
} ocv_sync_outcome;

typedef struct ocv_sync_result {
    ocv_reason reason; /* OCV_OK, or a BUNDLE_* reason (docs/reasons.md) */
    ocv_sync_outcome outcome;
    int64_t sequence; /* the bundle's, once its header was read; else 0 */
    size_t added, removed;
    uint8_t state_digest[32]; /* after applying (OCV_OK only) */
    char detail[OCV_MAX_DETAIL_BYTES];
} ocv_sync_result;

/* ocv_device_sync's flags. */
enum {
    /* A refusal is not recorded now: a caller retrying bundles (a
     * directory in any order) records it with ocv_device_record_refusal
     * once it is final. */
    OCV_SYNC_DEFER_REFUSAL = 1 << 0
};

/*
 * Verifies one signed bundle against its authority's pinned key and
 * applies it in one transaction with its audit record ("bundle" event;
 * label names it there, for example the file name). bundle is borrowed
 * for the call. now: UNIX seconds (<= 0: the system clock). Returns
 * out->reason: OCV_OK (applied or unchanged) or the bundle reason that
 * refused it, and OCV_CONFIG_INVALID when the audit log failed (nothing
 * applied), OCV_INTERNAL_ERROR. A refusal leaves the store as it was.
 */
OCV_API OCV_MUST_CHECK ocv_reason ocv_device_sync(ocv_device *device, const uint8_t *bundle,
                                                  size_t len, const char *label, int64_t now,
                                                  unsigned flags, ocv_sync_result *out);

/* The same for a file: mapped, never read whole, so memory before the
 * signature is checked does not grow with the bundle (docs/revocation.md).
 * OCV_CONFIG_INVALID also when the file cannot be read (out->detail). */
OCV_API OCV_MUST_CHECK ocv_reason ocv_device_sync_file(ocv_device *device, const char *path,
                                                       int64_t now, unsigned flags,
                                                       ocv_sync_result *out);

/* Records a deferred refusal (see OCV_SYNC_DEFER_REFUSAL); OCV_OK, or
 * OCV_CONFIG_INVALID when the log cannot be written. */
OCV_API OCV_MUST_CHECK ocv_reason ocv_device_record_refusal(ocv_device *device, const char *label,
                                                            int64_t now,
                                                            const ocv_sync_result *result);

typedef struct ocv_authority_status {
    char id[OCV_MAX_AUTHORITY_ID_BYTES + 1];
    int64_t sequence; /* 0: nothing applied yet */
    int64_t issued_at, next_update, applied_at;
    uint8_t state_digest[32];
    int digest_intact; /* the stored digest is that of the stored LtHash */
    int stale;         /* nothing applied, or now is past next_update */
    int64_t serial, jti, key, subject, subject_before; /* entries by type */
} ocv_authority_status;

typedef struct ocv_device_state {
    int64_t clock_floor; /* the latest time the store has seen; 0: none */
    size_t authority_count;
    ocv_authority_status authorities[OCV_MAX_AUTHORITIES];
    size_t crl_count;                   /* imported CRLs: ocv_device_crl_status */
    int proven;                         /* the rows are proven against the signed state */
    char problem[OCV_MAX_DETAIL_BYTES]; /* why not */
} ocv_device_state;

/*
 * The store's state and its proof (docs/revocation.md: every row tied to
 * the authority's signed digest, every imported CRL re-verified): a store
 * that is not proven denies every decision. now as for ocv_device_sync.
 * Reasons: OCV_OK (also when not proven: see out->proven);
 * OCV_INTERNAL_ERROR (the store cannot be read).
 */
OCV_API OCV_MUST_CHECK ocv_reason ocv_device_status(ocv_device *device, int64_t now,
                                                    ocv_device_state *out);

typedef struct ocv_crl_status {
    char issuer[65];     /* SHA-256 hex of the issuer's SubjectPublicKeyInfo */
    char crl_number[41]; /* hex; "" when the CRL has none */
    int64_t this_update, next_update;
    int64_t serials;
    int stale; /* now is past next_update */
} ocv_crl_status;

/* Imported CRL index (0..crl_count-1) of the store as it is now; OCV_OK,
 * or OCV_CONFIG_INVALID past the last one. */
OCV_API OCV_MUST_CHECK ocv_reason ocv_device_crl_status(ocv_device *device, size_t index,
                                                        int64_t now, ocv_crl_status *out);

/*
 * A receipt (docs/formats/receipt.md) of one authority's state, signed
 * with the device key: authority may be NULL when the store has exactly
 * one; nonce (1..128 bytes) is the control plane's challenge, or NULL.
 * With an audit log, a "receipt" event and a checkpoint are written first
 * and the receipt carries the log's head. *out (*out_len bytes) is the
 * caller's, freed with ocv_free. Reasons: OCV_OK;
 * OCV_BUNDLE_AUTHORITY_UNKNOWN; OCV_CONFIG_INVALID (no device key, no
 * authority named among several, a nonce of the wrong size, the log
 * failed; err says why); OCV_INTERNAL_ERROR.
 */
OCV_API OCV_MUST_CHECK ocv_reason ocv_device_receipt(ocv_device *device, const char *authority,
                                                     const char *nonce, int64_t now, uint8_t **out,
                                                     size_t *out_len, char *err, size_t err_len);

/* Frees what the library handed over (receipts); NULL is fine. */
OCV_API void ocv_free(void *p);

#ifdef __cplusplus
}
#endif

#endif
