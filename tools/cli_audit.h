/*
 * cli_audit.h - `ocv verify --audit LOG`: the decision's record, written
 * and fsynced before the decision is printed (docs/formats/audit-log.md).
 */
#ifndef OCV_TOOLS_CLI_AUDIT_H
#define OCV_TOOLS_CLI_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "ocv.h"

typedef struct ocv_cli_audit {
    const char *log;        /* NULL: no audit */
    const char *device_key; /* PEM private key: signed checkpoint at the end */
    const char *device_id;
} ocv_cli_audit;

/*
 * Records one decision: credential fingerprint, purpose, audience and the
 * revocation state in force (the decision's own). Returns 0, or
 * OCV_EXIT_USAGE after printing why (the log could not be written: the
 * decision must not be reported as made).
 */
int ocv_cli_audit_decision(const ocv_cli_audit *audit, const ocv_decision *decision,
                           const uint8_t *credential, size_t credential_len, const char *purpose,
                           const char *audience);

#endif
