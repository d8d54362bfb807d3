/*
 * serve_internal.h - the pieces of the sidecar shared by serve/ files:
 * metrics (atomic counters, Prometheus text), the revocation monitor
 * (health and per-authority gauges), the decision log line and the audit
 * seam. Internal to serve/.
 */
#ifndef OCV_SERVE_INTERNAL_H
#define OCV_SERVE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <jansson.h>

#include "revocation/store.h"
#include "serve/serve.h"

/* ---- metrics (serve_metrics.c) -------------------------------------- */

#define OCV_SERVE_REASON_SLOTS    64 /* reason numbers are below this */
#define OCV_SERVE_LATENCY_BUCKETS 12

enum {
    OCV_SERVE_HTTP_200,
    OCV_SERVE_HTTP_400,
    OCV_SERVE_HTTP_401,
    OCV_SERVE_HTTP_403,
    OCV_SERVE_HTTP_404,
    OCV_SERVE_HTTP_413,
    OCV_SERVE_HTTP_503,
    OCV_SERVE_HTTP_OTHER,
    OCV_SERVE_HTTP_SLOTS
};

typedef struct ocv_serve_metrics {
    atomic_ullong decisions[2][OCV_SERVE_REASON_SLOTS];  /* [allow][reason] */
    atomic_ullong latency_le[OCV_SERVE_LATENCY_BUCKETS]; /* per bucket, not cumulative */
    atomic_ullong latency_count, latency_sum_ns;
    atomic_ullong http[OCV_SERVE_HTTP_SLOTS];
    atomic_ullong reloads_ok, reloads_failed;
    atomic_ullong cache[2][2];    /* [signature, store][hit, miss] */
    atomic_ullong audit_failures; /* the rest of the audit counters: ocv_serve_audit_stats */
    atomic_llong in_flight;
} ocv_serve_metrics;

void ocv_serve_metrics_init(ocv_serve_metrics *m);
void ocv_serve_metrics_decision(ocv_serve_metrics *m, const ocv_decision *d, uint64_t nanoseconds);
void ocv_serve_metrics_http(ocv_serve_metrics *m, unsigned status);

/* ---- revocation monitor (serve_health.c) ---------------------------- */

typedef struct ocv_serve_authority {
    char id[OCV_MAX_AUTHORITY_ID_BYTES + 1];
    int64_t sequence, issued_at, next_update;
} ocv_serve_authority;

typedef struct ocv_serve_revocation {
    int configured; /* a store is configured */
    int readable;
    char problem[200]; /* why not readable */
    size_t count;
    ocv_serve_authority authorities[OCV_MAX_AUTHORITIES];
} ocv_serve_revocation;

/* Reads the store's authorities through its own read connection (opened
 * lazily, reopened after an error) under the monitor's lock. */
typedef struct ocv_serve_monitor {
    pthread_mutex_t lock;
    char db_path[OCV_SERVE_MAX_PATH + 1]; /* "" : no store */
    int64_t max_age;                      /* config revocation_max_age, 0: none */
    ocv_store *store;
} ocv_serve_monitor;

int ocv_serve_monitor_init(ocv_serve_monitor *mon, const char *db_path, int64_t max_age);
void ocv_serve_monitor_free(ocv_serve_monitor *mon);
void ocv_serve_monitor_set(ocv_serve_monitor *mon, const char *db_path, int64_t max_age);
void ocv_serve_monitor_read(ocv_serve_monitor *mon, ocv_serve_revocation *out);
/* 0 healthy; else why into why. */
int ocv_serve_health(ocv_serve_monitor *mon, int64_t now, char *why, size_t why_len);

/* Prometheus text format 0.0.4, malloc'd; NULL on allocation failure.
 * audit NULL: no audit log (its counters are left out). */
struct ocv_serve_audit_counts;
char *ocv_serve_metrics_render(const ocv_serve_metrics *m, const ocv_serve_revocation *rev,
                               const struct ocv_serve_audit_counts *audit, int64_t now,
                               size_t *len);

