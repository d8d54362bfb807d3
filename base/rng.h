/*
 * rng.h - the one source of randomness: libsodium's randombytes (the
 * kernel CSPRNG), shaped as an mbedtls f_rng so mbedtls key generation,
 * ECDSA signing and RSA blinding can use it. Thread-safe.
 */
#ifndef OCV_BASE_RNG_H
#define OCV_BASE_RNG_H

#include <stddef.h>

/* mbedtls f_rng signature; ctx is unused (pass NULL). Returns 0, or -1
 * if libsodium cannot initialise. */
int ocv_rng(void *ctx, unsigned char *out, size_t len);

#endif
