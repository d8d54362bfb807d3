/*
 * spiffe.h - workload identities as policy rules name them and as
 * credentials carry them.
 *
 * What it does: recognises SPIFFE IDs (spiffe://trust-domain/path, SPIFFE
 * ID standard §2) and the one wildcard form policy rules may use, a whole
 * final segment "*" ("spiffe://td/ns/payments/ *": one or more further
 * segments; these comments write "/ *" only because C comments cannot
 * hold the two characters together). Everything that does not start with "spiffe:" is an opaque
 * identity (a DNS name or CN from identity_fallback, a token sub that is
 * no SPIFFE ID), compared byte for byte.
 *
 * Strictness, the same for rules and credentials: the trust domain holds
 * only a-z 0-9 . - _ (no port, no user info, at most 255 bytes); the path
 * is "/segment"..., a segment non-empty, not "." or "..", of A-Z a-z 0-9
 * . - _ only. So a trailing slash, "//", percent-encoding, a query or a
 * fragment make an ID invalid, never a different ID.
 *
 * Case: SPIFFE trust domains are lower case and the scheme is "spiffe"
 * (SPIFFE ID standard §2.1: "Trust domain names ... MUST only contain
 * lowercase letters"). An identity written otherwise is not a valid SPIFFE
 * ID and is refused, in rules and credentials alike: folding it would make
 * "spiffe://Prod.Example/x" one workload for the policy and another for a
 * byte-compared revocation entry. Path segments are compared exactly.
 *
 * Ownership: none; outputs are fixed-size values. Thread safety: pure.
 */
#ifndef OCV_BASE_SPIFFE_H
#define OCV_BASE_SPIFFE_H

#include <stddef.h>

#include "base/claims.h"
#include "ocv.h"

typedef enum ocv_spiffe_kind {
    OCV_SPIFFE_OPAQUE = 0, /* not a SPIFFE ID: compared exactly */
    OCV_SPIFFE_EXACT = 1,  /* an exact SPIFFE ID */
    OCV_SPIFFE_PREFIX = 2  /* a rule's "spiffe://td/a/b/ *" pattern */
} ocv_spiffe_kind;

typedef struct ocv_spiffe_id {
    ocv_spiffe_kind kind;
    /* Normalised text; for a prefix pattern without the final "/ *",
     * so "spiffe://td/a/b" stands for "spiffe://td/a/b/ *". */
    char text[OCV_MAX_IDENTITY_BYTES + 1];
    size_t len;
    size_t td_end;   /* SPIFFE: offset just past the trust domain */
    size_t segments; /* SPIFFE: path segments in text */
} ocv_spiffe_id;

typedef enum ocv_spiffe_mode {
    OCV_SPIFFE_PATTERN = 0, /* a policy rule's subject entry */
    OCV_SPIFFE_SUBJECT = 1  /* a credential's workload identity */
} ocv_spiffe_mode;

/*
 * Parses one identity. On OCV_OK *out is filled. On OCV_MALFORMED *why
 * names the defect ("trailing slash", "percent-encoding is not allowed",
 * ...) and *out is untouched. Patterns also refuse an empty string,
 * bytes outside printable ASCII, upper case in a trust domain and any '*'
 * that is not a whole final SPIFFE segment (opaque patterns take no
 * wildcard at all). Reasons: OCV_OK, OCV_MALFORMED, OCV_TOO_LARGE (more
 * than OCV_MAX_IDENTITY_BYTES).
 */
OCV_MUST_CHECK ocv_reason ocv_spiffe_parse(const char *text, ocv_spiffe_mode mode,
                                           ocv_spiffe_id *out, const char **why);

#endif
