/*
 * strmap.c - open addressing with linear probing (strmap.h).
 */
#include "policy/strmap.h"

#include <stdlib.h>
#include <string.h>

void ocv_strmap_init(ocv_strmap *map)
{
    memset(map, 0, sizeof(*map));
}

void ocv_strmap_free(ocv_strmap *map)
{
    if (map == NULL)
        return;
    free(map->slots);
    ocv_zeroize(map->key, sizeof(map->key));
    ocv_strmap_init(map);
}

ocv_reason ocv_strmap_reserve(ocv_strmap *map, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n) {
        if (cap > SIZE_MAX / 4 / sizeof(ocv_strmap_entry))
            return OCV_TOO_LARGE;
        cap *= 2;
    }
    if (sodium_init() < 0)
        return OCV_INTERNAL_ERROR;
    ocv_strmap_entry *slots = calloc(cap, sizeof(*slots));
    if (slots == NULL)
        return OCV_INTERNAL_ERROR;
    free(map->slots);
    map->slots = slots;
    map->cap = cap;
    map->used = 0;
    map->limit = n;
    randombytes_buf(map->key, sizeof(map->key));
    return OCV_OK;
}

static size_t slot_of(const ocv_strmap *map, const char *key, size_t len)
{
    uint8_t h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)key, len, map->key);
    uint64_t v;
    memcpy(&v, h, sizeof(v));
    return (size_t)v & (map->cap - 1);
}

/* The slot holding key, or the empty slot where it would go. */
static ocv_strmap_entry *probe(const ocv_strmap *map, const char *key, size_t len)
{
    size_t i = slot_of(map, key, len);
    for (;;) {
        ocv_strmap_entry *e = &map->slots[i];
        /* memcmp on public data: rule subjects and issuers are no secret */
        if (e->key == NULL || (e->len == len && memcmp(e->key, key, len) == 0))
            return e;
        i = (i + 1) & (map->cap - 1);
    }
}

ocv_strmap_entry *ocv_strmap_insert(ocv_strmap *map, const char *key, size_t len)
{
    if (map->cap == 0)
        return NULL;
    ocv_strmap_entry *e = probe(map, key, len);
    if (e->key == NULL) {
        if (map->used >= map->limit)
            return NULL;
        e->key = key;
        e->len = len;
        e->first = 0;
        e->count = 0;
        map->used++;
    }
    return e;
}

const ocv_strmap_entry *ocv_strmap_find(const ocv_strmap *map, const char *key, size_t len)
{
    if (map->cap == 0)
        return NULL;
    const ocv_strmap_entry *e = probe(map, key, len);
    return e->key == NULL ? NULL : e;
}
