/*
 * sigcache.h - a bounded cache of verified signatures (design.md: "the
 * verified-signature cache"), so a sidecar that sees the same token (or
 * the same intermediate CA and CRL) on every request pays for each
 * signature once.
 *
 * What is cached: only successes, under a 32-byte id = SHA-256 over a
 * 32-byte secret drawn at random once per process (libsodium
 * randombytes), the verifying key's identity (SHA-256 of its
 * SubjectPublicKeyInfo), an algorithm code, the lengths, the signed bytes
 * and the signature. SHA-256 runs on the build's fastest implementation
 * (OpenSSL's in the default profile, SHA-NI where the CPU has it; mbedtls
 * on device). The whole id is stored and compared, so two different
 * tuples cannot share an entry (that would need a SHA-256 collision), and
 * nothing can be made to verify by the cache: a failure is never stored.
 * The random key makes the set an id falls in unpredictable from outside,
 * so a sender cannot aim its tokens at one set to evict the hot ones.
 * Everything else about a credential (time, revocation, policy) is still
 * checked on every request.
 *
 * Shape: set-associative, OCV_SIGCACHE_WAYS (16) entries per set with
 * CLOCK (second chance) replacement inside the set, so hot entries that
 * share a set do not evict each other the way one slot per hash did.
 * Sixteen ways, not eight: 1,000 hot ids over the 256 sets of the default
 * 4,096 entries put more than 8 into some set of 8 ways in about one
 * process in ten (the sets are random per process), more than 16 into a
 * set of 16 ways in about one in five thousand (Poisson estimates). Sizes are rounded up to whole
 * sets.
 *
 * Thread safety: a lookup takes no lock (a per-set sequence counter: the
 * reader retries if a writer changed the set meanwhile); an insert takes
 * its set's spin lock only. No global lock.
 *
 * Reload: one cache belongs to one loaded configuration. ocv_sigcache_
 * carry_over copies into a new cache the entries made by keys that the new
 * configuration still holds; entries of removed keys are left behind
 * (they could not be hit anyway: an id names the key that verified, and
 * only keys of the current configuration are ever selected).
 */
#ifndef OCV_VERIFIER_SIGCACHE_H
#define OCV_VERIFIER_SIGCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/claims.h"
#include "ocv.h"

#define OCV_SIGCACHE_WAYS 16
/* Algorithm codes: token signatures use their ocv_alg value (< 0x80);
 * X.509 signatures (sigalg.c) set this bit and encode their parameters. */
#define OCV_SIGCACHE_X509 0x80u

typedef struct ocv_sigcache ocv_sigcache;

/* entries == 0 gives NULL (no cache), which every call below accepts.
 * OCV_OK or OCV_INTERNAL_ERROR. */
OCV_MUST_CHECK ocv_reason ocv_sigcache_new(size_t entries, ocv_sigcache **out);
void ocv_sigcache_free(ocv_sigcache *cache);
/* How many entries the cache holds at most (whole sets). */
size_t ocv_sigcache_capacity(const ocv_sigcache *cache);

/* The id of one verification. 0 on success, -1 if libsodium fails to
 * initialise (then nothing is cached). */
OCV_MUST_CHECK int ocv_sigcache_id(const uint8_t key_id[32], uint64_t alg_code, const uint8_t *msg,
                                   size_t msg_len, const uint8_t *sig, size_t sig_len,
                                   uint8_t out[32]);

/* 1 when this exact verification succeeded before (and is still held). */
int ocv_sigcache_hit(ocv_sigcache *cache, const uint8_t id[32]);
/* Remembers a success; key_id is the verifying key's identity (for
 * carry_over). */
void ocv_sigcache_remember(ocv_sigcache *cache, const uint8_t id[32], const uint8_t key_id[32]);

/*
 * Copies into `to` every entry of `from` made by one of the keys listed
 * (their 32-byte identities). Either cache may be NULL (nothing to do).
 * `from` may still be in use by other threads; `to` must not be yet.
 * Returns how many entries were copied.
 */
size_t ocv_sigcache_carry_over(ocv_sigcache *to, ocv_sigcache *from, const uint8_t (*key_ids)[32],
                               size_t key_count);

/* SHA-256 over parts, by the build's backend (sigalg_openssl.c, or
 * sigalg_mbedtls.c on device). 0 on success. */
typedef struct ocv_sigcache_part {
    const uint8_t *p;
    size_t len;
} ocv_sigcache_part;
OCV_MUST_CHECK int ocv_backend_sha256(const ocv_sigcache_part *parts, size_t n, uint8_t out[32]);

#endif
