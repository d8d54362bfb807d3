/*
 * cli_audit.c - the decision record of `ocv verify --audit`.
 */
#include "cli_audit.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "decision/audit.h"
#include "revocation/store.h"
#include "verifier/pkey.h"

/* "acme" + its sequence for one authority; "acme@3,beta@5" for several
 * (sequence 0). Nothing when there is no store or it cannot be read. */
static void revocation_in_force(const char *db, char *out, size_t out_len, int64_t *sequence)
{
    out[0] = 0;
    *sequence = 0;
    ocv_store *store;
    if (db == NULL || ocv_store_open(db, 0, &store, NULL, 0) != OCV_OK)
        return;
    char ids[OCV_MAX_AUTHORITIES][OCV_MAX_AUTHORITY_ID_BYTES + 1];
    size_t count = 0;
    if (ocv_store_list_authorities(store, ids, &count) == OCV_OK) {
        size_t used = 0;
        for (size_t i = 0; i < count; i++) {
            ocv_authority_state st;
            if (ocv_store_get_authority(store, ids[i], &st) != OCV_OK)
                continue;
            int n = count == 1 ? snprintf(out, out_len, "%s", ids[i])
                               : snprintf(out + used, out_len - used, "%s%s@%lld", used ? "," : "",
                                          ids[i], (long long)st.sequence);
            if (count == 1)
                *sequence = st.sequence;
            ocv_authority_state_free(&st);
            if (n < 0 || (size_t)n >= out_len - used)
                break;
            used += (size_t)n;
        }
    }
    ocv_store_close(store);
}

int ocv_cli_audit_decision(const ocv_cli_audit *audit, const ocv_decision *decision,
                           const uint8_t *credential, size_t credential_len, const char *purpose,
                           const char *audience, const char *db)
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
    char authority[1024];
    ocv_audit_decision_meta m;
    memset(&m, 0, sizeof(m));
    m.purpose = purpose;
    m.audience = audience;
    m.credential = credential;
    m.credential_len = credential_len;
    m.listen = "cli";
    revocation_in_force(db, authority, sizeof(authority), &m.sequence);
    m.authority = authority[0] ? authority : NULL;
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
