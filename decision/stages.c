#include "stages.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"

struct ocv_store_pool {
    pthread_mutex_t lock;
    pthread_cond_t returned;
    char *path;
    ocv_store *free[OCV_STORE_POOL_MAX];
    size_t free_count, open_count;
};

ocv_reason ocv_store_pool_open(const char *path, ocv_store_pool **out, char *err, size_t err_len)
{
    *out = NULL;
    ocv_store_pool *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return OCV_INTERNAL_ERROR;
    p->path = strdup(path);
    if (p->path == NULL || pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p->path);
        free(p);
        return OCV_INTERNAL_ERROR;
    }
    if (pthread_cond_init(&p->returned, NULL) != 0) {
        pthread_mutex_destroy(&p->lock);
        free(p->path);
        free(p);
        return OCV_INTERNAL_ERROR;
    }
    ocv_reason r = ocv_store_open(path, 0, &p->free[0], err, err_len);
    if (r != OCV_OK) {
        ocv_store_pool_close(p);
        return r;
    }
    p->free_count = p->open_count = 1;
    *out = p;
    return OCV_OK;
}

void ocv_store_pool_close(ocv_store_pool *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->free_count; i++)
        ocv_store_close(p->free[i]);
    pthread_cond_destroy(&p->returned);
    pthread_mutex_destroy(&p->lock);
    free(p->path);
    free(p);
}

ocv_store *ocv_store_pool_acquire(ocv_store_pool *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->free_count == 0 && p->open_count == OCV_STORE_POOL_MAX)
        pthread_cond_wait(&p->returned, &p->lock);
    if (p->free_count > 0) {
        ocv_store *s = p->free[--p->free_count];
        pthread_mutex_unlock(&p->lock);
        return s;
    }
    p->open_count++; /* reserve the slot, open outside the lock */
    pthread_mutex_unlock(&p->lock);
    ocv_store *s = NULL;
    char err[160];
    if (ocv_store_open(p->path, 0, &s, err, sizeof(err)) != OCV_OK) {
        pthread_mutex_lock(&p->lock);
        p->open_count--;
        pthread_cond_signal(&p->returned);
        pthread_mutex_unlock(&p->lock);
        return NULL;
    }
    return s;
}

void ocv_store_pool_release(ocv_store_pool *p, ocv_store *s)
{
    pthread_mutex_lock(&p->lock);
    p->free[p->free_count++] = s;
    pthread_cond_signal(&p->returned);
    pthread_mutex_unlock(&p->lock);
}

void ocv_format_time(int64_t t, char *out, size_t out_len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, out_len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        ocv_errf(out, out_len, "@%lld", (long long)t);
}

ocv_reason ocv_stage_time(const ocv_claims *claims, int64_t at, int64_t skew, char *detail,
                          size_t detail_len)
{
    char when[32], now[32];
    if (!claims->has_expires_at) {
        ocv_errf(detail, detail_len, "the credential has no expiry");
        return OCV_MALFORMED;
    }
    if (claims->has_not_before && claims->expires_at < claims->not_before) {
        ocv_errf(detail, detail_len, "the credential expires before it becomes valid");
        return OCV_MALFORMED;
    }
    if (claims->has_issued_at && at + skew < claims->issued_at) {
        ocv_format_time(claims->issued_at, when, sizeof(when));
        ocv_format_time(at, now, sizeof(now));
        ocv_errf(detail, detail_len, "issued in the future (iat %s); evaluated at %s", when, now);
        return OCV_NOT_YET_VALID;
    }
    if (claims->has_not_before && at + skew < claims->not_before) {
        ocv_format_time(claims->not_before, when, sizeof(when));
        ocv_format_time(at, now, sizeof(now));
        ocv_errf(detail, detail_len, "valid from %s; evaluated at %s", when, now);
        return OCV_NOT_YET_VALID;
    }
    if (at - skew > claims->expires_at) {
        ocv_format_time(claims->expires_at, when, sizeof(when));
        ocv_format_time(at, now, sizeof(now));
        ocv_errf(detail, detail_len, "expired at %s; evaluated at %s", when, now);
        return OCV_EXPIRED;
    }
    return OCV_OK;
}

void ocv_store_view_open(ocv_state *st, ocv_store_view *view, ocv_decision *d)
{
    memset(view, 0, sizeof(*view));
    if (st->stores == NULL || st->store_broken) /* a store that failed its proof is not read */
        return;
    view->store = ocv_store_pool_acquire(st->stores);
    if (view->store == NULL)
        return;
    view->readable = ocv_store_read_begin(view->store) == OCV_OK &&
                     ocv_store_state(view->store, &view->clock_floor, d->revocation,
                                     &d->revocation_count) == OCV_OK;
}

