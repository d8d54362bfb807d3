/*
 * stages.h - the pieces of the decision pipeline shared between the
 * pipeline driver and the per-format stages. Internal to decision/.
 */
#ifndef OCV_DECISION_STAGES_H
#define OCV_DECISION_STAGES_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "base/claims.h"
#include "ocv.h"
#include "policy/policy.h"
#include "revocation/store.h"
#include "verifier/keyset.h"
#include "verifier/sigcache.h"
#include "verifier/trust.h"
#include "verifier/x509.h"

/*
 * Read connections to the revocation store, one per concurrent check:
 * SQLite in WAL mode lets readers run in parallel, so checks on different
 * threads never wait for each other's lookups. A check borrows a
 * connection for its lookups and returns it; the pool's mutex guards only
 * the free list, never a query. Connections open lazily, at most
 * OCV_STORE_POOL_MAX; a check that finds none free and the pool full
 * waits for one.
 */
#define OCV_STORE_POOL_MAX 64
typedef struct ocv_store_pool ocv_store_pool;

/* Opens the pool with its first connection (err says why not). */
OCV_MUST_CHECK ocv_reason ocv_store_pool_open(const char *path, ocv_store_pool **out, char *err,
                                              size_t err_len);
void ocv_store_pool_close(ocv_store_pool *pool);
/* A connection for one check; NULL when none can be opened. */
ocv_store *ocv_store_pool_acquire(ocv_store_pool *pool);
void ocv_store_pool_release(ocv_store_pool *pool, ocv_store *store);

/* Everything loaded from one configuration; immutable once published,
 * freed when the last check using it drops its reference. */
typedef struct ocv_state {
    atomic_int refs;
    ocv_trust trust; /* every key and anchor, each bound to its source */
    ocv_x509_crls crls;
    ocv_sigcache *sigcache; /* verified token signatures; NULL: none */
    int64_t skew;
    ocv_eku leaf_eku;
    unsigned identity_fallback;
    int no_policy;
    ocv_policy *policy;                        /* NULL: POLICY_MISSING (or no_policy) */
    char audience[OCV_MAX_AUDIENCE_BYTES + 1]; /* this service, from config */
    int64_t max_ttl_ceiling;
    ocv_store_pool *stores; /* read connections; NULL without a revocation store */
    int store_broken;       /* failed its integrity check at load: deny all */
    char store_problem[200];
    int require_revocation;
    int64_t revocation_max_age;
    /* X.509 path validation inputs (RFC 5280 §6.1.1); oids hold the DER */
    ocv_x509_policy_init policy_init;
    uint8_t policy_oids[OCV_MAX_INITIAL_POLICIES][64];
    int anchor_name_constraints;
} ocv_state;

/*
 * The time stage, the same for every format: validity window against the
 * evaluation time with the skew on both sides.
 * Reasons: OCV_MALFORMED (no expiry; expiry before not-before),
 * OCV_NOT_YET_VALID, OCV_EXPIRED, OCV_OK.
 */
OCV_MUST_CHECK ocv_reason ocv_stage_time(const ocv_claims *claims, int64_t at, int64_t skew,
                                         char *detail, size_t detail_len);

/*
 * One decision's view of the revocation store: a pooled connection in
 * one read (ocv_store_read_begin) from the first stage to the last, so the
 * clock floor, every lookup and the state the decision records as in
 * force (ocv_decision.revocation) are read from the same state: the
 * connection's cache while the store is unchanged, else one transaction.
 * (A sync committing between the view's opening and a lookup the cache
 * cannot answer: the lookup and the recorded state are the newer ones,
 * the clock floor the older.) store is NULL without a store; readable is
 * 0 when it cannot be read (the stages fail closed).
 */
typedef struct ocv_store_view {
    ocv_store *store;
    int readable;
    int64_t clock_floor;
} ocv_store_view;

/* Opens the view and copies the state in force into d (nothing when no
 * store is configured or it cannot be read). */
void ocv_store_view_open(ocv_state *st, ocv_store_view *view, ocv_decision *d);
/* Ends the read; d->store_read says whether it needed a transaction. */
void ocv_store_view_close(ocv_state *st, ocv_store_view *view, ocv_decision *d);
/* After a lookup that answered from a newer state than the view opened
 * on (ocv_store_verdict.state_moved): d records that state as in force. */
void ocv_store_view_restate(const ocv_store_view *view, ocv_decision *d);

/*
 * The clock floor check (part of the time stage): a request time more
 * than the skew behind the newest trusted time the store accepted means a
 * clock rolled back. OCV_CLOCK_BEHIND_FLOOR, OCV_REVOCATION_MISSING (the
 * store cannot be read, or failed its proof), OCV_OK (also without a
 * store).
 */
OCV_MUST_CHECK ocv_reason ocv_stage_clock_floor(const ocv_state *st, const ocv_store_view *view,
                                                int64_t at, char *detail, size_t detail_len);

/*
 * The store part of the revocation stage: entries for every claim, then
 * freshness. OCV_REVOKED (detail names the entry), OCV_REVOCATION_STALE,
 * OCV_REVOCATION_MISSING (no data while required, or the store failed
 * its proof or cannot be read: fail closed), OCV_OK (also without a store).
 */
OCV_MUST_CHECK ocv_reason ocv_stage_store(const ocv_state *st, const ocv_store_view *view,
                                          const ocv_claims *claims, int64_t at,
                                          ocv_store_verdict *verdict, char *detail,
                                          size_t detail_len);

/* "2026-11-24T09:00:00Z" into out (at least 32 bytes). */
void ocv_format_time(int64_t t, char *out, size_t out_len);

#endif
