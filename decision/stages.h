/*
 * stages.h - the pieces of the decision pipeline shared between the
 * pipeline driver and the per-format stages. Internal to decision/.
 */
#ifndef OCV_DECISION_STAGES_H
#define OCV_DECISION_STAGES_H

#include <stdatomic.h>
#include <stdint.h>

#include "base/claims.h"
#include "ocv.h"
#include "verifier/x509.h"

/* Everything loaded from one configuration; immutable once published,
 * freed when the last check using it drops its reference. */
typedef struct ocv_state {
    atomic_int refs;
    ocv_x509_anchors anchors;
    ocv_x509_crls crls;
    int64_t skew;
    ocv_eku leaf_eku;
    unsigned identity_fallback;
    int no_policy;
    int has_policy_path;
} ocv_state;

/*
 * The time stage, the same for every format: validity window against the
 * evaluation time with the skew on both sides.
 * Reasons: OCV_MALFORMED (no expiry; expiry before not-before),
 * OCV_NOT_YET_VALID, OCV_EXPIRED, OCV_OK.
 */
OCV_MUST_CHECK ocv_reason ocv_stage_time(const ocv_claims *claims, int64_t at, int64_t skew,
                                         char *detail, size_t detail_len);

/* "2026-11-24T09:00:00Z" into out (at least 32 bytes). */
void ocv_format_time(int64_t t, char *out, size_t out_len);

#endif
