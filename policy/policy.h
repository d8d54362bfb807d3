/*
 * policy.h - the policy engine: which workload may use which credential
 * for which purpose (docs/policy.md is the operator's description).
 *
 * What it does:
 *   - loads a policy file (JSON, strict: unknown members, wrong types,
 *     duplicate members, duplicate rule ids, bad durations and bad
 *     identities are errors naming FILE:LINE:COL) and indexes its rules:
 *     exact identities in one hash table, SPIFFE prefixes ("/ *" rules) in
 *     another, so choosing a rule costs one lookup per path segment of the
 *     identity, whatever the number of rules;
 *   - evaluates verified, normalised claims (base/claims.h) for one
 *     request: picks the rule, then runs the checks in a fixed order and
 *     returns the first failure's reason, with every check's outcome for
 *     --explain.
 *
 * Rule choice (docs/policy.md "Matching"): the most specific level of
 * rules naming the identity decides: an exact identity over any prefix,
 * a longer prefix over a shorter one. Within that level the first rule in
 * file order that trusts the credential's issuer and covers its type is
 * chosen. Less specific levels are never consulted: a rule for
 * ".../ns/payments/ *" cannot be bypassed through a rule for ".../ns/ *".
 *
 * Check order and reasons (evaluate):
 *   policy.rule        NO_MATCHING_RULE (no rule names the identity, or
 *                      none at its level covers the credential type; an
 *                      invalid SPIFFE ID), ISSUER_NOT_ALLOWED (rules name
 *                      the identity, none trusts the issuer)
 *   policy.purpose     PURPOSE_NOT_ALLOWED (no purpose; not in the rule;
 *                      the credential carries purposes/scopes without it)
 *   policy.audience    AUDIENCE_MISMATCH
 *   policy.algorithm   ALG_NOT_ALLOWED
 *   policy.ttl         TTL_TOO_LONG (also: lifetime unknown, no iat);
 *                      MALFORMED (expiry before issuance)
 *   policy.pop         POP_REQUIRED, POP_MISMATCH
 *   policy.revocation  REVOCATION_STALE, REVOCATION_MISSING
 * and OCV_INTERNAL_ERROR for a NULL argument. OCV_OK only when every
 * check passed.
 *
 * What it does not do: verify signatures, chains or validity times (the
 * pipeline does, before calling evaluate: the claims must be verified),
 * read revocation data (the caller passes its age), or read the clock.
 *
 * Ownership: ocv_policy_load/_parse return a policy the caller frees with
 * ocv_policy_free (NULL is fine). Rules, strings and the index live in
 * the policy; ocv_policy_rule pointers are borrowed from it.
 *
 * Thread safety: a loaded policy is never modified; any number of threads
 * may evaluate, explain and read rules at once. Reload = load a new one,
 * swap the pointer, free the old one when no evaluation uses it.
 */
#ifndef OCV_POLICY_POLICY_H
#define OCV_POLICY_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "base/claims.h"
#include "ocv.h"

/* A policy file is operator-supplied but still bounded. 100,000 rules of
 * the documented shape take about 20 MiB of JSON and 190 MiB while the
 * parse tree exists (freed at the end of loading); the compiled policy
 * keeps about 400 bytes a rule. */
#define OCV_POLICY_MAX_BYTES (48u * 1024u * 1024u)
#define OCV_POLICY_MAX_RULES 200000u
/* JSON values (member names not counted): bounds the parse tree, at most
 * about 230 bytes a value, before it is built. */
#define OCV_POLICY_MAX_VALUES 3000000u
/* Entries in one list of a rule (subjects, issuers, ...). */
#define OCV_POLICY_MAX_LIST 4096u
/* Durations: none beyond ten years (keeps arithmetic far from overflow);
 * allow_stale at most 30 days; clock_skew at most one hour. */
#define OCV_POLICY_MAX_DURATION    (3650 * 86400LL)
#define OCV_POLICY_MAX_ALLOW_STALE (30 * 86400LL)
#define OCV_POLICY_MAX_CLOCK_SKEW  3600LL

/* Bits for ocv_policy_rule.types: (1u << OCV_CREDENTIAL_X509) ... */
#define OCV_POLICY_TYPE_BIT(t) (1u << (unsigned)(t))
/* Bits for algorithm sets: (1u << OCV_ALG_ES256) ... */
#define OCV_POLICY_ALG_BIT(a) (1u << (unsigned)(a))

typedef struct ocv_policy ocv_policy;

