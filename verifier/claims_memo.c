/*
 * claims_memo.c - the per-thread payload claims memo (claims_memo.h).
 *
 * Packed form, in this order: a flags byte (has iat, nbf, exp, cnf,
 * x5t#S256, jkt), the present dates as 8 bytes each, then issuer,
 * subject, jti and the unsupported cnf method as (2-byte length, bytes),
 * then a count byte and the audiences, a count byte and the purposes, and
 * the present thumbprints (32 bytes each).
 */
#include "verifier/claims_memo.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

enum {
    HAS_IAT = 1,
    HAS_NBF = 2,
    HAS_EXP = 4,
    HAS_CNF = 8,
    HAS_X5T = 16,
    HAS_JKT = 32,
};

typedef struct memo_entry {
    uint8_t tag[crypto_shorthash_siphashx24_BYTES];
    uint16_t len; /* 0: empty */
    uint8_t referenced;
    uint8_t pack[OCV_CLAIMS_MEMO_PACK];
} memo_entry;

typedef struct memo {
    memo_entry entry[OCV_CLAIMS_MEMO_SETS][OCV_CLAIMS_MEMO_WAYS];
    uint8_t hand[OCV_CLAIMS_MEMO_SETS];
} memo;

static uint8_t hash_key[crypto_shorthash_siphashx24_KEYBYTES];
static int ready;
static pthread_key_t owner;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Thread_local memo *mine;

static void init_once(void)
{
    if (sodium_init() < 0 || pthread_key_create(&owner, free) != 0)
        return;
    randombytes_buf(hash_key, sizeof(hash_key));
    ready = 1;
}

/* This thread's memo, made at its first use; NULL when it cannot be. */
static memo *this_thread(int create)
{
    if (mine != NULL || !create)
        return mine;
    pthread_once(&once, init_once);
    if (!ready)
        return NULL;
    mine = calloc(1, sizeof(*mine));
    if (mine != NULL && pthread_setspecific(owner, mine) != 0) {
        free(mine);
        mine = NULL;
    }
    return mine;
}

/* ---- packing --------------------------------------------------------- */

typedef struct packer {
    uint8_t *p;
    size_t len, cap;
    int full;
} packer;

static void put(packer *k, const void *data, size_t n)
{
    if (k->full || n > k->cap - k->len) {
        k->full = 1;
        return;
    }
    memcpy(k->p + k->len, data, n);
    k->len += n;
}

static void put_text(packer *k, const char *s)
{
    size_t n = strlen(s);
    uint16_t n16 = (uint16_t)n;
    if (n > UINT16_MAX)
        k->full = 1;
    put(k, &n16, sizeof(n16));
    put(k, s, n);
}

static int pack(const ocv_claims *c, uint8_t *out, size_t cap, size_t *len)
{
    packer k = {out, 0, cap, 0};
    uint8_t flags = (uint8_t)((c->has_issued_at ? HAS_IAT : 0) | (c->has_not_before ? HAS_NBF : 0) |
                              (c->has_expires_at ? HAS_EXP : 0) | (c->has_cnf ? HAS_CNF : 0) |
                              (c->has_cnf_x5t_s256 ? HAS_X5T : 0) | (c->has_cnf_jkt ? HAS_JKT : 0));
    put(&k, &flags, 1);
    if (c->has_issued_at)
        put(&k, &c->issued_at, 8);
    if (c->has_not_before)
        put(&k, &c->not_before, 8);
    if (c->has_expires_at)
        put(&k, &c->expires_at, 8);
    put_text(&k, c->issuer);
    put_text(&k, c->subject);
    put_text(&k, c->token_id);
    put_text(&k, c->cnf_unsupported);
    uint8_t n = (uint8_t)c->audience_count;
    put(&k, &n, 1);
    for (size_t i = 0; i < c->audience_count; i++)
        put_text(&k, c->audiences[i]);
    n = (uint8_t)c->purpose_count;
    put(&k, &n, 1);
    for (size_t i = 0; i < c->purpose_count; i++)
        put_text(&k, c->purposes[i]);
    if (c->has_cnf_x5t_s256)
        put(&k, c->cnf_x5t_s256, 32);
    if (c->has_cnf_jkt)
        put(&k, c->cnf_jkt, 32);
    *len = k.len;
    return k.full ? -1 : 0;
}

typedef struct unpacker {
    const uint8_t *p;
} unpacker;

static void get(unpacker *u, void *out, size_t n)
{
    memcpy(out, u->p, n); /* within the entry: pack wrote it */
    u->p += n;
}

