#include "stages.h"

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
    ocv_format_time(at, now, sizeof(now));
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
        ocv_errf(detail, detail_len, "valid from %s; evaluated at %s", when, now);
        return OCV_NOT_YET_VALID;
    }
    if (at - skew > claims->expires_at) {
        ocv_format_time(claims->expires_at, when, sizeof(when));
        ocv_errf(detail, detail_len, "expired at %s; evaluated at %s", when, now);
        return OCV_EXPIRED;
    }
    ocv_format_time(claims->expires_at, when, sizeof(when));
    ocv_errf(detail, detail_len, "valid until %s", when);
    return OCV_OK;
}
