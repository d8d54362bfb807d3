/*
 * ocv_reasons.h - the one list of reason codes (included by ocv.h).
 *
 * X(enum name, stable number, stable string, one-line meaning)
 *
 * The strings and numbers are a contract with operators, log pipelines and
 * tests: add new reasons at the end with a fresh number, never rename one
 * and never reuse a retired number.
 */
#ifndef OCV_REASONS_H
#define OCV_REASONS_H

/* clang-format off */
#define OCV_REASON_LIST(X)                                                              \
    X(OCV_OK, 0, "OK", "every check passed")                                            \
    X(OCV_MALFORMED, 1, "MALFORMED", "the credential is not well-formed")               \
    X(OCV_UNSUPPORTED_FORMAT, 2, "UNSUPPORTED_FORMAT", "the input is no credential format ocv accepts") \
    X(OCV_TOO_LARGE, 3, "TOO_LARGE", "an input exceeds a size or count limit")          \
    X(OCV_ALG_NOT_ALLOWED, 4, "ALG_NOT_ALLOWED", "an algorithm, hash or key size is not allowed") \
    X(OCV_KEY_UNKNOWN, 5, "KEY_UNKNOWN", "no trusted key matches the credential")       \
    X(OCV_SIGNATURE_INVALID, 6, "SIGNATURE_INVALID", "a signature does not verify")     \
    X(OCV_CHAIN_UNTRUSTED, 7, "CHAIN_UNTRUSTED", "the chain does not lead to a trust anchor") \
    X(OCV_CHAIN_INVALID, 8, "CHAIN_INVALID", "the chain breaks a certificate rule")     \
    X(OCV_EXPIRED, 9, "EXPIRED", "the credential has expired")                          \
    X(OCV_NOT_YET_VALID, 10, "NOT_YET_VALID", "the credential is not valid yet")        \
    X(OCV_TTL_TOO_LONG, 11, "TTL_TOO_LONG", "the credential's lifetime exceeds the maximum") \
    X(OCV_CLOCK_BEHIND_FLOOR, 12, "CLOCK_BEHIND_FLOOR", "the clock is behind the newest trusted time seen") \
    X(OCV_REVOKED, 13, "REVOKED", "the credential is revoked")                          \
    X(OCV_REVOCATION_STALE, 14, "REVOCATION_STALE", "revocation data is too old")       \
    X(OCV_REVOCATION_MISSING, 15, "REVOCATION_MISSING", "no trustworthy revocation data covers the credential") \
    X(OCV_POLICY_MISSING, 16, "POLICY_MISSING", "no policy is loaded")                  \
    X(OCV_NO_MATCHING_RULE, 17, "NO_MATCHING_RULE", "no policy rule covers the workload") \
    X(OCV_PURPOSE_NOT_ALLOWED, 18, "PURPOSE_NOT_ALLOWED", "the purpose is not allowed for the workload") \
    X(OCV_AUDIENCE_MISMATCH, 19, "AUDIENCE_MISMATCH", "the credential is not meant for this audience") \
    X(OCV_ISSUER_NOT_ALLOWED, 20, "ISSUER_NOT_ALLOWED", "the issuer is not allowed for the workload") \
    X(OCV_POP_REQUIRED, 21, "POP_REQUIRED", "proof of possession is required but absent") \
    X(OCV_POP_MISMATCH, 22, "POP_MISMATCH", "proof of possession does not match")       \
    X(OCV_INTERNAL_ERROR, 23, "INTERNAL_ERROR", "ocv failed internally; denied")        \
    X(OCV_BUNDLE_MALFORMED, 24, "BUNDLE_MALFORMED", "the revocation bundle is not well-formed") \
    X(OCV_BUNDLE_SIGNATURE_INVALID, 25, "BUNDLE_SIGNATURE_INVALID", "the bundle signature does not verify") \
    X(OCV_BUNDLE_AUTHORITY_UNKNOWN, 26, "BUNDLE_AUTHORITY_UNKNOWN", "the bundle's authority is not pinned") \
    X(OCV_BUNDLE_ROLLBACK, 27, "BUNDLE_ROLLBACK", "the bundle is older than the stored state") \
    X(OCV_BUNDLE_EXPIRED, 28, "BUNDLE_EXPIRED", "the bundle is past its next_update") \
    X(OCV_BUNDLE_FROM_FUTURE, 29, "BUNDLE_FROM_FUTURE", "the bundle is dated in the future") \
    X(OCV_BUNDLE_CHAIN_BROKEN, 30, "BUNDLE_CHAIN_BROKEN", "the delta does not apply to the stored state") \
    X(OCV_BUNDLE_DIGEST_MISMATCH, 31, "BUNDLE_DIGEST_MISMATCH", "the state after applying differs from the signed digest") \
    X(OCV_CONFIG_INVALID, 32, "CONFIG_INVALID", "the configuration cannot be loaded") \
    X(OCV_POP_UNSUPPORTED, 33, "POP_UNSUPPORTED", "the credential is bound to a key in a form ocv cannot verify") \
    X(OCV_TRUST_SOURCE_MISMATCH, 34, "TRUST_SOURCE_MISMATCH", "the credential names one trust source but only another's key or anchor vouches for it")
/* clang-format on */

#endif