/* ---- the decision's context (serve_http.c fills it) ----------------- */

typedef struct ocv_serve_meta {
    const char *contract; /* "nginx" | "envoy" */
    const char *method;
    const char *path;    /* the original path, without the query */
    const char *purpose; /* NULL: none */
    const char *audience;
    const char *listen;
    char peer[64];
    char fingerprint[65]; /* SHA-256 hex of the credential bytes, or "" */
    unsigned status;
    uint64_t nanoseconds;
} ocv_serve_meta;

/* ---- log lines (serve_log.c) ---------------------------------------- */

/* One line on stderr: {"time","level","event", ...fields} or logfmt.
 * fields is borrowed (may be NULL). Lines below level are dropped. */
void ocv_serve_log(ocv_serve_log_format format, ocv_serve_log_level level, ocv_serve_log_level at,
                   const char *event, json_t *fields);
/* While the server runs: decision lines are buffered and flushed by a
 * writer thread within LOG_FLUSH_MS (10 ms), every other line at once.
 * Start before anything is written to stderr; 0 if it could not start
 * (each line is then written at once). Stop flushes. */
int ocv_serve_log_start(void);
void ocv_serve_log_stop(void);
/* The decision line: the library's decision JSON plus the request. */
void ocv_serve_log_decision(ocv_serve_log_format format, ocv_serve_log_level level,
                            const ocv_decision *d, const ocv_serve_meta *meta);
/* logfmt rendering of a flat object, for tests: malloc'd. */
char *ocv_serve_logfmt(json_t *fields);

/* ---- the audit seam (serve_audit.c) --------------------------------- */

typedef struct ocv_serve_audit ocv_serve_audit;

/* What the log did, for /metrics. */
typedef struct ocv_serve_audit_counts {
    unsigned long long accepted; /* records handed to the writer */
    unsigned long long written;  /* records written and fsynced */
    unsigned long long batches;  /* write+fsync calls */
    unsigned long long failures; /* decisions denied because the log refused them */
    unsigned long long pending;  /* accepted, not (yet) on disk: what a crash loses now */
} ocv_serve_audit_counts;

/* Opens the audit log the config names (NULL *out when none): verifies
 * the existing chain, loads the device key, opens the batching writer.
 * OCV_CONFIG_INVALID (err says why) or OCV_INTERNAL_ERROR stop the start. */
OCV_MUST_CHECK ocv_reason ocv_serve_audit_open(const ocv_serve_config *cfg,
                                               ocv_serve_metrics *metrics, ocv_serve_audit **out,
                                               char *err, size_t err_len);
/* 1 when the selection records this outcome (0 for a NULL log). */
int ocv_serve_audit_wants(ocv_serve_audit *a, int allow);
/* Records one decision (when the selection names it), with the revocation
 * state in force that the decision itself read (ocv_decision.revocation);
 * returns once the record is in the batch buffer (batch_ms 0: written and
 * fsynced).
 * Anything but OCV_OK: the caller answers 403 INTERNAL_ERROR. Thread-safe. */
OCV_MUST_CHECK ocv_reason ocv_serve_audit_decision(ocv_serve_audit *a, const ocv_decision *d,
                                                   const ocv_serve_meta *meta);
void ocv_serve_audit_set_which(ocv_serve_audit *a, unsigned which);
/* All zero for a NULL log. */
void ocv_serve_audit_stats(ocv_serve_audit *a, ocv_serve_audit_counts *out);
/* The writer's last error ("" when none or no log). */
const char *ocv_serve_audit_error(ocv_serve_audit *a);
/* Writes what is queued (with a key: a closing checkpoint), stops the
 * writer, frees. OCV_OK, or the failure with err saying why. NULL: OCV_OK. */
OCV_MUST_CHECK ocv_reason ocv_serve_audit_close(ocv_serve_audit *a, char *err, size_t err_len);

#endif