void ocv_store_view_restate(const ocv_store_view *view, ocv_decision *d)
{
    int64_t floor;
    if (ocv_store_state(view->store, &floor, d->revocation, &d->revocation_count) != OCV_OK)
        d->revocation_count = 0;
}

void ocv_store_view_close(ocv_state *st, ocv_store_view *view, ocv_decision *d)
{
    if (view->store == NULL)
        return;
    if (view->readable)
        d->store_read = ocv_store_read_cached(view->store) ? OCV_CACHE_HIT : OCV_CACHE_MISS;
    ocv_store_read_end(view->store);
    ocv_store_pool_release(st->stores, view->store);
    view->store = NULL;
}

/* Every stage that reads the store asks here first: one that failed its
 * proof or cannot be read denies, in every mode (a historical question
 * skips the clock floor, never this). */
static ocv_reason store_unusable(const ocv_state *st, const ocv_store_view *view, char *detail,
                                 size_t detail_len)
{
    if (st->store_broken) {
        ocv_errf(detail, detail_len, "the revocation store fails its integrity check: %s",
                 st->store_problem);
        return OCV_REVOCATION_MISSING;
    }
    if (!view->readable) {
        ocv_errf(detail, detail_len, "the revocation store cannot be read");
        return OCV_REVOCATION_MISSING;
    }
    return OCV_OK;
}

ocv_reason ocv_stage_clock_floor(const ocv_state *st, const ocv_store_view *view, int64_t at,
                                 char *detail, size_t detail_len)
{
    if (st->stores == NULL)
        return OCV_OK;
    ocv_reason unusable = store_unusable(st, view, detail, detail_len);
    if (unusable != OCV_OK)
        return unusable;
    int64_t floor = view->clock_floor;
    if (at + st->skew < floor) {
        char when[32], now[32];
        ocv_format_time(floor, when, sizeof(when));
        ocv_format_time(at, now, sizeof(now));
        ocv_errf(detail, detail_len, "evaluation time %s is behind the clock floor %s", now, when);
        return OCV_CLOCK_BEHIND_FLOOR;
    }
    return OCV_OK;
}

/* Freshness: every source's next_update binds always; a max age only
 * tightens it, measured from the oldest source. */
static ocv_reason check_fresh(const ocv_state *st, const ocv_store_freshness *f, int64_t at,
                              char *detail, size_t detail_len)
{
    char when[32];
    if (at - st->skew > f->oldest_next_update) {
        ocv_format_time(f->oldest_next_update, when, sizeof(when));
        ocv_errf(detail, detail_len, "revocation data of %s expired at %s (next_update)",
                 f->next_update_source, when);
        return OCV_REVOCATION_STALE;
    }
    if (st->revocation_max_age > 0 && at - f->oldest_issued_at > st->revocation_max_age) {
        ocv_format_time(f->oldest_issued_at, when, sizeof(when));
        ocv_errf(detail, detail_len,
                 "revocation data of %s issued %s is older than the maximum age of %llds",
                 f->issued_at_source, when, (long long)st->revocation_max_age);
        return OCV_REVOCATION_STALE;
    }
    return OCV_OK;
}

ocv_reason ocv_stage_store(const ocv_state *st, const ocv_store_view *view,
                           const ocv_claims *claims, int64_t at, ocv_store_verdict *verdict,
                           char *detail, size_t detail_len)
{
    memset(verdict, 0, sizeof(*verdict));
    if (st->stores == NULL)
        return OCV_OK;
    ocv_reason r = store_unusable(st, view, detail, detail_len);
    if (r != OCV_OK)
        return r;
    r = ocv_store_lookup(view->store, claims, verdict);
    if (r != OCV_OK) {
        ocv_errf(detail, detail_len, "the revocation store cannot be read");
        return OCV_REVOCATION_MISSING;
    }
    const ocv_store_freshness *f = &verdict->freshness;
    if (verdict->revoked) {
        ocv_errf(detail, detail_len, "revoked by entry %s", verdict->matched);
        return OCV_REVOKED;
    }
    if (st->require_revocation && f->unsynced > 0) {
        ocv_errf(detail, detail_len,
                 "authority '%s' is pinned but has no revocation data, and revocation is required",
                 f->unsynced_source);
        return OCV_REVOCATION_MISSING;
    }
    if (!f->has_data) {
        if (!st->require_revocation)
            return OCV_OK;
        ocv_errf(detail, detail_len,
                 "the revocation store holds no data and revocation is required");
        return OCV_REVOCATION_MISSING;
    }
    return check_fresh(st, f, at, detail, detail_len);
}