static void get_text(unpacker *u, char *dst, size_t cap)
{
    uint16_t n;
    get(u, &n, sizeof(n));
    size_t keep = n < cap ? n : cap - 1; /* pack read it from a field of this size */
    memcpy(dst, u->p, keep);
    dst[keep] = 0;
    u->p += n;
}

static void unpack(const uint8_t *p, size_t len, ocv_claims *c)
{
    (void)len; /* pack wrote exactly what is read back */
    unpacker u = {p};
    uint8_t flags, n;
    get(&u, &flags, 1);
    c->has_issued_at = (flags & HAS_IAT) != 0;
    c->has_not_before = (flags & HAS_NBF) != 0;
    c->has_expires_at = (flags & HAS_EXP) != 0;
    c->has_cnf = (flags & HAS_CNF) != 0;
    c->has_cnf_x5t_s256 = (flags & HAS_X5T) != 0;
    c->has_cnf_jkt = (flags & HAS_JKT) != 0;
    if (c->has_issued_at)
        get(&u, &c->issued_at, 8);
    if (c->has_not_before)
        get(&u, &c->not_before, 8);
    if (c->has_expires_at)
        get(&u, &c->expires_at, 8);
    get_text(&u, c->issuer, sizeof(c->issuer));
    get_text(&u, c->subject, sizeof(c->subject));
    get_text(&u, c->token_id, sizeof(c->token_id));
    get_text(&u, c->cnf_unsupported, sizeof(c->cnf_unsupported));
    get(&u, &n, 1);
    c->audience_count = n < OCV_MAX_AUDIENCES ? n : OCV_MAX_AUDIENCES;
    for (size_t i = 0; i < c->audience_count; i++)
        get_text(&u, c->audiences[i], sizeof(c->audiences[i]));
    get(&u, &n, 1);
    c->purpose_count = n < OCV_MAX_PURPOSES ? n : OCV_MAX_PURPOSES;
    for (size_t i = 0; i < c->purpose_count; i++)
        get_text(&u, c->purposes[i], sizeof(c->purposes[i]));
    if (c->has_cnf_x5t_s256)
        get(&u, c->cnf_x5t_s256, 32);
    if (c->has_cnf_jkt)
        get(&u, c->cnf_jkt, 32);
}

/* ---- the memo -------------------------------------------------------- */

static size_t set_of(const uint8_t tag[16])
{
    uint32_t v;
    memcpy(&v, tag, sizeof(v));
    return v % OCV_CLAIMS_MEMO_SETS;
}

static memo_entry *find(memo *m, const uint8_t tag[16])
{
    memo_entry *set = m->entry[set_of(tag)];
    for (int w = 0; w < OCV_CLAIMS_MEMO_WAYS; w++)
        if (set[w].len != 0 && memcmp(set[w].tag, tag, 16) == 0)
            return &set[w];
    return NULL;
}

int ocv_claims_memo_recall(const char *text, size_t len, ocv_claims *c)
{
    memo *m = this_thread(0);
    uint8_t tag[crypto_shorthash_siphashx24_BYTES];
    if (m == NULL ||
        crypto_shorthash_siphashx24(tag, (const unsigned char *)text, len, hash_key) != 0)
        return 0;
    memo_entry *e = find(m, tag);
    if (e == NULL)
        return 0;
    e->referenced = 1;
    unpack(e->pack, e->len, c);
    return 1;
}

void ocv_claims_memo_remember(const char *text, size_t len, const ocv_claims *c)
{
    memo *m = this_thread(1);
    uint8_t tag[crypto_shorthash_siphashx24_BYTES];
    if (m == NULL ||
        crypto_shorthash_siphashx24(tag, (const unsigned char *)text, len, hash_key) != 0 ||
        find(m, tag) != NULL)
        return;
    uint8_t packed[OCV_CLAIMS_MEMO_PACK];
    size_t packed_len;
    if (pack(c, packed, sizeof(packed), &packed_len) != 0)
        return;
    size_t s = set_of(tag);
    memo_entry *set = m->entry[s];
    /* CLOCK: the first way not referenced since the hand last passed */
    int w = m->hand[s] % OCV_CLAIMS_MEMO_WAYS;
    while (set[w].len != 0 && set[w].referenced) {
        set[w].referenced = 0;
        w = (w + 1) % OCV_CLAIMS_MEMO_WAYS;
    }
    m->hand[s] = (uint8_t)((w + 1) % OCV_CLAIMS_MEMO_WAYS);
    memcpy(set[w].tag, tag, sizeof(tag));
    memcpy(set[w].pack, packed, packed_len);
    set[w].len = (uint16_t)packed_len;
    set[w].referenced = 0;
}
