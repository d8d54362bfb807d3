/*
 * digest.h - the revocation state digest: LtHash16, a homomorphic
 * multiset hash, so that a delta bundle updates the digest of the whole
 * state in time proportional to the delta, never to the state.
 *
 * Construction (Lewi, Kim, Maykov, Weis: "Securing Update Propagation with
 * Homomorphic Hashing", IACR ePrint 2019/227; Bellare-Micciancio 1997
 * incremental hashing): the state is a vector of 1024 lanes of 16 bits.
 * An element x is expanded to 2048 bytes by an extendable-output function:
 * a 32-byte seed BLAKE2b-256(x, personal = "ocv-lthash16") keys the
 * ChaCha20 keystream (nonce 0), whose first 2048 bytes are read as 1024
 * little-endian uint16 (the paper allows any XOF; a hash-seeded stream
 * cipher is the usual PRG construction). Adding an element adds its vector
 * lane-wise mod 2^16; removing subtracts it. The signed digest is
 * SHA-256 over the 2048-byte little-endian state.
 *
 * This is a published construction built from libsodium's BLAKE2b and
 * mbedtls's SHA-256; ocv writes no primitive of its own.
 *
 * Ownership: plain values, no heap. Not thread-safe for writes.
 */
#ifndef OCV_REVOCATION_DIGEST_H
#define OCV_REVOCATION_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "ocv.h"

#define OCV_LTHASH_LANES       1024
#define OCV_LTHASH_BYTES       (2 * OCV_LTHASH_LANES)
#define OCV_STATE_DIGEST_BYTES 32

typedef struct ocv_lthash {
    uint16_t lanes[OCV_LTHASH_LANES];
} ocv_lthash;

/* The hash of the empty set: all lanes zero. */
void ocv_lthash_init(ocv_lthash *h);

/* Adds / removes one element. OCV_INTERNAL_ERROR only if libsodium
 * cannot initialise. */
OCV_MUST_CHECK ocv_reason ocv_lthash_add(ocv_lthash *h, const uint8_t *element, size_t len);
OCV_MUST_CHECK ocv_reason ocv_lthash_remove(ocv_lthash *h, const uint8_t *element, size_t len);

/* Adds another state lane-wise (the hash of the multiset union). */
void ocv_lthash_combine(ocv_lthash *h, const ocv_lthash *other);

/* SHA-256 over the little-endian serialisation. */
OCV_MUST_CHECK ocv_reason ocv_lthash_digest(const ocv_lthash *h,
                                            uint8_t out[OCV_STATE_DIGEST_BYTES]);

/* 2048-byte little-endian form, for the store. */
void ocv_lthash_serialize(const ocv_lthash *h, uint8_t out[OCV_LTHASH_BYTES]);
void ocv_lthash_deserialize(ocv_lthash *h, const uint8_t in[OCV_LTHASH_BYTES]);

#endif
