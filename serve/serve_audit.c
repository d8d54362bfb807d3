/*
 * serve_audit.c - the one seam between the sidecar and the audit log:
 * every decision the configuration selects ("decisions": both, allow or
 * deny) becomes an event "decision" record:
 *
 *   {"event":"decision", "time", "decision", "reason", "rule",
 *    "subject", "subject_claimed" (true when the signature did not
 *    verify), "purpose", "audience", "credential_sha256" (never the
 *    credential), "revocation": [{"authority","sequence"}...] in force,
 *    "contract", "listen", "peer"}
 *
 * Implementation notes: until the library's batched writer
 * (ocv_audit_open / ocv_audit_log_decision, group commit) lands, this
 * file writes each record with ocv_audit_append under one mutex: one
 * record, one fsync, one batch. The answer waits for the record, so a
 * decision is never answered unaudited; a failed write makes the caller
 * deny with INTERNAL_ERROR. Only this file changes when the batched API
 * arrives.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "decision/audit.h"
#include "serve/serve_internal.h"

struct ocv_serve_audit {
    pthread_mutex_t lock;
    char path[OCV_SERVE_MAX_PATH + 1];
    atomic_uint which;
    ocv_serve_metrics *metrics;
};

ocv_reason ocv_serve_audit_open(const ocv_serve_config *cfg, ocv_serve_metrics *metrics,
                                ocv_serve_audit **out, char *err, size_t err_len)
{
    *out = NULL;
    if (cfg->audit_path[0] == 0)
        return OCV_OK;
    /* Refuse a log we could not chain onto before serving a single request. */
    size_t records = 0;
    char why[256] = "";
    ocv_reason r = ocv_audit_verify(cfg->audit_path, &records, why, sizeof(why));
    if (r == OCV_MALFORMED) {
        ocv_errf(err, err_len, "audit log %s does not verify: %s", cfg->audit_path, why);
        return OCV_CONFIG_INVALID;
    }
    /* Refuse to start when the log cannot be written at all (a missing
     * directory, permissions): better than denying every request later. */
    int fd = open(cfg->audit_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        ocv_errf(err, err_len, "audit log %s: %s", cfg->audit_path, strerror(errno));
        return OCV_CONFIG_INVALID;
    }
    close(fd);
    ocv_serve_audit *a = calloc(1, sizeof(*a));
    if (a == NULL || pthread_mutex_init(&a->lock, NULL) != 0) {
        free(a);
        return OCV_INTERNAL_ERROR;
    }
    ocv_strlcpy(a->path, cfg->audit_path, sizeof(a->path));
    atomic_store(&a->which, cfg->audit_which);
    a->metrics = metrics;
    *out = a;
    return OCV_OK;
}

void ocv_serve_audit_set_which(ocv_serve_audit *a, unsigned which)
{
    if (a != NULL)
        atomic_store(&a->which, which);
}

static void set_str(json_t *o, const char *key, const char *value)
{
    json_t *s = value != NULL && value[0] ? json_string(value) : NULL;
    json_object_set_new(o, key, s != NULL ? s : json_null());
}

static json_t *record_fields(const ocv_decision *d, const ocv_serve_meta *m,
                             const ocv_serve_revocation *rev)
{
    json_t *f = json_object();
    if (f == NULL)
        return NULL;
    set_str(f, "decision", d->allow ? "allow" : "deny");
    set_str(f, "reason", ocv_reason_name(d->reason));
    set_str(f, "rule", d->rule);
    set_str(f, "subject", d->subject);
    json_object_set_new(f, "subject_claimed", json_boolean(d->subject[0] && !d->subject_verified));
    set_str(f, "purpose", m->purpose);
    set_str(f, "audience", m->audience);
    set_str(f, "credential_sha256", m->fingerprint);
    json_t *in_force = json_array();
    for (size_t i = 0; rev != NULL && i < rev->count; i++) {
        json_t *a = json_object();
        json_object_set_new(a, "authority", json_string(rev->authorities[i].id));
        json_object_set_new(a, "sequence", json_integer(rev->authorities[i].sequence));
        json_array_append_new(in_force, a);
    }
    json_object_set_new(f, "revocation", in_force);
    set_str(f, "contract", m->contract);
    set_str(f, "listen", m->listen);
    set_str(f, "peer", m->peer);
    return f;
}

ocv_reason ocv_serve_audit_decision(ocv_serve_audit *a, const ocv_decision *d,
                                    const ocv_serve_meta *meta, const ocv_serve_revocation *rev)
{
    if (a == NULL)
        return OCV_OK;
    unsigned which = atomic_load(&a->which);
    if (!(which & (d->allow ? OCV_SERVE_AUDIT_ALLOWS : OCV_SERVE_AUDIT_DENIES)))
        return OCV_OK;
    json_t *fields = record_fields(d, meta, rev);
    if (fields == NULL)
        return OCV_INTERNAL_ERROR;
    char err[256] = "";
    pthread_mutex_lock(&a->lock);
    ocv_reason r = ocv_audit_append(a->path, "decision", d->evaluated_at, fields, err, sizeof(err));
    pthread_mutex_unlock(&a->lock);
    json_decref(fields);
    if (r == OCV_OK) {
        atomic_fetch_add(&a->metrics->audit_records, 1);
        atomic_fetch_add(&a->metrics->audit_batches, 1);
    } else {
        atomic_fetch_add(&a->metrics->audit_failures, 1);
    }
    return r;
}

void ocv_serve_audit_close(ocv_serve_audit *a)
{
    if (a == NULL)
        return;
    pthread_mutex_destroy(&a->lock);
    free(a);
}
