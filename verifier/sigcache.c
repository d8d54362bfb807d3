/*
 * sigcache.c - the verified-signature cache (see sigcache.h).
 *
 * Implementation notes
 *
 * A set is one sequence counter, a spin lock for writers, a CLOCK hand,
 * and OCV_SIGCACHE_WAYS slots of (32-byte id, 8-byte key tag, reference
 * bit); the ids' first words sit together so a lookup scans them first. The id's first 8 bytes pick
 * the set (multiply-shift, so any set count works); an all-zero id marks an empty slot (an id that
 * is all zero, probability 2^-256, is simply never stored).
 *
 * Readers follow the seqlock pattern: read seq (acquire; odd means a
 * writer is inside: retry), compare the slots with relaxed atomic loads,
 * fence, read seq again; equal means the comparison saw one consistent
 * state. A hit sets the slot's reference bit only if it is clear, so hot
 * entries cost no write and no cache-line ping-pong between cores.
 * Writers take the set's lock, make seq odd, write, make it even.
 *
 * Replacement: an empty slot if any; else CLOCK: the hand skips (and
 * clears) referenced slots and takes the first unreferenced one.
 */
#include "sigcache.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define WAYS OCV_SIGCACHE_WAYS

/* The ids' first words side by side, so a lookup scans two cache lines
 * and reads the rest of an id only when its first word matches. */
typedef struct cache_set {
    _Alignas(64) _Atomic uint32_t seq;
    _Atomic uint32_t lock;
    uint32_t hand; /* under lock */
    _Atomic uint8_t ref[WAYS];
    _Alignas(64) _Atomic uint64_t first[WAYS];
    _Atomic uint64_t rest[WAYS][3];
    _Atomic uint64_t tag[WAYS];
} cache_set;

struct ocv_sigcache {
    size_t sets;
    cache_set *set;
};

static uint8_t hash_key[32];
static int hash_key_ok;
static pthread_once_t hash_key_once = PTHREAD_ONCE_INIT;

static void hash_key_init(void)
{
    if (sodium_init() < 0)
        return;
    randombytes_buf(hash_key, sizeof(hash_key));
    hash_key_ok = 1;
}

ocv_reason ocv_sigcache_new(size_t entries, ocv_sigcache **out)
{
    *out = NULL;
    if (entries == 0)
        return OCV_OK;
    ocv_sigcache *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return OCV_INTERNAL_ERROR;
    c->sets = (entries + WAYS - 1) / WAYS;
    c->set = aligned_alloc(_Alignof(cache_set), c->sets * sizeof(cache_set));
    if (c->set == NULL) {
        free(c);
        return OCV_INTERNAL_ERROR;
    }
    memset(c->set, 0, c->sets * sizeof(cache_set)); /* zero: every atomic clear */
    *out = c;
    return OCV_OK;
}

void ocv_sigcache_free(ocv_sigcache *c)
{
    if (c == NULL)
        return;
    free(c->set);
    free(c);
}

size_t ocv_sigcache_capacity(const ocv_sigcache *c)
{
    return c == NULL ? 0 : c->sets * WAYS;
}

static void le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int ocv_sigcache_id(const uint8_t key_id[32], uint64_t alg_code, const uint8_t *msg, size_t msg_len,
                    const uint8_t *sig, size_t sig_len, uint8_t out[32])
{
    pthread_once(&hash_key_once, hash_key_init);
    if (!hash_key_ok)
        return -1;
    /* lengths are hashed too, so (msg, sig) cannot be re-split */
    uint8_t head[24];
    le64(head, alg_code);
    le64(head + 8, (uint64_t)msg_len);
    le64(head + 16, (uint64_t)sig_len);
    const ocv_sigcache_part parts[] = {
        {hash_key, sizeof(hash_key)},
        {key_id, 32},
        {head, sizeof(head)},
        {msg, msg_len},
        {sig, sig_len},
    };
    return ocv_backend_sha256(parts, sizeof(parts) / sizeof(parts[0]), out) == 0 ? 0 : -1;
}

static void words_of(const uint8_t b[32], uint64_t w[4])
{
    memcpy(w, b, 32);
}

static cache_set *set_of(const ocv_sigcache *c, const uint64_t w[4])
{
    return &c->set[(size_t)(((unsigned __int128)w[0] * c->sets) >> 64)];
}

static int slot_is(cache_set *s, int way, const uint64_t w[4])
{
    return atomic_load_explicit(&s->first[way], memory_order_relaxed) == w[0] &&
           atomic_load_explicit(&s->rest[way][0], memory_order_relaxed) == w[1] &&
           atomic_load_explicit(&s->rest[way][1], memory_order_relaxed) == w[2] &&
           atomic_load_explicit(&s->rest[way][2], memory_order_relaxed) == w[3];
}

