/*
 * sigcache.h - a bounded cache of verified signatures (design.md:
 * "cached verified signatures"), so a sidecar that sees the same token on
 * every request pays for its signature once.
 *
 * What is cached: only successes, under a 32-byte id = SHA-256 over the
 * trusted key's SPKI hash, the algorithm, the signed bytes and the
 * signature. A different key, algorithm, message or signature is a
 * different id; a failure is never cached, so nothing can be made to
 * verify by the cache. Everything else about a credential (time,
 * revocation, policy) is still checked on every request.
 *
 * Shape: direct-mapped slots (the id's first bytes pick the slot; a newer
 * entry replaces an older one). One cache belongs to one loaded
 * configuration: a reload starts an empty one.
 *
 * Thread safety: lookups and inserts take the cache's mutex (tens of
 * nanoseconds, never held during a verification).
 */
#ifndef OCV_VERIFIER_SIGCACHE_H
#define OCV_VERIFIER_SIGCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/claims.h"
#include "ocv.h"

typedef struct ocv_sigcache ocv_sigcache;

/* slots == 0 gives NULL (no cache), which every call below accepts. */
OCV_MUST_CHECK ocv_reason ocv_sigcache_new(size_t slots, ocv_sigcache **out);
void ocv_sigcache_free(ocv_sigcache *cache);

/* The id of one verification. 0 on success. */
OCV_MUST_CHECK int ocv_sigcache_id(const uint8_t key_id[32], ocv_alg alg, const uint8_t *msg,
                                   size_t msg_len, const uint8_t *sig, size_t sig_len,
                                   uint8_t out[32]);

/* 1 when this exact verification succeeded before. */
int ocv_sigcache_hit(ocv_sigcache *cache, const uint8_t id[32]);
void ocv_sigcache_remember(ocv_sigcache *cache, const uint8_t id[32]);

#endif
