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
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "serve/serve_internal.h"

int ocv_serve_monitor_init(ocv_serve_monitor *mon, const char *db_path, int64_t max_age)
{
    memset(mon, 0, sizeof(*mon));
    mon->wal_fd = -1;
    if (pthread_mutex_init(&mon->lock, NULL) != 0)
        return -1;
    ocv_strlcpy(mon->db_path, db_path != NULL ? db_path : "", sizeof(mon->db_path));
    mon->max_age = max_age;
    return 0;
}

static void stamp_close(ocv_serve_monitor *mon)
{
    if (mon->wal_fd >= 0)
        close(mon->wal_fd);
    mon->wal_fd = -1;
}

void ocv_serve_monitor_free(ocv_serve_monitor *mon)
{
    stamp_close(mon);
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
        stamp_close(mon);
        ocv_strlcpy(mon->db_path, db_path != NULL ? db_path : "", sizeof(mon->db_path));
    }
    mon->max_age = max_age;
    mon->cached_at = 0;
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
    mon->cached = *out;
    mon->cached_at = ocv_now();
    pthread_mutex_unlock(&mon->lock);
}

/* What changes when another process commits to the store: the database
 * file or its write-ahead log (mtime and size), no SQL. Every commit
 * appends to the WAL (the store is always in WAL mode), so the WAL is held
 * open and fstat'ed (no path lookup on the hot path); a WAL not there yet
 * is looked for again each time, one that was unlinked (nlink 0) is
 * reopened by its path. The database file itself is stat'ed by path and
 * never opened here: closing a descriptor of it would drop the POSIX
 * locks SQLite's connections in this process hold on it (SQLite takes
 * none on the WAL file). Under mon->lock. */
static void stamp_wal(ocv_serve_monitor *mon, const char *path, int64_t *out)
{
    struct stat st;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (mon->wal_fd < 0)
            mon->wal_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (mon->wal_fd < 0)
            return;
        if (fstat(mon->wal_fd, &st) == 0 && st.st_nlink > 0) {
            out[0] = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
            out[1] = (int64_t)st.st_size;
            return;
        }
        close(mon->wal_fd);
        mon->wal_fd = -1;
    }
}

static void store_stamp(ocv_serve_monitor *mon, int64_t stamp[4])
{
    char wal[OCV_SERVE_MAX_PATH + 8];
    struct stat st;
    memset(stamp, 0, 4 * sizeof(stamp[0]));
    if (stat(mon->db_path, &st) == 0) {
        stamp[0] = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        stamp[1] = (int64_t)st.st_size;
    }
    snprintf(wal, sizeof(wal), "%s-wal", mon->db_path);
    stamp_wal(mon, wal, stamp + 2);
}

void ocv_serve_monitor_cached(ocv_serve_monitor *mon, ocv_serve_revocation *out)
{
    pthread_mutex_lock(&mon->lock);
    int64_t now = ocv_now();
    int64_t stamp[4] = {0, 0, 0, 0};
    if (mon->db_path[0])
        store_stamp(mon, stamp);
    if (mon->cached_at == 0 || now - mon->cached_at >= 1 ||
        memcmp(stamp, mon->cached_stamp, sizeof(stamp)) != 0) {
        read_locked(mon, &mon->cached);
        mon->cached_at = now;
        memcpy(mon->cached_stamp, stamp, sizeof(stamp));
    }
    *out = mon->cached;
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