/* One rule as written, normalised (SPIFFE prefixes keep their "/ *").
 * has_* flags say whether the member was present. */
typedef struct ocv_policy_rule {
    const char *id;
    const char *description; /* NULL when absent */
    const char *const *subjects;
    size_t subject_count;
    const char *const *issuers; /* "sha256:" entries in lower-case hex */
    size_t issuer_count;
    const char *const *purposes;
    size_t purpose_count;
    const char *const *audiences;
    size_t audience_count; /* 0: the member is absent */
    unsigned types;        /* OCV_POLICY_TYPE_BIT set; 0: every type */
    uint32_t algorithms;   /* OCV_POLICY_ALG_BIT set; 0: absent */
    int has_max_ttl;
    int64_t max_ttl;
    int has_require_pop;
    int require_pop;
    int has_revocation_max_age;
    int64_t revocation_max_age;
    int64_t allow_stale; /* 0: none */
    int has_require_revocation;
    int require_revocation;
    unsigned long line, column; /* of the rule object in the file */
} ocv_policy_rule;

/* The "defaults" object; has_* flags say whether a member was present. */
typedef struct ocv_policy_defaults {
    int has_max_ttl;
    int64_t max_ttl;
    int has_clock_skew;
    int64_t clock_skew;
    int has_revocation_max_age;
    int64_t revocation_max_age;
    int require_revocation;
    int require_pop;
    uint32_t algorithms;        /* 0: absent (no policy restriction) */
    unsigned long line, column; /* of the "defaults" object; 0 when absent */
} ocv_policy_defaults;

/* What a rule enforces once defaults are applied. */
typedef struct ocv_policy_effective {
    uint32_t algorithms; /* 0: any algorithm the verifier accepts */
    int has_max_ttl;
    int64_t max_ttl;
    int require_pop;
    int has_revocation_max_age;
    int64_t revocation_max_age;
    int64_t allow_stale;
    int require_revocation;
} ocv_policy_effective;

/*
 * Reads and compiles a policy file. Reasons: OCV_OK; OCV_CONFIG_INVALID
 * (cannot be read: "PATH: why"; syntax, schema, limits:
 * "PATH:LINE:COL: what is wrong"); OCV_TOO_LARGE (file larger than
 * OCV_POLICY_MAX_BYTES); OCV_INTERNAL_ERROR. *out is NULL on failure.
 */
OCV_MUST_CHECK ocv_reason ocv_policy_load(const char *path, ocv_policy **out, char *err,
                                          size_t err_len);

/* The same from bytes already read; `name` stands for the file in
 * messages. Reasons as ocv_policy_load, without the read failure. */
OCV_MUST_CHECK ocv_reason ocv_policy_parse(const char *name, const uint8_t *text, size_t len,
                                           ocv_policy **out, char *err, size_t err_len);

void ocv_policy_free(ocv_policy *policy);

size_t ocv_policy_rule_count(const ocv_policy *policy);
/* Rule i in file order (NULL past the end). */
const ocv_policy_rule *ocv_policy_rule_at(const ocv_policy *policy, size_t i);
const ocv_policy_defaults *ocv_policy_get_defaults(const ocv_policy *policy);
/* The rule's settings with the defaults applied. */
void ocv_policy_effective_of(const ocv_policy *policy, const ocv_policy_rule *rule,
                             ocv_policy_effective *out);

/* Formats a duration in seconds compactly ("15m", "1h30m", "90s") into
 * out (32 bytes are always enough). */
void ocv_policy_format_duration(int64_t seconds, char *out, size_t out_len);

/* "ES256" -> OCV_ALG_ES256; OCV_ALG_NONE for an unknown name. */
ocv_alg ocv_policy_alg_from_name(const char *name);

/* ---- evaluation ------------------------------------------------------ */

/* The request as the policy sees it. Pointers are borrowed for the call. */
typedef struct ocv_policy_input {
    const ocv_claims *claims; /* verified claims of the credential */
    const char *purpose;      /* what it is used for; NULL or "": denied */
    const char *audience;     /* this service's name; NULL: none */
    /* Proof of possession, each optional (NULL: not presented):
     * SHA-256 of the peer certificate's DER (the TLS client certificate),
     * SHA-256 of the credential's own leaf DER (X.509 credentials), and
     * the RFC 7638 thumbprint of a key the client proved it holds. */
    const uint8_t *peer_cert_sha256;
    const uint8_t *credential_cert_sha256;
    const uint8_t *presented_jkt;
    /* Revocation data covering the credential, and its age in seconds
     * (now - the data's issue time). */
    int has_revocation_data;
    int64_t revocation_age;
    /* Configuration that can only tighten the policy: revocation data
     * required whatever the rule says; a cap on every max_ttl (0: none). */
    int require_revocation;
    int64_t max_ttl_ceiling;
    /* 1: write every check's detail (for --explain); 0: only the failing
     * check's and the result's, which keeps a decision near 0.2 us. */
    int explain;
} ocv_policy_input;