static void slot_read(cache_set *s, int way, uint64_t w[4])
{
    w[0] = atomic_load_explicit(&s->first[way], memory_order_relaxed);
    for (int k = 0; k < 3; k++)
        w[k + 1] = atomic_load_explicit(&s->rest[way][k], memory_order_relaxed);
}

/* The way holding w, or -1; a consistent answer under the seqlock. */
static int find(cache_set *s, const uint64_t w[4])
{
    for (;;) {
        uint32_t before = atomic_load_explicit(&s->seq, memory_order_acquire);
        if (before & 1) {
            sched_yield();
            continue;
        }
        int found = -1;
        for (int i = 0; i < WAYS && found < 0; i++) {
            if (slot_is(s, i, w))
                found = i;
        }
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&s->seq, memory_order_relaxed) == before)
            return found;
    }
}

static int is_empty_id(const uint64_t w[4])
{
    return (w[0] | w[1] | w[2] | w[3]) == 0;
}

int ocv_sigcache_hit(ocv_sigcache *c, const uint8_t id[32])
{
    if (c == NULL)
        return 0;
    uint64_t w[4];
    words_of(id, w);
    if (is_empty_id(w))
        return 0;
    cache_set *s = set_of(c, w);
    int way = find(s, w);
    if (way < 0)
        return 0;
    if (!atomic_load_explicit(&s->ref[way], memory_order_relaxed))
        atomic_store_explicit(&s->ref[way], 1, memory_order_relaxed);
    return 1;
}

static void lock_set(cache_set *s)
{
    while (atomic_exchange_explicit(&s->lock, 1, memory_order_acquire) != 0)
        sched_yield();
}

static void unlock_set(cache_set *s)
{
    atomic_store_explicit(&s->lock, 0, memory_order_release);
}

static int victim(cache_set *s)
{
    for (int i = 0; i < WAYS; i++) {
        uint64_t w[4];
        slot_read(s, i, w);
        if ((w[0] | w[1] | w[2] | w[3]) == 0)
            return i;
    }
    for (;;) {
        int i = (int)s->hand;
        s->hand = (s->hand + 1) % WAYS;
        if (!atomic_exchange_explicit(&s->ref[i], 0, memory_order_relaxed))
            return i;
    }
}

static void insert(ocv_sigcache *c, const uint64_t w[4], uint64_t tag)
{
    cache_set *s = set_of(c, w);
    lock_set(s);
    int way = -1;
    for (int i = 0; i < WAYS && way < 0; i++) {
        if (slot_is(s, i, w))
            way = i;
    }
    if (way < 0) {
        way = victim(s);
        uint32_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
        atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
        atomic_thread_fence(memory_order_release);
        atomic_store_explicit(&s->first[way], w[0], memory_order_relaxed);
        for (int k = 0; k < 3; k++)
            atomic_store_explicit(&s->rest[way][k], w[k + 1], memory_order_relaxed);
        atomic_store_explicit(&s->tag[way], tag, memory_order_relaxed);
        atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
    }
    atomic_store_explicit(&s->ref[way], 1, memory_order_relaxed);
    unlock_set(s);
}

static uint64_t tag_of(const uint8_t key_id[32])
{
    uint64_t t;
    memcpy(&t, key_id, 8);
    return t;
}

void ocv_sigcache_remember(ocv_sigcache *c, const uint8_t id[32], const uint8_t key_id[32])
{
    if (c == NULL)
        return;
    uint64_t w[4];
    words_of(id, w);
    if (!is_empty_id(w))
        insert(c, w, tag_of(key_id));
}

/* One set's slots as a consistent snapshot. */
static void snapshot(cache_set *s, uint64_t ids[WAYS][4], uint64_t tags[WAYS])
{
    for (;;) {
        uint32_t before = atomic_load_explicit(&s->seq, memory_order_acquire);
        if (before & 1) {
            sched_yield();
            continue;
        }
        for (int i = 0; i < WAYS; i++) {
            slot_read(s, i, ids[i]);
            tags[i] = atomic_load_explicit(&s->tag[i], memory_order_relaxed);
        }
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&s->seq, memory_order_relaxed) == before)
            return;
    }
}

size_t ocv_sigcache_carry_over(ocv_sigcache *to, ocv_sigcache *from, const uint8_t (*key_ids)[32],
                               size_t key_count)
{
    if (to == NULL || from == NULL || key_count == 0)
        return 0;
    size_t copied = 0;
    for (size_t si = 0; si < from->sets; si++) {
        uint64_t ids[WAYS][4], tags[WAYS];
        snapshot(&from->set[si], ids, tags);
        for (int i = 0; i < WAYS; i++) {
            if (is_empty_id(ids[i]))
                continue;
            for (size_t k = 0; k < key_count; k++) {
                if (tags[i] == tag_of(key_ids[k])) {
                    insert(to, ids[i], tags[i]);
                    copied++;
                    break;
                }
            }
        }
    }
    return copied;
}
