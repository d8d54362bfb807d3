#include "stages.h"

#include <string.h>
#include <time.h>

#include "base/util.h"

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
    ocv_errf(detail, detail_len, "valid for %lld more seconds",
             (long long)(claims->expires_at - at));
    return OCV_OK;
}

ocv_reason ocv_stage_clock_floor(ocv_state *st, int64_t at, char *detail, size_t detail_len)
{
    if (st->store == NULL)
        return OCV_OK;
    if (st->store_broken) {
        ocv_errf(detail, detail_len, "the revocation store fails its integrity check: %s",
                 st->store_problem);
        return OCV_REVOCATION_MISSING;
    }
    int64_t floor = 0;
    pthread_mutex_lock(&st->store_lock);
    ocv_reason r = ocv_store_get_clock_floor(st->store, &floor);
    pthread_mutex_unlock(&st->store_lock);
    if (r != OCV_OK) {
        ocv_errf(detail, detail_len, "the revocation store cannot be read");
        return OCV_REVOCATION_MISSING;
    }
    if (at + st->skew < floor) {
        char when[32], now[32];
        ocv_format_time(floor, when, sizeof(when));
        ocv_format_time(at, now, sizeof(now));
        ocv_errf(detail, detail_len, "evaluation time %s is behind the clock floor %s", now, when);
        return OCV_CLOCK_BEHIND_FLOOR;
    }
    return OCV_OK;
}

ocv_reason ocv_stage_store(ocv_state *st, const ocv_claims *claims, int64_t at,
                           ocv_store_verdict *verdict, char *detail, size_t detail_len)
{
    memset(verdict, 0, sizeof(*verdict));
    if (st->store == NULL)
        return OCV_OK;
    ocv_store_verdict v;
    pthread_mutex_lock(&st->store_lock);
    ocv_reason r = ocv_store_lookup(st->store, claims, &v);
    *verdict = v;
    pthread_mutex_unlock(&st->store_lock);
    if (r != OCV_OK) {
        ocv_errf(detail, detail_len, "the revocation store cannot be read");
        return OCV_REVOCATION_MISSING;
    }
    if (v.revoked) {
        ocv_errf(detail, detail_len, "revoked by entry %s", v.matched);
        return OCV_REVOKED;
    }
    if (!v.has_data) {
        if (!st->require_revocation)
            return OCV_OK;
        ocv_errf(detail, detail_len,
                 "the revocation store holds no data and revocation is "
                 "required");
        return OCV_REVOCATION_MISSING;
    }
    int stale = st->revocation_max_age > 0 ? at - v.newest_issued_at > st->revocation_max_age
                                           : at - st->skew > v.oldest_next_update;
    if (stale) {
        char when[32];
        ocv_format_time(st->revocation_max_age > 0 ? v.newest_issued_at : v.oldest_next_update,
                        when, sizeof(when));
        ocv_errf(detail, detail_len,
                 st->revocation_max_age > 0 ? "revocation data issued %s is older than allowed"
                                            : "revocation data expired at %s (next_update)",
                 when);
        return OCV_REVOCATION_STALE;
    }
    return OCV_OK;
}