void ocv_policy_input_init(ocv_policy_input *input);

#define OCV_POLICY_CHECKS 7

typedef struct ocv_policy_result {
    ocv_reason reason;
    char rule[OCV_MAX_RULE_ID_BYTES + 1]; /* the chosen rule's id, or "" */
    size_t rule_index;                    /* valid when rule[0] != 0 */
    char detail[OCV_MAX_DETAIL_BYTES];
    /* Revocation data older than max_age accepted under the rule's
     * allow_stale: recorded in every decision it affects. */
    int stale_allowed;
    int64_t stale_seconds; /* how far past max_age */
    int explained;         /* 1: passing checks carry details too */
    size_t check_count;
    ocv_check_entry checks[OCV_POLICY_CHECKS]; /* in order, names static */
} ocv_policy_result;

/*
 * Evaluates one request. Always fills *result (reason, detail and every
 * check, those after a failure as SKIPPED; a passing check's detail only
 * with input->explain); returns result->reason (see the list at the top).
 * result->rule names the chosen rule as soon as one was chosen, also when
 * a later check denies.
 */
OCV_MUST_CHECK ocv_reason ocv_policy_evaluate(const ocv_policy *policy,
                                              const ocv_policy_input *input,
                                              ocv_policy_result *result);

/* What `ocv policy explain` asks, without a credential. */
typedef struct ocv_policy_query {
    const char *subject;
    ocv_credential_type type; /* OCV_CREDENTIAL_AUTO: any type */
    /* Token iss, or a certificate's trust anchor name; NULL: any issuer
     * (the first rule of the deciding level is shown). */
    const char *issuer;
    /* Certificates: the anchor's SPKI SHA-256 in hex, or NULL. */
    const char *anchor_sha256;
    /* Appended with trust sources: the name of the source that vouched
     * and, for a SPIFFE source, its trust domain ("spiffe://td"); a rule
     * entry naming either accepts. scoped: only these fields (and issuer,
     * anchor_sha256 when set) are compared, NULL never means "any". */
    const char *source;
    const char *trust_domain;
    int scoped;
} ocv_policy_query;

/*
 * The credential-independent part of evaluate: rule choice, the purpose
 * against the rule, the audience against the rule. The algorithm, TTL,
 * PoP and revocation checks are recorded as SKIPPED ("depends on the
 * credential"). Reasons: OCV_OK, NO_MATCHING_RULE, ISSUER_NOT_ALLOWED,
 * PURPOSE_NOT_ALLOWED, AUDIENCE_MISMATCH, OCV_INTERNAL_ERROR.
 */
OCV_MUST_CHECK ocv_reason ocv_policy_explain(const ocv_policy *policy,
                                             const ocv_policy_query *query, const char *purpose,
                                             const char *audience, ocv_policy_result *result);

/*
 * Chooses the rule for a query (the first step of evaluate). On OCV_OK
 * *rule_index is set. Also reports the deciding level: the rules of that
 * level in file order (borrowed from the policy; *level_count 0 when no
 * rule names the identity). Reasons: OCV_OK, OCV_NO_MATCHING_RULE,
 * OCV_ISSUER_NOT_ALLOWED, OCV_INTERNAL_ERROR; detail says why.
 */
OCV_MUST_CHECK ocv_reason ocv_policy_select(const ocv_policy *policy, const ocv_policy_query *query,
                                            size_t *rule_index, const uint32_t **level,
                                            size_t *level_count, char *detail, size_t detail_len);

/*
 * The rules that name a subject entry written exactly as `entry` (an
 * exact identity, or a prefix pattern "spiffe://td/a/ *"), in file order:
 * the level a rule's entry competes in (for lint). Returns the count and
 * sets *rules (borrowed), 0 when none or the entry is not valid.
 */
size_t ocv_policy_rules_naming(const ocv_policy *policy, const char *entry, const uint32_t **rules);

#endif
