/*
 * serve_metrics.c - the sidecar's counters and their Prometheus text
 * (exposition format 0.0.4). Counters are relaxed atomics: a scrape sees
 * each counter exact, not a snapshot across counters.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve_internal.h"

#define X_REASON_FITS(name, number, text, meaning)                                                 \
    _Static_assert((number) < OCV_SERVE_REASON_SLOTS, "reason slots");
OCV_REASON_LIST(X_REASON_FITS)
#undef X_REASON_FITS

/* Upper bounds of the latency buckets, in microseconds. */
static const unsigned LATENCY_US[OCV_SERVE_LATENCY_BUCKETS] = {
    25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 1000000};

static const struct {
    unsigned code;
    int slot;
} HTTP_CODES[] = {
    {200, OCV_SERVE_HTTP_200}, {400, OCV_SERVE_HTTP_400}, {401, OCV_SERVE_HTTP_401},
    {403, OCV_SERVE_HTTP_403}, {404, OCV_SERVE_HTTP_404}, {413, OCV_SERVE_HTTP_413},
    {503, OCV_SERVE_HTTP_503},
};

void ocv_serve_metrics_init(ocv_serve_metrics *m)
{
    memset(m, 0, sizeof(*m)); /* all-zero bits are zero atomics on every target we build */
}

static void count_cache(atomic_ullong counts[2], ocv_cache_use use)
{
    if (use != OCV_CACHE_NOT_USED)
        atomic_fetch_add_explicit(&counts[use == OCV_CACHE_HIT ? 0 : 1], 1, memory_order_relaxed);
}

