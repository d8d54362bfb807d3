/*
 * x509_policy.h - certificate policy processing (RFC 5280 §6.1.2 (a),
 * (d)-(f), §6.1.3 (d)-(f), §6.1.4 (a)-(b), (h)-(j), §6.1.5 (a)-(b), (g)).
 *
 * What it does: keeps the valid_policy_tree and the explicit_policy,
 * policy_mapping and inhibit_anyPolicy counters over one candidate path,
 * with the user's initial policy set and the three initial flags, and
 * says at the end whether the path satisfies them.
 *
 * What it does not do: policy qualifiers (read past, never interpreted;
 * RFC 5280 lets a relying party ignore them) or report the user-constrained
 * policy set to the caller.
 *
 * Limits: the tree holds at most OCV_X509_MAX_POLICY_NODES nodes; a path
 * whose policies would grow it further (mappings can make it grow fast) is
 * refused with CHAIN_INVALID rather than processed partly.
 *
 * Ownership: policy OIDs borrow from the certificates (and the initial
 * set from the caller) for the life of one validation. Thread safety: one
 * ocv_x509_policy per validation.
 */
#ifndef OCV_VERIFIER_X509_POLICY_H
#define OCV_VERIFIER_X509_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "ocv.h"
#include "verifier/x509_ext.h"

#define OCV_X509_MAX_POLICY_NODES 256
/* Policies in the user's initial set. */
#define OCV_X509_MAX_INITIAL_POLICIES OCV_MAX_INITIAL_POLICIES

typedef struct ocv_x509_policy_init {
    size_t count; /* 0: {anyPolicy} */
    ocv_span oids[OCV_X509_MAX_INITIAL_POLICIES];
    int explicit_policy; /* initial-explicit-policy */
    int inhibit_mapping; /* initial-policy-mapping-inhibit */
    int inhibit_any;     /* initial-any-policy-inhibit */
} ocv_x509_policy_init;

typedef struct ocv_x509_policy_node {
    ocv_span valid;
    ocv_span expected[OCV_X509_MAX_MAPPINGS];
    size_t expected_count;
    int parent; /* -1 for the root */
    int depth;
    int alive;
} ocv_x509_policy_node;

typedef struct ocv_x509_policy {
    ocv_x509_policy_node nodes[OCV_X509_MAX_POLICY_NODES];
    size_t count;
    int null_tree;
    int n; /* certificates in the path, the anchor excluded */
    int explicit_policy, policy_mapping, inhibit_any;
    const ocv_x509_policy_init *init;
} ocv_x509_policy;

/*
 * Encodes a dotted OID ("2.5.29.32.0") as DER content octets into out.
 * 0 on success; -1 when the text is no OID (fewer than two arcs, a first
 * arc over 2, a second over 39 under 0 or 1, an arc over 2^32, or more
 * than cap octets).
 */
OCV_MUST_CHECK int ocv_x509_oid_encode(const char *text, uint8_t *out, size_t cap, size_t *len);

/* §6.1.2: the tree is the anyPolicy root; counters from the flags. */
void ocv_x509_policy_start(ocv_x509_policy *pol, int n, const ocv_x509_policy_init *init);

/*
 * §6.1.3 (d)-(f) for certificate i (1 = issued by the anchor, n = leaf).
 * Reasons: OCV_OK; OCV_CHAIN_INVALID (explicit policy required and the
 * tree is empty; the tree would exceed its limit).
 */
OCV_MUST_CHECK ocv_reason ocv_x509_policy_cert(ocv_x509_policy *pol, int i, const ocv_x509_ext *ext,
                                               int self_issued, char *detail, size_t detail_len);

/* §6.1.4 (a)-(b), (h)-(j) after certificate i < n. Reasons as above,
 * and OCV_CHAIN_INVALID for anyPolicy in a mapping. */
OCV_MUST_CHECK ocv_reason ocv_x509_policy_prepare(ocv_x509_policy *pol, int i,
                                                  const ocv_x509_ext *ext, int self_issued,
                                                  char *detail, size_t detail_len);

/* §6.1.5 (a)-(b), (g) with the leaf's extensions. OCV_OK or
 * OCV_CHAIN_INVALID ("no acceptable policy"). */
OCV_MUST_CHECK ocv_reason ocv_x509_policy_finish(ocv_x509_policy *pol, const ocv_x509_ext *leaf,
                                                 char *detail, size_t detail_len);

#endif
