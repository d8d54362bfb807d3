/*
 * cli_audit.c - the decision record of `ocv verify --audit`.
 */
#include "cli_audit.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "decision/audit.h"
#include "verifier/pkey.h"

int ocv_cli_audit_decision(const ocv_cli_audit *audit, const ocv_decision *decision,
                           const uint8_t *credential, size_t credential_len, const char *purpose,
                           const char *audience)
{
    if (audit->log == NULL)
        return 0;
    char err[512] = "";
    ocv_pkey key;
    ocv_pkey_init(&key);
    ocv_audit_options o;
    ocv_audit_options_init(&o);
    if (audit->device_key != NULL) {
        if (ocv_pkey_load_file(audit->device_key, 1, 0, &key, err, sizeof(err)) != OCV_OK)
            return ocv_cli_usage_error("%s", err);
        o.device_key = &key;
        o.device_id = audit->device_id;
    }
    ocv_audit_decision_meta m;
    memset(&m, 0, sizeof(m));
    m.purpose = purpose;
    m.audience = audience;
    m.credential = credential;
    m.credential_len = credential_len;
    m.listen = "cli";
    ocv_audit_log *log;
    ocv_reason r = ocv_audit_open(audit->log, &o, &log, err, sizeof(err));
    if (r == OCV_OK) {
        r = ocv_audit_log_decision(log, decision, &m);
        if (r == OCV_OK)
            r = o.device_key ? ocv_audit_checkpoint(log) : ocv_audit_flush(log);
        ocv_strlcpy(err, ocv_audit_error(log), sizeof(err));
        ocv_reason c = ocv_audit_close(log);
        r = r != OCV_OK ? r : c;
    }
    ocv_pkey_free(&key);
    if (r != OCV_OK)
        return ocv_cli_usage_error("audit: %s (the decision is not reported)",
                                   err[0] ? err : "the log could not be written");
    return 0;
}
