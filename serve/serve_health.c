/*
 * serve_health.c - the revocation monitor: what /healthz and /metrics say
 * about the store, read through the monitor's own read connection (never
 * the verifier's), so a scrape never waits behind decisions.
 *
 * Healthy means: the configuration is loaded (always, once serving), and
 * when a store is configured it can be read and every authority holds
 * applied data whose next_update is in the future and, with
 * revocation_max_age, whose issued_at is recent enough.
 */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "serve/serve_internal.h"

int ocv_serve_monitor_init(ocv_serve_monitor *mon, const char *db_path, int64_t max_age)
{
    memset(mon, 0, sizeof(*mon));
    if (pthread_mutex_init(&mon->lock, NULL) != 0)
        return -1;
    ocv_strlcpy(mon->db_path, db_path != NULL ? db_path : "", sizeof(mon->db_path));
    mon->max_age = max_age;
    return 0;
}

void ocv_serve_monitor_free(ocv_serve_monitor *mon)
{
    ocv_store_close(mon->store);
    mon->store = NULL;
    pthread_mutex_destroy(&mon->lock);
}

void ocv_serve_monitor_set(ocv_serve_monitor *mon, const char *db_path, int64_t max_age)
{
    pthread_mutex_lock(&mon->lock);
    if (strcmp(mon->db_path, db_path != NULL ? db_path : "") != 0) {
        ocv_store_close(mon->store);
        mon->store = NULL;
        ocv_strlcpy(mon->db_path, db_path != NULL ? db_path : "", sizeof(mon->db_path));
    }
    mon->max_age = max_age;
    pthread_mutex_unlock(&mon->lock);
}

/* Under mon->lock. */
static void read_locked(ocv_serve_monitor *mon, ocv_serve_revocation *out)
{
    memset(out, 0, sizeof(*out));
    out->configured = mon->db_path[0] != 0;
    if (!out->configured)
        return;
    char err[200] = "";
    if (mon->store == NULL &&
        ocv_store_open(mon->db_path, 0, &mon->store, err, sizeof(err)) != OCV_OK) {
        mon->store = NULL;
        ocv_errf(out->problem, sizeof(out->problem), "store unreadable: %s", err);
        return;
    }
    char ids[OCV_MAX_AUTHORITIES][OCV_MAX_AUTHORITY_ID_BYTES + 1];
    size_t n = 0;
    if (ocv_store_list_authorities(mon->store, ids, &n) != OCV_OK)
        goto unreadable;
    for (size_t i = 0; i < n && i < OCV_MAX_AUTHORITIES; i++) {
        ocv_authority_state a;
        ocv_authority_state_init(&a);
        ocv_reason r = ocv_store_get_authority(mon->store, ids[i], &a);
        if (r == OCV_OK) {
            ocv_serve_authority *o = &out->authorities[out->count++];
            ocv_strlcpy(o->id, a.id, sizeof(o->id));
            o->sequence = a.sequence;
            o->issued_at = a.issued_at;
            o->next_update = a.next_update;
        }
        ocv_authority_state_free(&a);
        if (r != OCV_OK)
            goto unreadable;
    }
    out->readable = 1;
    return;
unreadable:
    ocv_store_close(mon->store); /* reopen on the next read */
    mon->store = NULL;
    out->count = 0;
    snprintf(out->problem, sizeof(out->problem), "store unreadable");
}

void ocv_serve_monitor_read(ocv_serve_monitor *mon, ocv_serve_revocation *out)
{
    pthread_mutex_lock(&mon->lock);
    read_locked(mon, out);
    pthread_mutex_unlock(&mon->lock);
}

int ocv_serve_health(ocv_serve_monitor *mon, int64_t now, char *why, size_t why_len)
{
    ocv_serve_revocation rev;
    ocv_serve_monitor_read(mon, &rev);
    if (!rev.configured) {
        snprintf(why, why_len, "ok: configuration loaded, no revocation store configured");
        return 0;
    }
    if (!rev.readable) {
        snprintf(why, why_len, "unhealthy: %s", rev.problem);
        return -1;
    }
    for (size_t i = 0; i < rev.count; i++) {
        const ocv_serve_authority *a = &rev.authorities[i];
        if (a->sequence == 0) {
            snprintf(why, why_len, "unhealthy: authority %s: no bundle applied", a->id);
            return -1;
        }
        if (a->next_update <= now) {
            snprintf(why, why_len,
                     "unhealthy: authority %s: stale since %lld s (next_update passed)", a->id,
                     (long long)(now - a->next_update));
            return -1;
        }
        if (mon->max_age > 0 && now - a->issued_at > mon->max_age) {
            snprintf(why, why_len, "unhealthy: authority %s: data older than revocation_max_age",
                     a->id);
            return -1;
        }
    }
    snprintf(why, why_len, "ok: configuration loaded, revocation data fresh (%zu authorities)",
             rev.count);
    return 0;
}
