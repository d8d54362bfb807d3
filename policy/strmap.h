/*
 * strmap.h - the policy index: a string-keyed open-addressing hash table.
 *
 * What it does: maps a byte string to an entry holding a range of a
 * caller-owned postings array (the rules that name that string, in file
 * order). Built once at policy load, read-only afterwards.
 *
 * Hashing is SipHash-2-4 (libsodium crypto_shorthash) under a random key
 * per table: lookups use strings from credentials, and the table is built
 * from an operator's file, so neither side can arrange collisions to turn
 * a lookup into a scan. Capacity is a power of two at least twice the
 * number of keys, so a probe sequence always ends at an empty slot.
 *
 * Ownership: the table owns its slots, not the keys (borrowed; they must
 * outlive it). Thread safety: lookups on a built table are read-only and
 * may run concurrently; building is single-threaded.
 */
#ifndef OCV_POLICY_STRMAP_H
#define OCV_POLICY_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "base/util.h"
#include "ocv.h"

typedef struct ocv_strmap_entry {
    const char *key; /* NULL: empty slot */
    size_t len;
    uint32_t first; /* postings [first, first + count) */
    uint32_t count;
} ocv_strmap_entry;

typedef struct ocv_strmap {
    ocv_strmap_entry *slots;
    size_t cap; /* a power of two, or 0 before reserve */
    size_t used;
    size_t limit; /* keys the reserved capacity takes */
    unsigned char key[crypto_shorthash_KEYBYTES];
} ocv_strmap;

void ocv_strmap_init(ocv_strmap *map);
void ocv_strmap_free(ocv_strmap *map);

/* Sizes an empty table for up to n keys and draws its hash key.
 * Reasons: OCV_OK; OCV_TOO_LARGE (n beyond what a size_t can index);
 * OCV_INTERNAL_ERROR (allocation, randomness). */
OCV_MUST_CHECK ocv_reason ocv_strmap_reserve(ocv_strmap *map, size_t n);

/* The entry for key, created (count 0) when new; NULL when the table
 * already holds as many keys as reserved. */
ocv_strmap_entry *ocv_strmap_insert(ocv_strmap *map, const char *key, size_t len);

/* The entry for key, or NULL. */
const ocv_strmap_entry *ocv_strmap_find(const ocv_strmap *map, const char *key, size_t len);

#endif