void ocv_serve_metrics_decision(ocv_serve_metrics *m, const ocv_decision *d, uint64_t nanoseconds)
{
    unsigned r = (unsigned)d->reason < OCV_SERVE_REASON_SLOTS ? (unsigned)d->reason
                                                              : (unsigned)OCV_INTERNAL_ERROR;
    atomic_fetch_add_explicit(&m->decisions[d->allow ? 1 : 0][r], 1, memory_order_relaxed);
    count_cache(m->cache[0], d->signature_cache);
    count_cache(m->cache[1], d->store_read);
    uint64_t us = nanoseconds / 1000;
    size_t b = 0;
    while (b < OCV_SERVE_LATENCY_BUCKETS && us > LATENCY_US[b])
        b++;
    if (b < OCV_SERVE_LATENCY_BUCKETS)
        atomic_fetch_add_explicit(&m->latency_le[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_sum_ns, nanoseconds, memory_order_relaxed);
}

void ocv_serve_metrics_http(ocv_serve_metrics *m, unsigned status)
{
    int slot = OCV_SERVE_HTTP_OTHER;
    for (size_t i = 0; i < sizeof(HTTP_CODES) / sizeof(HTTP_CODES[0]); i++) {
        if (HTTP_CODES[i].code == status)
            slot = HTTP_CODES[i].slot;
    }
    atomic_fetch_add_explicit(&m->http[slot], 1, memory_order_relaxed);
}

/* A growing text buffer; a failed append makes the whole render fail. */
typedef struct text_buf {
    char *p;
    size_t len, cap;
    int failed;
} text_buf;

static void emit(text_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(text_buf *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap * 2 + (size_t)n;
        char *p = realloc(t->p, cap);
        if (p == NULL) {
            t->failed = 1;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
}

static unsigned long long get(const atomic_ullong *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

static void render_decisions(text_buf *t, const ocv_serve_metrics *m)
{
    emit(t, "# HELP ocv_decisions_total Decisions by result and reason.\n"
            "# TYPE ocv_decisions_total counter\n");
#define X_DECISION(name, number, text, meaning)                                                    \
    if (get(&m->decisions[1][number]) > 0)                                                         \
        emit(t, "ocv_decisions_total{decision=\"allow\",reason=\"%s\"} %llu\n", text,              \
             get(&m->decisions[1][number]));                                                       \
    emit(t, "ocv_decisions_total{decision=\"deny\",reason=\"%s\"} %llu\n", text,                   \
         get(&m->decisions[0][number]));
    OCV_REASON_LIST(X_DECISION)
#undef X_DECISION
    emit(t, "# HELP ocv_decision_duration_seconds Time from request to answer.\n"
            "# TYPE ocv_decision_duration_seconds histogram\n");
    unsigned long long cumulative = 0;
    for (size_t b = 0; b < OCV_SERVE_LATENCY_BUCKETS; b++) {
        cumulative += get(&m->latency_le[b]);
        emit(t, "ocv_decision_duration_seconds_bucket{le=\"%g\"} %llu\n", LATENCY_US[b] / 1e6,
             cumulative);
    }
    emit(t, "ocv_decision_duration_seconds_bucket{le=\"+Inf\"} %llu\n", get(&m->latency_count));
    emit(t, "ocv_decision_duration_seconds_sum %.9f\n", (double)get(&m->latency_sum_ns) / 1e9);
    emit(t, "ocv_decision_duration_seconds_count %llu\n", get(&m->latency_count));
}

static void render_revocation(text_buf *t, const ocv_serve_revocation *rev, int64_t now)
{
    emit(t,
         "# HELP ocv_revocation_readable 1 when the revocation store can be read.\n"
         "# TYPE ocv_revocation_readable gauge\n"
         "ocv_revocation_readable %d\n",
         !rev->configured || rev->readable);
    emit(t, "# HELP ocv_revocation_sequence Applied bundle sequence per authority.\n"
            "# TYPE ocv_revocation_sequence gauge\n");
    for (size_t i = 0; i < rev->count; i++)
        emit(t, "ocv_revocation_sequence{authority=\"%s\"} %lld\n", rev->authorities[i].id,
             (long long)rev->authorities[i].sequence);
    emit(t, "# HELP ocv_revocation_age_seconds Seconds since the applied bundle was issued.\n"
            "# TYPE ocv_revocation_age_seconds gauge\n");
    for (size_t i = 0; i < rev->count; i++)
        emit(t, "ocv_revocation_age_seconds{authority=\"%s\"} %lld\n", rev->authorities[i].id,
             (long long)(rev->authorities[i].sequence > 0 ? now - rev->authorities[i].issued_at
                                                          : -1));
    emit(t, "# HELP ocv_revocation_next_update_seconds Seconds until the data is stale.\n"
            "# TYPE ocv_revocation_next_update_seconds gauge\n");
    for (size_t i = 0; i < rev->count; i++)
        emit(t, "ocv_revocation_next_update_seconds{authority=\"%s\"} %lld\n",
             rev->authorities[i].id, (long long)(rev->authorities[i].next_update - now));
}

static void render_audit(text_buf *t, const ocv_serve_metrics *m,
                         const ocv_serve_audit_counts *audit)
{
    ocv_serve_audit_counts none;
    memset(&none, 0, sizeof(none));
    const ocv_serve_audit_counts *a = audit != NULL ? audit : &none;
    emit(t,
         "# HELP ocv_audit_records_total Decision records written and fsynced to the audit log.\n"
         "# TYPE ocv_audit_records_total counter\n"
         "ocv_audit_records_total %llu\n"
         "# HELP ocv_audit_batches_total Audit log writes (one write and one fsync each).\n"
         "# TYPE ocv_audit_batches_total counter\n"
         "ocv_audit_batches_total %llu\n"
         "# HELP ocv_audit_failures_total Decisions denied because the audit log failed.\n"
         "# TYPE ocv_audit_failures_total counter\n"
         "ocv_audit_failures_total %llu\n"
         "# HELP ocv_audit_pending_records Answered decisions whose records are not on disk yet.\n"
         "# TYPE ocv_audit_pending_records gauge\n"
         "ocv_audit_pending_records %llu\n",
         a->written, a->batches, get(&m->audit_failures), a->pending);
}

char *ocv_serve_metrics_render(const ocv_serve_metrics *m, const ocv_serve_revocation *rev,
                               const ocv_serve_audit_counts *audit, int64_t now, size_t *len)
{
    text_buf t = {malloc(8192), 0, 8192, 0};
    if (t.p == NULL)
        return NULL;
    render_decisions(&t, m);
    emit(&t, "# HELP ocv_http_responses_total Answers by HTTP status.\n"
             "# TYPE ocv_http_responses_total counter\n");
    for (size_t i = 0; i < sizeof(HTTP_CODES) / sizeof(HTTP_CODES[0]); i++)
        emit(&t, "ocv_http_responses_total{code=\"%u\"} %llu\n", HTTP_CODES[i].code,
             get(&m->http[HTTP_CODES[i].slot]));
    emit(&t, "ocv_http_responses_total{code=\"other\"} %llu\n",
         get(&m->http[OCV_SERVE_HTTP_OTHER]));
    emit(&t,
         "# HELP ocv_requests_in_flight Requests being answered.\n"
         "# TYPE ocv_requests_in_flight gauge\n"
         "ocv_requests_in_flight %lld\n",
         (long long)atomic_load(&m->in_flight));
    emit(&t,
         "# HELP ocv_reloads_total Configuration reloads (SIGHUP) by result.\n"
         "# TYPE ocv_reloads_total counter\n"
         "ocv_reloads_total{result=\"ok\"} %llu\n"
         "ocv_reloads_total{result=\"failed\"} %llu\n",
         get(&m->reloads_ok), get(&m->reloads_failed));
    emit(&t,
         "# HELP ocv_cache_lookups_total How decisions' caches answered: the verified-signature "
         "cache (tokens), and the revocation store's per-connection cache (hit: no transaction).\n"
         "# TYPE ocv_cache_lookups_total counter\n"
         "ocv_cache_lookups_total{cache=\"signature\",result=\"hit\"} %llu\n"
         "ocv_cache_lookups_total{cache=\"signature\",result=\"miss\"} %llu\n"
         "ocv_cache_lookups_total{cache=\"store\",result=\"hit\"} %llu\n"
         "ocv_cache_lookups_total{cache=\"store\",result=\"miss\"} %llu\n",
         get(&m->cache[0][0]), get(&m->cache[0][1]), get(&m->cache[1][0]), get(&m->cache[1][1]));
    render_audit(&t, m, audit);
    render_revocation(&t, rev, now);
    if (t.failed) {
        free(t.p);
        return NULL;
    }
    *len = t.len;
    return t.p;
}
