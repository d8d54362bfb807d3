/*
 * policy_internal.h - the compiled policy, shared by the loader
 * (policy_load.c) and the evaluator (policy_eval.c). Not for other layers:
 * they use policy.h.
 */
#ifndef OCV_POLICY_INTERNAL_H
#define OCV_POLICY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "policy/strmap.h"

/* Bump allocator for the policy's strings and lists: one policy, one
 * owner, freed all at once (100,000 rules would otherwise be a million
 * small allocations). */
typedef struct ocv_policy_chunk ocv_policy_chunk;

struct ocv_policy {
    ocv_policy_defaults defaults;
    ocv_policy_rule *rules;
    size_t rule_count;
    /* The index: exact identities and SPIFFE prefixes (key = the pattern
     * without its final "/ *"), each to a range of postings = rule
     * numbers in file order. */
    ocv_strmap exact;
    ocv_strmap prefix;
    uint32_t *postings;
    size_t posting_count;
    ocv_policy_chunk *chunks;
};

#endif
